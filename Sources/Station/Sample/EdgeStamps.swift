import Drivers

/// What the motion sampler carries from one read to the next for the sample times: when the last
/// read ended, and the stamp of the edge that woke the next read (the first rising edge stamped
/// after that end, from `InterruptWake`), which the driver's `SampleClock` takes as a bound.
struct EdgeStamps {
    /// When the last read ended (nil: it failed, or none was made since a reset).
    private(set) var readEnded: Duration?
    private var edge: Duration?

    /// Reads the chip, handing it the edge that woke this read, if one did; each edge serves one
    /// read. A read that throws leaves no end: the edge after it says nothing.
    mutating func read(_ accelerometer: any Accelerometer, clock now: () -> Duration) throws(DriverError)
        -> [AccelerationSample]
    {
        let edge = self.edge
        self.edge = nil
        readEnded = nil
        let samples = try accelerometer.read(clock: now, edge: edge)
        readEnded = now()
        return samples
    }

    /// The wait ended with `outcome` at `now`. A stamp from the future is on another clock (a
    /// kernel before 5.7 stamped the v1 ABI's edges on CLOCK_REALTIME): no use for the times.
    mutating func woke(_ outcome: InterruptWake.Outcome, now: Duration) {
        if case .edge(let at?) = outcome, at <= now { edge = at }
    }

    /// The driver is gone (an error; the next is a new one with a clock of its own).
    mutating func reset() { self = EdgeStamps() }
}
