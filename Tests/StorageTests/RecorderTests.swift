import Foundation
import GRDB
import Testing

@testable import Storage

@Suite("The batched recorder")
struct RecorderTests {
    @Test("records are committed in one batch and read back with every field")
    func batchedWrites() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for i in 0..<30 { recorder.record(.weather(Fixture.weather(i))) }
        for i in 0..<60 { recorder.record(.motion(Fixture.motion(i))) }
        recorder.record(
            .event(
                EventRecord(
                    time: Fixture.t0, kind: "button", detail: "short press",
                    payload: ["press": "short", "line": "17"])))
        let raw = (0..<320).map { i in
            RawSampleRecord(
                time: Fixture.t0.addingTimeInterval(Double(i) / 3200), x: Double(i) * 0.5, y: -1.25,
                z: 0.015625,
                saturated: i == 7)
        }
        recorder.record(.raw(raw))
        #expect(recorder.stats.queued == 30 + 60 + 1 + 320)
        #expect(try Fixture.count(db, "weather") == 0)  // nothing reaches the file before a commit

        await recorder.flush()
        let stats = recorder.stats
        #expect(stats.written == 30 + 60 + 1 + 1)
        #expect(stats.queued == 0)
        #expect(stats.dropped == 0)
        #expect(stats.lastCommit == Fixture.t0)

        let weather = try db.query(
            .init(kind: .weather, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(3600)))
        #expect(weather.rows.count == 30)
        // Row 3: 20 + 3 × 0.125 °C, no humidity (odd), 101 328 Pa = 1013.28 hPa, 30 s after t0.
        #expect(
            weather.rows[3] == [
                .time(micros: 1_795_392_030_000_000), .text("BME280"), .real(20.375), .null, .real(1013.28),
            ])
        let events = try db.query(
            .init(kind: .events, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(1)))
        #expect(
            events.rows == [
                [
                    .time(micros: 1_795_392_000_000_000), .text("button"), .text("short press"),
                    .text(#"{"line":"17","press":"short"}"#),
                ]
            ])
        // Raw: Float32 storage; every value above is exactly representable, times to the µs.
        let back = try db.rawSamples(since: Fixture.t0, until: Fixture.t0.addingTimeInterval(1))
        #expect(back.count == 320)
        #expect(back.map(\.x) == raw.map(\.x))
        #expect(back.map(\.saturated) == raw.map(\.saturated))
        #expect(back.map { TimeCodec.micros($0.time) } == raw.map { TimeCodec.micros($0.time) })
    }

    @Test("a durable impact is visible to another connection at once, and the writer goes back to NORMAL")
    func durableImpact() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let recorder = Fixture.recorder(db)
        recorder.record(.weather(Fixture.weather(0)))  // queued, not committed by recordImpact
        let impact = Fixture.impact()
        let id = try await recorder.recordImpact(impact)
        #expect(id == 1)
        let other = try StationDatabase.openReadOnly(path: path)
        #expect(try other.impact(id: id) == Fixture.stored(impact))
        #expect(try Fixture.count(other, "weather") == 0)
        #expect(recorder.stats.impacts == 1)
        let sync = try Fixture.write(db) { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(sync == 1)
        let second = try await recorder.recordImpact(
            Fixture.impact(at: Fixture.t0.addingTimeInterval(5), peak: 11))
        #expect(second == 2)
        let list = try other.query(
            .init(kind: .impacts, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(10)))
        #expect(list.rows.map { $0[3] } == [.text("impact"), .text("severe")])
    }

    @Test("ids are never reused, even after the newest row is deleted")
    func idsNeverReused() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        _ = try await recorder.recordImpact(Fixture.impact())
        _ = try await recorder.recordImpact(Fixture.impact())
        try await db.pool!.write { try $0.execute(sql: "DELETE FROM impacts WHERE id = 2") }
        #expect(try await recorder.recordImpact(Fixture.impact()) == 3)
    }

    @Test("a full queue drops the newest raw first, then the incoming record; never blocks")
    func boundedQueue() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db, capacity: 10)
        let raw4 = (0..<4).map {
            RawSampleRecord(
                time: Fixture.t0.addingTimeInterval(Double($0)), x: 0, y: 0, z: 1, saturated: false)
        }
        recorder.record(.raw(raw4))  // 4 units
        recorder.record(.raw(raw4))  // 8
        recorder.record(.weather(Fixture.weather(0)))  // 9
        recorder.record(.weather(Fixture.weather(1)))  // 10
        recorder.record(.weather(Fixture.weather(2)))  // evicts the second raw batch: 4 + 3 = 7
        recorder.record(.raw(Array(raw4 + raw4.prefix(1))))  // 5 samples: 12 > 10, refused
        var s = recorder.stats
        #expect(s.queued == 7)
        #expect(s.dropped == 2)
        #expect(s.droppedRawSamples == 9)
        for i in 3..<6 { recorder.record(.weather(Fixture.weather(i))) }  // 10
        // evicts last raw: 7
        recorder.record(.event(EventRecord(time: Fixture.t0, kind: "state", detail: "x")))
        recorder.record(.motion(Fixture.motion(0)))  // 8
        recorder.record(.motion(Fixture.motion(1)))  // 9
        recorder.record(.motion(Fixture.motion(2)))  // 10
        recorder.record(.motion(Fixture.motion(3)))  // no raw left: this one is dropped
        s = recorder.stats
        #expect(s.queued == 10)
        #expect(s.dropped == 4)
        #expect(s.droppedRawSamples == 13)
        await recorder.flush()
        #expect(try Fixture.count(db, "weather") == 6)
        #expect(try Fixture.count(db, "motion") == 3)
        #expect(try Fixture.count(db, "events") == 1)
        #expect(try Fixture.count(db, "raw_acceleration") == 0)
    }

    @Test("run() commits on its own, and flushes what is queued when cancelled")
    func runLoop() async throws {
        let path = try Fixture.path()
        let db = try Fixture.open(path)
        let recorder = Fixture.recorder(db)
        let reader = try StationDatabase.openReadOnly(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await recorder.run() }
            recorder.record(.weather(Fixture.weather(0)))
            // Wait (bounded) for the loop's own commit: no flush() call here.
            var seen = 0
            for _ in 0..<400 where seen == 0 {
                try await Task.sleep(for: .milliseconds(25))
                seen = try Fixture.count(reader, "weather")
            }
            #expect(seen == 1)
            for i in 1..<500 { recorder.record(.motion(Fixture.motion(i))) }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try Fixture.count(reader, "motion") == 499)
        #expect(recorder.stats.queued == 0)
    }
}
