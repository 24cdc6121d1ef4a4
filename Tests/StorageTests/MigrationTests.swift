import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import Storage

@Suite("Opening and migrating real files")
struct MigrationTests {
    @Test("an empty path gets every migration, WAL, incremental auto-vacuum and 0750 directories")
    func fromEmpty() throws {
        let base = try Fixture.path()
        let path = (base as NSString).deletingLastPathComponent + "/nested/dir/station.db"
        let (db, report) = try StationDatabase.openForWriting(path: path)
        #expect(report.created)
        #expect(report.movedAside == nil)
        #expect(
            report.migrationsApplied == [
                "v1-readings-impacts-events", "v2-raw-acceleration", "v3-minute-rollups",
                "v4-impacts-hic15-nullable", "v5-alert-outbox", "v6-impacts-fall",
                "v7-impacts-components",
            ])
        let mode = try db.pool!.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let autoVacuum = try db.pool!.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") }
        #expect(autoVacuum == 2)  // INCREMENTAL
        let sync = try db.pool!.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(sync == 1)  // NORMAL
        let attrs = try FileManager.default.attributesOfItem(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o750)
        let tables = try db.pool!.read {
            try String.fetchAll(
                $0,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        }
        #expect(
            tables == [
                "alerts", "events", "grdb_migrations", "impacts", "motion", "motion_minutes",
                "raw_acceleration",
                "upload_cursors", "weather", "weather_minutes",
            ])
    }

    @Test(
        "the service's connections keep at most 512 KiB of pages each, not SQLite's 2000 KiB; the open hands its pages back"
    )
    func boundedPageCache() throws {
        // A 12 MB file: far more pages than either cache holds.
        let path = try Fixture.path()
        do {
            let (db, _) = try StationDatabase.openForWriting(path: path)
            try db.pool!.write { db in
                let blob = Data(repeating: 0x5A, count: 3000)
                for i in 0..<4000 {
                    try db.execute(
                        sql:
                            "INSERT INTO raw_acceleration (time_us, end_us, sample_count, data) VALUES (?, ?, 1, ?)",
                        arguments: [i, i, blob])
                }
            }
            try db.pool!.close()
        }
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let pool = try #require(db.pool)
        // What a connection's pages take (SQLITE_DBSTATUS_CACHE_USED), after reading every row.
        func cacheUsed(_ db: Database, scan: Bool = true) throws -> Int32 {
            if scan { _ = try Int.fetchOne(db, sql: "SELECT sum(length(data)) FROM raw_acceleration") }
            var used: Int32 = 0
            var high: Int32 = 0
            let status = sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_USED, &used, &high, 0)
            #expect(status == SQLITE_OK)
            return used
        }
        // The open's check read every page through a reader, which the pool would hand out
        // again with its pages; the open closed it, so this read gets a fresh connection.
        let readerAfterOpen = try pool.read { try cacheUsed($0, scan: false) }
        #expect(readerAfterOpen < 64 * 1024, "reader cache after the open \(readerAfterOpen) bytes")
        let writerSetting = try pool.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        let readerSetting = try pool.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        #expect(writerSetting == -512 && readerSetting == -512)
        let writerUsed = try pool.writeWithoutTransaction { try cacheUsed($0) }
        let readerUsed = try pool.read { try cacheUsed($0) }
        // 512 KiB of pages plus SQLite's per-page headers (about 200 bytes a 4 KiB page).
        #expect(writerUsed > 256 * 1024 && writerUsed < 600 * 1024, "writer cache \(writerUsed) bytes")
        #expect(readerUsed > 256 * 1024 && readerUsed < 600 * 1024, "reader cache \(readerUsed) bytes")
    }

    @Test("a v1 file keeps its rows and gets v2 and v3; reopening applies nothing")
    func fromV1() throws {
        let path = try Fixture.path()
        do {
            // Build a v1 file exactly as the first release would have: only the first migration.
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v1-readings-impacts-events")
            try pool.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO weather (time_us, sensor, temperature_c, humidity_percent, pressure_pa) VALUES (1795392000000000, 'BME280', 21.5, 45, 101300)"
                )
                try db.execute(sql: "INSERT INTO upload_cursors VALUES ('s3', 'weather', 1, 0)")
            }
            try pool.close()
        }
        let (db, report) = try StationDatabase.openForWriting(path: path)
        #expect(!report.created)
        #expect(
            report.migrationsApplied == [
                "v2-raw-acceleration", "v3-minute-rollups", "v4-impacts-hic15-nullable", "v5-alert-outbox",
                "v6-impacts-fall", "v7-impacts-components",
            ])
        let rows = try db.query(
            .init(kind: .weather, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(1)))
        #expect(
            rows.rows == [
                [.time(micros: 1_795_392_000_000_000), .text("BME280"), .real(21.5), .real(45), .real(1013)]
            ])
        #expect(try db.cursor(destination: "s3", kind: .weather) == 1)
        #expect(try Fixture.count(db, "raw_acceleration") == 0)
        try db.pool!.close()
        let (_, again) = try StationDatabase.openForWriting(path: path)
        #expect(again.migrationsApplied.isEmpty)
        #expect(!again.created)
    }

    @Test(
        "a v2 file's motion seconds and weather readings are summed into the v3 minute rollups; later inserts join them"
    )
    func fromV2() throws {
        let path = try Fixture.path()
        // 150 s from t0 (a whole minute): minutes t0, t0+60, t0+120 hold 60, 60 and 30 seconds.
        // Second i: 100 samples, min 0.5 + i/1000, max 2 + i/100, mean 1, rms 1 + i/1000, peak 2 + i/100.
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v2-raw-acceleration")
            try pool.write { db in
                for i in 0..<150 {
                    try db.execute(
                        sql: """
                            INSERT INTO motion (time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g, mean_x_g, mean_y_g, mean_z_g, saturated_count)
                            VALUES (?, 100, ?, ?, 1, ?, ?, 0, 0, 1, ?)
                            """,
                        arguments: [
                            1_795_392_000_000_000 + Int64(i) * 1_000_000, 0.5 + Double(i) / 1000,
                            2 + Double(i) / 100, 1 + Double(i) / 1000, 2 + Double(i) / 100,
                            i % 7 == 0 ? 1 : 0,
                        ])
                }
                // Weather: minute 0 holds a BME280 and a BMP280 reading (no humidity), minute 1 one BMP280.
                for (s, t, h, p) in [
                    (5, 20.5, 40.0 as Double?, 101_300.0), (15, 18.5, nil, 101_500), (65, 21, nil, 100_000),
                ] {
                    try db.execute(
                        sql:
                            "INSERT INTO weather (time_us, sensor, temperature_c, humidity_percent, pressure_pa) VALUES (?, 'x', ?, ?, ?)",
                        arguments: [1_795_392_000_000_000 + Int64(s) * 1_000_000, t, h, p])
                }
            }
            try pool.close()
        }
        let (db, report) = try StationDatabase.openForWriting(path: path)
        #expect(
            report.migrationsApplied == [
                "v3-minute-rollups", "v4-impacts-hic15-nullable", "v5-alert-outbox", "v6-impacts-fall",
                "v7-impacts-components",
            ])
        // One more second through the trigger, in the third minute.
        try Fixture.write(db) { db in
            try db.execute(
                sql: """
                    INSERT INTO motion (time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g, mean_x_g, mean_y_g, mean_z_g, saturated_count)
                    VALUES (1795392150000000, 50, 0.25, 9, 1, 2, 9.5, 0, 0, 1, 3)
                    """)
        }
        let minutes = try Fixture.read(db) { db in
            try Row.fetchAll(db, sql: "SELECT * FROM motion_minutes ORDER BY minute_us")
        }
        try #require(minutes.count == 3)
        for (m, range) in zip(minutes, [0..<60, 60..<120, 120..<150]) {
            let last = Double(range.upperBound - 1)
            #expect(m["minute_us"] as Int64 == 1_795_392_000_000_000 + Int64(range.lowerBound) * 1_000_000)
            let extra = range.lowerBound == 120
            #expect(m["seconds"] as Int == range.count + (extra ? 1 : 0))
            #expect(m["samples"] as Int == range.count * 100 + (extra ? 50 : 0))
            #expect(m["min_g"] as Double == (extra ? 0.25 : 0.5 + Double(range.lowerBound) / 1000))
            #expect(abs(m["max_g"] as Double - (extra ? 9 : 2 + last / 100)) < 1e-12)
            #expect(abs(m["peak_g"] as Double - (extra ? 9.5 : 2 + last / 100)) < 1e-12)
            // Σ n·rms² = 100 Σ (1 + i/1000)² (+ 50 · 2² for the extra second).
            let squares = range.reduce(0.0) { $0 + 100 * pow(1 + Double($1) / 1000, 2) } + (extra ? 200 : 0)
            #expect(abs(m["sum_square_n"] as Double - squares) < 1e-9)
            #expect(m["saturated"] as Int == range.filter { $0 % 7 == 0 }.count + (extra ? 3 : 0))
        }
        let weather = try Fixture.read(db) { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT readings, temperature_sum, temperature_min, temperature_max, humidity_count, humidity_sum,
                           humidity_min, humidity_max, pressure_sum, pressure_min, pressure_max FROM weather_minutes ORDER BY minute_us
                    """)
        }
        let first: [DatabaseValue] = [
            2, 39.0, 18.5, 20.5, 1, 40.0, 40.0, 40.0, 202_800.0, 101_300.0, 101_500.0,
        ].map { $0.databaseValue }
        let second: [DatabaseValue] = [
            1, 21.0, 21.0, 21.0, 0, 0.0, nil, nil, 100_000.0, 100_000.0, 100_000.0,
        ].map {
            $0?.databaseValue ?? .null
        }
        let got: [[DatabaseValue]] = weather.map { Array($0.databaseValues) }
        #expect(got == [first, second])
    }

    @Test(
        "a v3 file's impacts keep every column and id; hic15 takes NULL; a deleted newest id is still never reused"
    )
    func fromV3() throws {
        let path = try Fixture.path()
        let insert = """
            INSERT INTO impacts (time_us, start_us, end_us, peak_us, peak_g, peak_x_g, peak_y_g, peak_z_g, duration_ms,
                                 severity, delta_v_mps, hic15, saturated, threshold_g, sensor, waveform, waveform_count,
                                 waveform_rate_hz)
            VALUES (?, ?, ?, ?, 7.5, 7.25, 1, 0.5, 8.5, 'impact', 1.75, ?, 0, 5, 'ADXL345', x'01020304', 2, 800)
            """
        var before: [Row] = []
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v3-minute-rollups")
            try pool.write { db in
                for k in 0..<3 {
                    let t = 1_795_392_000_000_000 + Int64(k) * 10_000_000
                    try db.execute(
                        sql: insert, arguments: [t, t - 1000, t + 9000, t + 500, 12.5 + Double(k)])
                }
                try db.execute(sql: "DELETE FROM impacts WHERE id = 3")  // retention took the newest
                before = try Row.fetchAll(db, sql: "SELECT * FROM impacts ORDER BY id")
                // v1's NOT NULL, which v4 lifts
                #expect(throws: DatabaseError.self) {
                    try db.execute(sql: insert, arguments: [1, 1, 1, 1, nil as Double?])
                }
            }
            try pool.close()
        }
        let (db, report) = try StationDatabase.openForWriting(path: path)
        #expect(
            report.migrationsApplied == [
                "v4-impacts-hic15-nullable", "v5-alert-outbox", "v6-impacts-fall", "v7-impacts-components",
            ])
        try Fixture.write(db) { db in
            // Every v3 column as it was; v6's fall_ms is NULL (no fall was looked for then).
            let v3 = try #require(before.first).columnNames.joined(separator: ", ")
            #expect(try Row.fetchAll(db, sql: "SELECT \(v3) FROM impacts ORDER BY id") == before)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM impacts WHERE fall_ms IS NOT NULL") == 0)
            // v7's components are NULL too: the mounting was not known then.
            #expect(
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM impacts WHERE vertical_g IS NOT NULL OR horizontal_g IS NOT NULL"
                )
                    == 0)
            try db.execute(
                sql: insert,
                arguments: [
                    1_795_392_100_000_000, 1_795_392_100_000_000, 1_795_392_100_000_000,
                    1_795_392_100_000_000, nil as Double?,
                ])
            #expect(db.lastInsertedRowID == 4)
            #expect(try Row.fetchOne(db, sql: "SELECT hic15 FROM impacts WHERE id = 4")?[0] as Double? == nil)
            #expect(
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'impacts' AND type = 'index'")
                    == ["impacts_time"])
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
    }

    @Test("a file from a newer sensorstation is refused, for reading and for writing, and never moved aside")
    func newerSchema() throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        try db.pool!.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9-future')") }
        try db.pool!.close()

        #expect {
            _ = try StationDatabase.openReadOnly(path: path)
        } throws: { error in
            let e = error as? StorageError
            return e?.kind == .newerSchema
                && e!.message.contains("written by a newer sensorstation (migration v9-future unknown)")
        }
        #expect {
            _ = try StationDatabase.openForWriting(path: path)
        } throws: { ($0 as? StorageError)?.kind == .newerSchema }
        let siblings = try FileManager.default.contentsOfDirectory(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect(!siblings.contains { $0.contains("corrupt") })
    }

    @Test("read-only open of a missing file says what to check")
    func missing() throws {
        let path = try Fixture.path("absent.db")
        #expect {
            _ = try StationDatabase.openReadOnly(path: path)
        } throws: { error in
            let e = error as? StorageError
            return e?.kind == .notFound
                && e!.description.contains(
                    "no database at \(path): is the service running, and is storage.path right?")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(
        "why a database cannot be read, from the errno: missing, permission denied (never \"no database\"), other",
        arguments: [
            (ENOENT, StorageError.Kind.notFound), (ENOTDIR, .notFound), (EACCES, .permissionDenied),
            (EPERM, .permissionDenied), (EIO, .io),
        ])
    func unreadableFromErrno(_ code: Int32, _ kind: StorageError.Kind) throws {
        let path = "/var/lib/sensorstation/station.db"
        #expect(StationDatabase.unreadable(path: path, errno: 0) == nil)
        let error = try #require(StationDatabase.unreadable(path: path, errno: code))
        #expect(error.kind == kind)
        switch kind {
        case .notFound:
            #expect(
                error.message
                    == "no database at \(path): is the service running, and is storage.path right? (or pass --database PATH)"
            )
        case .permissionDenied:
            #expect(
                error.message
                    == "permission denied: this user may not read the database or enter its directory")
        default:
            #expect(error.message == "cannot read the database: Input/output error (errno 5)")
        }
    }

    @Test("a read-only database refuses writes with a readOnly error")
    func readOnlyRefusesWrites() throws {
        let path = try Fixture.path()
        _ = try Fixture.open(path)
        let ro = try StationDatabase.openReadOnly(path: path)
        #expect {
            try ro.advanceCursor(destination: "s3", kind: .weather, to: 1)
        } throws: { ($0 as? StorageError)?.kind == .readOnly }
    }
}
