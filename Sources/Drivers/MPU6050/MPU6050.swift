import HAL

/// InvenSense MPU-6050 accelerometer part (±2...16 g), polled (INT_STATUS DATA_RDY).
/// The gyroscope and the 1024-byte FIFO are not used yet.
public final class MPU6050: Accelerometer {
    public struct Settings: Sendable, Equatable {
        /// ±2, 4, 8 or 16 g.
        public var rangeG: Double
        /// 1000 / n Hz for n = 1...256 (1000, 500, 250, 200, 125, 100, ... Hz).
        public var odrHz: Double
        /// INT wired to a GPIO line: data ready, latched until INT_STATUS is read. Nil: the pin
        /// keeps its reset configuration.
        public var interrupt: InterruptPin?
        public init(rangeG: Double = 16, odrHz: Double = 100, interrupt: InterruptPin? = nil) {
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.interrupt = interrupt
        }
    }

    public let model: ChipModel = .mpu6050
    public let rangeG: Double
    public let odrHz: Double
    public let usesFIFO = false
    /// Nil: polled, the MPU-6050 has no flag for a sample overwritten unread (its FIFO's
    /// FIFO_OFLOW_INT applies once the FIFO is used); the gaps in the sample times show losses.
    public let overruns: Int? = nil

    private let io: RegisterIO
    private let gPerLSB: Double
    private var sampleClock: SampleClock
    public var missedSamples: Int { sampleClock.missing }

    /// - Parameter sleep: blocks for the given time (the reset needs 100 ms); injected for tests.
    public init(device: any I2CDevice, settings: Settings = .init(), sleep: @escaping (Duration) -> Void)
        throws(DriverError)
    {
        let io = RegisterIO(device: device)
        self.io = io
        guard let range = MPU6050Register.ranges.first(where: { $0.g == settings.rangeG }) else {
            throw io.error(.invalidSetting("range ±\(settings.rangeG) g", allowed: "2, 4, 8, 16"))
        }
        let divisor = settings.odrHz > 0 ? (1000 / settings.odrHz).rounded() : 0
        guard (1...256).contains(divisor), abs(1000 / divisor - settings.odrHz) < 1e-9 * settings.odrHz + 1e-9
        else {
            throw io.error(
                .invalidSetting("output data rate \(settings.odrHz) Hz", allowed: "1000 / n Hz, n = 1...256"))
        }
        rangeG = range.g
        odrHz = 1000 / divisor
        gPerLSB = 1 / range.lsbPerG
        sampleClock = SampleClock(period: SampleClock.period(hz: odrHz))

        let id = try io.read(MPU6050Register.whoAmI)
        guard id == MPU6050Register.whoAmIValue else {
            throw io.error(
                .wrongChip(expected: [MPU6050Register.whoAmIValue], found: id),
                register: MPU6050Register.whoAmI)
        }
        // Reset to known register values; the register map's reset sequence waits 100 ms.
        try io.write(MPU6050Register.pwrMgmt1, MPU6050Register.deviceReset)
        sleep(.milliseconds(100))
        // Wake: the reset leaves SLEEP (bit 6) set; clear it and select the PLL clock.
        try io.write(MPU6050Register.pwrMgmt1, MPU6050Register.clockPLLX)
        try io.write(MPU6050Register.config, MPU6050Register.dlpf184Hz)  // 1 kHz base rate
        try io.write(MPU6050Register.sampleRateDivider, UInt8(divisor - 1))
        try io.write(MPU6050Register.accelConfig, range.code << MPU6050Register.afsShift)
        // The INT pin: latched until INT_STATUS is read (each read reads it), so a level the GPIO
        // side can check after a read; polarity and drive as wired. Before enabling.
        if let pin = settings.interrupt {
            try io.write(
                MPU6050Register.intPinConfig,
                MPU6050Register.latchInterrupt | (pin.activeLow ? MPU6050Register.intActiveLow : 0)
                    | (pin.openDrain ? MPU6050Register.intOpenDrain : 0))
        }
        // INT_STATUS reports only enabled interrupts, so enable DATA_RDY to poll it (and, wired,
        // to drive the pin).
        try io.write(MPU6050Register.intEnable, MPU6050Register.dataReady)
    }

    public func read(clock: () -> Duration) throws(DriverError) -> [AccelerationSample] {
        let before = clock()
        let status = try io.read(MPU6050Register.intStatus)
        let after = clock()
        // A read that finds no new sample still bounds the sample clock.
        let ready = status & MPU6050Register.dataReady != 0
        guard
            let time = sampleClock.times(count: ready ? 1 : 0, before: before, after: after, overran: nil)
                .first
        else { return [] }
        // One 6-byte burst (the chip auto-increments), so the three axes are one sample.
        let d = try io.readBlock(MPU6050Register.accelXOutH, count: 6)
        let raw = [Self.be(d, 0), Self.be(d, 2), Self.be(d, 4)]
        let g = raw.map { Double($0) * gPerLSB }
        return [
            AccelerationSample(
                time: time, x: g[0], y: g[1], z: g[2],
                saturated: raw.contains { $0 >= Int32(Int16.max) - 1 || $0 <= Int32(Int16.min) + 1 })
        ]
    }

    /// Big-endian two's complement 16-bit at bytes i (high), i+1 (low).
    static func be(_ d: [UInt8], _ i: Int) -> Int32 {
        guard i + 1 < d.count else { return 0 }
        return Int32(Int16(bitPattern: UInt16(d[i]) << 8 | UInt16(d[i + 1])))
    }
}
