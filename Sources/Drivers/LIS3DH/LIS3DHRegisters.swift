/// ST LIS3DH register map (datasheet DocID17530 rev 2, §7–8; FIFO: application note AN3308 §9).
enum LIS3DHRegister {
    /// WHO_AM_I = 0x33.
    static let whoAmI: UInt8 = 0x0F
    static let whoAmIValue: UInt8 = 0x33
    /// CTRL_REG1: ODR[7:4], LPen bit 3, Zen Yen Xen bits 2:0. ODR 0000 = power down.
    static let ctrlReg1: UInt8 = 0x20
    static let lowPowerEnable: UInt8 = 1 << 3
    static let axesEnabled: UInt8 = 0b111
    /// CTRL_REG3: what drives INT1: I1_ZYXDA bit 4 (data ready), I1_WTM bit 2 (FIFO watermark).
    static let ctrlReg3: UInt8 = 0x22
    static let int1DataReady: UInt8 = 1 << 4
    static let int1Watermark: UInt8 = 1 << 2
    /// CTRL_REG6: INT_POLARITY bit 1 (1: interrupts active low). The pins are push-pull only.
    static let ctrlReg6: UInt8 = 0x25
    static let intActiveLow: UInt8 = 1 << 1
    /// CTRL_REG4: BDU bit 7 (block data update: output registers not updated until both bytes
    /// are read), BLE bit 6 (0 = little-endian), FS[5:4], HR bit 3 (high resolution, 12-bit).
    static let ctrlReg4: UInt8 = 0x23
    static let bdu: UInt8 = 1 << 7
    static let highResolution: UInt8 = 1 << 3
    static let fsShift: UInt8 = 4
    /// CTRL_REG5: BOOT bit 7, FIFO_EN bit 6 (the FIFO works only with this set), LIR/D4D bits.
    static let ctrlReg5: UInt8 = 0x24
    static let fifoEnable: UInt8 = 1 << 6
    /// STATUS_REG: ZYXOR bit 7 (overrun), ZYXDA bit 3 (new X, Y, Z data).
    static let status: UInt8 = 0x27
    static let zyxDataAvailable: UInt8 = 1 << 3
    /// STATUS_REG ZYXOR: a new sample overwrote one not yet read (polled mode).
    static let zyxOverrun: UInt8 = 1 << 7
    /// OUT_X_L ... OUT_Z_H: little-endian (BLE = 0), left-justified two's complement; 12-bit in
    /// high-resolution mode, 10-bit in normal mode, 8-bit in low-power mode.
    static let outXL: UInt8 = 0x28
    /// Bit 7 of the sub-address enables auto-increment on multi-byte reads (§6.1.1).
    static let autoIncrement: UInt8 = 0x80
    static let dataLength = 6
    /// FIFO_CTRL_REG: FM[7:6] (00 bypass, 01 FIFO, 10 stream, 11 stream-to-FIFO), TR bit 5,
    /// FTH[4:0] watermark. Bypass empties the FIFO.
    static let fifoCtrl: UInt8 = 0x2E
    static let fifoBypass: UInt8 = 0b00 << 6
    static let fifoStream: UInt8 = 0b10 << 6
    /// FIFO_SRC_REG: WTM bit 7, OVRN_FIFO bit 6 (32 unread samples: the FIFO is full), EMPTY bit 5,
    /// FSS[4:0] unread samples. FSS has 5 bits for a 32-level FIFO: full reads FSS = 31 with
    /// OVRN_FIFO set (AN3308's FIFO_SRC_REG table), so OVRN_FIFO means 32.
    static let fifoSource: UInt8 = 0x2F
    static let fifoOverrun: UInt8 = 1 << 6
    static let fifoEmpty: UInt8 = 1 << 5
    static let fifoLevelMask: UInt8 = 0x1F
    static let fifoDepth = 32

    /// ODR codes (table 31): 1, 10, 25, 50, 100, 200, 400 Hz and 1.344 kHz (code 1001) in
    /// normal/high-resolution mode; 1.6 kHz (1000) and 5.376 kHz (1001) exist only in low-power
    /// mode (LPen = 1, 8-bit data).
    static let odr: [(hz: Double, code: UInt8, lowPower: Bool)] = [
        (1, 0b0001, false), (10, 0b0010, false), (25, 0b0011, false), (50, 0b0100, false),
        (100, 0b0101, false), (200, 0b0110, false), (400, 0b0111, false), (1344, 0b1001, false),
        (1600, 0b1000, true), (5376, 0b1001, true),
    ]
    /// Full scale → FS code and sensitivity in g/digit (table 4): high-resolution 12-bit 1, 2, 4,
    /// 12 mg/digit (note ±16 g is 12 mg, not 8); low-power 8-bit 16, 32, 64, 192 mg/digit.
    static let ranges: [(g: Double, code: UInt8, highResolution: Double, lowPower: Double)] = [
        (2, 0b00, 0.001, 0.016), (4, 0b01, 0.002, 0.032), (8, 0b10, 0.004, 0.064), (16, 0b11, 0.012, 0.192),
    ]
}
