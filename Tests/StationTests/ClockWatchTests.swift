import Foundation
import GRDB
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Cloud
@testable import Station
@testable import Storage

/// The wall clock and CLOCK_BOOTTIME as the test sets them: both advance together, and only the
/// wall clock jumps when "NTP" sets it.
final class SteppedClocks: Sendable {
    private let now: Mutex<(wall: Date, boot: Duration)>
    init(wall: Date, boot: Duration) { now = Mutex((wall, boot)) }
    var wall: Date { now.withLock { $0.wall } }
    func advance(_ seconds: Double) {
        now.withLock {
            $0 = ($0.wall.addingTimeInterval(seconds), $0.boot + .microseconds(Int64(seconds * 1e6)))
        }
    }
    func step(_ d: Duration) {
        now.withLock { $0.wall = $0.wall.addingTimeInterval(Double(TimeCodec.micros(d)) / 1e6) }
    }
    var clocks: ClockWatch.Clocks {
        ClockWatch.Clocks(
            wall: { self.now.withLock { $0.wall } }, boot: { self.now.withLock { $0.boot } }, sleep: { _ in })
    }
}

/// The service-level trigger: `ClockWatch` with an injected clock state (systemd-timesyncd's
/// marker file in a temporary directory, the kernel saying unsynchronised) and injected clocks,
/// on a real database written by a real `Recorder`. No look waits: the test calls `look()` where
/// the service would after its poll interval.
@Suite("Clock watch: what is logged before NTP sets the clock is corrected when it does")
struct ClockWatchTests {
    /// A Raspberry Pi booted on its image's build date: 2025-10-08T12:00:00Z, 8 s after boot.
    static let buildDate = Date(timeIntervalSince1970: 1_759_924_800)
    /// What NTP moves it by: 412 d 3 h 7 min 12.25 s.
    static let delta: Duration = {
        let seconds: Int64 = ((412 * 24 + 3) * 60 + 7) * 60 + 12
        return .seconds(seconds) + .milliseconds(250)
    }()

    struct Station {
        let dir: String
        let marker: String
        let db: StationDatabase
        let recorder: Recorder
        let clocks: SteppedClocks
        let log = CapturedLog(metadata: false)

        init(wall: Date = ClockWatchTests.buildDate) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("clock-watch-\(UUID())").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            marker = dir + "/synchronized"
            db = try StationDatabase.openForWriting(path: dir + "/station.db").0
            let clocks = SteppedClocks(wall: wall, boot: .seconds(8))
            self.clocks = clocks
            recorder = Recorder(
                database: db, commitInterval: .milliseconds(50),
                retention: RetentionPolicy(keepStampedBefore: ClockSynchronisation.earliestPlausibleDate),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, now: { clocks.wall })
        }

        func watch() -> ClockWatch {
            let marker = marker
            return ClockWatch(
                recorder: recorder,
                clockState: {
                    ClockSynchronisation.state(now: $0, marker: marker, kernel: { .unsynchronised })
                },
                clocks: clocks.clocks, logger: log.logger)
        }

        /// systemd-timesyncd has synchronised the clock (or, false, the marker is gone).
        func synchronised(_ on: Bool) {
            if on {
                FileManager.default.createFile(atPath: marker, contents: nil)
            } else {
                try? FileManager.default.removeItem(atPath: marker)
            }
        }

        /// `seconds` of logging as the samplers do, stamped on the wall clock as it reads then: a
        /// motion summary every second, weather every 10 s, an event at the start.
        func log(seconds: Int, flush: Bool = true) async {
            recorder.record(.event(EventRecord(time: clocks.wall, kind: "state", detail: "logging")))
            for i in 0..<seconds {
                clocks.advance(1)
                recorder.record(
                    .motion(
                        MotionRecord(
                            time: clocks.wall, sampleCount: 100, minG: 0.9, maxG: 1.1, meanG: 1,
                            rmsG: 1, peakG: 1.1, meanX: 0, meanY: 0, meanZ: 1, saturatedCount: 0)))
                if i % 10 == 0 {
                    recorder.record(
                        .weather(
                            WeatherRecord(
                                time: clocks.wall, sensor: "BME280", temperatureC: 20,
                                humidityPercent: 50, pressurePa: 101_325)))
                }
            }
            if flush { await recorder.flush() }
        }

