import Foundation
import GRDB
import TestSupport
import Testing

@testable import Storage

/// `query motion|weather --every` in whole minutes reads the per-minute rollups (migration v3) plus
/// the rows at the window's ragged ends. Expectations are computed here in Swift from the records
/// themselves, independently of any SQL: for motion per bucket the row count, the sample sum, min,
/// max, the sample-weighted mean, √(Σ n·rms² / Σ n), the peak and the saturated sum; for weather
/// the count, means, minima and maxima (humidity only over readings that have one).
@Suite("Minute rollups")
struct MinuteRollupTests {
    /// Three hours of seconds from t0 + 17.3 s (not minute-aligned), with gaps of up to 5 min and
    /// the occasional two rows in one second (a restart), random values.
    static func records(seed: UInt64) -> [MotionRecord] {
        var rng = SplitMix64(seed: seed)
        var out: [MotionRecord] = []
        var t = 17.3
        while t < 3 * 3600 {
            let n = Int.random(in: 1...3200, using: &rng)
            let lo = Double.random(in: 0.2...1.0, using: &rng)
            let hi = lo + Double.random(in: 0...12, using: &rng)
            out.append(
                MotionRecord(
                    time: Fixture.t0.addingTimeInterval(t), sampleCount: n, minG: lo, maxG: hi,
                    meanG: Double.random(in: lo...hi, using: &rng),
                    rmsG: Double.random(in: lo...hi, using: &rng),
                    peakG: hi, meanX: 0, meanY: 0, meanZ: 1,
                    saturatedCount: Int.random(in: 0...3, using: &rng)))
            let step = Double.random(in: 0..<1, using: &rng)
            t += step < 0.002 ? 0 : step < 0.004 ? Double.random(in: 10...300, using: &rng) : 1
        }
        return out
    }

    struct Bucket: Equatable {
        var seconds = 0, samples = 0, saturated = 0
        var min = Double.infinity, max = -Double.infinity, peak = -Double.infinity
        var sumMeanN = 0.0, sumSquareN = 0.0
    }

    static func expected(_ records: [MotionRecord], since: Date, until: Date, width: Int64) -> [(
        Int64, Bucket
    )] {
        var buckets: [Int64: Bucket] = [:]
        for r in records {
            let us = TimeCodec.micros(r.time)
            guard us >= TimeCodec.micros(since), us < TimeCodec.micros(until) else { continue }
            var b = buckets[us / width * width, default: Bucket()]
            b.seconds += 1
            b.samples += r.sampleCount
            b.saturated += r.saturatedCount
            b.min = Swift.min(b.min, r.minG)
            b.max = Swift.max(b.max, r.maxG)
            b.peak = Swift.max(b.peak, r.peakG)
            b.sumMeanN += r.meanG * Double(r.sampleCount)
            b.sumSquareN += r.rmsG * r.rmsG * Double(r.sampleCount)
            buckets[us / width * width] = b
        }
        return buckets.sorted { $0.key < $1.key }
    }

