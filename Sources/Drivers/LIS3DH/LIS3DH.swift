import HAL

/// ST LIS3DH (±2...16 g): high-resolution 12-bit mode up to 1.344 kHz, low-power 8-bit mode at
/// 1.6 and 5.376 kHz; the 32-level FIFO in stream mode (default) or polled (STATUS_REG ZYXDA).
public final class LIS3DH: Accelerometer {
    /// Range (2, 4, 8 or 16 g), rate (1 … 1344 Hz in 12-bit high-resolution mode; 1600 and
    /// 5376 Hz only in 8-bit low-power mode, at 16× coarser steps), FIFO (stream mode, else
    /// polling ZYXDA) and watermark (FIFO_CTRL_REG FTH, FIFO_SRC_REG's WTM bit).
    public typealias Settings = FIFOAccelerometerSettings

    public let model: ChipModel = .lis3dh
    public let rangeG: Double
    public let odrHz: Double
    public let usesFIFO: Bool
    public let settings: Settings
    /// Bits per sample: 12 (high resolution) or 8 (low power, at 1.6 and 5.376 kHz).
    public let resolutionBits: Int
    /// g per digit of the mode and range in effect.
    public let gPerDigit: Double
    /// Reads that found FIFO_SRC's OVRN_FIFO set (the FIFO full and its oldest entries being
    /// overwritten) or, polled, STATUS_REG's ZYXOR (a sample replaced an unread one).
    public var overruns: Int? { overrunCount }
    private var overrunCount = 0

    private let io: RegisterIO
    private var sampleClock: SampleClock
    /// The last read's OUT_X_L...OUT_Z_H, entry after entry; kept so a drain allocates no buffer.
    private var data: [UInt8] = []
    public var missedSamples: Int { sampleClock.missing }

    /// Checks WHO_AM_I and configures the chip (powered down while configuring, ODR last).
    public init(device: any I2CDevice, settings: Settings = .init()) throws(DriverError) {
        let io = RegisterIO(device: device)
        self.io = io
        self.settings = settings
        guard let range = LIS3DHRegister.ranges.first(where: { $0.g == settings.rangeG }) else {
            throw io.error(.invalidSetting("range ±\(settings.rangeG) g", allowed: "2, 4, 8, 16"))
        }
        guard let odr = LIS3DHRegister.odr.first(where: { $0.hz == settings.odrHz }) else {
            let allowed = LIS3DHRegister.odr.map { "\(Int($0.hz))" }.joined(separator: ", ")
            throw io.error(.invalidSetting("output data rate \(settings.odrHz) Hz", allowed: allowed))
        }
        if settings.fifo, !(1...31).contains(settings.watermark) {
            throw io.error(.invalidSetting("FIFO watermark \(settings.watermark)", allowed: "1...31"))
        }
        if settings.interrupt?.openDrain == true {
            throw io.error(.invalidSetting("an open-drain interrupt pin on the LIS3DH", allowed: "push-pull"))
        }
        rangeG = range.g
        odrHz = odr.hz
        usesFIFO = settings.fifo
        resolutionBits = odr.lowPower ? 8 : 12
        gPerDigit = odr.lowPower ? range.lowPower : range.highResolution
        // INT1 asserts when the FIFO holds more than FTH entries (WTM; AN3308), or at the next
        // sample for data ready.
        sampleClock = SampleClock(
            period: SampleClock.period(hz: odr.hz),
            interruptBatch: settings.interrupt == nil ? nil : settings.fifo ? settings.watermark + 1 : 1)
        data.reserveCapacity(LIS3DHRegister.fifoDepth * LIS3DHRegister.dataLength)

        let id = try io.read(LIS3DHRegister.whoAmI)
        guard id == LIS3DHRegister.whoAmIValue else {
            throw io.error(
                .wrongChip(expected: [LIS3DHRegister.whoAmIValue], found: id), register: LIS3DHRegister.whoAmI
            )
        }
        // Power down while configuring (ODR 0000).
        try io.write(LIS3DHRegister.ctrlReg1, 0x00)
        // BDU so a read never mixes the high byte of one sample with the low byte of the next;
        // HR for 12-bit data (HR must stay 0 in low-power mode); little-endian (BLE = 0).
        try io.write(
            LIS3DHRegister.ctrlReg4,
            LIS3DHRegister.bdu | range.code << LIS3DHRegister.fsShift
                | (odr.lowPower ? 0 : LIS3DHRegister.highResolution))
        // FIFO_EN as wanted, and bypass first: it empties a FIFO a previous run left behind (and,
        // when polling, a FIFO left enabled would otherwise keep serving old samples).
        try io.write(LIS3DHRegister.ctrlReg5, settings.fifo ? LIS3DHRegister.fifoEnable : 0x00)
        try io.write(LIS3DHRegister.fifoCtrl, LIS3DHRegister.fifoBypass)
        if settings.fifo {
            // Stream mode: the FIFO keeps the newest 32 samples; watermark in FTH[4:0].
            try io.write(LIS3DHRegister.fifoCtrl, LIS3DHRegister.fifoStream | UInt8(settings.watermark))
        }
        // INT1: the watermark (set while the FIFO holds more than FTH samples) or data ready, or
        // nothing; written every time, so a previous run's routing does not linger.
        try io.write(
            LIS3DHRegister.ctrlReg6, settings.interrupt?.activeLow == true ? LIS3DHRegister.intActiveLow : 0)
        try io.write(
            LIS3DHRegister.ctrlReg3,
            settings.interrupt == nil
                ? 0 : settings.fifo ? LIS3DHRegister.int1Watermark : LIS3DHRegister.int1DataReady)
        // Last: ODR, LPen for the low-power rates, the three axes on.
        try io.write(
            LIS3DHRegister.ctrlReg1,
            odr.code << 4 | (odr.lowPower ? LIS3DHRegister.lowPowerEnable : 0) | LIS3DHRegister.axesEnabled)
    }