        /// Every time column of every row, by table and id.
        func dump() throws -> [String: [Int64: [Int64]]] {
            try db.reader.read { d in
                var out: [String: [Int64: [Int64]]] = [:]
                for (table, columns) in [
                    ("weather", "time_us"), ("motion", "time_us"), ("events", "time_us"),
                    ("impacts", "time_us, start_us, end_us, peak_us"),
                    ("raw_acceleration", "time_us, end_us"),
                ] {
                    for row in try Row.fetchAll(d, sql: "SELECT id, \(columns) FROM \(table)") {
                        out[table, default: [:]][row[0]] = (1..<row.count).map { row[$0] }
                    }
                }
                return out
            }
        }

        func lastIDs() throws -> [String: Int64] { try db.rowMark().lastIDs }
    }

    static func impact(at t: Date) -> ImpactRecord {
        ImpactRecord(
            triggerTime: t, startTime: t.addingTimeInterval(-0.1), endTime: t.addingTimeInterval(0.4),
            peakTime: t.addingTimeInterval(0.01), peakG: 7, peakXG: 7, peakYG: 0, peakZG: 1, durationMs: 9,
            severity: "impact", deltaVMps: 1, hic15: 2, saturated: false, thresholdG: 5, sensor: "ADXL345",
            waveform: [1, 2, 3], waveformCount: 1, waveformRateHz: 3200)
    }

    /// `before` with `delta` added to every time of the rows whose ids are above `from` and at or
    /// below `to` (per table): the rows the test stamped on the old clock.
    static func moved(
        _ before: [String: [Int64: [Int64]]], from: [String: Int64], to: [String: Int64], by delta: Duration
    )
        -> [String: [Int64: [Int64]]]
    {
        var out = before
        for (table, rows) in before {
            for (id, times) in rows where id > from[table]! && id <= to[table]! {
                out[table]![id] = times.map { $0 + TimeCodec.micros(delta) }
            }
        }
        return out
    }

    @Test(
        "booted on the build date: what was logged before NTP moves by exactly what the clock moved; the earlier run's rows and those stamped after the step stay"
    )
    func correctsWhenSet() async throws {
        let s = try Station()
        // An earlier run, on a clock that was right.
        let earlier = Date(timeIntervalSince1970: 1_795_392_000)
        for i in 0..<3 {
            s.recorder.record(
                .weather(
                    WeatherRecord(
                        time: earlier.addingTimeInterval(Double(i) * 10), sensor: "BME280",
                        temperatureC: 19, humidityPercent: 40, pressurePa: 101_000)))
        }
        await s.recorder.flush()
        let earlierIDs = try s.lastIDs()

        let watch = s.watch()
        #expect(!watch.gate.isOpen && !watch.status.corrected)
        #expect(watch.status.clock == .implausible && watch.status.markedAt == Self.buildDate)
        #expect(
            s.log.lines == [
                "notice waiting for the system clock to be synchronised (NTP): what is logged until then is corrected when it is, and nothing is uploaded before"
            ])

        // Offline for a while: 90 s logged (an impact among them), the clock still not set.
        await s.log(seconds: 60)
        _ = try await s.recorder.recordImpact(Self.impact(at: s.clocks.wall))
        s.recorder.record(
            .raw(
                (0..<4).map {
                    RawSampleRecord(
                        time: s.clocks.wall.addingTimeInterval(Double($0) / 3200), x: 0, y: 0, z: 1,
                        saturated: false)
                }))
        await watch.look()
        await s.log(seconds: 25)
        await s.log(seconds: 5, flush: false)  // still in the recorder's queue when the clock is set
        #expect(!watch.gate.isOpen)

        // NTP steps the clock; the marker comes a moment later. Rows stamped in between carry the
        // new clock's time already.
        s.clocks.step(Self.delta)
        await watch.look()
        #expect(!watch.gate.isOpen, "stepped, but not yet synchronised")
        await s.log(seconds: 2, flush: false)
        await s.recorder.flush()
        let before = try s.dump()
        let ids = try s.lastIDs()
        // The rows stamped on the new clock: the last two seconds of motion and their weather/event.
        let newClock: [String: Int64] = [
            "motion": ids["motion"]! - 2, "weather": ids["weather"]! - 1,
            "events": ids["events"]! - 1, "impacts": ids["impacts"]!,
            "raw_acceleration": ids["raw_acceleration"]!,
        ]

        // Whoever waits at the gate sees the log corrected when it gets through.
        let seenThroughTheGate = Task {
            try await watch.gate.wait(); return try s.dump()
        }
        s.clocks.advance(0.5)
        s.synchronised(true)
        await watch.look()

        let expected = Self.moved(before, from: earlierIDs, to: newClock, by: Self.delta)
        #expect(try s.dump() == expected)
        #expect(try await seenThroughTheGate.value == expected)
        #expect(watch.gate.isOpen && watch.status.corrected)
        // Counted from the ids: everything after the earlier run and before the new-clock rows.
        let rows = newClock.reduce(0) { $0 + Int($1.value - earlierIDs[$1.key]!) }
        // seconds, weather, events (one per stretch), the impact, the raw batch
        #expect(rows == 90 + 10 + 3 + 1 + 1)
        #expect(
            watch.status.lastCorrection
                == ClockWatch.Correction(at: s.clocks.wall, rows: rows, delta: Self.delta))
        #expect(
            s.log.lines.last
                == "info clock set: moved \(rows) rows logged before synchronisation by +412 d 3 h 7 min 12 s"
        )
        #expect(
            watch.status.summary
                == "set at \(AWSDate.iso8601(s.clocks.wall)): moved 105 rows logged before synchronisation by +412 d 3 h 7 min 12 s"
        )
    }

    @Test(
        "once the clock has been set the watch is done: a second synchronisation moves nothing, even after a step"
    )
    func secondSynchronisation() async throws {
        let s = try Station()
        let watch = s.watch()
        await s.log(seconds: 30)
        s.clocks.step(Self.delta)
        s.synchronised(true)
        await watch.look()
        #expect(watch.status.lastCorrection?.rows == 34)  // 30 s, 3 weather, 1 event
        let correction = watch.status.lastCorrection
        let lines = s.log.lines

        // timesyncd loses its server (the marker goes) and finds it again, stepping the clock by 5 s
        // on the way: the rows may have been uploaded since, so none moves, old or new.
        s.synchronised(false)
        await watch.look()
        await s.log(seconds: 10)
        let before = try s.dump()
        s.clocks.step(.seconds(5))
        s.synchronised(true)
        await watch.look()
        #expect(try s.dump() == before)
        #expect(watch.gate.isOpen && watch.status.lastCorrection == correction)
        #expect(s.log.lines == lines)
    }

    @Test("the service loop looks until the clock is set, corrects, opens the gate, then waits for shutdown")
    func serviceLoop() async throws {
        let s = try Station()
        let looks = Mutex(0)
        let marker = s.marker
        let watch = ClockWatch(
            recorder: s.recorder,
            clockState: { now in
                looks.withLock { $0 += 1 }
                return ClockSynchronisation.state(now: now, marker: marker, kernel: { .unsynchronised })
            },
            clocks: ClockWatch.Clocks(
                wall: { s.clocks.wall }, boot: s.clocks.clocks.boot,
                sleep: { _ in try await Task.sleep(for: .milliseconds(1)) }), logger: s.log.logger)
        await s.log(seconds: 20)
        let run = Task { try await watch.run() }
        defer { run.cancel() }
        let before = try s.dump()
        let ids = try s.lastIDs()
        s.clocks.step(Self.delta)
        s.synchronised(true)
        try await watch.gate.wait()
        #expect(
            try s.dump()
                == Self.moved(
                    before,
                    from: ["weather": 0, "motion": 0, "events": 0, "impacts": 0, "raw_acceleration": 0],
                    to: ids, by: Self.delta))
        // Done: it looks no more.
        let count = looks.withLock { $0 }
        try await Task.sleep(for: .milliseconds(20))
        #expect(looks.withLock { $0 } == count)
        run.cancel()
        try await run.value
    }

    @Test("a clock already synchronised at start: the gate is open at once, nothing is marked or moved")
    func synchronisedAtStart() async throws {
        let s = try Station(wall: Date(timeIntervalSince1970: 1_796_000_000))
        s.synchronised(true)
        let watch = s.watch()
        #expect(watch.gate.isOpen && watch.status.corrected && watch.status.markedAt == nil)
        await s.log(seconds: 20)
        let before = try s.dump()
        await watch.look()
        #expect(try s.dump() == before)
        #expect(watch.status.lastCorrection == nil && watch.status.summary == nil)
        #expect(s.log.lines.isEmpty)
    }

    @Test("no log (the database could not be opened): the gate still opens when the clock is set")
    func withoutALog() async throws {
        let clocks = SteppedClocks(wall: Self.buildDate, boot: .seconds(3))
        let synced = Mutex(false)
        let log = CapturedLog(metadata: false)
        let watch = ClockWatch(
            recorder: nil,
            clockState: { _ in synced.withLock { $0 } ? .marker("/m") : .kernelUnsynchronised(marker: "/m") },
            clocks: clocks.clocks, logger: log.logger)
        #expect(!watch.gate.isOpen)
        clocks.step(.seconds(7200))
        synced.withLock { $0 = true }
        await watch.look()
        #expect(watch.gate.isOpen)
        #expect(log.lines.last == "info clock set by +2 h 0 min 0 s; there is no log to correct")
    }

    @Test("the upload status says why uploads wait, then what was corrected")
    func uploadStatus() async throws {
        let s = try Station()
        let watch = s.watch()
        // The uploader has not asked for credentials: it waits at the watch's gate.
        let waiting = UploadMonitor.status(
            credentials: CredentialsStatus(), uploader: nil, streamer: nil, stream: nil,
            clock: watch.status)
        #expect(waiting.credentialsState == "waiting_for_clock")
        #expect(
            waiting.lines == [
                "credentials  waiting for clock synchronisation (NTP); nothing is signed before",
                "clock        not synchronised: the clock reads a time before 2026-01-01T00:00:00Z, which cannot be right",
            ])
        await s.log(seconds: 9)
        let seconds: Int64 = (412 * 24 + 3) * 3600 + 125
        s.clocks.step(.seconds(seconds))
        s.synchronised(true)
        await watch.look()
        let after = UploadMonitor.status(
            credentials: CredentialsStatus(), uploader: nil, streamer: nil, stream: nil,
            clock: watch.status)
        #expect(after.credentialsState == "not_fetched")
        #expect(
            after.lines == [
                "credentials  not fetched yet",
                "clock        set at \(AWSDate.iso8601(s.clocks.wall)): moved 11 rows logged before synchronisation by +412 d 3 h 2 min 5 s",
            ])
        // It reaches `sensorstation status` through the control socket's answer.
        let wire = try JSONDecoder().decode(UploadLiveStatus.self, from: JSONEncoder().encode(after))
        #expect(wire == after)
    }

    static let steps: [(Duration, String)] = [
        (Duration.milliseconds(250), "+0.250 s"),
        (.seconds(59) + .milliseconds(999), "+59.999 s"),
        (.seconds(60), "+1 min 0 s"),
        (.seconds(3 * 3600 + 2 * 60 + 5) + .milliseconds(400), "+3 h 2 min 5 s"),
        (.seconds(412 * 86_400 + 7 * 60), "+412 d 0 h 7 min 0 s"),
        (.zero - .seconds(90), "-1 min 30 s"),
        (.zero - .milliseconds(3), "-0.003 s"),
    ]

    @Test("clock steps for people", arguments: steps)
    func describe(delta: Duration, text: String) {
        #expect(ClockWatch.describe(delta) == text)
    }
}

