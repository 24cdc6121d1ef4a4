import Foundation

/// The motion sampler's timeline (CLOCK_MONOTONIC, or the simulation's clock) mapped onto the
/// wall clock. The mapping stays fixed while the wall clock runs with the timeline, so per-second
/// summaries are exactly a second apart; when the wall clock is set (NTP's step after a boot
/// without a battery clock) the mapping moves with it, so everything stamped afterwards carries the
/// new clock's time. A mapping fixed at start would stamp the old clock's time until the service
/// restarted (docs/storage.md, "No real-time clock").
public struct WallClockAnchor: Sendable, Equatable {
    /// A timeline instant and the wall clock's reading at it.
    public private(set) var timeline: Duration
    public private(set) var wall: Date

    /// How far the wall clock may run from the mapping before it moves: well above the jitter of
    /// two readings, below any step worth following.
    public static let tolerance: Duration = .milliseconds(10)
    /// Two timeline readings further apart than this bracket the wall clock's reading too loosely
    /// (the thread was preempted between them): that look is skipped.
    public static let bracket: Duration = .milliseconds(1)

    public init(timeline: Duration, wall: Date) {
        self.timeline = timeline
        self.wall = wall
    }

    /// The wall-clock time of a timeline instant.
    public func date(_ t: Duration) -> Date {
        wall.addingTimeInterval((t - timeline).seconds)
    }

    /// The same, for the detector's times in seconds on the timeline.
    public func date(seconds t: Double) -> Date {
        wall.addingTimeInterval(t - timeline.seconds)
    }

    /// Compares the mapping with a wall-clock reading taken between the timeline readings
    /// `before` and `after`, and moves it there when they differ by more than `tolerance`.
    /// Returns whether it moved.
    @discardableResult
    public mutating func follow(before: Duration, wall now: Date, after: Duration) -> Bool {
        guard after >= before, after - before <= Self.bracket else { return false }
        let t = before + (after - before) / 2
        let departure = now.timeIntervalSince(date(t))
        guard abs(departure) > Self.tolerance.seconds else { return false }
        timeline = t
        wall = now
        return true
    }
}
