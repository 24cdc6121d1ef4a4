import Synchronization

/// Live events for a running simulation: the demo's "impact now" key or a test adds a pulse at
/// the current clock time, and the accelerometer models add it to the scenario's signal.
///
/// Pulses are kept (not consumed), so a model that generates samples late (lazily, on read)
/// still sees them at their time.
public final class ImpactInjector: Sendable {
    private let clock: any SimulationClock
    private let injected: Mutex<[ScheduledPulse]>
    /// Gravity's direction once the station has been turned (nil: the scenario's).
    private let turned = Mutex<Vector3?>(nil)

    public init(clock: any SimulationClock) {
        self.clock = clock
        self.injected = Mutex([])
    }

    /// Turns the station from now on: at rest it reads +1 g along `gravity` (sensor frame),
    /// whatever the scenario says. A turn is instant; what the chip has already sampled stays.
    public func turn(gravity: Vector3) {
        turned.withLock { $0 = gravity.normalized }
    }

    /// Gravity's direction after the last `turn`, nil before any.
    public var gravity: Vector3? { turned.withLock { $0 } }

    /// Schedules a pulse starting `delay` from now; returns it.
    @discardableResult
    public func inject(
        peakG: Double = 7, duration: Duration = .milliseconds(15), direction: Vector3 = Vector3(1, 0, 0),
        shape: ScheduledPulse.Shape = .halfSine, delay: Duration = .zero
    ) -> ScheduledPulse {
        let pulse = ScheduledPulse(
            at: clock.now + delay, peakG: peakG, duration: duration, direction: direction, shape: shape)
        injected.withLock { $0.append(pulse) }
        return pulse
    }

    /// Every pulse injected so far, in injection order.
    public var pulses: [ScheduledPulse] {
        injected.withLock { $0 }
    }

    /// The sum of injected pulses at `time` (g, gravity excluded).
    public func acceleration(at time: Duration) -> Vector3 {
        injected.withLock { pulses in
            var sum = Vector3.zero
            for p in pulses where p.at <= time && time < p.end {
                sum += p.acceleration(at: time)
            }
            return sum
        }
    }
}
