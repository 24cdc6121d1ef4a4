import Synchronization

/// Closed until uploads may read the log, then open for good. The service closes it while the
/// system clock is not set: the rows logged meanwhile carry the old clock's times until the
/// station corrects them, and the gate opens only after that correction has committed
/// (docs/upload.md, "No real-time clock"). The uploader reads no row and the streamer takes no
/// record before it opens.
public final class UploadGate: Sendable {
    private struct State {
        var open: Bool
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var next = 0
    }

    private let state: Mutex<State>

    public init(open: Bool = false) {
        state = Mutex(State(open: open))
    }

    public var isOpen: Bool { state.withLock { $0.open } }

    /// Tasks waiting in `wait()` now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Opens the gate and lets every waiter through. Opening twice does nothing more.
    public func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.open = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Returns once the gate is open; throws `CancellationError` if the task is cancelled first.
    public func wait() async throws {
        let id = state.withLock { s -> Int in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { s in
                    if s.open { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters[id] = c
                    return nil
                }
                if let resume { c.resume(with: resume) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