    static func check(_ result: QueryResult, against expected: [(Int64, Bucket)], _ label: String) {
        #expect(
            result.rows.count == expected.count,
            "\(label): \(result.rows.count) buckets, expected \(expected.count)")
        for (row, (bucket, e)) in zip(result.rows, expected) {
            func real(_ i: Int) -> Double { if case .real(let d) = row[i] { return d }; return .nan }
            func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * Swift.max(1, abs(b)) }
            #expect(row[0] == .time(micros: bucket), "\(label)")
            #expect(row[1] == .integer(Int64(e.seconds)), "\(label) bucket \(bucket): seconds")
            #expect(row[2] == .integer(Int64(e.samples)), "\(label) bucket \(bucket): samples")
            #expect(
                real(3) == e.min && real(4) == e.max && real(7) == e.peak,
                "\(label) bucket \(bucket): min/max/peak")
            #expect(close(real(5), e.sumMeanN / Double(e.samples)), "\(label) bucket \(bucket): mean")
            #expect(
                close(real(6), (e.sumSquareN / Double(e.samples)).squareRoot()),
                "\(label) bucket \(bucket): rms")
            #expect(row[8] == .integer(Int64(e.saturated)), "\(label) bucket \(bucket): saturated")
        }
    }

    @Test(
        "whole-minute buckets equal the aggregate of every second, for ragged windows",
        arguments: [1, 2, 3] as [UInt64])
    func equalsEverySecond(seed: UInt64) async throws {
        let records = Self.records(seed: seed)
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for r in records { recorder.record(.motion(r)) }
        await recorder.flush()
        #expect(try Fixture.count(db, "motion") == records.count)
        #expect(try Fixture.count(db, "motion_minutes") < records.count / 30)

        var rng = SplitMix64(seed: seed ^ 0xABCD)
        for every in [60, 300, 3600, 86_400] as [Int64] {
            for _ in 0..<4 {
                let a = Double.random(in: -100...11_000, using: &rng),
                    b = a + Double.random(in: 30...11_000, using: &rng)
                let since = Fixture.t0.addingTimeInterval(a), until = Fixture.t0.addingTimeInterval(b)
                let result = try db.query(
                    QueryRequest(kind: .motion, since: since, until: until, every: .seconds(every)))
                Self.check(
                    result,
                    against: Self.expected(records, since: since, until: until, width: every * 1_000_000),
                    "every \(every) s, [\(a), \(b))")
            }
        }
        // With --limit: the most recent buckets.
        let since = Fixture.t0, until = Fixture.t0.addingTimeInterval(3 * 3600)
        let limited = try db.query(
            QueryRequest(kind: .motion, since: since, until: until, every: .seconds(600), limit: 5))
        Self.check(
            limited,
            against: Array(Self.expected(records, since: since, until: until, width: 600_000_000).suffix(5)),
            "limit 5")
    }

    /// Two days of weather from t0 + 3.7 s: mostly every 10 s, sometimes 7 s or a 20-minute gap;
    /// a BMP280 (no humidity) for the second half of every third hour.
    static func weather(seed: UInt64) -> [WeatherRecord] {
        var rng = SplitMix64(seed: seed)
        var out: [WeatherRecord] = []
        var t = 3.7
        while t < 2 * 86_400 {
            let noHumidity = Int(t / 3600) % 3 == 0 && Int(t) % 3600 >= 1800
            out.append(
                WeatherRecord(
                    time: Fixture.t0.addingTimeInterval(t), sensor: noHumidity ? "BMP280" : "BME280",
                    temperatureC: Double.random(in: -20...40, using: &rng),
                    humidityPercent: noHumidity ? nil : Double.random(in: 0...100, using: &rng),
                    pressurePa: Double.random(in: 90_000...105_000, using: &rng)))
            let step = Double.random(in: 0..<1, using: &rng)
            t += step < 0.001 ? 1200 : step < 0.05 ? 7 : 10
        }
        return out
    }

    static func checkWeather(
        _ result: QueryResult, _ records: [WeatherRecord], since: Date, until: Date, width: Int64,
        _ label: String
    ) {
        var buckets: [Int64: [WeatherRecord]] = [:]
        for r in records {
            let us = TimeCodec.micros(r.time)
            if us >= TimeCodec.micros(since) && us < TimeCodec.micros(until) {
                buckets[us / width * width, default: []].append(r)
            }
        }
        let expected = buckets.sorted { $0.key < $1.key }
        #expect(
            result.rows.count == expected.count,
            "\(label): \(result.rows.count) buckets, expected \(expected.count)")
        for (row, (bucket, rs)) in zip(result.rows, expected) {
            func real(_ i: Int) -> Double? { if case .real(let d) = row[i] { return d }; return nil }
            func close(_ a: Double?, _ b: Double?) -> Bool {
                guard let a, let b else { return a == nil && b == nil }
                return abs(a - b) <= 1e-9 * Swift.max(1, abs(b))
            }
            let t = rs.map(\.temperatureC), h = rs.compactMap(\.humidityPercent),
                p = rs.map { $0.pressurePa / 100 }
            func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
            #expect(row[0] == .time(micros: bucket), "\(label)")
            #expect(row[1] == .integer(Int64(rs.count)), "\(label) bucket \(bucket): readings")
            #expect(
                close(real(2), mean(t)) && real(3) == t.min() && real(4) == t.max(),
                "\(label) bucket \(bucket): temperature")
            #expect(
                close(real(5), mean(h)) && real(6) == h.min() && real(7) == h.max(),
                "\(label) bucket \(bucket): humidity \(h.count)")
            #expect(
                close(real(8), mean(p)) && close(real(9), p.min()) && close(real(10), p.max()),
                "\(label) bucket \(bucket): pressure")
        }
    }

    @Test(
        "weather: whole-minute buckets equal the aggregate of every reading, humidity or not",
        arguments: [4, 5] as [UInt64])
    func weatherEqualsEveryReading(seed: UInt64) async throws {
        let records = Self.weather(seed: seed)
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for r in records { recorder.record(.weather(r)) }
        await recorder.flush()
        #expect(try Fixture.count(db, "weather") == records.count)
        var rng = SplitMix64(seed: seed ^ 0x5555)
        for every in [60, 600, 3600, 86_400] as [Int64] {
            for _ in 0..<4 {
                let a = Double.random(in: -100...100_000, using: &rng),
                    b = a + Double.random(in: 30...100_000, using: &rng)
                let since = Fixture.t0.addingTimeInterval(a), until = Fixture.t0.addingTimeInterval(b)
                let result = try db.query(
                    QueryRequest(kind: .weather, since: since, until: until, every: .seconds(every)))
                Self.checkWeather(
                    result, records, since: since, until: until, width: every * 1_000_000,
                    "every \(every) s, [\(a), \(b))")
            }
        }
    }

    @Test("a file from before v3, opened read-only, is aggregated from its seconds")
    func beforeRollup() throws {
        let path = try Fixture.path()
        let records = Self.records(seed: 9).prefix(2000)
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v2-raw-acceleration")
            try pool.write { db in
                for r in records {
                    try db.execute(
                        sql: """
                            INSERT INTO motion (time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g, mean_x_g, mean_y_g, mean_z_g, saturated_count)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?)
                            """,
                        arguments: [
                            TimeCodec.micros(r.time), r.sampleCount, r.minG, r.maxG, r.meanG, r.rmsG, r.peakG,
                            r.saturatedCount,
                        ])
                }
            }
            try pool.close()
        }
        let db = try StationDatabase.openReadOnly(path: path)
        let since = Fixture.t0.addingTimeInterval(5), until = Fixture.t0.addingTimeInterval(1900)
        let result = try db.query(
            QueryRequest(kind: .motion, since: since, until: until, every: .seconds(60)))
        Self.check(
            result, against: Self.expected(Array(records), since: since, until: until, width: 60_000_000),
            "pre-v3 file")
    }

    @Test("retention drops the minutes whose seconds are gone and keeps the minute of the oldest second")
    func retention() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        // 10 minutes of seconds from t0.
        for i in 0..<600 { recorder.record(.motion(Fixture.motion(i))) }
        await recorder.flush()
        #expect(try Fixture.count(db, "motion_minutes") == 10)
        // Keep 5.5 minutes back from t0 + 10 min: seconds from 270 on stay, so minutes 4…9 stay.
        let pass = try await db.retentionPass(
            RetentionPolicy(maxAge: .seconds(330)), now: Fixture.t0.addingTimeInterval(600))
        #expect(pass.deletedByAge == 270)
        let minutes = try Fixture.read(db) {
            try Int64.fetchAll($0, sql: "SELECT minute_us FROM motion_minutes ORDER BY minute_us")
        }
        #expect(minutes == (4..<10).map { TimeCodec.micros(Fixture.t0) + Int64($0) * 60_000_000 })
    }
}
