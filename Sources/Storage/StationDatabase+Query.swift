import Foundation
import GRDB

/// Read-only queries for the CLI. Each is one SQL statement over an index range of `time_us`.
extension StationDatabase {
    public func query(_ request: QueryRequest) throws(StorageError) -> QueryResult {
        if let limit = request.limit, limit < 0 {
            throw StorageError(.invalidArgument, path: path, "--limit must be 0 or more, not \(limit)")
        }
        if let every = request.every, TimeCodec.micros(every) < 1_000_000 {
            throw StorageError(.invalidArgument, path: path, "--every must be at least 1s")
        }
        let spec = Self.spec(request)
        let since = TimeCodec.micros(request.since)
        let until = TimeCodec.micros(request.until)
        var arguments: StatementArguments
        var sql: String
        // A file from before migration v3 (read-only, while an older service still runs) has
        // no rollup: then every second is aggregated.
        var rollup: (sql: String, arguments: StatementArguments)?
        if let every = request.every, TimeCodec.micros(every) % Self.minute == 0 {
            rollup = Self.fromMinutes(
                request.kind, since: since, until: until, width: TimeCodec.micros(every))
        }
        if let every = request.every {
            let width = TimeCodec.micros(every)
            // Integer division floors for the positive times a station records.
            sql =
                "SELECT (\(spec.time) / \(width)) * \(width) AS bucket, \(spec.aggregate) FROM \(spec.table) "
                + "WHERE \(spec.time) >= ? AND \(spec.time) < ? GROUP BY bucket\(spec.groupExtra) "
                + "ORDER BY bucket DESC\(spec.orderExtra)"
            arguments = [since, until]
        } else {
            sql =
                "SELECT \(spec.plain) FROM \(spec.table) WHERE \(spec.time) >= ? AND \(spec.time) < ? ORDER BY \(spec.time) DESC, id DESC"
            arguments = [since, until]
        }
        if let limit = request.limit {
            sql += " LIMIT ?"
            arguments += [limit]
            rollup?.sql += " LIMIT ?"
            rollup?.arguments += [limit]
        }
        let columns = request.every == nil ? spec.plainColumns : spec.aggregateColumns
        let transform = request.every == nil ? spec.plainTransform : spec.aggregateTransform
        do {
            let rows = try reader.read { [sql, arguments, rollup] db in
                let (s, a) =
                    if let rollup, try db.tableExists("\(spec.table)_minutes") { rollup } else {
                        (sql, arguments)
                    }
                return try Row.fetchAll(db, sql: s, arguments: a).map { transform(Self.cells($0, columns)) }
            }
            return QueryResult(columns: columns, rows: rows.reversed())
        } catch {
            throw StorageError.from(error, path: path, doing: "querying \(request.kind.rawValue)")
        }
    }

    static let minute: Int64 = 60_000_000

