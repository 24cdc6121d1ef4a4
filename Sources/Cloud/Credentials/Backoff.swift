/// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
/// Jitter", 2015): the n-th wait (n from 0) is uniform in [0, min(cap, base · 2ⁿ)].
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(60)) {
        self.base = base
        self.cap = cap
    }

    /// The upper bound of the `attempt`-th wait, before jitter.
    public func ceiling(attempt: Int) -> Duration {
        .nanoseconds(Int64(ceilingSeconds(attempt: attempt) * 1e9))
    }

    func ceilingSeconds(attempt: Int) -> Double {
        let exponent = min(max(attempt, 0), 40)
        return min(cap.seconds, base.seconds * Double(UInt64(1) << UInt64(exponent)))
    }

    /// The wait for `attempt`, given a uniform random number in [0, 1).
    public func delay(attempt: Int, random: Double) -> Duration {
        let r = random.isFinite ? min(max(random, 0), 1) : 0
        return .nanoseconds(Int64(ceilingSeconds(attempt: attempt) * r * 1e9))
    }
}
