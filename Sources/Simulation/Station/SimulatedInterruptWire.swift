import Dispatch
import Foundation
import LinuxSystem
import Synchronization

/// A wire from a chip model's INT1 pin to a line of the simulated GPIO chip: the line's level
/// follows the pin, so a sampler waiting for edges on it runs as it would on a board.
///
/// The models are lazy (samples are made on the transfer that could see them), so nothing inside
/// them notices a watermark being reached. The wire does: after every transfer it drives the
/// pin's level (a read that drains the FIFO releases it), and, once `start`ed, a thread of its own
/// sleeps until the sample that will assert the pin falls due and drives it then. With a manual
/// clock, tests call `update()` after advancing it.
///
/// The edge is stamped as a board's kernel stamps it, in the interrupt handler: `latency` after
/// the sample that asserted the pin (where the model says which; ADXL345/ADXL375), not when the
/// wire's thread got to run, and never later than that. The thread sleeps until then.
public final class SimulatedInterruptWire: Sendable {
    public let offset: Int
    private let source: any SimulatedInterruptSource
    private let gpio: SimulatedGPIOChip
    private let clock: any SimulationClock
    /// The interrupt's latency, drawn for each assertion.
    private let latency: @Sendable () -> Duration
    private struct Plan {
        /// When the wire's thread looks next (nil: it is awake).
        var until: Duration?
        /// The next assertion's latency, and the last stamp (stamps never go back).
        var latency: Duration
        var lastStamp: Duration
        /// The pin was asserted when last driven.
        var asserted = false
    }
    /// Serialises computing and driving the level (two updates racing, the bus thread's and the
    /// wire's, could otherwise drive a stale level last), and holds the time the wire's thread
    /// will look next, set in the same step as the level it drove: a transfer that follows at
    /// once (the sampler woken by that very edge) sees the new plan, never the old one.
    private let driving: Mutex<Plan>
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// - Parameter latency: from the chip asserting the pin to the edge's stamp, drawn for each
    ///   assertion (a board's interrupt latency: a few to tens of microseconds); default none.
    public init(
        source: any SimulatedInterruptSource, gpio: SimulatedGPIOChip, offset: Int,
        clock: any SimulationClock,
        latency: @escaping @Sendable () -> Duration = { .zero }
    ) {
        self.source = source
        self.gpio = gpio
        self.offset = offset
        self.clock = clock
        self.latency = latency
        driving = Mutex(Plan(until: nil, latency: latency(), lastStamp: clock.now))
        source.setTransferObserver { [weak self] in self?.transferred() }
        update()
    }

    deinit { source.setTransferObserver(nil) }

    /// Drives the line to the pin's level now; returns when the pin may next change on its own,
    /// its edge stamped then (the assertion plus the latency drawn for it).
    @discardableResult
    public func update() -> Duration? {
        driving.withLock { plan in drive(&plan).nextEdge }
    }

    /// Drives the line; returns the pin, and when its next edge will be stamped (its next
    /// assertion plus the latency drawn for it), if it may change on its own.
    private func drive(_ plan: inout Plan) -> (pin: SimulatedPinOutput, nextEdge: Duration?) {
        let pin = source.interruptPin()
        let now = clock.now
        let stamp = max(plan.lastStamp, min(now, pin.assertedAt.map { $0 + plan.latency } ?? now))
        gpio.drive(offset: offset, high: pin.high, stampedAt: stamp)
        plan.lastStamp = stamp
        // Stamped: the next assertion gets a latency of its own.
        if pin.asserted && !plan.asserted { plan.latency = latency() }
        plan.asserted = pin.asserted
        return (pin, pin.next.map { $0 + plan.latency })
    }

    /// How often the wire's thread looks while the pin is asserted (until a read releases it):
    /// shorter than a sample period at 3200 Hz, so the next assertion is still ahead when it sees
    /// the release. Transfers then never need to wake it: a wake in the middle of the sampler's
    /// drain would preempt the sampler on a small machine, which no board does.
    static let assertedRecheck = Duration.microseconds(200)

    private func transferred() {
        let earlier = driving.withLock { plan in
            // Only a transfer that brings the next assertion before the thread's plan (a
            // reconfigured chip, a rate above 5 kHz) wakes it, once per plan.
            guard let next = drive(&plan).nextEdge, let until = plan.until, next < until else { return false }
            plan.until = nil
            return true
        }
        if earlier { wake.signal() }
    }

    /// Follows the pin in real time on a thread of its own (a `RealtimeSimulationClock`) until
    /// `stop()`. The thread keeps the wire (and so the chip and the GPIO chip) alive until then:
    /// a board's wiring does not go away because nobody holds the station any more.
    public func start() {
        let thread = Thread { [self] in
            let wire = self
            ThreadName.setCurrent("sim-int1")
            while !wire.stopped.load(ordering: .acquiring) {
                let now = wire.clock.now
                let next = wire.driving.withLock { plan in
                    let (pin, nextEdge) = wire.drive(&plan)
                    let next = nextEdge ?? now + (pin.asserted ? Self.assertedRecheck : .milliseconds(100))
                    plan.until = next
                    return next
                }
                var delay = max(.zero, min(next - now, .milliseconds(100)))
                if let realtime = wire.clock as? RealtimeSimulationClock { delay = delay / realtime.speed }
                let semaphore = wire.wake
                _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(delay / .nanoseconds(1))))
            }
        }
        thread.start()
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        wake.signal()
    }
}
