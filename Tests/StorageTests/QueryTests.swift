import Foundation
import Testing

@testable import Storage

@Suite("Time arguments")
struct TimeArgumentTests {
    static let now = Date(timeIntervalSince1970: 1_795_437_296)  // 2026-11-23T12:34:56Z
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!  // UTC+1 in November

    @Test(
        "durations",
        arguments: [
            ("30s", 30), ("30m", 1_800), ("24h", 86_400), ("7d", 604_800), ("2w", 1_209_600), ("1m", 60),
        ])
    func durations(text: String, seconds: Int64) throws {
        #expect(try TimeArgument.duration(text) == .seconds(seconds))
    }

    @Test(
        "bad durations are refused",
        arguments: ["", "h", "0h", "-1h", "1.5h", "10", "10x", "1y", "99999999999999999d"])
    func badDurations(text: String) {
        #expect(throws: TimeArgument.ParseError.self) { try TimeArgument.duration(text) }
    }

    @Test(
        "instants",
        arguments: [
            ("24h", 1_795_350_896.0, "UTC"),
            ("now", 1_795_437_296, "UTC"),
            ("2026-11-20T10:00:00Z", 1_795_168_800, "UTC"),
            ("2026-11-20T10:00:00Z", 1_795_168_800, "Europe/Berlin"),  // an explicit Z ignores the zone
            ("2026-11-20T11:00:00+01:00", 1_795_168_800, "UTC"),
            ("2026-11-20T10:00:00.250Z", 1_795_168_800.25, "UTC"),
            ("2026-11-20T10:00", 1_795_168_800, "UTC"),
            ("2026-11-20 11:00:00", 1_795_168_800, "Europe/Berlin"),  // no zone: local
            ("2026-11-20", 1_795_132_800, "UTC"),
            ("2026-11-20", 1_795_129_200, "Europe/Berlin"),  // local midnight
        ])
    func instants(text: String, epoch: Double, zone: String) throws {
        let date = try TimeArgument.instant(text, now: Self.now, timeZone: TimeZone(identifier: zone)!)
        #expect(date.timeIntervalSince1970 == epoch)
    }

    @Test(
        "bad instants are refused",
        arguments: [
            "yesterday", "2026-13-01", "2026-02-30", "2026-11-20T25:00", "2026-11-20Tx", "20261120",
            "2026-11-20T10:00:00Q",
        ])
    func badInstants(text: String) {
        #expect(throws: TimeArgument.ParseError.self) {
            try TimeArgument.instant(text, now: Self.now, timeZone: Self.utc)
        }
    }

    @Test("ISO and local formatting")
    func formatting() {
        #expect(TimeCodec.iso(micros: 1_795_168_800_250_000) == "2026-11-20T10:00:00.250Z")
        #expect(TimeCodec.iso(micros: 0) == "1970-01-01T00:00:00.000Z")
        #expect(
            TimeCodec.local(micros: 1_795_168_800_250_000, timeZone: Self.berlin) == "2026-11-20 11:00:00")
    }
}

@Suite("Queries with exact rows")
struct QueryTests {
    /// Weather every 10 s for 3 minutes from t0: temperature 20 + 0.125 i.
    static func filled() async throws -> StationDatabase {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for i in 0..<18 { recorder.record(.weather(Fixture.weather(i))) }
        // Motion: seconds 0–59 with 100 samples and rms 1; seconds 60–119 with 300 samples, rms 3.
        for i in 0..<120 {
            recorder.record(.motion(Fixture.motion(i, samples: i < 60 ? 100 : 300, rms: i < 60 ? 1 : 3)))
        }
        for (i, kind) in ["button", "state", "button", "fault"].enumerated() {
            recorder.record(
                .event(
                    EventRecord(
                        time: Fixture.t0.addingTimeInterval(Double(i) * 40), kind: kind, detail: "e\(i)")))
        }
        await recorder.flush()
        return db
    }

    static func window(
        _ kind: QueryRequest.Kind, every: Duration? = nil, limit: Int? = nil, seconds: Double = 3600
    ) -> QueryRequest {
        QueryRequest(
            kind: kind, since: Fixture.t0, until: Fixture.t0.addingTimeInterval(seconds), every: every,
            limit: limit)
    }

