import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("Readers while the service writes")
struct ConcurrencyTests {
    @Test(
        "a read-only connection holding a read transaction does not block the writer, and sees commits afterwards"
    )
    func readerDoesNotBlockWriter() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let recorder = Fixture.recorder(db)
        for i in 0..<10 { recorder.record(.weather(Fixture.weather(i))) }
        await recorder.flush()

        let cli = try StationDatabase.openReadOnly(path: path)
        let pool = db.pool!
        // The writer's busy timeout is 5 s: if this reader blocked it, the write below would throw
        // SQLITE_BUSY instead of committing.
        // GRDB wraps a read in a transaction (a savepoint): the snapshot starts at its first SELECT.
        let (inSnapshot, writerCommitted) = try Fixture.read(cli) { rdb -> (Int, Int) in
            _ = try Int.fetchOne(rdb, sql: "SELECT count(*) FROM weather")
            let written = try pool.write { w -> Int in
                _ = try StationDatabase.insert(Batch(weather: (10..<2_010).map { Fixture.weather($0) }), w)
                return try Int.fetchOne(w, sql: "SELECT count(*) FROM weather")!
            }
            // A checkpoint while the reader holds its snapshot: allowed, never waits for it.
            _ = try pool.writeWithoutTransaction {
                try Row.fetchOne($0, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            }
            return (try Int.fetchOne(rdb, sql: "SELECT count(*) FROM weather")!, written)
        }
        #expect(writerCommitted == 2_010)
        #expect(inSnapshot == 10)  // snapshot isolation
        #expect(try Fixture.count(cli, "weather") == 2_010)
    }

    @Test("many reads interleaved with recorder commits all see a consistent, growing log")
    func interleaved() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let recorder = Fixture.recorder(db)
        let cli = try StationDatabase.openReadOnly(path: path)
        var last = 0
        for round in 1...20 {
            for i in 0..<100 { recorder.record(.motion(Fixture.motion(round * 100 + i))) }
            async let committed: Void = recorder.flush()
            let n = try Fixture.count(cli, "motion")
            #expect(n % 100 == 0 && n >= last)  // whole batches only: a commit is atomic
            last = n
            await committed
        }
        #expect(try Fixture.count(cli, "motion") == 2_000)
    }
}
