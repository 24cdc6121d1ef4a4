import HAL

/// One acceleration sample.
public struct AccelerationSample: Sendable, Equatable {
    /// When the chip took the sample, on the caller's monotonic timeline (that of `now` in `read`).
    public var time: Duration
    /// Acceleration in g (1 g = 9.80665 m/s²), chip axes.
    public var x: Double
    public var y: Double
    public var z: Double
    /// True if any axis was at (or within one count of) the most positive or most negative code:
    /// the true value may be larger than reported.
    public var saturated: Bool

    public init(time: Duration, x: Double, y: Double, z: Double, saturated: Bool) {
        self.time = time
        self.x = x
        self.y = y
        self.z = z
        self.saturated = saturated
    }

    /// Vector magnitude in g.
    public var magnitude: Double { (x * x + y * y + z * z).squareRoot() }
}

/// An accelerometer driver. Not thread-safe: it owns its device handle and belongs to one task.
public protocol Accelerometer: AnyObject {
    var model: ChipModel { get }
    /// Full scale, ± g.
    var rangeG: Double { get }
    /// Output data rate in Hz (the exact rate used for timestamps).
    var odrHz: Double { get }
    /// True if samples come from the chip's FIFO; false if polled one at a time.
    var usesFIFO: Bool { get }
    /// How many reads since the driver opened found that samples had been lost before them: the
    /// FIFO overran (its overrun flag, or full when read), or, polled, a new sample overwrote one
    /// nobody read (the chip's data overrun flag). How many samples each lost, the chips do not
    /// say. Nil on a chip without such a flag (MPU-6050 polled): its losses are found from the
    /// times alone (`missedSamples`).
    var overruns: Int? { get }
    /// Samples the driver's `SampleClock` found missing since it opened: it left a gap of as many
    /// periods in the times (within one sample a gap). Counted for every chip: with an overrun
    /// flag, how many the flagged reads lost; without one, from the times alone.
    var missedSamples: Int { get }
    /// Everything available since the last call: the FIFO drained, or one polled sample if new data
    /// is ready (none otherwise). The driver reads `clock` before and after it reads the chip's
    /// status; the samples' times come from its `SampleClock`: evenly spaced at the chip's fitted
    /// period, with a gap where samples were lost. `edge`: when the edge of INT1 that woke this
    /// read was stamped (on `clock`'s timeline; the kernel's CLOCK_MONOTONIC on a board), if it
    /// came after the previous read ended; it pins the sample times down (`SampleClock.interruptBatch`).
    /// Ignored by a driver opened without an interrupt pin.
    func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample]
}

extension Accelerometer {
    /// A read no interrupt woke.
    public func read(clock: () -> Duration) throws(DriverError) -> [AccelerationSample] {
        try read(clock: clock, edge: nil)
    }

    /// A read at one instant (tests, replays): `now` before and after the status.
    public func read(now: Duration) throws(DriverError) -> [AccelerationSample] { try read(clock: { now }) }
}

/// Sign-extends the low `bits` bits of `value`.
@inline(__always)
func signExtend(_ value: Int32, bits: Int) -> Int32 {
    let shift = Int32(32 - bits)
    return (value << shift) >> shift
}
