import Foundation
import Synchronization

/// A stop signal that a blocking loop on a dedicated thread can sleep on: `wait(for:)` returns
/// early once `stop()` is called, so shutdown never waits for a sleep to run out.
public final class StopSignal: Sendable {
    private let condition = Mutex<Bool>(false)
    private let wake = NSCondition()

    public init() {}

    public var isStopped: Bool { condition.withLock { $0 } }

    public func stop() {
        condition.withLock { $0 = true }
        wake.lock()
        wake.broadcast()
        wake.unlock()
    }

    /// Sleeps up to `duration`; returns true if stopped (before or during the wait).
    @discardableResult
    public func wait(for duration: Duration) -> Bool {
        if isStopped { return true }
        guard duration > .zero else { return false }
        let deadline = Date(timeIntervalSinceNow: duration.seconds)
        wake.lock()
        defer { wake.unlock() }
        while !isStopped {
            if !wake.wait(until: deadline) { break }
        }
        return isStopped
    }
}

/// Runs blocking work (I2C transfers, GPIO event waits) on a thread of its own, so that it never
/// occupies the cooperative pool (two threads on a two-core Pi), and lets an async caller await
/// its end. Cancelling the awaiting task stops the work.
public enum DedicatedThread {
    public static func run(name: String, signal: StopSignal, _ body: @escaping @Sendable (StopSignal) -> Void) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    body(signal)
                    continuation.resume()
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            signal.stop()
        }
    }
}
