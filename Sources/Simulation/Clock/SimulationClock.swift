/// The time source of every simulated model: the time elapsed since the scenario started.
///
/// Models never read the system clock; they ask this protocol. Tests use
/// `ManualSimulationClock` and advance it explicitly; the demo uses `RealtimeSimulationClock`.
public protocol SimulationClock: Sendable {
    /// Time since the scenario start (monotonic, never negative).
    var now: Duration { get }
}

extension Duration {
    /// Whole nanoseconds (truncated toward zero). Durations in the simulation are far below the
    /// Int64 nanosecond limit (292 years).
    var simNanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    /// Seconds as a Double.
    var simSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
