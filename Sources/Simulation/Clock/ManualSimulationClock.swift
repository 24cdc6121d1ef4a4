import Synchronization

/// A clock that moves only when told to: tests advance it and read the models at exact times.
public final class ManualSimulationClock: SimulationClock {
    private let current: Mutex<Duration>

    public init(start: Duration = .zero) {
        current = Mutex(start)
    }

    public var now: Duration {
        current.withLock { $0 }
    }

    /// Moves time forward by `interval` (a negative interval is ignored: time is monotonic).
    public func advance(by interval: Duration) {
        guard interval > .zero else { return }
        current.withLock { $0 += interval }
    }

    /// Sets the time, if `time` is not earlier than the current time.
    public func set(to time: Duration) {
        current.withLock { if time > $0 { $0 = time } }
    }
}
