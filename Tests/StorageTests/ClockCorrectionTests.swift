import Foundation
import GRDB
import Testing

@testable import Storage

/// `correctClock`: the rows a run logged before the system clock was set move by what the clock
/// moved. The test knows which rows it stamped on which clock; expectations are the stored times
/// read before the correction plus Δ for exactly those rows, and per-minute sums computed here in
/// Swift from the records (never from SQL).
@Suite("Clock correction of rows logged before the clock was set")
struct ClockCorrectionTests {
    /// The old clock when this run started: a build date, 2025-10-08T12:00:07.250Z.
    static let oldStartUs: Int64 = 1_759_924_807_250_000
    /// The same instant on the right clock: 250.500123 s after the earlier run's first row (t0),
    /// so moved seconds land in minutes that already hold the earlier run's rows.
    static let realStartUs: Int64 = TimeCodec.micros(Fixture.t0) + 250_500_123
    static let deltaUs = realStartUs - oldStartUs
    static var delta: Duration { .microseconds(deltaUs) }
    /// When the clock was found set, on the old clock: after every old-clock row of the run.
    static let foundSetOnOldClock = TimeCodec.date(micros: oldStartUs + 300_000_000)

    static func old(_ seconds: Double) -> Date { TimeCodec.date(micros: oldStartUs + Int64(seconds * 1e6)) }
    static func real(_ seconds: Double) -> Date { TimeCodec.date(micros: realStartUs + Int64(seconds * 1e6)) }

    /// Every time column of every row, by table and id.
    typealias Dump = [String: [Int64: [Int64?]]]
    static let columns: [String: [String]] = [
        "weather": ["time_us"], "motion": ["time_us"], "events": ["time_us"],
        "impacts": ["time_us", "start_us", "end_us", "peak_us"], "raw_acceleration": ["time_us", "end_us"],
        "alerts": ["created_us", "last_attempt_us", "sent_us", "cancelled_us"],
    ]

    static func dump(_ db: StationDatabase) throws -> Dump {
        try Fixture.read(db) { d in
            var out: Dump = [:]
            for (table, cols) in columns {
                for row in try Row.fetchAll(
                    d, sql: "SELECT id, \(cols.joined(separator: ", ")) FROM \(table)")
                {
                    out[table, default: [:]][row[0]] = cols.indices.map { row[$0 + 1] }
                }
            }
            return out
        }
    }

    static func ids(_ db: StationDatabase, _ table: String) throws -> Set<Int64> {
        Set(try Fixture.read(db) { try Int64.fetchAll($0, sql: "SELECT id FROM \(table)") })
    }

    /// The rows of one scenario: an earlier run on the right clock, then (after the mark) this run
    /// on the old clock, then a few rows stamped on the new clock after it was set but before the
    /// correction ran. Returns the records by group, for the rollup expectations.
    struct Logged {
        var motion: [(group: String, record: MotionRecord)] = []
        var weather: [(group: String, record: WeatherRecord)] = []
        var mark: StationDatabase.RowMark
        /// Ids of the rows stamped on the old clock, per table.
        var oldClock: [String: Set<Int64>] = [:]
    }

    static func motion(_ time: Date, _ i: Int) -> MotionRecord {
        MotionRecord(
            time: time, sampleCount: 90 + i % 20, minG: 0.5 + Double(i % 7) / 100,
            maxG: 1.2 + Double(i % 11) / 10,
            meanG: 0.98 + Double(i % 5) / 100, rmsG: 1.0 + Double(i % 3) / 50,
            peakG: 1.2 + Double(i % 11) / 10,
            meanX: 0, meanY: 0, meanZ: 1, saturatedCount: i % 4 == 0 ? 1 : 0)
    }

    static func weather(_ time: Date, _ i: Int) -> WeatherRecord {
        WeatherRecord(
            time: time, sensor: "BME280", temperatureC: 18 + Double(i) * 0.25,
            humidityPercent: i % 3 == 0 ? nil : 40 + Double(i), pressurePa: 100_900 + Double(i) * 3)
    }

    static func raw(_ time: Date, count: Int) -> [RawSampleRecord] {
        (0..<count).map {
            RawSampleRecord(
                time: time.addingTimeInterval(Double($0) * 0.0003125), x: 0.01, y: -0.02,
                z: 1 + Double($0) / 100, saturated: $0 == 2)
        }
    }