    public func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample] {
        var overran = false
        let before = clock()
        let after: Duration
        if usesFIFO {
            let source = try io.read(LIS3DHRegister.fifoSource)
            after = clock()
            let entries: Int
            if source & LIS3DHRegister.fifoEmpty != 0 {
                entries = 0
            } else if source & LIS3DHRegister.fifoOverrun != 0 {
                // Full: 32 entries (FSS cannot say 32), and older samples were overwritten.
                entries = LIS3DHRegister.fifoDepth
                overran = true
            } else {
                entries = Int(source & LIS3DHRegister.fifoLevelMask)
            }
            // Auto-increment reads (0xA8): a read reaching OUT_Z_H pops one entry, and while the
            // FIFO is on the address rolls back to OUT_X_L (AN3308 §9.6), so one long read takes
            // every entry (block reads: five a transfer). Counting from FIFO_SRC_REG never reads
            // past the level, so no stale sample.
            try io.readRecords(
                LIS3DHRegister.outXL | LIS3DHRegister.autoIncrement, length: LIS3DHRegister.dataLength,
                count: entries, rolling: true, into: &data)
        } else {
            let status = try io.read(LIS3DHRegister.status)
            after = clock()
            overran = status & LIS3DHRegister.zyxOverrun != 0
            // One 6-byte burst with the auto-increment bit set in the sub-address (0xA8).
            data =
                status & LIS3DHRegister.zyxDataAvailable != 0
                ? try io.readBlock(
                    LIS3DHRegister.outXL | LIS3DHRegister.autoIncrement, count: LIS3DHRegister.dataLength)
                : []
        }
        if overran { overrunCount += 1 }
        let n = LIS3DHRegister.dataLength
        let times = sampleClock.times(
            count: data.count / n, before: before, after: after, overran: overran, edge: edge)
        return times.indices.map { i in
            STAccel.sample(
                data, at: i * n, bits: resolutionBits, gPerDigit: gPerDigit, rangeG: rangeG, time: times[i])
        }
    }
}

/// Conversion shared by the ST parts: little-endian, left-justified two's complement.
enum STAccel {
    /// Left-justified `bits`-bit value from bytes i (low), i+1 (high): arithmetic shift right.
    static func value(_ d: [UInt8], _ i: Int, bits: Int) -> Int32 {
        guard i >= 0, i + 1 < d.count else { return 0 }
        return Int32(Int16(bitPattern: UInt16(d[i]) | UInt16(d[i + 1]) << 8) >> (16 - bits))
    }

    /// Saturated if an axis is within one count of the code limits, or at or beyond the nominal
    /// full scale (ST's ±16 g LIS3DH sensitivity, 12 mg/digit, puts the code limit at ±24.5 g, so
    /// the analog clipping shows up below the code limit).
    static func sample(
        _ d: [UInt8], at base: Int = 0, bits: Int, gPerDigit: Double, rangeG: Double, time: Duration
    ) -> AccelerationSample {
        let raw = [
            value(d, base, bits: bits), value(d, base + 2, bits: bits), value(d, base + 4, bits: bits),
        ]
        let maxCode = Int32(1 << (bits - 1)) - 1
        let minCode = -Int32(1 << (bits - 1))
        let g = raw.map { Double($0) * gPerDigit }
        let saturated =
            raw.contains { $0 >= maxCode - 1 || $0 <= minCode + 1 }
            || g.contains { abs($0) >= rangeG - gPerDigit }
        return AccelerationSample(time: time, x: g[0], y: g[1], z: g[2], saturated: saturated)
    }
}
