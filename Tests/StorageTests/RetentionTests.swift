import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("Retention by age and by size")
struct RetentionTests {
    static let day: TimeInterval = 86_400

    /// Runs passes until retention says it has caught up (bounded, so a bug cannot hang the test).
    static func drain(_ db: StationDatabase, _ policy: RetentionPolicy, now: Date) async throws -> Int {
        var passes = 0
        while passes < 1_000 {
            passes += 1
            if try await !db.retentionPass(policy, now: now).more { break }
        }
        return passes
    }

    @Test(
        "by age: rows older than maxAge go; impacts only once every destination confirmed them",
        arguments: [
            // (destinations, impact cursors per destination, impact ids expected to remain)
            ([String](), [String: Int64](), [Int64(1), 2, 3]),
            (["s3"], ["s3": 2], [3]),
            (["s3", "dynamodb"], ["s3": 3, "dynamodb": 1], [2, 3]),
            (["s3", "dynamodb"], ["s3": 3], [1, 2, 3]),
        ])
    func byAge(destinations: [String], cursors: [String: Int64], remaining: [Int64]) async throws {
        let db = try Fixture.open(try Fixture.path())
        let now = Fixture.t0.addingTimeInterval(40 * Self.day)
        let recorder = Fixture.recorder(db, retention: .init(), now: now)
        for d in 0..<40 {
            let t = Fixture.t0.addingTimeInterval(Double(d) * Self.day)
            recorder.record(.weather(Fixture.weather(0, from: t)))
            recorder.record(.motion(Fixture.motion(0, from: t)))
            recorder.record(.event(EventRecord(time: t, kind: "state", detail: "day \(d)")))
        }
        await recorder.flush()
        // Impacts on days 1, 2 and 3: all older than 30 days.
        for d in 1...3 {
            _ = try await recorder.recordImpact(
                Fixture.impact(at: Fixture.t0.addingTimeInterval(Double(d) * Self.day)))
        }
        for (destination, id) in cursors {
            try db.advanceCursor(destination: destination, kind: .impact, to: id)
        }

        let policy = RetentionPolicy(
            maxAge: .seconds(30 * 86_400), uploadDestinations: destinations, rowsPerPass: 4)
        _ = try await Self.drain(db, policy, now: now)
        // Cut-off: now − 30 d = t0 + 10 d; the row exactly at the cut-off stays (older = strictly before).
        for table in ["weather", "motion", "events"] {
            #expect(try Fixture.count(db, table) == 30, "\(table)")
            let oldest = try Fixture.read(db) {
                try Int64.fetchOne($0, sql: "SELECT min(time_us) FROM \(table)")
            }
            #expect(oldest == TimeCodec.micros(Fixture.t0.addingTimeInterval(10 * Self.day)))
        }
        let ids = try Fixture.read(db) { try Int64.fetchAll($0, sql: "SELECT id FROM impacts ORDER BY id") }
        #expect(ids == remaining)
    }

    @Test(
        "by size: the oldest summaries go until the used pages fit; unuploaded impacts stay; the file shrinks"
    )
    func bySize() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let recorder = Fixture.recorder(db)
        for i in 0..<20_000 { recorder.record(.motion(Fixture.motion(i))) }  // 5.6 hours, ≈ 2 MB
        await recorder.flush()
        for i in 0..<3 {
            _ = try await recorder.recordImpact(Fixture.impact(at: Fixture.t0.addingTimeInterval(Double(i))))
        }
        try await db.pool!.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let before = try db.status()
        #expect(before.usedBytes > 1_500_000)

        let policy = RetentionPolicy(maxAge: .seconds(365 * 86_400), maxBytes: 512 * 1024, rowsPerPass: 1_000)
        let passes = try await Self.drain(db, policy, now: Fixture.t0.addingTimeInterval(Self.day))
        #expect(passes > 1)  // incremental: no single pass deleted everything
        try await db.pool!.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let after = try db.status()
        #expect(after.usedBytes <= 512 * 1024)
        let motion = after.tables.first { $0.name == "motion" }!
        #expect(motion.rows < 20_000 && motion.rows > 1_000)
        // Oldest first: the newest second is still there, the oldest is gone.
        #expect(motion.newest == Fixture.t0.addingTimeInterval(19_999))
        #expect(motion.oldest! > Fixture.t0)
        #expect(after.tables.first { $0.name == "impacts" }!.rows == 3)
        #expect(after.fileBytes < before.fileBytes)
    }

    @Test("a database of unuploaded impacts above the cap keeps every impact, and retention stops trying")
    func impactsOverCap() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        let big = [UInt8](repeating: 0xA5, count: 64 * 1024)
        for i in 0..<10 {
            _ = try await recorder.recordImpact(
                Fixture.impact(at: Fixture.t0.addingTimeInterval(Double(i)), waveform: big))
        }
        let policy = RetentionPolicy(maxBytes: 128 * 1024, uploadDestinations: ["s3"])
        let passes = try await Self.drain(db, policy, now: Fixture.t0)
        #expect(passes == 1)
        #expect(try Fixture.count(db, "impacts") == 10)
        // Once uploaded, the oldest go first.
        try db.advanceCursor(destination: "s3", kind: .impact, to: 4)
        _ = try await Self.drain(db, policy, now: Fixture.t0)
        let ids = try Fixture.read(db) { try Int64.fetchAll($0, sql: "SELECT id FROM impacts ORDER BY id") }
        #expect(ids == Array(5...10))
    }
}