    static func log(_ db: StationDatabase, queueLast: Bool = false) async throws -> (Logged, Recorder) {
        let recorder = Fixture.recorder(db)
        // The earlier run, on the right clock: 5 minutes of seconds, weather every 10 s.
        var motion: [(String, MotionRecord)] = []
        var weather: [(String, WeatherRecord)] = []
        for i in 0..<300 {
            motion.append(("earlier", Self.motion(Fixture.t0.addingTimeInterval(Double(i)), i)))
        }
        for i in 0..<30 {
            weather.append(("earlier", Self.weather(Fixture.t0.addingTimeInterval(Double(i) * 10 + 3), i)))
        }
        for (_, m) in motion { recorder.record(.motion(m)) }
        for (_, w) in weather { recorder.record(.weather(w)) }
        recorder.record(.event(EventRecord(time: Fixture.t0, kind: "state", detail: "earlier run")))
        recorder.record(.raw(Self.raw(Fixture.t0.addingTimeInterval(5), count: 4)))
        await recorder.flush()
        let earlierImpact = try await recorder.recordImpact(
            Fixture.impact(at: Fixture.t0.addingTimeInterval(100)))
        let (earlierAlert, _) = try db.enqueueAlert(
            impactID: earlierImpact, at: Fixture.t0.addingTimeInterval(100), coalesceWithin: .zero)
        try db.markAlertsSent([earlierAlert.id], messageID: "m-1", at: Fixture.t0.addingTimeInterval(131))

        // This run: the mark, then 4 minutes on the old clock.
        let mark = try db.rowMark()
        var oldMotion: [(String, MotionRecord)] = []
        var oldWeather: [(String, WeatherRecord)] = []
        for i in 0..<240 { oldMotion.append(("old", Self.motion(old(Double(i)), 1000 + i))) }
        for i in 0..<24 { oldWeather.append(("old", Self.weather(old(Double(i) * 10 + 0.75), 100 + i))) }
        for (_, m) in oldMotion { recorder.record(.motion(m)) }
        for (_, w) in oldWeather { recorder.record(.weather(w)) }
        recorder.record(.event(EventRecord(time: old(0), kind: "state", detail: "starting")))
        recorder.record(.event(EventRecord(time: old(42.5), kind: "button", detail: "streaming on")))
        recorder.record(.raw(Self.raw(old(60.25), count: 5)))
        await recorder.flush()
        let oldImpact = try await recorder.recordImpact(Fixture.impact(at: old(120.125)))
        // Its alert cancelled on the old clock (sent_us and last_attempt_us stay NULL).
        let (oldAlert, _) = try db.enqueueAlert(impactID: oldImpact, at: old(120.125), coalesceWithin: .zero)
        _ = try db.cancelAlerts([oldAlert.id], cause: "button", at: old(130))
        var oldClock = try [String: Set<Int64>](
            uniqueKeysWithValues: columns.keys.map { table in
                (table, try Self.ids(db, table).filter { $0 > mark.lastIDs[table]! })
            })

        // Stamped on the new clock: after the clock was set, before the correction looked.
        var newMotion: [(String, MotionRecord)] = []
        for i in 0..<5 { newMotion.append(("new", Self.motion(real(300 + Double(i)), 2000 + i))) }
        let newWeather = [("new", Self.weather(real(301.5), 200))]
        let newImpact = try await recorder.recordImpact(Fixture.impact(at: real(302)))
        _ = try db.enqueueAlert(impactID: newImpact, at: real(302), coalesceWithin: .zero)
        for (_, m) in newMotion { recorder.record(.motion(m)) }
        for (_, w) in newWeather { recorder.record(.weather(w)) }
        recorder.record(.event(EventRecord(time: real(300.5), kind: "state", detail: "clock set")))
        recorder.record(.raw(Self.raw(real(303), count: 3)))
        if queueLast {
            // Three more old-clock seconds still in the recorder's queue when the correction runs.
            let queued = (240..<243).map { ("old", Self.motion(old(Double($0)), 1000 + $0)) }
            for (_, m) in queued { recorder.record(.motion(m)) }
            oldMotion += queued
        } else {
            await recorder.flush()
        }
        return (
            Logged(
                motion: motion + oldMotion + newMotion, weather: weather + oldWeather + newWeather,
                mark: mark,
                oldClock: oldClock), recorder
        )
    }