    @Test("weather every 1m: count, mean, min and max per minute")
    func weatherBuckets() async throws {
        let db = try await Self.filled()
        let result = try db.query(Self.window(.weather, every: .seconds(60)))
        #expect(
            result.columns.map(\.name) == [
                "time", "readings", "temperature_c_mean", "temperature_c_min", "temperature_c_max",
                "humidity_percent_mean", "humidity_percent_min", "humidity_percent_max",
                "pressure_hpa_mean", "pressure_hpa_min", "pressure_hpa_max",
            ])
        #expect(result.rows.count == 3)
        for (k, row) in result.rows.enumerated() {
            // Minute k holds readings i = 6k…6k+5: temperature 20 + 0.125 i; humidity 40 + i for even i.
            let i0 = Double(6 * k)
            #expect(row[0] == .time(micros: TimeCodec.micros(Fixture.t0) + Int64(k) * 60_000_000))
            #expect(row[1] == .integer(6))
            #expect(row[2] == .real(20 + 0.125 * (i0 + 2.5)))
            #expect(row[3] == .real(20 + 0.125 * i0))
            #expect(row[4] == .real(20 + 0.125 * (i0 + 5)))
            #expect(row[5] == .real(40 + i0 + 2))  // mean of i0, i0+2, i0+4
            #expect(row[6] == .real(40 + i0))
            #expect(row[7] == .real(40 + i0 + 4))
            guard case .real(let p) = row[8] else { Issue.record("pressure"); continue }
            #expect(abs(p - (101_325 + i0 + 2.5) / 100) < 1e-9)
        }
    }

    @Test("motion every 1m: sample sums, max peak and the RMS of all samples")
    func motionBuckets() async throws {
        let db = try await Self.filled()
        let result = try db.query(Self.window(.motion, every: .seconds(60)))
        #expect(result.rows.count == 2)
        #expect(result.rows[0][1] == .integer(60))
        #expect(result.rows[0][2] == .integer(6_000))
        #expect(result.rows[1][2] == .integer(18_000))
        #expect(result.rows[0][6] == .real(1))
        #expect(result.rows[1][6] == .real(3))
        #expect(result.rows[1][7] == .real(1.5 + 119))  // peak of second 119
        #expect(result.rows[1][8] == .integer((60..<120).reduce(0) { $0 + Int64($1 % 3) }))
        // One 2-minute bucket: √((6000·1² + 18000·3²)/24000) = √7.
        let whole = try db.query(Self.window(.motion, every: .seconds(120)))
        #expect(whole.rows.count == 1)
        guard case .real(let rms) = whole.rows[0][6] else { Issue.record("rms"); return }
        #expect(abs(rms - 7.0.squareRoot()) < 1e-12)
    }

    @Test("plain rows, the since/until window, and --limit keeping the most recent")
    func plainAndLimit() async throws {
        let db = try await Self.filled()
        // [t0+30 s, t0+60 s): readings 3, 4, 5.
        let window = QueryRequest(
            kind: .weather, since: Fixture.t0.addingTimeInterval(30), until: Fixture.t0.addingTimeInterval(60)
        )
        #expect(try db.query(window).rows.map { $0[2] } == [.real(20.375), .real(20.5), .real(20.625)])
        let limited = try db.query(Self.window(.weather, limit: 2))
        #expect(
            limited.rows.map { $0[0] }
                == [16, 17].map { .time(micros: TimeCodec.micros(Fixture.t0) + $0 * 10_000_000) })
        let events = try db.query(Self.window(.events, every: .seconds(60)))
        #expect(
            events.rows == [
                [.time(micros: TimeCodec.micros(Fixture.t0)), .text("button"), .integer(1)],
                [.time(micros: TimeCodec.micros(Fixture.t0)), .text("state"), .integer(1)],
                [.time(micros: TimeCodec.micros(Fixture.t0) + 60_000_000), .text("button"), .integer(1)],
                [.time(micros: TimeCodec.micros(Fixture.t0) + 120_000_000), .text("fault"), .integer(1)],
            ])
        #expect(throws: StorageError.self) { try db.query(Self.window(.weather, every: .milliseconds(500))) }
    }
}

