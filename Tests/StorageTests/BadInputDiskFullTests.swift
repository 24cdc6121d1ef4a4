import Foundation
import GRDB
import TestSupport
import Testing

@testable import Storage

/// The "full disk" row of docs/bad-inputs.md: the exact lines the service's log shows (the
/// recorder logs through the service's LineLogHandler, whose format is `message key=value`), and
/// the state: raw acceleration refused, summaries and impacts kept, raw resumed once space returns.
/// The disk fills through SQLite's `max_page_count`, which fails writes with SQLITE_FULL as a full
/// file system does (DiskFullTests covers the policy in more detail).
@Suite("Bad-input catalogue (full disk)")
struct BadInputDiskFullTests {
    @Test("a full disk: the error line, raw refused, impacts and summaries kept, raw resumes with a notice")
    func fullDisk() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let captured = CapturedLog()
        let recorder = Recorder(
            database: db, retention: .init(), logger: captured.logger,
            now: { Fixture.t0 }, resumeHeadroomBytes: 1 << 20)
        try await DiskFullTests.setMaxPages(db, extra: 60)
        var second = 0
        while !recorder.stats.diskFull && second < 100 {
            recorder.record(.raw(DiskFullTests.raw(second)))
            recorder.record(.motion(Fixture.motion(second)))
            await recorder.flush()
            second += 1
        }
        let message =
            "\(path): writing failed: the disk is full (database or disk is full); free space on the file system or lower storage.max_size_mb"
        #expect(
            captured.lines.filter { $0.hasPrefix("error ") } == [
                "error storage: disk full; dropping raw acceleration, keeping impacts and summaries queued error=\(message)"
            ])
        #expect(recorder.stats.lastError == message)

        // State while full: raw refused at once, the summary and an impact written.
        let dropped = recorder.stats.droppedRawSamples
        recorder.record(.raw(DiskFullTests.raw(second)))
        #expect(recorder.stats.droppedRawSamples == dropped + 3200)
        recorder.record(.motion(Fixture.motion(second)))
        await recorder.flush()
        let id = try await recorder.recordImpact(Fixture.impact())
        #expect(try db.impact(id: id) == Fixture.stored(Fixture.impact()))
        #expect(try Fixture.count(db, "motion") == second + 1)

        // Space returns: one notice, raw is written again, the error is cleared.
        try await DiskFullTests.setMaxPages(db, extra: 10_000)
        await recorder.flush()
        #expect(
            captured.lines.contains {
                $0.hasPrefix("notice storage: space available again; raw data resumes ")
                    && $0.contains("path=\(path)")
            })
        #expect(!recorder.stats.diskFull)
        #expect(recorder.stats.lastError == nil)
        let rawRows = try Fixture.count(db, "raw_acceleration")
        recorder.record(.raw(DiskFullTests.raw(second + 1)))
        await recorder.flush()
        #expect(try Fixture.count(db, "raw_acceleration") == rawRows + 1)
        #expect(captured.lines.filter { $0.hasPrefix("error ") }.count == 1)  // reported once, not per batch
    }
}
