import Foundation
import GRDB
import Testing

@testable import Storage

/// The alerts' outbox on a real SQLite file: coalescing, the states, and that it survives a reopen.
@Suite("Alert outbox")
struct AlertOutboxTests {
    static let t0 = Fixture.t0

    @Test("impacts within the coalescing interval of a pending alert join it; later ones start another")
    func coalescing() throws {
        let db = try Fixture.open(try Fixture.path())
        let minute = Duration.seconds(60)
        let (first, joined1) = try db.enqueueAlert(impactID: 1, at: Self.t0, coalesceWithin: minute)
        #expect(!joined1 && first.impactIDs == [1] && first.state == .pending)
        // The same impact again (a retry after a crash) changes nothing.
        let (again, joinedAgain) = try db.enqueueAlert(impactID: 1, at: Self.t0, coalesceWithin: minute)
        #expect(again.id == first.id && again.impactIDs == [1] && !joinedAgain)
        let (second, joined2) = try db.enqueueAlert(
            impactID: 2, at: Self.t0.addingTimeInterval(59), coalesceWithin: minute)
        #expect(joined2 && second.id == first.id && second.impactIDs == [1, 2])
        let (third, joined3) = try db.enqueueAlert(
            impactID: 3, at: Self.t0.addingTimeInterval(61), coalesceWithin: minute)
        #expect(!joined3 && third.id != first.id && third.impactIDs == [3])
        #expect(try db.pendingAlerts().map(\.impactIDs) == [[1, 2], [3]])
        // Without coalescing every impact is its own alert.
        let (fourth, joined4) = try db.enqueueAlert(
            impactID: 4, at: Self.t0.addingTimeInterval(62), coalesceWithin: .zero)
        #expect(!joined4 && fourth.impactIDs == [4])
    }

    @Test(
        "a failed attempt keeps the alert pending with its error; sent is final; a sent alert takes no more impacts"
    )
    func states() throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let (alert, _) = try db.enqueueAlert(impactID: 7, at: Self.t0, coalesceWithin: .seconds(60))
        try db.markAlertsFailed([alert.id], error: "sns unreachable", at: Self.t0.addingTimeInterval(31))
        var stored = try #require(try db.pendingAlerts().first)
        #expect(stored.attempts == 1 && stored.lastError == "sns unreachable")
        #expect(stored.lastAttempt == Self.t0.addingTimeInterval(31))
        try db.markAlertsSent([alert.id], messageID: "m-1", at: Self.t0.addingTimeInterval(40))
        #expect(try db.pendingAlerts().isEmpty)
        #expect(try db.sentAlertCount(since: Self.t0) == 1)
        #expect(try db.sentAlertCount(since: Self.t0.addingTimeInterval(41)) == 0)
        // Sent is final: a late cancel or a second "sent" changes nothing.
        #expect(try db.cancelAlerts([alert.id], cause: "button").isEmpty)
        try db.markAlertsSent([alert.id], messageID: "m-2")
        let (next, joined) = try db.enqueueAlert(
            impactID: 8, at: Self.t0.addingTimeInterval(45), coalesceWithin: .seconds(60))
        #expect(!joined && next.impactIDs == [8])
        // What a reopened file holds (the process gone).
        let reopened = try StationDatabase.openReadOnly(path: path)
        stored = try #require(
            try reopened.alerts(since: Self.t0, until: Self.t0.addingTimeInterval(3600)).first)
        #expect(stored.state == .sent && stored.messageID == "m-1" && stored.attempts == 2)
        #expect(stored.sent == Self.t0.addingTimeInterval(40))
    }

    @Test("a cancel takes the pending alerts only, with its cause and time")
    func cancel() throws {
        let db = try Fixture.open(try Fixture.path())
        let (a, _) = try db.enqueueAlert(impactID: 1, at: Self.t0, coalesceWithin: .zero)
        let (b, _) = try db.enqueueAlert(impactID: 2, at: Self.t0, coalesceWithin: .zero)
        try db.markAlertsSent([b.id], messageID: "m")
        let cancelled = try db.cancelAlerts([a.id, b.id], cause: "button", at: Self.t0.addingTimeInterval(5))
        #expect(cancelled.map(\.id) == [a.id])
        #expect(cancelled.first?.cancelCause == "button")
        let all = try db.alerts(since: Self.t0, until: Self.t0.addingTimeInterval(1))
        #expect(all.map(\.state) == [.cancelled, .sent])
        #expect(all.first?.cancelled == Self.t0.addingTimeInterval(5))
    }

    @Test("the listing keeps the newest when limited, printed oldest first")
    func listing() throws {
        let db = try Fixture.open(try Fixture.path())
        for i in 1...5 {
            _ = try db.enqueueAlert(
                impactID: Int64(i), at: Self.t0.addingTimeInterval(Double(i)), coalesceWithin: .zero)
        }
        let shown = try db.alerts(since: Self.t0, until: Self.t0.addingTimeInterval(60), limit: 2)
        #expect(shown.map(\.impactID) == [4, 5])
    }

    @Test("retention takes alerts that are over by age, never a pending one")
    func retention() async throws {
        let db = try Fixture.open(try Fixture.path())
        let (sent, _) = try db.enqueueAlert(impactID: 1, at: Self.t0, coalesceWithin: .zero)
        let (cancelled, _) = try db.enqueueAlert(impactID: 2, at: Self.t0, coalesceWithin: .zero)
        _ = try db.enqueueAlert(impactID: 3, at: Self.t0, coalesceWithin: .zero)
        _ = try db.enqueueAlert(
            impactID: 4, at: Self.t0.addingTimeInterval(20 * 86_400), coalesceWithin: .zero)
        try db.markAlertsSent([sent.id], messageID: "m")
        _ = try db.cancelAlerts([cancelled.id], cause: "button")
        _ = try await db.retentionPass(
            RetentionPolicy(maxAge: .seconds(10 * 86_400)), now: Self.t0.addingTimeInterval(21 * 86_400))
        let left = try db.alerts(since: .distantPast, until: .distantFuture)
        #expect(left.map(\.impactID) == [3, 4])
    }
}