    /// `query motion|weather --every` in whole minutes from the per-minute rollups (migration v3)
    /// for the whole minutes of [since, until) and from the rows themselves for the partial
    /// minutes at either end, so the result is the same as aggregating every row (up to the
    /// order of floating-point sums) at a sixtieth (weather: a sixth) of the rows. Nil for the
    /// other kinds and when the window holds no whole minute.
    static func fromMinutes(_ kind: QueryRequest.Kind, since: Int64, until: Int64, width: Int64)
        -> (sql: String, arguments: StatementArguments)?
    {
        // Whole minutes [a, b): a = since rounded up, b = until rounded down (times are positive).
        let a = (since + minute - 1) / minute * minute
        let b = until / minute * minute
        guard a < b else { return nil }
        // Each row of `rows` and of the rollup has the rollup's columns; `outer` aggregates them
        // into the same columns, in the same order, as `spec(_:).aggregate`.
        let table: String, columns: String, rows: String, outer: String
        switch kind {
        case .motion:
            table = "motion"
            columns = "seconds, samples, min_g, max_g, sum_mean_n, sum_square_n, peak_g, saturated"
            rows = """
                1, sample_count, min_g, max_g, mean_g * sample_count, rms_g * rms_g * sample_count, peak_g, saturated_count
                """
            outer = """
                sum(seconds), sum(samples), min(min_g), max(max_g), sum(sum_mean_n) / sum(samples),
                sum(sum_square_n) / sum(samples), max(peak_g), sum(saturated)
                """
        case .weather:
            table = "weather"
            columns = """
                readings, temperature_sum, temperature_min, temperature_max, humidity_count, humidity_sum,
                humidity_min, humidity_max, pressure_sum, pressure_min, pressure_max
                """
            rows = """
                1, temperature_c, temperature_c, temperature_c, humidity_percent IS NOT NULL,
                coalesce(humidity_percent, 0), humidity_percent, humidity_percent, pressure_pa, pressure_pa, pressure_pa
                """
            outer = """
                sum(readings), sum(temperature_sum) / sum(readings), min(temperature_min), max(temperature_max),
                CASE WHEN sum(humidity_count) > 0 THEN sum(humidity_sum) / sum(humidity_count) END,
                min(humidity_min), max(humidity_max),
                sum(pressure_sum) / sum(readings) / 100.0, min(pressure_min) / 100.0, max(pressure_max) / 100.0
                """
        case .events, .impacts, .alerts:
            return nil
        }
        let edge = "SELECT time_us AS t, \(rows) FROM \(table) WHERE time_us >= ? AND time_us < ?"
        let sql = """
            SELECT (t / \(width)) * \(width) AS bucket, \(outer)
            FROM (
                SELECT minute_us AS t, \(columns) FROM \(table)_minutes WHERE minute_us >= ? AND minute_us < ?
                UNION ALL \(edge)
                UNION ALL \(edge)
            )
            GROUP BY bucket ORDER BY bucket DESC
            """
        return (sql, [a, b, since, a, b, until])
    }

    struct Spec {
        var table: String
        /// The row's time: when it happened (alerts: when their first impact was recorded).
        var time = "time_us"
        var plain: String
        var plainColumns: [QueryResult.Column]
        var plainTransform: @Sendable ([QueryResult.Cell]) -> [QueryResult.Cell] = { $0 }
        var aggregate: String
        var groupExtra = ""
        /// Descending, because the rows are reversed after the LIMIT picked the most recent.
        var orderExtra = ""
        var aggregateColumns: [QueryResult.Column]
        var aggregateTransform: @Sendable ([QueryResult.Cell]) -> [QueryResult.Cell] = { $0 }
    }

    /// The height fallen from rest in `ms` milliseconds, as SQL: g·t²/2 in metres (NULL stays NULL).
    static func dropMetres(_ ms: String) -> String { "9.80665 * (\(ms)) * (\(ms)) / 2000000.0" }

