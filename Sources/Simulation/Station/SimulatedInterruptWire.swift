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
public final class SimulatedInterruptWire: Sendable {
    public let offset: Int
    private let source: any SimulatedInterruptSource
    private let gpio: SimulatedGPIOChip
    private let clock: any SimulationClock
    /// Serialises computing and driving the level (two updates racing, the bus thread's and the
    /// wire's, could otherwise drive a stale level last), and holds the time the wire's thread
    /// will look next, set in the same step as the level it drove: a transfer that follows at
    /// once (the sampler woken by that very edge) sees the new plan, never the old one.
    private let driving = Mutex<Duration?>(nil)
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    public init(
        source: any SimulatedInterruptSource, gpio: SimulatedGPIOChip, offset: Int, clock: any SimulationClock
    ) {
        self.source = source
        self.gpio = gpio
        self.offset = offset
        self.clock = clock
        source.setTransferObserver { [weak self] in self?.transferred() }
        update()
    }

    deinit { source.setTransferObserver(nil) }

    /// Drives the line to the pin's level now; returns when the pin may next change on its own.
    @discardableResult
    public func update() -> Duration? {
        driving.withLock { _ in drive().next }
    }

    private func drive() -> SimulatedPinOutput {
        let pin = source.interruptPin()
        gpio.drive(offset: offset, high: pin.high)
        return pin
    }

    /// How often the wire's thread looks while the pin is asserted (until a read releases it):
    /// shorter than a sample period at 3200 Hz, so the next assertion is still ahead when it sees
    /// the release. Transfers then never need to wake it: a wake in the middle of the sampler's
    /// drain would preempt the sampler on a small machine, which no board does.
    static let assertedRecheck = Duration.microseconds(200)

    private func transferred() {
        let earlier = driving.withLock { planned in
            // Only a transfer that brings the next assertion before the thread's plan (a
            // reconfigured chip, a rate above 5 kHz) wakes it, once per plan.
            guard let next = drive().next, let until = planned, next < until else { return false }
            planned = nil
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
                let next = wire.driving.withLock { planned in
                    let pin = wire.drive()
                    let next =
                        pin.next ?? now + (pin.asserted ? Self.assertedRecheck : .milliseconds(100))
                    planned = next
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
