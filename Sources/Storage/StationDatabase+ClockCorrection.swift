import Foundation
import GRDB

/// Putting right the times of rows logged before the system clock was set (a Raspberry Pi has no
/// battery clock; docs/storage.md, "No real-time clock"). The station notes the last row ids while
/// the clock is not synchronised (`rowMark`); once it is, every row of that run stamped on the old
/// clock moves by what the clock moved (`correctClock`), the per-minute rollups with it.
extension StationDatabase {
    /// The tables whose rows carry times, and every time column of each: all of them move. The
    /// first column is the row's stamp, which says whether it was written on the old clock.
    static let timedTables: [(table: String, columns: [String])] = [
        ("weather", ["time_us"]),
        ("motion", ["time_us"]),
        ("events", ["time_us"]),
        ("impacts", ["time_us", "start_us", "end_us", "peak_us"]),
        // `data` holds the samples' offsets from `time_us`, so the blob stays as it is.
        ("raw_acceleration", ["time_us", "end_us"]),
        // An alert waits for the clock (the upload gate), so it is never sent on the old clock;
        // it may be cancelled on it. Unset (NULL) columns stay unset.
        ("alerts", ["created_us", "last_attempt_us", "sent_us", "cancelled_us"]),
    ]

    /// The rollups kept by the v3 triggers, each with the table it sums.
    static let rollups: [(rollup: String, table: String)] = [
        ("motion_minutes", "motion"), ("weather_minutes", "weather"),
    ]

    /// The last row id of each timed table at one moment. Rows written after it have larger ids
    /// (AUTOINCREMENT never hands an id out twice).
    public struct RowMark: Sendable, Equatable {
        /// Per table (`weather`, `motion`, `events`, `impacts`, `raw_acceleration`, `alerts`); 0
        /// when empty.
        public var lastIDs: [String: Int64]

        public init(lastIDs: [String: Int64]) {
            self.lastIDs = lastIDs
        }
    }

    /// What one clock correction did.
    public struct ClockCorrection: Sendable, Equatable {
        /// Rows moved, per table (every timed table present, 0 included).
        public var moved: [String: Int]
        /// Minutes of `motion_minutes` and `weather_minutes` recomputed from their rows.
        public var minutesRecomputed: Int
        /// Every row in the file at the end of the correction is at or below this mark: the next
        /// correction starts from it, so no row is ever moved twice.
        public var mark: RowMark

        /// Rows moved in all tables.
        public var rows: Int { moved.values.reduce(0, +) }
    }

    /// The mark now: the largest id of each timed table.
    public func rowMark() throws(StorageError) -> RowMark {
        do {
            return try reader.read { db in try Self.rowMark(db) }
        } catch {
            throw StorageError.from(error, path: path, doing: "noting the last row ids")
        }
    }

    static func rowMark(_ db: Database) throws -> RowMark {
        var ids: [String: Int64] = [:]
        for (table, _) in timedTables {
            ids[table] = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM \(table)") ?? 0
        }
        return RowMark(lastIDs: ids)
    }

    /// Moves by `delta` every row written after `mark` and stamped at or before `stampedBefore`
    /// (the moment the clock was found set, read on the old clock), in every time column of every
    /// timed table, and recomputes the rollup minutes those rows leave and enter. One transaction.
    /// Rows at or below the mark (earlier runs) and rows stamped since on the new clock stay.
    public func correctClock(after mark: RowMark, stampedBefore: Date, by delta: Duration)
        async throws(StorageError)
        -> ClockCorrection
    {
        let pool = try writer()
        do {
            return try await pool.writeWithoutTransaction { db in
                try Self.correctClock(db, after: mark, stampedBefore: stampedBefore, by: delta)
            }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "correcting the times logged before the clock was set")
        }
    }

    static func correctClock(_ db: Database, after mark: RowMark, stampedBefore: Date, by delta: Duration)
        throws
        -> ClockCorrection
    {
        let before = TimeCodec.micros(stampedBefore)
        let shift = TimeCodec.micros(delta)
        var moved: [String: Int] = [:]
        var recomputed = 0
        var next = mark
        try db.inTransaction(.immediate) {
            // The minutes the moved rows leave and the minutes they arrive in, read before they move.
            var minutes: [String: Set<Int64>] = [:]
            if shift != 0 {
                for (rollup, table) in rollups {
                    let rows = try Int64.fetchAll(
                        db,
                        sql: """
                            SELECT DISTINCT (time_us / 60000000) * 60000000 FROM \(table) WHERE id > ? AND time_us <= ?
                            UNION SELECT DISTINCT ((time_us + ?) / 60000000) * 60000000 FROM \(table) WHERE id > ? AND time_us <= ?
                            """,
                        arguments: [
                            mark.lastIDs[table] ?? 0, before, shift, mark.lastIDs[table] ?? 0, before,
                        ])
                    minutes[rollup] = Set(rows)
                }
            }
            for (table, columns) in timedTables {
                let after = mark.lastIDs[table] ?? 0
                if shift != 0 {
                    let set = columns.map { "\($0) = \($0) + :shift" }.joined(separator: ", ")
                    try db.execute(
                        sql: "UPDATE \(table) SET \(set) WHERE id > :after AND \(columns[0]) <= :before",
                        arguments: ["shift": shift, "after": after, "before": before])
                    moved[table] = db.changesCount
                } else {
                    moved[table] = 0
                }
            }
            for (rollup, table) in rollups {
                for minute in (minutes[rollup] ?? []).sorted() {
                    try db.execute(sql: "DELETE FROM \(rollup) WHERE minute_us = ?", arguments: [minute])
                    try db.execute(
                        sql:
                            "INSERT INTO \(rollup) \(rollupSelect(table)) WHERE time_us >= ? AND time_us < ? GROUP BY 1",
                        arguments: [minute, minute + 60_000_000])
                    recomputed += 1
                }
            }
            next = try rowMark(db)
            return .commit
        }
        return ClockCorrection(moved: moved, minutesRecomputed: recomputed, mark: next)
    }

    /// The per-minute sums of a table's rows, as the v3 triggers keep them (the same expressions
    /// as the migration's initial fill, which must never change: Schema.swift).
    static func rollupSelect(_ table: String) -> String {
        switch table {
        case "motion":
            return """
                SELECT (time_us / 60000000) * 60000000, count(*), sum(sample_count), min(min_g), max(max_g),
                       sum(mean_g * sample_count), sum(rms_g * rms_g * sample_count), max(peak_g), sum(saturated_count)
                FROM motion
                """
        default:
            return """
                SELECT (time_us / 60000000) * 60000000, count(*), sum(temperature_c), min(temperature_c),
                       max(temperature_c), count(humidity_percent), coalesce(sum(humidity_percent), 0),
                       min(humidity_percent), max(humidity_percent), sum(pressure_pa), min(pressure_pa), max(pressure_pa)
                FROM weather
                """
        }
    }

    /// Rows of each uploaded kind stamped before `date`: for `status`, the rows a clock that was
    /// never set stamped (a run that ended before it was), which the uploader holds back.
    public func stampedBefore(_ date: Date) throws(StorageError) -> [UploadKind: Int] {
        do {
            return try reader.read { db in
                var counts: [UploadKind: Int] = [:]
                for kind in UploadKind.allCases {
                    counts[kind] =
                        try Int.fetchOne(
                            db, sql: "SELECT count(*) FROM \(kind.table) WHERE time_us < ?",
                            arguments: [TimeCodec.micros(date)]) ?? 0
                }
                return counts
            }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "counting the rows stamped before \(TimeCodec.iso(date))")
        }
    }
}
