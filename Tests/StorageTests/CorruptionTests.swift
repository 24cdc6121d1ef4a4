import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("Corrupt files are moved aside and kept")
struct CorruptionTests {
    @Test(
        "a file that is not SQLite is renamed with its -wal, kept byte for byte, and a new database created")
    func garbage() throws {
        let path = try Fixture.path()
        let garbage = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        try Data("stale wal".utf8).write(to: URL(fileURLWithPath: path + "-wal"))
        let now = Date(timeIntervalSince1970: 1_795_437_296)  // 2026-11-23T12:34:56Z
        let (db, report) = try StationDatabase.openForWriting(path: path, now: now)
        let aside = path + ".corrupt-20261123T123456Z"
        #expect(report.movedAside == aside)
        #expect(report.created)
        #expect(report.migrationsApplied == Schema.identifiers)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == garbage)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside + "-wal")) == Data("stale wal".utf8))
        // The new file is a working database.
        try db.advanceCursor(destination: "s3", kind: .impact, to: 1)
        #expect(try db.cursor(destination: "s3", kind: .impact) == 1)
        let check = try db.pool!.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
    }

    @Test(
        "a database with a damaged page fails quick_check and is moved aside; a second corrupt file gets a new name"
    )
    func damagedPage() async throws {
        let path = try Fixture.path()
        do {
            let db = try Fixture.open(path)
            let recorder = Fixture.recorder(db)
            for i in 0..<5_000 { recorder.record(.motion(Fixture.motion(i))) }
            await recorder.flush()
            // Everything into the main file, and an empty WAL (GRDB keeps the file: persistent WAL).
            try await db.pool!.writeWithoutTransaction {
                try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            try db.pool!.close()
        }
        let wal = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber
        #expect((wal?.intValue ?? 0) == 0)
        // Overwrite pages 21–40 (motion's b-tree: 5 000 rows fill ~150 pages) with 0xFF.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 20 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 20 * 4096))
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: path))

        let now = Date(timeIntervalSince1970: 1_795_437_296)
        let (db, report) = try StationDatabase.openForWriting(path: path, now: now)
        #expect(report.movedAside == path + ".corrupt-20261123T123456Z")
        let aside = try #require(report.movedAside)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == damaged)
        #expect(try Fixture.count(db, "motion") == 0)
        try db.pool!.close()

        // The same second again (a second damaged file): a distinct name, nothing overwritten.
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
        let (_, again) = try StationDatabase.openForWriting(path: path, now: now)
        #expect(again.movedAside == path + ".corrupt-20261123T123456Z-1")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".corrupt-20261123T123456Z")) == damaged)
    }
}
