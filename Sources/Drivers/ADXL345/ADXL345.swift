import HAL

/// ADI ADXL345 (±2...16 g) and ADXL375 (±200 g) accelerometers over I2C, full resolution,
/// polled or with the 32-entry FIFO in stream mode.
public final class ADXL345: Accelerometer {
    public let model: ChipModel
    public let rangeG: Double
    /// The exact ODR of the selected rate code (e.g. 3.125 for "3.13").
    public let odrHz: Double
    public let usesFIFO: Bool
    public let settings: Settings
    /// Reads that found the FIFO full (32 entries or more: in stream mode the oldest are being
    /// overwritten) or, polled, INT_SOURCE's overrun bit set (a sample replaced an unread one).
    public var overruns: Int? { overrunCount }
    private var overrunCount = 0

    private let io: RegisterIO
    private let gPerLSB: Double
    private let minCode: Int32
    private let maxCode: Int32
    private var sampleClock: SampleClock
    /// The last read's data registers, entry after entry; kept so a drain allocates no buffer.
    private var data: [UInt8] = []
    public var missedSamples: Int { sampleClock.missing }

    /// Checks DEVID and configures the chip (standby while configuring, measure last).
    /// - Parameter model: `.adxl345` or `.adxl375`; they share DEVID 0xE5, so the caller says which.
    public init(device: any I2CDevice, model: ChipModel = .adxl345, settings: Settings = .init())
        throws(DriverError)
    {
        let io = RegisterIO(device: device)
        self.io = io
        self.model = model
        self.settings = settings
        guard model == .adxl345 || model == .adxl375 else {
            throw io.error(
                .invalidSetting("model \(model.rawValue) for the ADXL345 driver", allowed: "adxl345, adxl375")
            )
        }
        let rangeCode: UInt8
        if model == .adxl375 {
            guard settings.rangeG == 200 else {
                throw io.error(
                    .invalidSetting("range ±\(settings.rangeG) g on ADXL375", allowed: "200 (fixed)"))
            }
            rangeCode = 0b11  // bits 1:0 must be 11 on the ADXL375
        } else {
            guard let code = Self.rangeCode(settings.rangeG) else {
                throw io.error(.invalidSetting("range ±\(settings.rangeG) g", allowed: "2, 4, 8, 16"))
            }
            rangeCode = code
        }
        guard let rate = ADXL345Rate.code(for: settings.odrHz) else {
            let allowed = ADXL345Rate.printed.map { "\($0)" }.joined(separator: ", ")
            throw io.error(.invalidSetting("output data rate \(settings.odrHz) Hz", allowed: allowed))
        }
        if settings.fifo, !(1...31).contains(settings.watermark) {
            throw io.error(.invalidSetting("FIFO watermark \(settings.watermark)", allowed: "1...31"))
        }
        if settings.interrupt?.openDrain == true {
            throw io.error(
                .invalidSetting(
                    "an open-drain interrupt pin on the \(model.displayName)", allowed: "push-pull"))
        }
        rangeG = settings.rangeG
        odrHz = ADXL345Rate.exact(code: rate)
        usesFIFO = settings.fifo
        gPerLSB = Self.scale(model: model)
        let bits = Self.codeBits(model: model, rangeG: settings.rangeG)
        minCode = -(1 << (bits - 1))
        maxCode = (1 << (bits - 1)) - 1
        // INT1 asserts at the watermark's count of entries (DATA_READY: at the next sample).
        sampleClock = SampleClock(
            period: SampleClock.period(hz: odrHz),
            interruptBatch: settings.interrupt == nil ? nil : settings.fifo ? settings.watermark : 1)
        data.reserveCapacity(ADXL345Register.maxEntries * ADXL345Register.dataLength)

        let id = try io.read(ADXL345Register.devID)
        guard id == ADXL345Register.devIDValue else {
            throw io.error(
                .wrongChip(expected: [ADXL345Register.devIDValue], found: id), register: ADXL345Register.devID
            )
        }
        // Standby first: configuration registers are written while not measuring.
        try io.write(ADXL345Register.powerCtl, 0x00)
        // Normal (not low) power: LOW_POWER adds noise.
        try io.write(ADXL345Register.bwRate, rate)
        // Full resolution (256 LSB/g at every range), right-justified, I2C, no self-test; the
        // interrupt pins' polarity.
        let invert = settings.interrupt?.activeLow == true ? ADXL345Register.intInvert : 0
        try io.write(ADXL345Register.dataFormat, ADXL345Register.fullRes | invert | rangeCode)
        // Interrupts: none, or the one worth a read on INT1 (the datasheet: map before enabling).
        // Written every time, so a previous run's enables do not linger on an unwired pin.
        try io.write(ADXL345Register.intEnable, 0x00)
        try io.write(ADXL345Register.intMap, 0x00)
        // Bypass first: it empties the FIFO of anything a previous run left.
        try io.write(ADXL345Register.fifoCtl, ADXL345Register.fifoBypass)
        if settings.fifo {
            // Stream mode: the FIFO keeps the newest 32 samples; watermark in bits 4:0.
            try io.write(ADXL345Register.fifoCtl, ADXL345Register.fifoStream | UInt8(settings.watermark))
        }
        if settings.interrupt != nil {
            // The watermark stays set while the FIFO holds `watermark` entries or more; DATA_READY
            // while an unread sample waits: both are cleared by the read that serves them.
            try io.write(
                ADXL345Register.intEnable,
                settings.fifo ? ADXL345Register.watermark : ADXL345Register.dataReady)
        }
        // Measure last, once everything is configured.
        try io.write(ADXL345Register.powerCtl, ADXL345Register.measure)
    }