    /// The stored times expected after the correction: `before` plus Δ for the old-clock rows.
    static func expected(_ before: Dump, moving oldClock: [String: Set<Int64>]) -> Dump {
        var out = before
        for (table, rows) in before {
            for (id, times) in rows where oldClock[table]?.contains(id) == true {
                out[table]![id] = times.map { $0.map { $0 + deltaUs } }
            }
        }
        return out
    }

    @Test(
        "rows before the mark stay, this run's old-clock rows move by exactly Δ in every time column, new-clock rows stay"
    )
    func movesExactlyTheOldClockRows() async throws {
        let db = try Fixture.open(try Fixture.path())
        let (logged, _) = try await Self.log(db)
        let before = try Self.dump(db)
        #expect(logged.oldClock["motion"]?.count == 240 && logged.oldClock["weather"]?.count == 24)
        #expect(logged.oldClock["events"]?.count == 2 && logged.oldClock["impacts"]?.count == 1)
        #expect(logged.oldClock["raw_acceleration"]?.count == 1 && logged.oldClock["alerts"]?.count == 1)

        let result = try await db.correctClock(
            after: logged.mark, stampedBefore: Self.foundSetOnOldClock, by: Self.delta)

        #expect(try Self.dump(db) == Self.expected(before, moving: logged.oldClock))
        #expect(
            result.moved == [
                "weather": 24, "motion": 240, "events": 2, "impacts": 1, "raw_acceleration": 1, "alerts": 1,
            ])
        #expect(result.rows == 269)
        // The raw blob holds offsets from time_us: unchanged bytes, every sample moved with the row.
        let rawID = try #require(logged.oldClock["raw_acceleration"]?.first)
        let row = try #require(
            try Fixture.read(db) {
                try Row.fetchOne(
                    $0, sql: "SELECT time_us, data FROM raw_acceleration WHERE id = ?", arguments: [rawID])
            })
        let samples = RawSampleCodec.decode([UInt8](row["data"] as Data), base: row["time_us"])
        #expect(
            samples.map { TimeCodec.micros($0.time) }
                == Self.raw(Self.old(60.25), count: 5).map { TimeCodec.micros($0.time) + Self.deltaUs })
        // The mark it hands back covers every row now in the file.
        #expect(result.mark == (try db.rowMark()))
    }

    struct MotionMinute: Equatable {
        var seconds = 0, samples = 0, saturated = 0
        var min = Double.infinity, max = -Double.infinity, peak = -Double.infinity, sumMeanN = 0.0,
            sumSquareN = 0.0
    }

    struct WeatherMinute {
        var readings = 0, humidityCount = 0
        var temperature: [Double] = [], humidity: [Double] = [], pressure: [Double] = []
    }

    /// The per-minute sums the rollups must hold, from the records and the times they end with.
    static func motionMinutes(_ logged: Logged, moved: Bool) -> [Int64: MotionMinute] {
        var out: [Int64: MotionMinute] = [:]
        for (group, r) in logged.motion {
            let us = TimeCodec.micros(r.time) + (moved && group == "old" ? deltaUs : 0)
            var m = out[us / 60_000_000 * 60_000_000, default: MotionMinute()]
            m.seconds += 1
            m.samples += r.sampleCount
            m.saturated += r.saturatedCount
            m.min = Swift.min(m.min, r.minG)
            m.max = Swift.max(m.max, r.maxG)
            m.peak = Swift.max(m.peak, r.peakG)
            m.sumMeanN += r.meanG * Double(r.sampleCount)
            m.sumSquareN += r.rmsG * r.rmsG * Double(r.sampleCount)
            out[us / 60_000_000 * 60_000_000] = m
        }
        return out
    }

    static func weatherMinutes(_ logged: Logged, moved: Bool) -> [Int64: WeatherMinute] {
        var out: [Int64: WeatherMinute] = [:]
        for (group, r) in logged.weather {
            let us = TimeCodec.micros(r.time) + (moved && group == "old" ? deltaUs : 0)
            var m = out[us / 60_000_000 * 60_000_000, default: WeatherMinute()]
            m.readings += 1
            m.temperature.append(r.temperatureC)
            m.pressure.append(r.pressurePa)
            if let h = r.humidityPercent { m.humidity.append(h); m.humidityCount += 1 }
            out[us / 60_000_000 * 60_000_000] = m
        }
        return out
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-9 * Swift.max(1, abs(b))
    }

    static func checkRollups(_ db: StationDatabase, _ logged: Logged, moved: Bool) throws {
        let motion = Self.motionMinutes(logged, moved: moved)
        let rows = try Fixture.read(db) {
            try Row.fetchAll($0, sql: "SELECT * FROM motion_minutes ORDER BY minute_us")
        }
        #expect(rows.map { $0["minute_us"] as Int64 } == motion.keys.sorted(), "motion minutes")
        for row in rows {
            let minute: Int64 = row["minute_us"]
            guard let e = motion[minute] else { continue }
            #expect(
                row["seconds"] as Int == e.seconds && row["samples"] as Int == e.samples
                    && row["saturated"] as Int == e.saturated, "motion minute \(minute): counts")
            #expect(
                row["min_g"] as Double == e.min && row["max_g"] as Double == e.max
                    && row["peak_g"] as Double == e.peak,
                "motion minute \(minute): extremes")
            #expect(
                close(row["sum_mean_n"] as Double, e.sumMeanN)
                    && close(row["sum_square_n"] as Double, e.sumSquareN),
                "motion minute \(minute): sums")
        }
        let weather = Self.weatherMinutes(logged, moved: moved)
        let wrows = try Fixture.read(db) {
            try Row.fetchAll($0, sql: "SELECT * FROM weather_minutes ORDER BY minute_us")
        }
        #expect(wrows.map { $0["minute_us"] as Int64 } == weather.keys.sorted(), "weather minutes")
        for row in wrows {
            let minute: Int64 = row["minute_us"]
            guard let e = weather[minute] else { continue }
            #expect(
                row["readings"] as Int == e.readings && row["humidity_count"] as Int == e.humidityCount,
                "weather minute \(minute): counts")
            #expect(
                close(row["temperature_sum"] as Double, e.temperature.reduce(0, +))
                    && row["temperature_min"] as Double? == e.temperature.min()
                    && row["temperature_max"] as Double? == e.temperature.max(),
                "weather minute \(minute): temperature")
            #expect(
                close(row["humidity_sum"] as Double, e.humidity.reduce(0, +))
                    && row["humidity_min"] as Double? == e.humidity.min()
                    && row["humidity_max"] as Double? == e.humidity.max(),
                "weather minute \(minute): humidity")
            #expect(
                close(row["pressure_sum"] as Double, e.pressure.reduce(0, +))
                    && row["pressure_min"] as Double? == e.pressure.min()
                    && row["pressure_max"] as Double? == e.pressure.max(),
                "weather minute \(minute): pressure")
        }
    }

    @Test(
        "the minute rollups follow: the minutes the rows left and the minutes they joined equal their rows' sums"
    )
    func rollupsFollow() async throws {
        let db = try Fixture.open(try Fixture.path())
        let (logged, _) = try await Self.log(db)
        // the triggers, before: the old-clock minutes of 2025
        try Self.checkRollups(db, logged, moved: false)
        let result = try await db.correctClock(
            after: logged.mark, stampedBefore: Self.foundSetOnOldClock, by: Self.delta)
        try Self.checkRollups(db, logged, moved: true)
        // Motion (old clock 12:00:07.25–12:04:06.25) left 5 minutes and joined 5 (t0 + 250.5 s … 489.5 s);
        // weather (12:00:08–12:03:58) left 4 and joined 5 (t0 + 251.25 s … 481.25 s).
        #expect(result.minutesRecomputed == 19)
        // What `query motion --every 1m` answers (rollups for whole minutes, rows at the ends) agrees.
        let since = Fixture.t0, until = Fixture.t0.addingTimeInterval(600)
        let answer = try db.query(
            QueryRequest(kind: .motion, since: since, until: until, every: .seconds(60)))
        let records = logged.motion.map { group, r in
            var r = r
            if group == "old" { r.time = TimeCodec.date(micros: TimeCodec.micros(r.time) + Self.deltaUs) }
            return r
        }
        MinuteRollupTests.check(
            answer,
            against: MinuteRollupTests.expected(records, since: since, until: until, width: 60_000_000),
            "after the correction")
    }

    @Test("idempotent: a second correction from the mark the first handed back moves nothing, nor does Δ = 0")
    func idempotent() async throws {
        let db = try Fixture.open(try Fixture.path())
        let (logged, _) = try await Self.log(db)
        let first = try await db.correctClock(
            after: logged.mark, stampedBefore: Self.foundSetOnOldClock, by: Self.delta)
        let after = try Self.dump(db)
        let rollups = try Fixture.read(db) {
            try Row.fetchAll($0, sql: "SELECT * FROM motion_minutes ORDER BY minute_us")
        }

        // A second synchronisation, the same Δ and moment: many moved rows are still "before" it.
        let second = try await db.correctClock(
            after: first.mark, stampedBefore: Self.foundSetOnOldClock, by: Self.delta)
        #expect(second.rows == 0 && second.minutesRecomputed == 0)
        #expect(second.mark == first.mark)
        let zero = try await db.correctClock(
            after: logged.mark, stampedBefore: Self.foundSetOnOldClock, by: .zero)
        #expect(zero.rows == 0)
        #expect(try Self.dump(db) == after)
        #expect(
            try Fixture.read(db) {
                try Row.fetchAll($0, sql: "SELECT * FROM motion_minutes ORDER BY minute_us")
            } == rollups)
    }

    @Test("the recorder commits what is still queued first, so those samples are corrected too")
    func queuedSamplesToo() async throws {
        let db = try Fixture.open(try Fixture.path())
        let (logged, recorder) = try await Self.log(db, queueLast: true)
        #expect(recorder.stats.queued > 0)
        let before = try Self.dump(db)
        let result = try await recorder.correctClock(
            after: logged.mark, stampedBefore: Self.foundSetOnOldClock, by: Self.delta)
        #expect(recorder.stats.queued == 0)
        #expect(result.moved["motion"] == 243)
        // Every old-clock second, the three that were queued included, sits Δ after where it was stamped.
        let old = logged.motion.filter { $0.group == "old" }.map {
            TimeCodec.micros($0.record.time) + Self.deltaUs
        }
        let motionAfterMark = try Fixture.read(db) {
            try Int64.fetchAll(
                $0, sql: "SELECT time_us FROM motion WHERE id > ? ORDER BY id",
                arguments: [logged.mark.lastIDs["motion"]!])
        }
        let newClock = logged.motion.filter { $0.group == "new" }.map { TimeCodec.micros($0.record.time) }
        // In id order: the 240 committed before, then the queue as it was (5 new-clock seconds, then 3 old).
        #expect(motionAfterMark == Array(old.prefix(240)) + newClock + Array(old.suffix(3)))
        // Nothing before the mark changed.
        let earlier = try Self.dump(db)["motion"]!.filter { $0.key <= logged.mark.lastIDs["motion"]! }
        #expect(earlier == before["motion"]!.filter { $0.key <= logged.mark.lastIDs["motion"]! })
        try Self.checkRollups(db, logged, moved: true)
    }

    @Test(
        "retention by age waits while the clock is not trusted, and never takes rows stamped before a plausible date"
    )
    func retentionWaits() async throws {
        let db = try Fixture.open(try Fixture.path())
        let plausible = TimeCodec.date(micros: Self.oldStartUs + 3_600_000_000)  // after every old-clock row
        let now = Fixture.t0.addingTimeInterval(10 * 86_400)
        let policy = RetentionPolicy(maxAge: .seconds(86_400), keepStampedBefore: plausible)
        let recorder = Fixture.recorder(db, retention: policy, now: now)
        // no plausible time
        for i in 0..<10 { recorder.record(.motion(Self.motion(Self.old(Double(i)), i))) }
        // 10 days old
        for i in 0..<10 { recorder.record(.motion(Self.motion(Fixture.t0.addingTimeInterval(Double(i)), i))) }
        recorder.holdAgeRetention(true)
        await recorder.flush()  // commits, then a retention pass: by age held
        #expect(try Fixture.count(db, "motion") == 20)
        // The same policy at the same time, not held (a fresh recorder: its first commit runs a pass).
        let later = Fixture.recorder(db, retention: policy, now: now)
        await later.flush()
        let left = try Fixture.read(db) {
            try Int64.fetchAll($0, sql: "SELECT time_us FROM motion ORDER BY time_us")
        }
        #expect(left == (0..<10).map { TimeCodec.micros(Self.old(Double($0))) })
    }
}
