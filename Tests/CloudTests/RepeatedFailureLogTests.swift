import Foundation
import Synchronization
import Testing

@testable import Cloud

/// The rate limit of repeated failure warnings, as a value with the time passed in.
@Suite("Repeated failures: a warning when they start or change, a reminder per 5 min, info on recovery")
struct RepeatedFailureLogTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_413_600)  // 2026-11-23T06:00:00Z
    static let refused =
        "cannot reach creds.example:8443: Connection refused (errno 111); retrying with backoff"

    @Test("an endpoint unreachable for 40 s, one failure a second: one warning, not 40")
    func oneWarningNotForty() {
        var log = RepeatedFailureLog(subject: "credentials")
        let lines = (0..<40).compactMap {
            log.failure(Self.refused, at: Self.t0.addingTimeInterval(Double($0)))
        }
        #expect(lines == [.init(level: .warning, message: Self.refused)])
        #expect(log.attempts == 40)
        #expect(log.failingSince == Self.t0)
    }

    @Test(
        "the same error for 12 min: the first line, then a reminder at 5 and at 10 min, each naming the attempts and the start"
    )
    func reminders() {
        var log = RepeatedFailureLog(subject: "credentials")
        var logged: [(Int, RepeatedFailureLog.Line)] = []
        for second in 0..<720 {
            if let line = log.failure(Self.refused, at: Self.t0.addingTimeInterval(Double(second))) {
                logged.append((second, line))
            }
        }
        #expect(logged.map(\.0) == [0, 300, 600])
        #expect(logged.map(\.1.level) == [.warning, .warning, .warning])
        #expect(
            logged[1].1.message
                == "credentials still failing after 301 attempts since 2026-11-23T06:00:00Z: \(Self.refused)")
        #expect(
            logged[2].1.message
                == "credentials still failing after 601 attempts since 2026-11-23T06:00:00Z: \(Self.refused)")
    }

    @Test("a different error is logged at once, and so is the first one when it comes back")
    func errorChanges() {
        var log = RepeatedFailureLog(subject: "credentials")
        let throttled =
            "creds.example:8443 is throttling credential requests (HTTP 429 \"Rate exceeded\"); retrying with backoff"
        let t = { (s: Double) in Self.t0.addingTimeInterval(s) }
        #expect(log.failure(Self.refused, at: t(0))?.message == Self.refused)
        #expect(log.failure(Self.refused, at: t(1)) == nil)
        #expect(log.failure(throttled, at: t(2))?.message == throttled)
        #expect(log.failure(throttled, at: t(3)) == nil)
        #expect(log.failure(Self.refused, at: t(4))?.message == Self.refused)
        // The run of failures is one run: the reminder counts from the last line, the start stays.
        #expect(log.failure(Self.refused, at: t(303)) == nil)
        #expect(
            log.failure(Self.refused, at: t(304))?.message
                == "credentials still failing after 7 attempts since 2026-11-23T06:00:00Z: \(Self.refused)")
    }

    @Test("recovery: one info line with the count and the start; a later failure warns afresh")
    func recovery() {
        var log = RepeatedFailureLog(subject: "credentials")
        #expect(log.success(at: Self.t0) == nil)  // nothing was failing
        for s in 0..<5 { _ = log.failure(Self.refused, at: Self.t0.addingTimeInterval(Double(s))) }
        #expect(
            log.success(at: Self.t0.addingTimeInterval(10))
                == .init(
                    level: .info,
                    message: "credentials recovered after 5 failed attempts since 2026-11-23T06:00:00Z"))
        #expect(log.success(at: Self.t0.addingTimeInterval(11)) == nil)
        #expect(log.failingSince == nil && log.attempts == 0)
        #expect(log.failure(Self.refused, at: Self.t0.addingTimeInterval(20))?.message == Self.refused)
        #expect(log.failingSince == Self.t0.addingTimeInterval(20))
    }

    @Test(
        "a key keeps a message whose details change (the uploader's batch ids) from counting as a new error")
    func keyedMessages() {
        var log = RepeatedFailureLog(subject: "upload", reminderInterval: .seconds(60))
        let key = "s3 weather: cannot reach …"
        let message = { (last: Int) in "upload to s3 of weather 1–\(last) failed: cannot reach …" }
        #expect(log.failure(message(3), key: key, at: Self.t0)?.message == message(3))
        #expect(log.failure(message(9), key: key, at: Self.t0.addingTimeInterval(30)) == nil)
        #expect(
            log.failure(message(12), key: key, at: Self.t0.addingTimeInterval(60))?.message
                == "upload still failing after 3 attempts since 2026-11-23T06:00:00Z: \(message(12))")
        #expect(
            log.failure(message(12), key: "s3 weather: HTTP 403", at: Self.t0.addingTimeInterval(61))?.message
                == message(12))
    }

    @Test("an operator error keeps its level (error)")
    func level() {
        var log = RepeatedFailureLog(subject: "credentials")
        #expect(log.failure("refused the device certificate", at: Self.t0, level: .error)?.level == .error)
    }
}