@Suite("Wall-clock anchor of the motion sampler")
struct WallClockAnchorTests {
    static let start = Date(timeIntervalSince1970: 1_759_924_800)

    @Test("fixed while the wall clock runs with the timeline: summaries stay exactly a second apart")
    func fixed() {
        var a = WallClockAnchor(timeline: .seconds(100), wall: Self.start)
        for i in 1...5 {
            let t = Duration.seconds(100 + i)
            // Wall readings within the tolerance of the mapping (jitter of a few ms) do not move it.
            let moved = a.follow(
                before: t, wall: Self.start.addingTimeInterval(Double(i) + 0.004), after: t + .microseconds(3)
            )
            #expect(!moved)
        }
        #expect(a.date(.seconds(105)) == Self.start.addingTimeInterval(5))
        #expect(a.date(seconds: 106.5) == Self.start.addingTimeInterval(6.5))
    }

    @Test("follows the wall clock when it is set, either way")
    func followsASet() {
        var a = WallClockAnchor(timeline: .seconds(100), wall: Self.start)
        let set = Self.start.addingTimeInterval(86_400 * 412 + 10)
        let forward = a.follow(before: .seconds(110), wall: set, after: .seconds(110) + .microseconds(2))
        #expect(forward)
        #expect(abs(a.date(.seconds(111)).timeIntervalSince(set.addingTimeInterval(1))) < 2e-6)
        let back = set.addingTimeInterval(-3600 + 20)
        let backward = a.follow(before: .seconds(130), wall: back, after: .seconds(130))
        #expect(backward)
        #expect(a.date(.seconds(131)) == back.addingTimeInterval(1))
    }

    @Test("a wall reading bracketed too loosely (the thread was preempted between the reads) is ignored")
    func looseBracket() {
        var a = WallClockAnchor(timeline: .seconds(100), wall: Self.start)
        let moved = a.follow(
            before: .seconds(110), wall: Self.start.addingTimeInterval(3600),
            after: .seconds(110) + .milliseconds(2))
        #expect(!moved)
        #expect(a == WallClockAnchor(timeline: .seconds(100), wall: Self.start))
    }
}
