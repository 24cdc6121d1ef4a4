import Foundation
import LinuxSystem

/// A stop signal that a blocking loop on a dedicated thread can sleep on: `wait(for:)` returns
/// early once `stop()` is called, so shutdown never waits for a sleep to run out. The sleep is
/// timed on the monotonic clock (a `WakeSignal`: one ppoll per wait), so setting the wall clock
/// never stretches it.
public final class StopSignal: Sendable {
    private let wake = WakeSignal()

    public init() {}

    public var isStopped: Bool { wake.isRaised }

    public func stop() { wake.raise() }

    /// Sleeps up to `duration`; returns true if stopped (before or during the wait).
    @discardableResult
    public func wait(for duration: Duration) -> Bool {
        if isStopped { return true }
        guard duration > .zero else { return false }
        return wake.wait(for: duration) == .raised
    }

    /// Sleeps up to `duration`, or until `doorbell` rings (then it is drained); says which.
    public func wait(for duration: Duration, orRinging doorbell: Doorbell) -> WakeSignal.Outcome {
        if isStopped { return .raised }
        let outcome = wake.wait(for: duration, orReadable: doorbell.fd)
        if outcome == .readable { doorbell.drain() }
        return outcome
    }
}

/// Runs blocking work (I2C transfers, GPIO event waits) on a thread of its own, so that it never
/// occupies the cooperative pool (two threads on a two-core Pi), and lets an async caller await
/// its end. Cancelling the awaiting task stops the work.
public enum DedicatedThread {
    public static func run(name: String, signal: StopSignal, _ body: @escaping @Sendable (StopSignal) -> Void)
        async
    {
        let threadName = threadName(name)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    nameCurrentThread(threadName)
                    body(signal)
                    continuation.resume()
                }
                thread.start()
            }
        } onCancel: {
            signal.stop()
        }
    }

    /// What `top -H`, `ps -L` and /proc/<pid>/task/<tid>/comm show for the thread of service
    /// `name`: "ss-" and the name, cut to the kernel's 15 bytes (TASK_COMM_LEN 16 with the NUL;
    /// a longer name is refused with ERANGE, not cut).
    public static func threadName(_ name: String) -> String {
        var out = ""
        for c in "ss-" + name {
            if out.utf8.count + c.utf8.count > 15 { break }
            out.append(c)
        }
        return out
    }

    /// Names the calling thread (see `ThreadName.setCurrent`).
    @discardableResult
    static func nameCurrentThread(_ name: String) -> Bool { ThreadName.setCurrent(name) }
}
