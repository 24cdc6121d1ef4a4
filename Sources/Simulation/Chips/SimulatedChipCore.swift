import Synchronization

/// What a chip model measures at a time: the scenario's signal plus the impacts injected live.
struct SimulatedSurroundings: Sendable {
    let scenario: Scenario
    let injector: ImpactInjector?

    /// What the chip measures: the scenario's acceleration (with gravity where the station was
    /// last turned) and the injected pulses, through the chip's own error (`Scenario.sensorError`).
    func acceleration(at t: Duration) -> Vector3 {
        var a = scenario.acceleration(at: t)
        if let injector {
            a += injector.acceleration(at: t)
            if let g = injector.gravity { a += g - scenario.gravity }
        }
        return scenario.sensorError.measured(a)
    }

    func temperatureC(at t: Duration) -> Double { scenario.weather(at: t).temperatureC }
}

/// A chip model's register state, which produces the samples its chip would have measured.
protocol SimulatedChipState: Sendable {
    /// Produces every sample due up to `now`, measuring `surroundings`.
    mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings)
    /// The INT1 pin as the registers configure it, with the state caught up to now.
    func interruptPin() -> SimulatedPinOutput
}

/// An interrupt pin's output: its electrical level now, and when it may next change without a
/// transfer (the sample that will assert it falling due); nil: not before a transfer.
public struct SimulatedPinOutput: Sendable, Equatable {
    public var high: Bool
    /// Asserted now (then `next` is nil: it stays so until a read serves it).
    public var asserted: Bool
    public var next: Duration?
    /// While asserted: when the sample that asserted it was taken, where the model says (a
    /// board's kernel stamps the edge just after); nil: not asserted, or not modelled.
    public var assertedAt: Duration?

    public init(high: Bool, asserted: Bool, next: Duration?, assertedAt: Duration? = nil) {
        self.high = high
        self.asserted = asserted
        self.next = next
        self.assertedAt = asserted ? assertedAt : nil
    }

    /// A pin asserting `active` with polarity `activeLow`; `next` only while it is not asserted.
    init(active: Bool, activeLow: Bool, next: Duration?, assertedAt: Duration? = nil) {
        self.init(
            high: active != activeLow, asserted: active, next: active ? nil : next, assertedAt: assertedAt)
    }
}

/// A chip model whose INT1 pin can be wired to a simulated GPIO line (`SimulatedInterruptWire`).
public protocol SimulatedInterruptSource: AnyObject, Sendable {
    /// INT1 now, as the chip's registers configure it.
    func interruptPin() -> SimulatedPinOutput
    /// Called after every transfer (which may change the pin); nil removes it.
    func setTransferObserver(_ observer: (@Sendable () -> Void)?)
}

/// What every simulated accelerometer shares: the clock it runs on, what it measures, and its
/// state behind a lock, brought up to the clock's time before each access (samples are produced
/// lazily, on the transfer that could see them).
final class SimulatedChipCore<State: SimulatedChipState>: Sendable {
    let clock: any SimulationClock
    let surroundings: SimulatedSurroundings
    private let state: Mutex<State>
    /// Boxed: a closure stored directly as a `Mutex`'s generic value is re-abstracted on every
    /// `withLock` (its inout is written back through a new thunk), so each call would add a layer
    /// and a transfer's cost would grow without bound (seen: 93 % CPU after 20 s at 3200 Hz).
    private final class Observer: Sendable {
        let call: @Sendable () -> Void
        init(_ call: @escaping @Sendable () -> Void) { self.call = call }
    }
    private let observer = Mutex<Observer?>(nil)

    init(clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector?, state: State) {
        self.clock = clock
        self.surroundings = SimulatedSurroundings(scenario: scenario, injector: injector)
        self.state = Mutex(state)
    }

    /// Runs `body` on the state as of the clock's time now (which it is also given), then tells
    /// the transfer observer (outside the lock).
    func withCurrentState<R: Sendable>(_ body: (inout State, Duration) -> R) -> R {
        let r = caughtUp(body)
        observer.withLock { $0 }?.call()
        return r
    }

    private func caughtUp<R: Sendable>(_ body: (inout State, Duration) -> R) -> R {
        let now = clock.now
        let surroundings = self.surroundings
        return state.withLock { s in
            s.catchUp(now: now, in: surroundings)
            return body(&s, now)
        }
    }

    /// INT1 now (the observer is not told: looking changes nothing).
    func interruptPin() -> SimulatedPinOutput {
        caughtUp { s, _ in s.interruptPin() }
    }

    func setTransferObserver(_ o: (@Sendable () -> Void)?) {
        observer.withLock { $0 = o.map(Observer.init) }
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
