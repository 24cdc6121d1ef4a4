/// ST LIS3DH register map (datasheet DocID17530 rev 2, §7–8).
enum LIS3DHRegister {
    /// WHO_AM_I = 0x33.
    static let whoAmI: UInt8 = 0x0F
    static let whoAmIValue: UInt8 = 0x33
    /// CTRL_REG1: ODR[7:4], LPen bit 3, Zen Yen Xen bits 2:0. ODR 0000 = power down.
    static let ctrlReg1: UInt8 = 0x20
    static let axesEnabled: UInt8 = 0b111
    /// CTRL_REG4: BDU bit 7 (block data update: output registers not updated until both bytes
    /// are read), BLE bit 6 (0 = little-endian), FS[5:4], HR bit 3 (high resolution, 12-bit).
    static let ctrlReg4: UInt8 = 0x23
    static let bdu: UInt8 = 1 << 7
    static let highResolution: UInt8 = 1 << 3
    static let fsShift: UInt8 = 4
    /// STATUS_REG: ZYXOR bit 7 (overrun), ZYXDA bit 3 (new X, Y, Z data).
    static let status: UInt8 = 0x27
    static let zyxDataAvailable: UInt8 = 1 << 3
    /// OUT_X_L ... OUT_Z_H: little-endian (BLE = 0), left-justified two's complement; 12-bit in
    /// high-resolution mode (value >> 4).
    static let outXL: UInt8 = 0x28
    /// Bit 7 of the sub-address enables auto-increment on multi-byte reads (§6.1.1).
    static let autoIncrement: UInt8 = 0x80

    /// ODR codes in high-resolution/normal mode (table 31): 1, 10, 25, 50, 100, 200, 400 Hz and
    /// 1.344 kHz (code 1001). The low-power-only rates (1.6, 5.376 kHz) are not offered: they
    /// need LPen = 1 (8-bit data).
    static let odr: [(hz: Double, code: UInt8)] = [
        (1, 0b0001), (10, 0b0010), (25, 0b0011), (50, 0b0100), (100, 0b0101), (200, 0b0110),
        (400, 0b0111), (1344, 0b1001),
    ]
    /// Full scale → FS code and high-resolution sensitivity in g/digit (table 4: 1, 2, 4, 12 mg/digit;
    /// note ±16 g is 12 mg, not 8).
    static let ranges: [(g: Double, code: UInt8, gPerDigit: Double)] = [
        (2, 0b00, 0.001), (4, 0b01, 0.002), (8, 0b10, 0.004), (16, 0b11, 0.012),
    ]
}
