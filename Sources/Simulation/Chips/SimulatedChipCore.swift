import Synchronization

/// What a chip model measures at a time: the scenario's signal plus the impacts injected live.
struct SimulatedSurroundings: Sendable {
    let scenario: Scenario
    let injector: ImpactInjector?

    func acceleration(at t: Duration) -> Vector3 {
        var a = scenario.acceleration(at: t)
        if let injector { a += injector.acceleration(at: t) }
        return a
    }

    func temperatureC(at t: Duration) -> Double { scenario.weather(at: t).temperatureC }
}

/// A chip model's register state, which produces the samples its chip would have measured.
protocol SimulatedChipState: Sendable {
    /// Produces every sample due up to `now`, measuring `surroundings`.
    mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings)
}

/// What every simulated accelerometer shares: the clock it runs on, what it measures, and its
/// state behind a lock, brought up to the clock's time before each access (samples are produced
/// lazily, on the transfer that could see them).
final class SimulatedChipCore<State: SimulatedChipState>: Sendable {
    let clock: any SimulationClock
    let surroundings: SimulatedSurroundings
    private let state: Mutex<State>

    init(clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector?, state: State) {
        self.clock = clock
        self.surroundings = SimulatedSurroundings(scenario: scenario, injector: injector)
        self.state = Mutex(state)
    }

    /// Runs `body` on the state as of the clock's time now (which it is also given).
    func withCurrentState<R: Sendable>(_ body: (inout State, Duration) -> R) -> R {
        let now = clock.now
        let surroundings = self.surroundings
        return state.withLock { s in
            s.catchUp(now: now, in: surroundings)
            return body(&s, now)
        }
    }

    /// Reads the settings, which need no catching up.
    func peek<R: Sendable>(_ body: (State) -> R) -> R {
        state.withLock { body($0) }
    }

    /// Power-on reset: the state is `fresh`.
    func reset(to fresh: State) {
        state.withLock { $0 = fresh }
    }
}