    public func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample] {
        let overran: Bool
        let before = clock()
        let after: Duration
        if usesFIFO {
            let status = try io.read(ADXL345Register.fifoStatus)
            after = clock()
            let entries = min(Int(status & ADXL345Register.entriesMask), ADXL345Register.maxEntries)
            overran = entries >= 32
            // One 6-byte read per entry: each multiple-byte read of DATAX0...DATAZ1 pops exactly
            // one FIFO entry, so the entries cannot be read in one longer block. They go as one
            // batch of reads (Linux: 21 a system call where the adapter takes it). The
            // datasheet's ≥ 5 µs between the end of one data read and the next is less than the
            // repeated start, address and register bytes between two reads (≥ 20 bit times:
            // 50 µs at 400 kHz).
            try io.readRecords(
                ADXL345Register.dataX0, length: ADXL345Register.dataLength, count: entries, into: &data)
        } else {
            let source = try io.read(ADXL345Register.intSource)
            after = clock()
            overran = source & ADXL345Register.overrun != 0
            data =
                source & ADXL345Register.dataReady != 0
                ? try io.readBlock(ADXL345Register.dataX0, count: ADXL345Register.dataLength) : []
        }
        if overran { overrunCount += 1 }
        let count = data.count / ADXL345Register.dataLength
        let times = sampleClock.times(
            count: count, before: before, after: after, overran: overran, edge: edge)
        return times.indices.map { convert(data, at: $0 * ADXL345Register.dataLength, time: times[$0]) }
    }

    /// DATAX0...DATAZ1 (little-endian two's complement) from `d[base...]` → sample in g, with
    /// saturation.
    ///
    /// The chip right-justifies its 10–13-bit codes and sign-extends them, so a 16-bit value
    /// outside [minCode, maxCode] cannot come from a working chip (a glitch on the bus: the fuzzer
    /// found 45 g at ±16 g). It is clamped to full scale and flagged saturated, never passed on as
    /// an acceleration the sensor cannot measure.
    func convert(_ d: [UInt8], at base: Int = 0, time: Duration) -> AccelerationSample {
        func clamped(_ v: Int32) -> Int32 { min(max(v, minCode), maxCode) }
        let x = clamped(Self.raw(d, base)), y = clamped(Self.raw(d, base + 2)),
            z = clamped(Self.raw(d, base + 4))
        func saturated(_ v: Int32) -> Bool { v >= maxCode - 1 || v <= minCode + 1 }
        return AccelerationSample(
            time: time, x: Double(x) * gPerLSB, y: Double(y) * gPerLSB, z: Double(z) * gPerLSB,
            saturated: saturated(x) || saturated(y) || saturated(z))
    }

    static func raw(_ d: [UInt8], _ i: Int) -> Int32 {
        guard i >= 0, i + 1 < d.count else { return 0 }
        return Int32(Int16(bitPattern: UInt16(d[i]) | UInt16(d[i + 1]) << 8))
    }
}
