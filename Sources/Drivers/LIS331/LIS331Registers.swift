/// ST H3LIS331DL (DocID 023451) and LIS331HH (DocID 17526) register map: identical, including
/// WHO_AM_I 0x32; only the g per digit differs.
enum LIS331Register {
    static let whoAmI: UInt8 = 0x0F
    static let whoAmIValue: UInt8 = 0x32
    /// CTRL_REG1: PM[7:5] power mode (000 power down, 001 normal), DR[4:3] data rate, Zen Yen Xen.
    static let ctrlReg1: UInt8 = 0x20
    static let normalMode: UInt8 = 0b001 << 5
    static let axesEnabled: UInt8 = 0b111
    /// CTRL_REG4: BDU bit 7, BLE bit 6 (0 = little-endian), FS[5:4].
    static let ctrlReg4: UInt8 = 0x23
    /// CTRL_REG3: IHL bit 7 (interrupts active low), PP_OD bit 6 (open drain), LIR1 bit 2,
    /// I1_CFG[1:0] (10: data ready on INT1).
    static let ctrlReg3: UInt8 = 0x22
    static let intActiveLow: UInt8 = 1 << 7
    static let intOpenDrain: UInt8 = 1 << 6
    static let int1DataReady: UInt8 = 0b10
    static let bdu: UInt8 = 1 << 7
    static let fsShift: UInt8 = 4
    /// STATUS_REG: ZYXDA bit 3.
    static let status: UInt8 = 0x27
    static let zyxDataAvailable: UInt8 = 1 << 3
    /// STATUS_REG ZYXOR: a new sample overwrote one not yet read.
    static let zyxOverrun: UInt8 = 1 << 7
    /// OUT_X_L 0x28 ... OUT_Z_H 0x2D: 12-bit left-justified; bit 7 of the sub-address = auto-increment.
    static let outXL: UInt8 = 0x28
    static let autoIncrement: UInt8 = 0x80

    /// DR[4:3] (normal mode): 50, 100, 400, 1000 Hz.
    static let odr: [(hz: Double, code: UInt8)] = [(50, 0b00), (100, 0b01), (400, 0b10), (1000, 0b11)]
    /// FS[5:4] → range and sensitivity (g/digit, typical). FS = 10 is not allowed on either part.
    static func ranges(_ model: ChipModel) -> [(g: Double, code: UInt8, gPerDigit: Double)] {
        model == .h3lis331dl
            ? [(100, 0b00, 0.049), (200, 0b01, 0.098), (400, 0b11, 0.195)]
            : [(6, 0b00, 0.003), (12, 0b01, 0.006), (24, 0b11, 0.012)]
    }
}
