import ArgumentParser
import Cloud
import Foundation
import Station
import Storage

/// `sensorstation status`: the log at a glance, read-only.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show the station: the running service's state, and the database's rows, retention and upload backlog.",
        discussion: """
            Reads the database read-only, so it is safe while the service runs. The upload backlog \
            is listed for each configured destination (s3, dynamodb, kinesis) and any destination \
            that has a cursor in the file: rows not yet confirmed, per kind.
            Rows stamped before \(TimeCodec.iso(ClockSynchronisation.earliestPlausibleDate)) (logged by a run that \
            ended before the system clock was set) are counted on a line of their own: they stay in the \
            log and are not uploaded.
            The running service is asked for its live state over the control socket: streaming, an \
            impact latched, faults, and the upload's live state when upload is enabled; when no \
            service answers, the service line says so (and the exit status is still 0).
            Exit status: 0 success, 65 the database is damaged or from a newer sensorstation, 69 no \
            database at the path, 77 this user may not read it, 78 invalid configuration.
            """)

    @OptionGroup var log: LogOptions

    @Flag(help: "One JSON object instead of a table.")
    var json = false

    func run() throws {
        let configuration = try log.config.load().configuration
        let path = log.database ?? configuration.storage.path
        let db: StationDatabase
        do {
            db = try StationDatabase.openReadOnly(path: path)
        } catch {
            throw StorageCLI.fail(error)
        }
        let status: StorageStatus
        var backlog: [(String, [UploadKind: Int])] = []
        let heldBack: HeldBack
        let alerts: StationDatabase.AlertSummary
        do {
            status = try db.status()
            alerts = try db.alertSummary(since: Date().addingTimeInterval(-86_400))
            heldBack = HeldBack(
                before: ClockSynchronisation.earliestPlausibleDate,
                counts: try db.stampedBefore(ClockSynchronisation.earliestPlausibleDate))
            for destination in Self.destinations(configuration, known: try db.knownDestinations()) {
                // Kinds a destination never receives (motion/events for DynamoDB) are not its backlog.
                backlog.append(
                    (
                        destination,
                        try db.backlog(destination: destination)
                            .filter { UploadRuntime.sentKinds(destination: destination).contains($0.key) }
                    ))
            }
        } catch {
            throw StorageCLI.fail(error)
        }
        let s = configuration.storage
        let live = Self.live(databasePath: path)  // StatusCommand+Upload.swift
        let uploadEnabled = configuration.upload.enabled
        if json {
            let text = Self.json(
                status, backlog: backlog, retentionDays: s.retentionDays, maxSizeMB: s.maxSizeMB,
                heldBack: heldBack)
            StorageCLI.write(
                String(text.dropLast(2)) + "," + Self.alertsJSON(alerts, enabled: configuration.alert.enabled)
                    + ","
                    + Self.liveJSON(live, uploadEnabled: uploadEnabled) + "}\n")
        } else {
            StorageCLI.write(
                Self.serviceText(live)
                    + Self.text(
                        status, backlog: backlog, retentionDays: s.retentionDays, maxSizeMB: s.maxSizeMB,
                        heldBack: heldBack)
                    + Self.alertsText(alerts, enabled: configuration.alert.enabled)
                    + Self.uploadText(live, enabled: uploadEnabled)
                    + Self.shadowText(live, enabled: configuration.shadow.enabled))
        }
    }

    /// The alerts line: what waits, what failed to go and why, what went in the last 24 h.
    static func alertsText(_ a: StationDatabase.AlertSummary, enabled: Bool) -> String {
        guard enabled || a.pending > 0 || a.sent > 0 || a.cancelled > 0 else { return "" }
        var line = "alerts     \(a.pending) pending"
        if a.failing > 0 {
            line += " (\(a.failing) failed to go" + (a.lastError.map { ": \($0)" } ?? "") + ")"
        }
        line += "; in the last 24 h \(a.sent) sent, \(a.cancelled) cancelled"
        if !enabled { line += "; alerts are off now (alert.enabled)" }
        return line + "\n"
    }

    static func alertsJSON(_ a: StationDatabase.AlertSummary, enabled: Bool) -> String {
        "\"alerts\":"
            + JSONValue.object([
                ("enabled", .bool(enabled)), ("pending", .int(Int64(a.pending))),
                ("failing", .int(Int64(a.failing))),
                ("last_error", a.lastError.map(JSONValue.string) ?? .null), ("sent_24h", .int(Int64(a.sent))),
                ("cancelled_24h", .int(Int64(a.cancelled))),
            ])
    }

    /// Rows stamped before any plausible date: a run that ended before the clock was set logged
    /// them, so nothing could correct them; kept in the log, never uploaded (docs/storage.md).
    struct HeldBack {
        var before: Date
        var counts: [UploadKind: Int]
        var total: Int { counts.values.reduce(0, +) }
    }

    /// Destination names the uploader uses: "s3", "dynamodb", "kinesis".
    static func destinations(_ c: StationConfiguration, known: [String]) -> [String] {
        var names: [String] = []
        if c.upload.enabled {
            if c.upload.s3 != nil { names.append("s3") }
            if c.upload.dynamodb != nil { names.append("dynamodb") }
            if c.upload.kinesis != nil { names.append("kinesis") }
        }
        return names + known.filter { !names.contains($0) }
    }

    static func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    static func text(
        _ s: StorageStatus, backlog: [(String, [UploadKind: Int])], retentionDays: Int, maxSizeMB: Int,
        heldBack: HeldBack? = nil
    ) -> String {
        var out = "database   \(s.path)\n"
        out +=
            "size       \(mib(s.fileBytes + s.walBytes)) on disk (file \(mib(s.fileBytes)), WAL \(mib(s.walBytes))); "
        out += "\(mib(s.usedBytes)) used of the \(maxSizeMB) MiB cap\n"
        out += "retention  \(retentionDays) days; impacts kept until uploaded\n"
        out += "schema     \(s.migrations.joined(separator: ", "))\n\n"
        let header = ["TABLE", "ROWS", "OLDEST (local)", "NEWEST (local)"]
        let rows = s.tables.map { t in
            [
                t.name, String(t.rows), t.oldest.map { TimeCodec.local(micros: TimeCodec.micros($0)) } ?? "—",
                t.newest.map { TimeCodec.local(micros: TimeCodec.micros($0)) } ?? "—",
            ]
        }
        out += grid([header] + rows, rightAligned: [1])
        if let heldBack, heldBack.total > 0 {
            let kinds = UploadKind.allCases.compactMap { k in
                heldBack.counts[k].flatMap { $0 > 0 ? "\(k.rawValue) \($0)" : nil }
            }
            out +=
                "clock      \(heldBack.total) rows stamped before \(TimeCodec.iso(heldBack.before)) (\(kinds.joined(separator: ", "))): "
            out +=
                "logged before the clock was set by a run that ended before it was; kept here, not uploaded\n"
        }
        out += "\n"
        if backlog.isEmpty {
            out += "upload     no destination configured\n"
        } else {
            let kinds = UploadKind.allCases
            let head = ["UPLOAD BACKLOG"] + kinds.map(\.rawValue)
            let lines = backlog.map { d, counts in [d] + kinds.map { String(counts[$0] ?? 0) } }
            out += grid([head] + lines, rightAligned: Set(1...kinds.count))
        }
        return out
    }

    static func grid(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    static func json(
        _ s: StorageStatus, backlog: [(String, [UploadKind: Int])], retentionDays: Int, maxSizeMB: Int,
        heldBack: HeldBack? = nil
    ) -> String {
        func time(_ d: Date?) -> String { d.map { JSONValue.quote(TimeCodec.iso($0)) } ?? "null" }
        let tables = s.tables.map { t in
            "\(JSONValue.quote(t.name)):{\"rows\":\(t.rows),\"oldest\":\(time(t.oldest)),\"newest\":\(time(t.newest))}"
        }.joined(separator: ",")
        let uploads = backlog.map { d, counts in
            JSONValue.quote(d) + ":{"
                + UploadKind.allCases.map { "\"\($0.rawValue)\":\(counts[$0] ?? 0)" }.joined(separator: ",")
                + "}"
        }.joined(separator: ",")
        return
            "{\"path\":\(JSONValue.quote(s.path)),\"file_bytes\":\(s.fileBytes),\"wal_bytes\":\(s.walBytes),"
            + "\"used_bytes\":\(s.usedBytes),\"retention_days\":\(retentionDays),\"max_size_mb\":\(maxSizeMB),"
            + "\"migrations\":[\(s.migrations.map(JSONValue.quote).joined(separator: ","))],"
            + "\"tables\":{\(tables)},\"backlog\":{\(uploads)}"
            + (heldBack.map { h in
                ",\"held_back\":{\"stamped_before\":\(JSONValue.quote(TimeCodec.iso(h.before))),"
                    + UploadKind.allCases
                    .map { "\"\($0.rawValue)\":\(h.counts[$0] ?? 0)" }.joined(separator: ",") + "}"
            } ?? "") + "}\n"
    }
}
