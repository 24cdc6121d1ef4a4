import Foundation
import LinuxSystem
import Synchronization

/// sd_notify(3) without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or `@name` for the
/// abstract namespace). Does nothing when the service does not run under systemd with
/// Type=notify. Thread-safe; the watchdog ping is rate-limited to half of `WATCHDOG_USEC`.
public final class SystemdNotifier: Sendable {
    private let socketPath: String?
    /// The watchdog interval systemd asked for, if any (`WATCHDOG_USEC`, for this pid).
    public let watchdogInterval: Duration?
    private let lastPing = Mutex<ContinuousClock.Instant?>(nil)

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == CurrentProcess.pid }) ?? true
        {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends `READY=1` and a first status line.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// A line for `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(text)") }

    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    /// `WATCHDOG=1`, at most twice per watchdog interval. Call it from the loop that must not hang.
    public func watchdog() {
        guard let interval = watchdogInterval, socketPath != nil else { return }
        let now = ContinuousClock.now
        let due = lastPing.withLock { last in
            if let l = last, now - l < interval / 2 { return false }
            last = now
            return true
        }
        if due { send("WATCHDOG=1") }
    }

    /// Sends one datagram; errors are ignored, as sd_notify's are (the service keeps running).
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard let path = socketPath else { return false }
        return UnixSocket.send(datagram: Array(message.utf8), to: path)
    }
}
