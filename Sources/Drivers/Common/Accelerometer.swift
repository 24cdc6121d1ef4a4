import HAL

/// One acceleration sample.
public struct AccelerationSample: Sendable, Equatable {
    /// When the sample was taken, on the caller's monotonic timeline (the `now` passed to `read`).
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
    /// say. Nil on a chip without such a flag (MPU-6050 polled): the caller can only look for
    /// gaps in the sample times.
    var overruns: Int? { get }
    /// Everything available since the last call: the FIFO drained, or one polled sample if new data
    /// is ready (none otherwise). Timestamps come from the ODR and the FIFO level: the newest
    /// sample at `now`, earlier ones 1/odr apart, never earlier than the previous call's newest
    /// + 1/odr.
    func read(now: Duration) throws(DriverError) -> [AccelerationSample]
}

/// Timestamps for `count` samples read at `now`, given the previous call's newest timestamp.
///
/// The newest sample is stamped `now` and earlier ones `period` apart. If that would put the first
/// one at or before the previous newest (+ one period), the chip delivered samples faster than the
/// nominal ODR (its oscillator tolerance is a few %) or the caller's reads were jittery; then the
/// samples are spread evenly over (previous, now], which keeps them strictly increasing and never
/// in the future. If `now` did not advance past `previous` at all, they continue at `period`
/// spacing after `previous`.
func sampleTimes(count: Int, now: Duration, period: Duration, previous: Duration?) -> [Duration] {
    guard count > 0 else { return [] }
    let ideal = (0..<count).map { now - period * (count - 1 - $0) }
    guard let previous, ideal[0] < previous + period else { return ideal }
    if now > previous {
        let step = (now - previous) / count
        if step > .zero {
            return (0..<count).map { i in i == count - 1 ? now : previous + step * (i + 1) }
        }
    }
    return (0..<count).map { previous + period * ($0 + 1) }
}

/// Sign-extends the low `bits` bits of `value`.
@inline(__always)
func signExtend(_ value: Int32, bits: Int) -> Int32 {
    let shift = Int32(32 - bits)
    return (value << shift) >> shift
}
