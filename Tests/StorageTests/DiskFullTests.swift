import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("A full disk (simulated with PRAGMA max_page_count)")
struct DiskFullTests {
    static func setMaxPages(_ db: StationDatabase, extra: Int) async throws {
        try await db.pool!.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + extra)")
        }
    }

    static func raw(_ second: Int, count: Int = 3200) -> [RawSampleRecord] {
        (0..<count).map { i in
            RawSampleRecord(
                time: Fixture.t0.addingTimeInterval(Double(second) + Double(i) / 3200),
                x: Double(i % 17), y: 0.5, z: 1, saturated: false)
        }
    }

    @Test(
        "raw stops first, summaries and impacts are kept, the fault is reported, and raw resumes when space returns"
    )
    func fullDisk() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Recorder(
            database: db, retention: .init(), logger: Fixture.logger, now: { Fixture.t0 },
            resumeHeadroomBytes: 1 << 20)
        try await Self.setMaxPages(db, extra: 60)  // ≈ 240 KiB more
        var second = 0
        while !recorder.stats.diskFull && second < 100 {
            recorder.record(.raw(Self.raw(second)))  // 54 400 bytes each
            recorder.record(.motion(Fixture.motion(second)))
            await recorder.flush()
            second += 1
        }
        #expect(recorder.stats.diskFull)
        #expect(recorder.stats.droppedRawSamples >= 3200)
        #expect(recorder.stats.lastError?.contains("disk is full") == true)

        // While full: raw is refused at once, summaries are written, an impact still goes in.
        let droppedBefore = recorder.stats.droppedRawSamples
        recorder.record(.raw(Self.raw(second)))
        #expect(recorder.stats.droppedRawSamples == droppedBefore + 3200)
        recorder.record(.motion(Fixture.motion(second)))
        await recorder.flush()
        let id = try await recorder.recordImpact(Fixture.impact())
        #expect(try db.impact(id: id) == Fixture.stored(Fixture.impact()))
        #expect(try Fixture.count(db, "motion") == second + 1)  // every summary is stored
        #expect(recorder.stats.diskFull)  // still under the 1 MiB resume headroom

        // Space returns: the next commit notices, and raw is accepted and written again.
        try await Self.setMaxPages(db, extra: 10_000)
        await recorder.flush()
        #expect(!recorder.stats.diskFull)
        let rawRows = try Fixture.count(db, "raw_acceleration")
        recorder.record(.raw(Self.raw(second + 1)))
        await recorder.flush()
        #expect(try Fixture.count(db, "raw_acceleration") == rawRows + 1)
        let check = try await db.pool!.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
    }

    @Test("an impact on a full disk with no raw to delete makes room from the oldest summaries")
    func impactMakesRoom() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for i in 0..<7_200 { recorder.record(.motion(Fixture.motion(i))) }  // two hours
        await recorder.flush()
        try await Self.setMaxPages(db, extra: 0)
        let big = [UInt8](repeating: 7, count: 100_000)
        let id = try await recorder.recordImpact(Fixture.impact(waveform: big))
        #expect(try db.impact(id: id)?.waveform == big)
        let motion = try Fixture.count(db, "motion")
        #expect(motion < 7_200 && motion >= 3_600)  // the oldest hour went, the newest stayed
    }
}
