import HAL

/// ST LIS3DH (±2...16 g), high-resolution 12-bit mode, polled (STATUS_REG ZYXDA).
/// Its FIFO is not used yet: for rates above ~200 Hz use the ADXL345 FIFO path or add it.
public final class LIS3DH: Accelerometer {
    public struct Settings: Sendable, Equatable {
        /// ±2, 4, 8 or 16 g.
        public var rangeG: Double
        /// 1, 10, 25, 50, 100, 200, 400 or 1344 Hz.
        public var odrHz: Double
        public init(rangeG: Double = 16, odrHz: Double = 100) {
            self.rangeG = rangeG
            self.odrHz = odrHz
        }
    }

    public let model: ChipModel = .lis3dh
    public let rangeG: Double
    public let odrHz: Double
    public let usesFIFO = false

    private let io: RegisterIO
    private let gPerDigit: Double
    private let period: Duration
    private var lastSampleTime: Duration?

    public init(device: any I2CDevice, settings: Settings = .init()) throws(DriverError) {
        let io = RegisterIO(device: device)
        self.io = io
        guard let range = LIS3DHRegister.ranges.first(where: { $0.g == settings.rangeG }) else {
            throw io.error(.invalidSetting("range ±\(settings.rangeG) g", allowed: "2, 4, 8, 16"))
        }
        guard let odr = LIS3DHRegister.odr.first(where: { $0.hz == settings.odrHz }) else {
            throw io.error(.invalidSetting("output data rate \(settings.odrHz) Hz", allowed: LIS3DHRegister.odr.map { "\($0.hz)" }.joined(separator: ", ")))
        }
        rangeG = range.g
        odrHz = odr.hz
        gPerDigit = range.gPerDigit
        period = .nanoseconds(Int64((1e9 / odr.hz).rounded()))

        let id = try io.read(LIS3DHRegister.whoAmI)
        guard id == LIS3DHRegister.whoAmIValue else {
            throw io.error(.wrongChip(expected: [LIS3DHRegister.whoAmIValue], found: id), register: LIS3DHRegister.whoAmI)
        }
        // Power down while configuring (ODR 0000).
        try io.write(LIS3DHRegister.ctrlReg1, 0x00)
        // BDU so a read never mixes the high byte of one sample with the low byte of the next;
        // HR for 12-bit data; little-endian (BLE = 0).
        try io.write(LIS3DHRegister.ctrlReg4, LIS3DHRegister.bdu | range.code << LIS3DHRegister.fsShift | LIS3DHRegister.highResolution)
        // Last: ODR and the three axes on (LPen = 0: normal/high-resolution mode).
        try io.write(LIS3DHRegister.ctrlReg1, odr.code << 4 | LIS3DHRegister.axesEnabled)
    }

    public func read(now: Duration) throws(DriverError) -> [AccelerationSample] {
        guard try io.read(LIS3DHRegister.status) & LIS3DHRegister.zyxDataAvailable != 0 else { return [] }
        // One 6-byte burst with the auto-increment bit set in the sub-address (0xA8).
        let d = try io.readBlock(LIS3DHRegister.outXL | LIS3DHRegister.autoIncrement, count: 6)
        let time = sampleTimes(count: 1, now: now, period: period, previous: lastSampleTime)[0]
        lastSampleTime = time
        return [STAccel.sample(d, bits: 12, gPerDigit: gPerDigit, rangeG: rangeG, time: time)]
    }
}

/// Conversion shared by the ST parts: little-endian, left-justified two's complement.
enum STAccel {
    /// Left-justified `bits`-bit value from bytes i (low), i+1 (high): arithmetic shift right.
    static func value(_ d: [UInt8], _ i: Int, bits: Int) -> Int32 {
        guard i + 1 < d.count else { return 0 }
        return Int32(Int16(bitPattern: UInt16(d[i]) | UInt16(d[i + 1]) << 8) >> (16 - bits))
    }

    /// Saturated if an axis is within one count of the code limits, or at or beyond the nominal
    /// full scale (ST's ±16 g LIS3DH sensitivity, 12 mg/digit, puts the code limit at ±24.5 g, so
    /// the analog clipping shows up below the code limit).
    static func sample(_ d: [UInt8], bits: Int, gPerDigit: Double, rangeG: Double, time: Duration) -> AccelerationSample {
        let raw = [value(d, 0, bits: bits), value(d, 2, bits: bits), value(d, 4, bits: bits)]
        let maxCode = Int32(1 << (bits - 1)) - 1
        let minCode = -Int32(1 << (bits - 1))
        let g = raw.map { Double($0) * gPerDigit }
        let saturated = raw.contains { $0 >= maxCode - 1 || $0 <= minCode + 1 }
            || g.contains { abs($0) >= rangeG - gPerDigit }
        return AccelerationSample(time: time, x: g[0], y: g[1], z: g[2], saturated: saturated)
    }
}
