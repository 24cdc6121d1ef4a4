import HAL

/// InvenSense MPU-6050 accelerometer part (±2...16 g), through its 1024-byte FIFO (170 samples
/// of the three axes) or polled (INT_STATUS DATA_RDY). The gyroscope is not used.
public final class MPU6050: Accelerometer {
    public struct Settings: Sendable, Equatable {
        /// ±2, 4, 8 or 16 g.
        public var rangeG: Double
        /// 1000 / n Hz for n = 1...256 (1000, 500, 250, 200, 125, 100, ... Hz).
        public var odrHz: Double
        /// Read through the FIFO (each read drains it) instead of polling DATA_RDY. The chip has
        /// no FIFO watermark interrupt, so not together with `interrupt`.
        public var fifo: Bool
        /// INT wired to a GPIO line: data ready, latched until INT_STATUS is read. Nil: the pin
        /// keeps its reset configuration.
        public var interrupt: InterruptPin?
        public init(
            rangeG: Double = 16, odrHz: Double = 100, fifo: Bool = false, interrupt: InterruptPin? = nil
        ) {
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.fifo = fifo
            self.interrupt = interrupt
        }
    }

    public let model: ChipModel = .mpu6050
    public let rangeG: Double
    public let odrHz: Double
    public let usesFIFO: Bool
    /// Reads that found the FIFO overflowed (FIFO_OFLOW_INT). Nil when polled: the chip has no
    /// flag for a sample overwritten unread there; the gaps in the sample times show losses.
    public var overruns: Int? { usesFIFO ? overrunCount : nil }
    private var overrunCount = 0
    /// The last drain's bytes; kept so a drain allocates no buffer.
    private var data: [UInt8] = []

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
        if settings.fifo, settings.interrupt != nil {
            throw io.error(
                .invalidSetting(
                    "an interrupt line with the FIFO (the MPU-6050 has no FIFO watermark interrupt)",
                    allowed: "the FIFO without a line, or a line (data ready) without the FIFO"))
        }
        rangeG = range.g
        odrHz = 1000 / divisor
        usesFIFO = settings.fifo
        gPerLSB = 1 / range.lsbPerG
        // INT1 says data ready: an edge marks the next sample.
        sampleClock = SampleClock(
            period: SampleClock.period(hz: odrHz), interruptBatch: settings.interrupt == nil ? nil : 1)

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
        if settings.fifo {
            // Empty the FIFO (FIFO_RESET works while FIFO_EN is 0), let the accelerometer's
            // samples in, then enable it; INT_STATUS then reports an overflow.
            try io.write(MPU6050Register.userCtrl, MPU6050Register.fifoReset)
            try io.write(MPU6050Register.fifoEnable, MPU6050Register.accelFIFO)
            try io.write(MPU6050Register.userCtrl, MPU6050Register.userFIFOEnable)
            try io.write(MPU6050Register.intEnable, MPU6050Register.fifoOverflow)
            data.reserveCapacity(MPU6050Register.fifoBytes)
        } else {
            // INT_STATUS reports only enabled interrupts, so enable DATA_RDY to poll it (and,
            // wired, to drive the pin).
            try io.write(MPU6050Register.intEnable, MPU6050Register.dataReady)
        }
    }

    public func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample] {
        if usesFIFO { return try drain(clock: clock) }
        let before = clock()
        let status = try io.read(MPU6050Register.intStatus)
        let after = clock()
        // A read that finds no new sample still bounds the sample clock.
        let ready = status & MPU6050Register.dataReady != 0
        guard
            let time = sampleClock.times(
                count: ready ? 1 : 0, before: before, after: after, overran: nil,
                edge: edge
            ).first
        else { return [] }
        // One 6-byte burst (the chip auto-increments), so the three axes are one sample.
        let d = try io.readBlock(MPU6050Register.accelXOutH, count: 6)
        return [sample(d, at: 0, time: time)]
    }

    /// The FIFO: its byte count (and the overflow flag) bound the sample clock, then one burst
    /// read of FIFO_R_W takes every whole sample (the address stays put, so the burst drains it).
    /// An overflow has overwritten the oldest bytes mid-sample: what is left is misaligned, so the
    /// FIFO is reset and the read returns nothing; the sample clock counts what was lost. A FIFO
    /// found more than half full takes long enough to read (at 400 kHz 135 µs a sample) that the
    /// chip may fill it under the burst: then INT_STATUS is read again, and a batch read while
    /// the oldest bytes were being overwritten is dropped the same way, never passed on shifted.
    private func drain(clock: () -> Duration) throws(DriverError) -> [AccelerationSample] {
        let before = clock()
        let status = try io.read(MPU6050Register.intStatus)
        let count = try io.readBlock(MPU6050Register.fifoCountH, count: 2)
        let after = clock()
        let bytes = Int(count[0]) << 8 | Int(count[1])
        var overflowed = status & MPU6050Register.fifoOverflow != 0 || bytes >= MPU6050Register.fifoBytes
        var frames = 0
        if !overflowed {
            frames = bytes / MPU6050Register.frameLength
            try io.readRecords(
                MPU6050Register.fifoRW, length: MPU6050Register.frameLength, count: frames, rolling: true,
                into: &data)
            if bytes > MPU6050Register.fifoBytes / 2,
                try io.read(MPU6050Register.intStatus) & MPU6050Register.fifoOverflow != 0
            {
                overflowed = true
                frames = 0
            }
        }
        if overflowed {
            overrunCount += 1
            // FIFO_RESET works while FIFO_EN is 0: disabled first, as the register map says.
            try io.write(MPU6050Register.userCtrl, 0)
            try io.write(MPU6050Register.userCtrl, MPU6050Register.fifoReset)
            try io.write(MPU6050Register.userCtrl, MPU6050Register.userFIFOEnable)
        }
        let times = sampleClock.times(count: frames, before: before, after: after, overran: overflowed)
        return times.indices.map { sample(data, at: $0 * MPU6050Register.frameLength, time: times[$0]) }
    }

    /// ACCEL_XOUT_H...ACCEL_ZOUT_L from `d[base...]` → a sample in g.
    private func sample(_ d: [UInt8], at base: Int, time: Duration) -> AccelerationSample {
        let raw = [Self.be(d, base), Self.be(d, base + 2), Self.be(d, base + 4)]
        let g = raw.map { Double($0) * gPerLSB }
        return AccelerationSample(
            time: time, x: g[0], y: g[1], z: g[2],
            saturated: raw.contains { $0 >= Int32(Int16.max) - 1 || $0 <= Int32(Int16.min) + 1 })
    }

    /// Big-endian two's complement 16-bit at bytes i (high), i+1 (low).
    static func be(_ d: [UInt8], _ i: Int) -> Int32 {
        guard i >= 0, i + 1 < d.count else { return 0 }
        return Int32(Int16(bitPattern: UInt16(d[i]) << 8 | UInt16(d[i + 1])))
    }
}