@Suite("Upload cursors")
struct UploadTests {
    @Test("pending after the cursor, forward-only cursors, and backlog per destination")
    func cursors() async throws {
        let db = try Fixture.open(try Fixture.path())
        let recorder = Fixture.recorder(db)
        for i in 0..<5 { recorder.record(.weather(Fixture.weather(i))) }
        await recorder.flush()
        _ = try await recorder.recordImpact(Fixture.impact())
        _ = try await recorder.recordImpact(Fixture.impact(at: Fixture.t0.addingTimeInterval(60), peak: 12))

        let first = try db.pending(.weather, destination: "s3", limit: 3)
        #expect(first.map(\.id) == [1, 2, 3])
        #expect(first[0].json["time"] == .string("2026-11-23T00:00:00.000Z"))
        #expect(first[0].json["time_us"] == .int(1_795_392_000_000_000))
        #expect(first[0].json["temperature_c"] == .double(20))
        #expect(first[1].json["humidity_percent"] == .null)
        #expect(
            first[0].jsonLine.hasPrefix(
                #"{"kind":"weather","id":1,"time_us":1795392000000000,"time":"2026-11-23T00:00:00.000Z","sensor":"BME280""#
            ))
        try db.advanceCursor(destination: "s3", kind: .weather, to: 3)
        #expect(try db.pending(.weather, destination: "s3", limit: 10).map(\.id) == [4, 5])
        try db.advanceCursor(destination: "s3", kind: .weather, to: 1)  // backwards: ignored
        #expect(try db.cursor(destination: "s3", kind: .weather) == 3)
        #expect(try db.backlog(destination: "s3") == [.weather: 2, .impact: 2, .motion: 0, .event: 0])
        #expect(try db.backlog(destination: "dynamodb") == [.weather: 5, .impact: 2, .motion: 0, .event: 0])

        let impacts = try db.pending(.impact, destination: "s3", limit: 10)
        #expect(impacts.map(\.id) == [1, 2])
        let i = impacts[1].json
        #expect(i["severity"] == .string("severe"))
        #expect(i["saturated"] == .bool(false))
        #expect(i["waveform"] == .string(Data(Fixture.impact().waveform).base64EncodedString()))
        #expect(i["peak_time"] == .string("2026-11-23T00:01:00.012Z"))
        #expect(i["start_time"] == .string("2026-11-23T00:00:59.900Z"))
        #expect(i["waveform_rate_hz"] == .double(3200))
        #expect(
            Set(i.keys).isSuperset(of: [
                "id", "time_us", "start_us", "end_us", "peak_us", "peak_g", "peak_x_g", "peak_y_g",
                "peak_z_g", "duration_ms", "severity", "delta_v_mps", "hic15", "saturated",
                "threshold_g", "sensor", "waveform", "waveform_count", "waveform_rate_hz",
            ]))
        #expect(try db.knownDestinations() == ["s3"])
    }

    @Test("raw sample blobs round-trip (Float32, µs offsets, saturation flag)")
    func rawCodec() {
        let base = TimeCodec.micros(Fixture.t0)
        let samples = [
            RawSampleRecord(time: Fixture.t0, x: 1.5, y: -400, z: 0.000244140625, saturated: true),
            RawSampleRecord(
                time: Fixture.t0.addingTimeInterval(0.0003125), x: 0, y: 16, z: -2, saturated: false),
        ]
        let bytes = RawSampleCodec.encode(samples, base: base)
        #expect(bytes.count == 34)
        // Sample 1: offset 312 µs (0x138), x = 0.0 f, y = 16.0 f (0x41800000), z = -2.0 f (0xC0000000).
        #expect(Array(bytes[17..<34]) == [0x38, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x41, 0, 0, 0, 0xC0, 0])
        let back = RawSampleCodec.decode(bytes, base: base)
        #expect(back.map(\.x) == [1.5, 0])
        #expect(back.map(\.y) == [-400, 16])
        #expect(back.map(\.saturated) == [true, false])
        #expect(TimeCodec.micros(back[1].time) == base + 312 || TimeCodec.micros(back[1].time) == base + 313)
    }

    @Test("a damaged row's base time near the Int64 limits saturates instead of trapping")
    func rawCodecExtremeBase() {
        // Offsets +2³¹−1 µs and −2³¹ µs (little-endian Int32), one sample each, all else zero.
        let bytes: [UInt8] =
            [0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 13)
            + [0x00, 0x00, 0x00, 0x80] + [UInt8](repeating: 0, count: 13)
        let high = RawSampleCodec.decode(bytes, base: Int64.max - 5)
        #expect(
            high.map { $0.time.timeIntervalSince1970 } == [
                Double(Int64.max) / 1e6, Double(Int64.max - 5 - 2_147_483_648) / 1e6,
            ])
        let low = RawSampleCodec.decode(bytes, base: Int64.min + 5)
        #expect(
            low.map { $0.time.timeIntervalSince1970 } == [
                Double(Int64.min + 5 + 2_147_483_647) / 1e6, Double(Int64.min) / 1e6,
            ])
    }
}
