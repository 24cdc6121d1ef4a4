/// Real elapsed time since creation (`ContinuousClock`), optionally sped up so a demo shows a
/// day of weather drift in minutes.
public final class RealtimeSimulationClock: SimulationClock {
    private let start: ContinuousClock.Instant
    private let offset: Duration
    /// Simulated seconds per real second (1 = real time).
    public let speed: Double

    /// - Parameters:
    ///   - offset: the scenario time at creation (e.g. start the demo at 06:00 of the scenario).
    ///   - speed: simulated seconds per real second; must be > 0.
    public init(offset: Duration = .zero, speed: Double = 1) {
        precondition(speed > 0, "RealtimeSimulationClock speed must be positive")
        self.start = ContinuousClock.now
        self.offset = offset
        self.speed = speed
    }

    public var now: Duration {
        let elapsed = start.duration(to: ContinuousClock.now)
        return offset + (speed == 1 ? elapsed : elapsed * speed)
    }
}