    static func spec(_ request: QueryRequest) -> Spec {
        typealias C = QueryResult.Column
        switch request.kind {
        case .weather:
            return Spec(
                table: "weather",
                plain: "time_us, sensor, temperature_c, humidity_percent, pressure_pa / 100.0",
                plainColumns: [
                    C("time", .time), C("sensor", .text), C("temperature_c", .real),
                    C("humidity_percent", .real), C("pressure_hpa", .real),
                ],
                aggregate: """
                    count(*), avg(temperature_c), min(temperature_c), max(temperature_c),
                    avg(humidity_percent), min(humidity_percent), max(humidity_percent),
                    avg(pressure_pa) / 100.0, min(pressure_pa) / 100.0, max(pressure_pa) / 100.0
                    """,
                aggregateColumns: [
                    C("time", .time), C("readings", .integer),
                    C("temperature_c_mean", .real), C("temperature_c_min", .real),
                    C("temperature_c_max", .real),
                    C("humidity_percent_mean", .real), C("humidity_percent_min", .real),
                    C("humidity_percent_max", .real),
                    C("pressure_hpa_mean", .real), C("pressure_hpa_min", .real), C("pressure_hpa_max", .real),
                ])
        case .motion:
            return Spec(
                table: "motion",
                plain:
                    "time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g, mean_x_g, mean_y_g, mean_z_g, saturated_count",
                plainColumns: [
                    C("time", .time), C("samples", .integer), C("min_g", .real), C("max_g", .real),
                    C("mean_g", .real), C("rms_g", .real), C("peak_g", .real), C("mean_x_g", .real),
                    C("mean_y_g", .real), C("mean_z_g", .real), C("saturated", .integer),
                ],
                // RMS over the bucket = √(Σ nᵢ·rmsᵢ² / Σ nᵢ): the RMS of all its samples, not a
                // mean of per-second RMS values. The square root is taken in Swift (the system
                // SQLite may lack math functions).
                aggregate: """
                    count(*), sum(sample_count), min(min_g), max(max_g),
                    sum(mean_g * sample_count) / sum(sample_count),
                    sum(rms_g * rms_g * sample_count) / sum(sample_count),
                    max(peak_g), sum(saturated_count)
                    """,
                aggregateColumns: [
                    C("time", .time), C("seconds", .integer), C("samples", .integer), C("min_g", .real),
                    C("max_g", .real), C("mean_g", .real), C("rms_g", .real), C("peak_g", .real),
                    C("saturated", .integer),
                ],
                aggregateTransform: { cells in
                    var c = cells
                    if case .real(let meanSquare) = c[6] { c[6] = .real(meanSquare.squareRoot()) }
                    return c
                })
        case .events:
            return Spec(
                table: "events",
                plain: "time_us, kind, detail, payload",
                plainColumns: [C("time", .time), C("kind", .text), C("detail", .text), C("payload", .text)],
                aggregate: "kind, count(*)",
                groupExtra: ", kind",
                orderExtra: ", kind DESC",
                aggregateColumns: [C("time", .time), C("kind", .text), C("count", .integer)])
        case .impacts:
            return Spec(
                table: "impacts",
                plain: """
                    id, time_us, peak_g, severity, duration_ms, delta_v_mps, hic15, saturated, sensor, fall_ms,
                    \(Self.dropMetres("fall_ms")), vertical_g, horizontal_g
                    """,
                plainColumns: [
                    C("id", .integer), C("time", .time), C("peak_g", .real), C("severity", .text),
                    C("duration_ms", .real), C("delta_v_mps", .real), C("hic15", .real),
                    C("saturated", .bool), C("sensor", .text), C("fall_ms", .real), C("drop_m", .real),
                    C("vertical_g", .real), C("horizontal_g", .real),
                ],
                aggregate: """
                    count(*), sum(severity = 'severe'), max(peak_g), max(delta_v_mps), max(hic15),
                    \(Self.dropMetres("max(fall_ms)"))
                    """,
                aggregateColumns: [
                    C("time", .time), C("impacts", .integer), C("severe", .integer), C("peak_g_max", .real),
                    C("delta_v_mps_max", .real), C("hic15_max", .real), C("drop_m_max", .real),
                ])
        case .alerts:
            return Spec(
                table: "alerts", time: "created_us",
                plain: """
                    id, created_us, state, trim(impact_ids, '[]'), attempts, last_error, sent_us, message_id,
                    cancel_cause
                    """,
                plainColumns: [
                    C("id", .integer), C("time", .time), C("state", .text), C("impacts", .text),
                    C("attempts", .integer), C("last_error", .text), C("sent", .time), C("message_id", .text),
                    C("cancelled_by", .text),
                ],
                aggregate: "count(*), sum(state = 'sent'), sum(state = 'pending'), sum(state = 'cancelled')",
                aggregateColumns: [
                    C("time", .time), C("alerts", .integer), C("sent", .integer), C("pending", .integer),
                    C("cancelled", .integer),
                ])
        }
    }

