import Foundation
import Logging
import Storage

/// Which failures of an operation that is retried again and again deserve a log line. With the
/// credentials endpoint unreachable every retry fails the same way, and a warning for each
/// (the provider's inner retries, then the uploader's next drain) put about 40 lines into the
/// journal in 40 s. Logged instead: the first failure, a failure whose error differs from the
/// previous one, at most one "still failing after N attempts since T" reminder per
/// `reminderInterval` (5 minutes) while the same error goes on, and one info line when the
/// operation succeeds again. A value type with the time passed in; the caller logs the `Line`.
public struct RepeatedFailureLog: Sendable, Equatable {
    /// One line to log.
    public struct Line: Sendable, Equatable {
        public var level: Logger.Level
        public var message: String
    }

    /// What is failing, as the reminder and recovery lines name it ("credentials", "upload").
    public let subject: String
    public let reminderInterval: Duration
    /// The first failure of the current run of failures; nil while things work.
    public private(set) var failingSince: Date?
    /// Failures in the current run.
    public private(set) var attempts = 0
    private var lastError: String?
    private var lastLogged: Date?

    public init(subject: String, reminderInterval: Duration = .seconds(300)) {
        self.subject = subject
        self.reminderInterval = reminderInterval
    }

    /// A failure at `time`; the line to log, if any. `message` is what the log says; `key`
    /// says which error it is (default: the message), for messages that change while the error
    /// stays the same (the uploader's batch numbers grow as rows arrive).
    public mutating func failure(
        _ message: String, key: String? = nil, at time: Date,
        level: Logger.Level = .warning
    ) -> Line? {
        attempts += 1
        let since = failingSince ?? time
        failingSince = since
        let error = key ?? message
        if error != lastError {
            lastError = error
            lastLogged = time
            return Line(level: level, message: message)
        }
        guard let last = lastLogged, time.timeIntervalSince(last) >= reminderInterval.seconds else {
            return nil
        }
        lastLogged = time
        return Line(
            level: level,
            message:
                "\(subject) still failing after \(attempts) attempts since \(AWSDate.iso8601(since)): \(message)"
        )
    }

    /// A success at `time`: the recovery line after a run of failures, else nil.
    public mutating func success(at time: Date) -> Line? {
        guard let since = failingSince else { return nil }
        let line = Line(
            level: .info,
            message: "\(subject) recovered after \(attempts) failed attempts since \(AWSDate.iso8601(since))")
        self = RepeatedFailureLog(subject: subject, reminderInterval: reminderInterval)
        return line
    }
}
