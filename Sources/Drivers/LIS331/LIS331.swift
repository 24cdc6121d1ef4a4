import HAL

/// ST H3LIS331DL (±100/200/400 g) and LIS331HH (±6/12/24 g), polled: neither has a FIFO. They
/// share WHO_AM_I 0x32, so the caller names the part (`model`).
public final class LIS331: Accelerometer {
    public struct Settings: Sendable, Equatable {
        /// H3LIS331DL: 100, 200, 400; LIS331HH: 6, 12, 24.
        public var rangeG: Double
        /// 50, 100, 400 or 1000 Hz.
        public var odrHz: Double
        /// INT1 wired to a GPIO line: data ready is routed to it. Nil: no interrupt.
        public var interrupt: InterruptPin?
        public init(rangeG: Double, odrHz: Double = 400, interrupt: InterruptPin? = nil) {
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.interrupt = interrupt
        }
    }

    public let model: ChipModel
    public let rangeG: Double
    public let odrHz: Double
    public let usesFIFO = false
    /// Reads that found STATUS_REG's ZYXOR set (a sample replaced an unread one).
    public var overruns: Int? { overrunCount }
    private var overrunCount = 0

    private let io: RegisterIO
    private let gPerDigit: Double
    private var sampleClock: SampleClock
    public var missedSamples: Int { sampleClock.missing }

    /// - Parameter model: `.h3lis331dl` or `.lis331hh`.
    public init(
        device: any I2CDevice, model: ChipModel = .h3lis331dl, settings: Settings = .init(rangeG: 400)
    ) throws(DriverError) {
        let io = RegisterIO(device: device)
        self.io = io
        self.model = model
        guard model == .h3lis331dl || model == .lis331hh else {
            throw io.error(
                .invalidSetting(
                    "model \(model.rawValue) for the LIS331 driver", allowed: "h3lis331dl, lis331hh"))
        }
        let ranges = LIS331Register.ranges(model)
        guard let range = ranges.first(where: { $0.g == settings.rangeG }) else {
            throw io.error(
                .invalidSetting(
                    "range ±\(settings.rangeG) g on \(model.displayName)",
                    allowed: ranges.map { "\($0.g)" }.joined(separator: ", ")))
        }
        guard let odr = LIS331Register.odr.first(where: { $0.hz == settings.odrHz }) else {
            throw io.error(
                .invalidSetting("output data rate \(settings.odrHz) Hz", allowed: "50, 100, 400, 1000"))
        }
        rangeG = range.g
        odrHz = odr.hz
        gPerDigit = range.gPerDigit
        // INT1 says data ready: an edge marks the next sample.
        sampleClock = SampleClock(
            period: SampleClock.period(hz: odr.hz), interruptBatch: settings.interrupt == nil ? nil : 1)

        let id = try io.read(LIS331Register.whoAmI)
        guard id == LIS331Register.whoAmIValue else {
            throw io.error(
                .wrongChip(expected: [LIS331Register.whoAmIValue], found: id), register: LIS331Register.whoAmI
            )
        }
        try io.write(LIS331Register.ctrlReg1, 0x00)  // power down while configuring
        // BDU: high and low bytes always from the same sample; little-endian.
        try io.write(LIS331Register.ctrlReg4, LIS331Register.bdu | range.code << LIS331Register.fsShift)
        // INT1: data ready (held until the data are read), or nothing (I1_CFG 00 with no
        // interrupt generator configured never asserts).
        var ctrl3: UInt8 = 0
        if let pin = settings.interrupt {
            ctrl3 = LIS331Register.int1DataReady
            if pin.activeLow { ctrl3 |= LIS331Register.intActiveLow }
            if pin.openDrain { ctrl3 |= LIS331Register.intOpenDrain }
        }
        try io.write(LIS331Register.ctrlReg3, ctrl3)
        // Last: normal mode, data rate, axes on.
        try io.write(
            LIS331Register.ctrlReg1, LIS331Register.normalMode | odr.code << 3 | LIS331Register.axesEnabled)
    }

    public func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample] {
        let before = clock()
        let status = try io.read(LIS331Register.status)
        let after = clock()
        let overran = status & LIS331Register.zyxOverrun != 0
        if overran { overrunCount += 1 }
        // A read that finds no new sample still bounds the sample clock.
        let ready = status & LIS331Register.zyxDataAvailable != 0
        guard
            let time = sampleClock.times(
                count: ready ? 1 : 0, before: before, after: after, overran: overran,
                edge: edge
            ).first
        else { return [] }
        let d = try io.readBlock(LIS331Register.outXL | LIS331Register.autoIncrement, count: 6)
        return [STAccel.sample(d, bits: 12, gPerDigit: gPerDigit, rangeG: rangeG, time: time)]
    }
}
