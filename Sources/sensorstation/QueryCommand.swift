import ArgumentParser
import Foundation
import Station
import Storage

extension QueryRequest.Kind: ExpressibleByArgument {}

/// `sensorstation query weather|motion|events|impacts|alerts`: what the station logged, read-only, while
/// the service writes.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Show what the station logged: weather, motion, events, impacts or alerts.",
        discussion: """
            Reads the database read-only, so it is safe while the service runs (it never makes the \
            service wait).
            Times: --since and --until take a duration ago (30m, 24h, 7d, 2w), `now`, or ISO-8601 \
            (2026-11-20T10:00:00Z, 2026-11-20T11:00+01:00, 2026-11-20 = local midnight; no zone = \
            local time). --every 1m|10m|1h|1d aggregates into buckets aligned to the Unix epoch: \
            weather mean/min/max, motion max peak, RMS of all samples and sample sums, events \
            counts per kind, impacts counts and maxima, alerts counts per state.
            Output: a table in local time with numbers right-aligned; csv and json (JSON Lines, one \
            object per row) in UTC ISO-8601 with a Z.
            Examples:
              sensorstation query weather --since 7d --every 1h
              sensorstation query impacts --since 2026-11-01 --format json
              sensorstation query motion --since 10m --limit 20
            Exit status: 0 success (also when no row matches), 64 bad usage, 65 the database is \
            damaged or from a newer sensorstation, 69 no database at the path, 77 this user may not read it, 78 invalid \
            configuration.
            """)

    @OptionGroup var log: LogOptions

    @Argument(
        help: ArgumentHelp("What to show: weather, motion, events, impacts or alerts.", valueName: "what"))
    var what: QueryRequest.Kind

    @OptionGroup var window: WindowOptions

    @Option(
        help: ArgumentHelp("Aggregate into buckets of this length: 1m, 10m, 1h, 1d.", valueName: "duration"))
    var every: String?

    @Option(help: "Output format: table, csv or json (JSON Lines).")
    var format: StorageCLI.Format = .table

    @Option(
        help: ArgumentHelp("Keep only the most recent N rows (still listed oldest first).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, got \(limit)") }
        _ = try window.window(defaultSince: "24h")
        if let every { _ = try StorageCLI.bucket(every) }
    }

    func run() throws {
        try StorageCLI.query(
            what, window: window.window(defaultSince: "24h"), every: every, format: format,
            limit: limit, log: log)
    }
}

