import Foundation
import GRDB

/// The impact alerts' outbox (`alerts`, schema v5): every change is committed durably
/// (synchronous=FULL) before the service acts on it, so a power cut loses no alert and a sent one
/// stays sent.
extension StationDatabase {
    /// Puts impact `impactID` (recorded at `time`) in the outbox: into the newest pending alert
    /// whose first impact was recorded at most `coalesceWithin` before (the alert then tells of
    /// both), else into a new alert. An impact already in an alert is not added twice. Returns
    /// the alert and whether the impact joined an existing one.
    public func enqueueAlert(impactID: Int64, at time: Date, coalesceWithin: Duration) throws(StorageError)
        -> (alert: AlertRecord, coalesced: Bool)
    {
        let pool = try writer()
        do {
            return try pool.writeWithoutTransaction { db in
                try Self.durably(db) { () throws -> (AlertRecord, Bool) in
                    if let existing = try Self.alert(db, containing: impactID) { return (existing, false) }
                    let since = TimeCodec.micros(time) - TimeCodec.micros(coalesceWithin)
                    if coalesceWithin > .zero,
                        let row = try Row.fetchOne(
                            db,
                            sql: """
                                SELECT * FROM alerts WHERE state = 'pending' AND created_us >= ?
                                ORDER BY id DESC LIMIT 1
                                """, arguments: [since])
                    {
                        var alert = try Self.alert(row)
                        alert.impactIDs.append(impactID)
                        try db.execute(
                            sql: "UPDATE alerts SET impact_ids = ? WHERE id = ?",
                            arguments: [Self.json(alert.impactIDs), alert.id])
                        return (alert, true)
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO alerts (impact_id, impact_ids, created_us, state) VALUES (?, ?, ?, 'pending')
                            """, arguments: [impactID, Self.json([impactID]), TimeCodec.micros(time)])
                    let alert = AlertRecord(
                        id: db.lastInsertedRowID, impactID: impactID, impactIDs: [impactID], created: time,
                        state: .pending)
                    return (alert, false)
                }
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "queueing the alert of impact \(impactID)")
        }
    }

    /// The alerts still to send, oldest first.
    public func pendingAlerts() throws(StorageError) -> [AlertRecord] {
        try readAlerts(
            "SELECT * FROM alerts WHERE state = 'pending' ORDER BY id", [],
            doing: "reading the pending alerts")
    }

    /// Alerts whose first impact was recorded in [since, until), newest last; at most `limit`
    /// (the newest ones).
    public func alerts(since: Date, until: Date, limit: Int? = nil) throws(StorageError) -> [AlertRecord] {
        let newest = try readAlerts(
            "SELECT * FROM alerts WHERE created_us >= ? AND created_us < ? ORDER BY id DESC LIMIT ?",
            [TimeCodec.micros(since), TimeCodec.micros(until), limit ?? -1], doing: "reading the alerts")
        return newest.reversed()
    }

    /// How many messages SNS accepted at or after `since` (the hourly limit): a summary of
    /// several alerts is one message.
    public func sentAlertCount(since: Date) throws(StorageError) -> Int {
        do {
            return try reader.read { db in
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(DISTINCT message_id) FROM alerts WHERE state = 'sent' AND sent_us >= ?",
                    arguments: [TimeCodec.micros(since)]) ?? 0
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "counting the alerts sent")
        }
    }

    /// What `status` says of the alerts: how many wait, how many of those failed to go (with the
    /// newest error), and how many went or were cancelled since `since`.
    public struct AlertSummary: Sendable, Equatable {
        public var pending = 0
        public var failing = 0
        public var lastError: String?
        public var sent = 0
        public var cancelled = 0
    }

    public func alertSummary(since: Date) throws(StorageError) -> AlertSummary {
        do {
            return try reader.read { db in
                // A file from before migration v5 (an older service still running) has no outbox.
                guard try db.tableExists("alerts") else { return AlertSummary() }
                var out = AlertSummary()
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT sum(state = 'pending'), sum(state = 'pending' AND attempts > 0),
                               sum(state = 'sent' AND sent_us >= ?), sum(state = 'cancelled' AND cancelled_us >= ?)
                        FROM alerts
                        """, arguments: [TimeCodec.micros(since), TimeCodec.micros(since)])
                out.pending = row?[0] ?? 0
                out.failing = row?[1] ?? 0
                out.sent = row?[2] ?? 0
                out.cancelled = row?[3] ?? 0
                out.lastError = try String.fetchOne(
                    db,
                    sql: """
                        SELECT last_error FROM alerts WHERE state = 'pending' AND last_error IS NOT NULL
                        ORDER BY last_attempt_us DESC LIMIT 1
                        """)
                return out
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "summing up the alerts")
        }
    }

    /// Records that SNS accepted alerts `ids` as message `messageID` (one message may carry several:
    /// a summary).
    public func markAlertsSent(_ ids: [Int64], messageID: String, at time: Date = Date()) throws(StorageError)
    {
        try updateAlerts(
            "UPDATE alerts SET state = 'sent', sent_us = ?, message_id = ?, last_attempt_us = ?, attempts = attempts + 1 WHERE state = 'pending' AND id IN",
            [TimeCodec.micros(time), messageID, TimeCodec.micros(time)], ids, doing: "marking alerts sent")
    }

    /// Records a failed attempt to send alerts `ids`, with the error; they stay pending.
    public func markAlertsFailed(_ ids: [Int64], error message: String, at time: Date = Date())
        throws(StorageError)
    {
        try updateAlerts(
            "UPDATE alerts SET attempts = attempts + 1, last_error = ?, last_attempt_us = ? WHERE state = 'pending' AND id IN",
            [message, TimeCodec.micros(time)], ids, doing: "recording a failed alert")
    }

    /// Cancels the pending alerts among `ids`; returns those it cancelled (a sent alert stays sent).
    public func cancelAlerts(_ ids: [Int64], cause: String, at time: Date = Date()) throws(StorageError)
        -> [AlertRecord]
    {
        guard !ids.isEmpty else { return [] }
        let pool = try writer()
        let list = ids.map(String.init).joined(separator: ",")
        do {
            return try pool.writeWithoutTransaction { db in
                try Self.durably(db) {
                    let rows = try Row.fetchAll(
                        db,
                        sql: "SELECT * FROM alerts WHERE state = 'pending' AND id IN (\(list)) ORDER BY id")
                    try db.execute(
                        sql: """
                            UPDATE alerts SET state = 'cancelled', cancelled_us = ?, cancel_cause = ?
                            WHERE state = 'pending' AND id IN (\(list))
                            """, arguments: [TimeCodec.micros(time), cause])
                    return try rows.map { row in
                        var a = try Self.alert(row)
                        a.state = .cancelled
                        a.cancelled = time
                        a.cancelCause = cause
                        return a
                    }
                }
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "cancelling alerts")
        }
    }

    // MARK: - rows

    private func readAlerts(_ sql: String, _ arguments: StatementArguments, doing: String)
        throws(StorageError)
        -> [AlertRecord]
    {
        do {
            return try reader.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.alert)
            }
        } catch {
            throw StorageError.from(error, path: path, doing: doing)
        }
    }

    private func updateAlerts(_ sql: String, _ arguments: StatementArguments, _ ids: [Int64], doing: String)
        throws(StorageError)
    {
        guard !ids.isEmpty else { return }
        let pool = try writer()
        let list = ids.map(String.init).joined(separator: ",")
        do {
            try pool.writeWithoutTransaction { db in
                try Self.durably(db) { try db.execute(sql: sql + " (\(list))", arguments: arguments) }
            }
        } catch {
            throw StorageError.from(error, path: path, doing: doing)
        }
    }

    static func alert(_ db: Database, containing impactID: Int64) throws -> AlertRecord? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT alerts.* FROM alerts, json_each(alerts.impact_ids)
                WHERE json_each.value = ? LIMIT 1
                """, arguments: [impactID]
        ).map(alert)
    }

    static func alert(_ r: Row) throws -> AlertRecord {
        let ids = try JSONDecoder().decode([Int64].self, from: Data((r["impact_ids"] as String).utf8))
        let stateText: String = r["state"]
        guard let state = AlertRecord.State(rawValue: stateText) else {
            throw StorageError(.corrupt, path: "", "alert \(r["id"] as Int64) has state '\(stateText)'")
        }
        func date(_ column: String) -> Date? { (r[column] as Int64?).map(TimeCodec.date(micros:)) }
        return AlertRecord(
            id: r["id"], impactID: r["impact_id"], impactIDs: ids,
            created: TimeCodec.date(micros: r["created_us"]),
            state: state, attempts: r["attempts"], lastError: r["last_error"],
            lastAttempt: date("last_attempt_us"),
            sent: date("sent_us"), messageID: r["message_id"], cancelled: date("cancelled_us"),
            cancelCause: r["cancel_cause"])
    }

    static func json(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
