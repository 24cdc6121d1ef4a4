import Dispatch
import Foundation
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
    /// Serialises computing and driving the level: two updates racing (the bus thread's and the
    /// wire's) could otherwise drive a stale level last.
    private let driving = Mutex<Void>(())
    /// What the wire's thread sleeps toward (the time the pin may next assert).
    private let sleepingUntil = Mutex<Duration?>(nil)
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
        driving.withLock { _ in
            let pin = source.interruptPin()
            gpio.drive(offset: offset, high: pin.high)
            return pin.next
        }
    }

    private func transferred() {
        guard let next = update() else { return }
        // A transfer can only bring the next assertion earlier by reconfiguring the chip; then the
        // thread recomputes its sleep.
        if let until = sleepingUntil.withLock({ $0 }), next < until { wake.signal() }
    }

    /// Follows the pin in real time on a thread of its own (a `RealtimeSimulationClock`) until
    /// `stop()`.
    public func start() {
        let thread = Thread { [weak self] in
            while let wire = self, !wire.stopped.load(ordering: .acquiring) {
                let now = wire.clock.now
                let next = wire.update() ?? now + .milliseconds(100)
                wire.sleepingUntil.withLock { $0 = next }
                var delay = max(.zero, min(next - now, .milliseconds(100)))
                if let realtime = wire.clock as? RealtimeSimulationClock { delay = delay / realtime.speed }
                let semaphore = wire.wake
                _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(delay / .nanoseconds(1))))
            }
        }
        thread.name = "sim-int1"
        thread.start()
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        wake.signal()
    }
}