/// What the storage commands share: the database path, time windows, errors and formatting.
enum StorageCLI {
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, csv, json
    }

    /// `--database`, else `storage.path` from the configuration (which exits 78 when invalid).
    /// `--database`, else `storage.path` of the configuration in effect.
    static func path(_ log: LogOptions) throws -> String {
        if let database = log.database { return database }
        return try log.config.load().configuration.storage.path
    }

    static func open(_ log: LogOptions) throws -> StationDatabase {
        let path = try path(log)
        do {
            return try StationDatabase.openReadOnly(path: path)
        } catch {
            throw fail(error)
        }
    }

    /// Prints a storage error and picks an exit code scripts can rely on.
    static func fail(_ any: any Error) -> ExitCode {
        guard let error = any as? StorageError else {
            printError("\(any)")
            return ExitCode(ExitCodes.failure)
        }
        if error.kind == .permissionDenied {
            // Someone outside the service's group: the same advice as the control socket gives.
            printError(error.description + "; " + ControlClient.joinGroupHint)
            return ExitCode(ExitCodes.noPermission)
        }
        printError(error.description)
        switch error.kind {
        case .notFound: return ExitCode(ExitCodes.unavailable)
        case .newerSchema, .corrupt: return ExitCode(ExitCodes.dataError)
        case .invalidArgument: return ExitCode(ExitCodes.usage)
        case .io: return ExitCode(ExitCodes.ioError)
        default: return ExitCode(ExitCodes.failure)
        }
    }

    /// Parses --since/--until; --since must come before --until.
    static func window(since: String, until: String?, now: Date) throws -> (Date, Date) {
        let from: Date
        let to: Date
        do { from = try TimeArgument.instant(since, now: now) } catch {
            throw ValidationError("--since \(error)")
        }
        do { to = try until.map { try TimeArgument.instant($0, now: now) } ?? now } catch {
            throw ValidationError("--until \(error)")
        }
        guard from < to else {
            throw ValidationError(
                "--since (\(TimeCodec.iso(from))) must be before --until (\(TimeCodec.iso(to)))")
        }
        return (from, to)
    }

    /// `query KIND` and `impacts list`: the rows in the window, rendered; "no KIND between …" on
    /// stderr when a table would be empty.
    static func query(
        _ kind: QueryRequest.Kind, window: (Date, Date), every: String?, format: Format, limit: Int?,
        log: LogOptions
    ) throws {
        let (from, to) = window
        let width = try every.map(Self.bucket)
        let db = try open(log)
        let result: QueryResult
        do {
            result = try db.query(
                QueryRequest(kind: kind, since: from, until: to, every: width, limit: limit))
        } catch {
            throw fail(error)
        }
        if result.rows.isEmpty && format == .table {
            printError(
                "no \(kind.rawValue) between \(TimeCodec.local(micros: TimeCodec.micros(from))) and \(TimeCodec.local(micros: TimeCodec.micros(to))) (local time)"
            )
            return
        }
        write(render(result, format: format))
    }

    static func bucket(_ text: String) throws -> Duration {
        do {
            return try TimeArgument.duration(text)
        } catch {
            throw ValidationError("--every \(error)")
        }
    }

    // MARK: - formatting

    static func render(_ result: QueryResult, format: Format, timeZone: TimeZone = .current) -> String {
        switch format {
        case .table: return table(result, timeZone: timeZone)
        case .csv: return csv(result)
        case .json: return result.rows.map { json($0, result.columns) }.joined()
        }
    }

    /// Local time, numbers right-aligned, three decimals for measurements, "n/a" where a value is
    /// absent (a BMP280 has no humidity; HIC15 needs samples at most 15 ms apart).
    static func table(_ result: QueryResult, timeZone: TimeZone) -> String {
        let header = result.columns.map { $0.type == .time ? "\($0.name) (local)" : $0.name }
        let body = result.rows.map { row in
            row.map { cell -> String in
                switch cell {
                case .null: return "n/a"
                case .time(let us): return TimeCodec.local(micros: us, timeZone: timeZone)
                case .integer(let i): return String(i)
                case .real(let d): return d.isFinite ? String(format: "%.3f", d) : "n/a"
                case .text(let s): return s
                case .bool(let b): return b ? "yes" : "no"
                }
            }
        }
        let numeric = result.columns.map { $0.type == .integer || $0.type == .real }
        let widths = header.indices.map { c in ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in
                let pad = String(repeating: " ", count: max(0, widths[c] - s.count))
                return numeric[c] ? pad + s : s + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
                + "\n"
        }
        return ([line(header)] + body.map(line)).joined()
    }

    /// RFC 4180: a header, comma-separated, quoted when needed; times UTC ISO-8601; null empty.
    static func csv(_ result: QueryResult) -> String {
        var out = result.columns.map(\.name).joined(separator: ",") + "\n"
        for row in result.rows {
            out += row.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvField(_ cell: QueryResult.Cell) -> String {
        switch cell {
        case .null: return ""
        case .time(let us): return TimeCodec.iso(micros: us)
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? String(d) : ""
        case .text(let s): return csvQuote(s)
        case .bool(let b): return b ? "true" : "false"
        }
    }

    static func csvQuote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func json(_ row: [QueryResult.Cell], _ columns: [QueryResult.Column]) -> String {
        let fields = zip(columns, row).map { column, cell -> String in
            // An event's payload is a JSON object stored as text: embed it as an object, not a string.
            if column.name == "payload", case .text(let text) = cell, text.hasPrefix("{"),
                (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any]
            {
                return JSONValue.quote(column.name) + ":" + text
            }
            let value: JSONValue =
                switch cell {
                case .null: .null
                case .time(let us): .string(TimeCodec.iso(micros: us))
                case .integer(let i): .int(i)
                case .real(let d): .double(d)
                case .text(let s): .string(s)
                case .bool(let b): .bool(b)
                }
            return JSONValue.quote(column.name) + ":" + value.jsonText
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Writes to stdout in one go (a closed pipe just ends the output).
    static func write(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }
}
