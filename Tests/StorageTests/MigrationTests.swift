import Foundation
import GRDB
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
        #expect(report.migrationsApplied == ["v1-readings-impacts-events", "v2-raw-acceleration"])
        let mode = try db.pool!.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let autoVacuum = try db.pool!.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") }
        #expect(autoVacuum == 2)  // INCREMENTAL
        let sync = try db.pool!.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(sync == 1)  // NORMAL
        let attrs = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o750)
        let tables = try db.pool!.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(tables == ["events", "grdb_migrations", "impacts", "motion", "raw_acceleration", "upload_cursors", "weather"])
    }

    @Test("a v1 file keeps its rows and gets v2; reopening applies nothing")
    func fromV1() throws {
        let path = try Fixture.path()
        do {
            // Build a v1 file exactly as the first release would have: only the first migration.
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v1-readings-impacts-events")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO weather (time_us, sensor, temperature_c, humidity_percent, pressure_pa) VALUES (1795392000000000, 'BME280', 21.5, 45, 101300)")
                try db.execute(sql: "INSERT INTO upload_cursors VALUES ('s3', 'weather', 1, 0)")
            }
            try pool.close()
        }
        let (db, report) = try StationDatabase.openForWriting(path: path)
        #expect(!report.created)
        #expect(report.migrationsApplied == ["v2-raw-acceleration"])
        let rows = try db.query(.init(kind: .weather, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(1)))
        #expect(rows.rows == [[.time(micros: 1_795_392_000_000_000), .text("BME280"), .real(21.5), .real(45), .real(1013)]])
        #expect(try db.cursor(destination: "s3", kind: .weather) == 1)
        #expect(try Fixture.count(db, "raw_acceleration") == 0)
        try db.pool!.close()
        let (_, again) = try StationDatabase.openForWriting(path: path)
        #expect(again.migrationsApplied.isEmpty)
        #expect(!again.created)
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
            return e?.kind == .newerSchema && e!.message.contains("written by a newer sensorstation (migration v9-future unknown)")
        }
        #expect {
            _ = try StationDatabase.openForWriting(path: path)
        } throws: { ($0 as? StorageError)?.kind == .newerSchema }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(!siblings.contains { $0.contains("corrupt") })
    }

    @Test("read-only open of a missing file says what to check")
    func missing() throws {
        let path = try Fixture.path("absent.db")
        #expect {
            _ = try StationDatabase.openReadOnly(path: path)
        } throws: { error in
            let e = error as? StorageError
            return e?.kind == .notFound && e!.description.contains("no database at \(path): is the service running, and is storage.path right?")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
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
