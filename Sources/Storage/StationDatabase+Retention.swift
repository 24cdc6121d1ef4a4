import Foundation
import GRDB

extension StationDatabase {
    /// What one retention pass did.
    struct RetentionPass: Sendable, Equatable {
        var deletedByAge = 0
        var deletedBySize = 0
        /// More to delete: run another pass soon.
        var more = false
        /// Used bytes after the pass ((page_count − freelist_count) × page_size).
        var usedBytes: Int64 = 0
    }

    /// One incremental retention pass (for tests and tools; the recorder runs the static form
    /// on its writer queue).
    func retentionPass(_ policy: RetentionPolicy, now: Date) async throws(StorageError) -> RetentionPass {
        let pool = try writer()
        do {
            return try await pool.writeWithoutTransaction { db in
                try Self.retentionPass(db, policy: policy, now: now)
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "applying retention")
        }
    }

    /// One incremental pass: at most `policy.rowsPerPass` rows per table in one transaction, then
    /// free pages go back to the file system.
    /// `byAge: false` skips deleting by age (the clock is not trusted yet); the size cap still applies.
    static func retentionPass(_ db: Database, policy: RetentionPolicy, now: Date, byAge: Bool = true) throws
        -> RetentionPass
    {
        var pass = RetentionPass()
        try db.inTransaction {
            pass = try retain(db, policy: policy, now: now, byAge: byAge)
            return .commit
        }
        // auto_vacuum = INCREMENTAL: bounded, so a pass stays short.
        try db.execute(sql: "PRAGMA incremental_vacuum(\(max(64, policy.rowsPerPass)))")
        return pass
    }

    static func usedBytes(_ db: Database) throws -> Int64 {
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        return (pages - free) * pageSize
    }

    /// Bytes that can still be written: the smaller of the file system's free space and what
    /// `max_page_count` still allows (free pages inside the file count as room).
    static func headroom(_ db: Database, path: String) throws -> Int64 {
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let maxPages = try Int64.fetchOne(db, sql: "PRAGMA max_page_count") ?? Int64.max / pageSize
        let inFile = (maxPages - pages + free) * pageSize
        let directory = (path as NSString).deletingLastPathComponent
        let attributes = try? FileManager.default.attributesOfFileSystem(
            forPath: directory.isEmpty ? "." : directory)
        let onDisk = (attributes?[.systemFreeSize] as? NSNumber)?.int64Value ?? Int64.max
        return min(inFile, onDisk + free * pageSize)
    }

    /// The largest impact id every configured destination has confirmed (0: none).
    static func uploadedImpactID(_ db: Database, destinations: [String]) throws -> Int64 {
        guard !destinations.isEmpty else { return 0 }
        var minimum = Int64.max
        for d in destinations {
            let id =
                try Int64.fetchOne(
                    db, sql: "SELECT last_id FROM upload_cursors WHERE destination = ? AND kind = ?",
                    arguments: [d, UploadKind.impact.rawValue]) ?? 0
            minimum = min(minimum, id)
        }
        return minimum
    }

    /// The per-minute rollups follow the rows they sum: a minute goes once no row of it is left
    /// (the minute holding the oldest remaining row is kept whole).
    static func trimMinuteRollups(_ db: Database) throws {
        for (rollup, table) in [("motion_minutes", "motion"), ("weather_minutes", "weather")] {
            let oldest = try Int64.fetchOne(db, sql: "SELECT min(time_us) FROM \(table)")
            let keepFrom = oldest.map { ($0 / 60_000_000) * 60_000_000 } ?? Int64.max
            try db.execute(sql: "DELETE FROM \(rollup) WHERE minute_us < ?", arguments: [keepFrom])
        }
    }

    static func retain(_ db: Database, policy: RetentionPolicy, now: Date, byAge: Bool = true) throws
        -> RetentionPass
    {
        var pass = RetentionPass()
        let limit = policy.rowsPerPass
        // Not by age: an empty range. Rows stamped before `keepStampedBefore` never go by age.
        let cutoff = byAge ? TimeCodec.micros(now) - TimeCodec.micros(policy.maxAge) : Int64.min
        let floor = policy.keepStampedBefore.map(TimeCodec.micros) ?? Int64.min
        let uploaded = try uploadedImpactID(db, destinations: policy.uploadDestinations)

        // By age. `id IN (… LIMIT n)` bounds the work per pass.
        for table in ["raw_acceleration", "motion", "weather", "events"] {
            try db.execute(
                sql: """
                    DELETE FROM \(table) WHERE id IN
                        (SELECT id FROM \(table) WHERE time_us < ? AND time_us >= ? ORDER BY time_us LIMIT ?)
                    """, arguments: [cutoff, floor, limit])
            pass.deletedByAge += db.changesCount
            if db.changesCount == limit { pass.more = true }
        }
        try db.execute(
            sql: """
                DELETE FROM impacts WHERE id IN
                    (SELECT id FROM impacts WHERE time_us < ? AND time_us >= ? AND id <= ? ORDER BY time_us LIMIT ?)
                """, arguments: [cutoff, floor, uploaded, limit])
        pass.deletedByAge += db.changesCount
        if db.changesCount == limit { pass.more = true }

        // Alerts that are over (sent or cancelled) go by age too; a pending one never does.
        if try db.tableExists("alerts") {
            try db.execute(
                sql: """
                    DELETE FROM alerts WHERE id IN
                        (SELECT id FROM alerts WHERE state != 'pending' AND created_us < ? AND created_us >= ?
                         ORDER BY id LIMIT ?)
                    """, arguments: [cutoff, floor, limit])
            pass.deletedByAge += db.changesCount
            if db.changesCount == limit { pass.more = true }
        }

        try trimMinuteRollups(db)

        // By size: oldest first, least valuable first.
        pass.usedBytes = try usedBytes(db)
        if pass.usedBytes > policy.maxBytes {
            try db.execute(
                sql: """
                    DELETE FROM raw_acceleration WHERE id IN (SELECT id FROM raw_acceleration ORDER BY time_us LIMIT ?)
                    """, arguments: [max(1, limit / 10)])
            var deleted = db.changesCount
            if deleted == 0 {
                // The oldest instant across the summary tables, then up to `limit` rows of each
                // older than one hour after it.
                let oldest = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT min(t) FROM (SELECT min(time_us) AS t FROM motion UNION ALL
                                            SELECT min(time_us) FROM weather UNION ALL
                                            SELECT min(time_us) FROM events)
                        """)
                if let oldest {
                    for table in ["motion", "weather", "events"] {
                        try db.execute(
                            sql: """
                                DELETE FROM \(table) WHERE id IN (SELECT id FROM \(table) WHERE time_us < ? ORDER BY time_us LIMIT ?)
                                """, arguments: [oldest + 3_600_000_000, limit])
                        deleted += db.changesCount
                    }
                }
            }
            if deleted == 0 {
                try db.execute(
                    sql: """
                        DELETE FROM impacts WHERE id IN (SELECT id FROM impacts WHERE id <= ? ORDER BY time_us LIMIT ?)
                        """, arguments: [uploaded, max(1, limit / 100)])
                deleted += db.changesCount
            }
            pass.deletedBySize = deleted
            // Still above the cap and something could go: another pass. (With only unuploaded
            // impacts left, nothing can, and the cap is exceeded rather than lose an impact.)
            if deleted > 0 { pass.more = true }
            try trimMinuteRollups(db)
            pass.usedBytes = try usedBytes(db)
        }
        return pass
    }
}
