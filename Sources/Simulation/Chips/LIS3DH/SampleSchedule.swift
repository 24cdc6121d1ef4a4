/// When a chip's samples fall due: sample k (k = 1, 2, ...) at `anchor + k · period`, with the
/// period a fraction of nanoseconds so rates that do not divide a second evenly (the LIS3DH's
/// 1344 and 5376 Hz: 744 047.6 and 186 011.9 ns) do not drift. Shared by the LIS3DH, LIS331 and
/// MPU-6050 models, which generate their samples lazily on each transfer.
struct SampleSchedule: Equatable {
    /// The period is `numerator / denominator` nanoseconds (e.g. 1e9 / 1344).
    let numerator: Int64
    let denominator: Int64
    /// Time of sample 0 (the moment sampling started or the rate changed); it is not produced.
    let anchor: Duration
    /// Samples produced since the anchor.
    private(set) var produced: Int64 = 0

    /// A rate of `hz` samples per second, `hz` a whole number (1...8000 on these chips).
    init(hz: Int64, anchor: Duration) {
        self.init(numerator: 1_000_000_000, denominator: hz, anchor: anchor)
    }

    /// A period of exactly `nanoseconds`.
    init(periodNanoseconds nanoseconds: Int64, anchor: Duration) {
        self.init(numerator: nanoseconds, denominator: 1, anchor: anchor)
    }

    init(numerator: Int64, denominator: Int64, anchor: Duration) {
        precondition(numerator > 0 && denominator > 0, "a sample period must be positive")
        self.numerator = numerator
        self.denominator = denominator
        self.anchor = anchor
    }

    /// Samples per second.
    var hz: Double { 1e9 * Double(denominator) / Double(numerator) }

    /// Index of the newest sample due at `now` (0: none yet). Full-width arithmetic: no overflow
    /// for any clock time an Int64 of nanoseconds can hold.
    func due(at now: Duration) -> Int64 {
        let elapsed = (now - anchor).simNanoseconds
        guard elapsed > 0 else { return 0 }
        let product = elapsed.multipliedFullWidth(by: denominator)
        return numerator.dividingFullWidth(product).quotient
    }

    /// When sample `k` was taken.
    func time(of k: Int64) -> Duration {
        let product = k.multipliedFullWidth(by: numerator)
        return anchor + .nanoseconds(denominator.dividingFullWidth(product).quotient)
    }

    /// Marks every sample due at `now` as produced; returns the new ones' indices (nil if none).
    mutating func advance(to now: Duration) -> ClosedRange<Int64>? {
        let total = due(at: now)
        guard total > produced else { return nil }
        let first = produced + 1
        produced = total
        return first...total
    }
}