    static func cells(_ row: Row, _ columns: [QueryResult.Column]) -> [QueryResult.Cell] {
        columns.indices.map { i -> QueryResult.Cell in
            let value = row[i] as DatabaseValue
            if value.isNull { return .null }
            switch columns[i].type {
            case .time: return .time(micros: Int64.fromDatabaseValue(value) ?? 0)
            case .integer: return .integer(Int64.fromDatabaseValue(value) ?? 0)
            case .real: return .real(Double.fromDatabaseValue(value) ?? .nan)
            case .text: return .text(String.fromDatabaseValue(value) ?? "")
            case .bool: return .bool((Int64.fromDatabaseValue(value) ?? 0) != 0)
            }
        }
    }

    // MARK: - export and single records

    /// Rows of `kind` in [since, until) with id > `afterID`, by id, at most `limit`: an export
    /// reads in such pages (keyset pagination), each its own short read transaction.
    public func exportPage(_ kind: UploadKind, since: Date, until: Date, afterID: Int64, limit: Int)
        throws(StorageError) -> [UploadItem]
    {
        do {
            return try reader.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM \(kind.table) WHERE id > ? AND time_us >= ? AND time_us < ? ORDER BY id LIMIT ?
                        """, arguments: [afterID, TimeCodec.micros(since), TimeCodec.micros(until), limit]
                )
                .map { Self.item($0, kind: kind) }
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "exporting \(kind.rawValue)")
        }
    }

    /// Rows of `kind` in [since, until).
    public func count(_ kind: UploadKind, since: Date, until: Date) throws(StorageError) -> Int {
        do {
            return try reader.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM \(kind.table) WHERE time_us >= ? AND time_us < ?",
                    arguments: [TimeCodec.micros(since), TimeCodec.micros(until)]) ?? 0
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "counting \(kind.rawValue)")
        }
    }

    /// One impact by id, as recorded.
    public func impact(id: Int64) throws(StorageError) -> ImpactRecord? {
        do {
            return try reader.read { db in
                guard let r = try Row.fetchOne(db, sql: "SELECT * FROM impacts WHERE id = ?", arguments: [id])
                else { return nil }
                let waveform: Data = r["waveform"]
                return ImpactRecord(
                    triggerTime: TimeCodec.date(micros: r["time_us"]),
                    startTime: TimeCodec.date(micros: r["start_us"]),
                    endTime: TimeCodec.date(micros: r["end_us"]),
                    peakTime: TimeCodec.date(micros: r["peak_us"]),
                    peakG: r["peak_g"], peakXG: r["peak_x_g"], peakYG: r["peak_y_g"], peakZG: r["peak_z_g"],
                    durationMs: r["duration_ms"], severity: r["severity"], deltaVMps: r["delta_v_mps"],
                    hic15: r["hic15"],
                    saturated: r["saturated"], thresholdG: r["threshold_g"], sensor: r["sensor"],
                    waveform: [UInt8](waveform), waveformCount: r["waveform_count"],
                    waveformRateHz: r["waveform_rate_hz"], fallMs: r["fall_ms"], verticalG: r["vertical_g"],
                    horizontalG: r["horizontal_g"])
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "reading impact \(id)")
        }
    }

    /// Raw samples whose batch starts in [since, until), in time order.
    public func rawSamples(since: Date, until: Date) throws(StorageError) -> [RawSampleRecord] {
        do {
            return try reader.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT time_us, data FROM raw_acceleration WHERE time_us >= ? AND time_us < ? ORDER BY time_us, id
                        """, arguments: [TimeCodec.micros(since), TimeCodec.micros(until)]
                )
                .flatMap { row -> [RawSampleRecord] in
                    let data: Data = row["data"]
                    return RawSampleCodec.decode([UInt8](data), base: row["time_us"])
                }
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "reading raw acceleration")
        }
    }
}
