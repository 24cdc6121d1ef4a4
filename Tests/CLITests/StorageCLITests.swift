import Foundation
import Logging
import Storage
import TestSupport
import Testing

/// The storage commands run as the real binary against a database the test fills.
@Suite("query, status and export on a real database")
struct StorageCLITests {
    /// 2026-11-23T00:00:00Z.
    static let t0 = Date(timeIntervalSince1970: 1_795_392_000)
    static let window = ["--since", "2026-11-23T00:00:00Z", "--until", "2026-11-23T01:00:00Z"]

    /// Weather every 10 s for 3 min (temperature 20 + 0.125 i), motion 1/s for 2 min, 2 events, 1 impact.
    static func filled() async throws -> (dir: URL, path: String, db: StationDatabase) {
        let dir = try temporaryDirectory("sensorstation-cli")
        let path = dir.appendingPathComponent("station.db").path
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let recorder = Recorder(
            database: db, retention: .init(), logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        for i in 0..<18 {
            recorder.record(
                .weather(
                    WeatherRecord(
                        time: t0.addingTimeInterval(Double(i) * 10), sensor: "BME280",
                        temperatureC: 20 + Double(i) * 0.125, humidityPercent: i % 2 == 0 ? 40 : nil,
                        pressurePa: 101_300)))
        }
        for i in 0..<120 {
            recorder.record(
                .motion(
                    MotionRecord(
                        time: t0.addingTimeInterval(Double(i)), sampleCount: 100, minG: 0.5, maxG: 2,
                        meanG: 1, rmsG: 1, peakG: i == 61 ? 3.5 : 2, meanX: 0, meanY: 0, meanZ: 1,
                        saturatedCount: 0)))
        }
        recorder.record(
            .event(EventRecord(time: t0, kind: "button", detail: "short press, \"ack\"", payload: nil)))
        recorder.record(
            .event(
                EventRecord(
                    time: t0.addingTimeInterval(90), kind: "fault", detail: "BME280 stopped answering")))
        await recorder.flush()
        _ = try await recorder.recordImpact(
            ImpactRecord(
                triggerTime: t0.addingTimeInterval(30), startTime: t0.addingTimeInterval(29.9),
                endTime: t0.addingTimeInterval(30.4),
                peakTime: t0.addingTimeInterval(30.012), peakG: 7.5, peakXG: 1, peakYG: -7.25, peakZG: 2.5,
                durationMs: 8.5,
                severity: "impact", deltaVMps: 1.75, hic15: 12.5, saturated: false, thresholdG: 5,
                sensor: "ADXL375",
                waveform: [1, 2, 3], waveformCount: 1, waveformRateHz: 3200))
        return (dir, path, db)
    }

    @Test("query events as JSON: an event's payload is an object, not a string holding JSON")
    func eventPayloadObject() async throws {
        let (_, path, db) = try await Self.filled()
        let recorder = Recorder(
            database: db, retention: .init(), logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        recorder.record(
            .event(
                EventRecord(
                    time: Self.t0.addingTimeInterval(120), kind: "button", detail: "long press",
                    payload: ["press": "long", "result": "impact acknowledged"])))
        await recorder.flush()
        let r = try CLI.run(
            ["query", "events", "--database", path, "--format", "json", "--limit", "1"] + Self.window)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["payload"] as? [String: String] == ["press": "long", "result": "impact acknowledged"])
        let none = try CLI.run(
            ["query", "events", "--database", path, "--format", "json", "--limit", "3"] + Self.window)
        #expect(none.stdout.contains(#""payload":null"#))
    }

    @Test("query weather as CSV and JSON Lines: UTC ISO-8601 with a Z, every row")
    func csvAndJSON() async throws {
        let (_, path, _) = try await Self.filled()
        let csv = try CLI.run(
            ["query", "weather", "--database", path, "--format", "csv", "--limit", "2"] + Self.window)
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(
            csv.stdout == """
                time,sensor,temperature_c,humidity_percent,pressure_hpa
                2026-11-23T00:02:40.000Z,BME280,22.0,40.0,1013.0
                2026-11-23T00:02:50.000Z,BME280,22.125,,1013.0

                """)
        let json = try CLI.run(["query", "impacts", "--database", path, "--format", "json"] + Self.window)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(
            json.stdout
                == #"{"id":1,"time":"2026-11-23T00:00:30.000Z","peak_g":7.5,"severity":"impact","duration_ms":8.5,"delta_v_mps":1.75,"hic15":12.5,"saturated":false,"sensor":"ADXL375","fall_ms":null,"drop_m":null,"vertical_g":null,"horizontal_g":null}"#
                + "\n")
        let events = try CLI.run(["query", "events", "--database", path, "--format", "csv"] + Self.window)
        #expect(
            events.stdout == #"""
                time,kind,detail,payload
                2026-11-23T00:00:00.000Z,button,"short press, ""ack""",
                2026-11-23T00:01:30.000Z,fault,BME280 stopped answering,

                """#)
    }

    @Test("--every aggregates: weather per minute, motion with its max peak")
    func aggregates() async throws {
        let (_, path, _) = try await Self.filled()
        let r = try CLI.run(
            ["query", "weather", "--database", path, "--format", "csv", "--every", "1m"] + Self.window)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        // Minute 1: readings 6…11, temperature 20.75…21.375, mean 21.0625; humidity 40 on even i.
        #expect(
            lines[2] == "2026-11-23T00:01:00.000Z,6,21.0625,20.75,21.375,40.0,40.0,40.0,1013.0,1013.0,1013.0")
        let m = try CLI.run(
            ["query", "motion", "--database", path, "--format", "json", "--every", "1h"] + Self.window)
        #expect(
            m.stdout
                == #"{"time":"2026-11-23T00:00:00.000Z","seconds":120,"samples":12000,"min_g":0.5,"max_g":2.0,"mean_g":1.0,"rms_g":1.0,"peak_g":3.5,"saturated":0}"#
                + "\n")
    }

    @Test("the table is in local time with numbers right-aligned")
    func table() async throws {
        let (_, path, _) = try await Self.filled()
        let r = try CLI.run(
            ["query", "weather", "--database", path, "--limit", "2"] + Self.window,
            environment: ["TZ": "Europe/Berlin"])
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                time (local)         sensor  temperature_c  humidity_percent  pressure_hpa
                2026-11-23 01:02:40  BME280         22.000            40.000      1013.000
                2026-11-23 01:02:50  BME280         22.125               n/a      1013.000

                """)
    }

    @Test(
        "usage errors exit 64 with a message",
        arguments: [
            (
                ["query", "weather", "--since", "2026-11-23T02:00:00Z", "--until", "2026-11-23T01:00:00Z"],
                "must be before --until"
            ),
            (["query", "weather", "--since", "yesterday"], "not a time"),
            (["query", "weather", "--every", "5x"], "not a duration"),
            (["query", "weather", "--format", "xml"], "xml"),
            (["query", "rainfall"], "rainfall"),
            (["query", "weather", "--limit", "-3"], "--limit"),
            (["export", "--since", "1q", "--output", "x.jsonl"], "not a time"),
        ])
    func usage(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments + ["--database", "/nonexistent/station.db"])
        #expect(r.status == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("a missing database exits 69 and says what to check")
    func missing() throws {
        let r = try CLI.run(["query", "weather", "--database", "/nonexistent/station.db"])
        #expect(r.status == 69)
        #expect(
            r.stderr.contains(
                "no database at /nonexistent/station.db: is the service running, and is storage.path right?"))
    }

    @Test("status: rows, oldest and newest, backlog per destination")
    func status() async throws {
        let (_, path, db) = try await Self.filled()
        try db.advanceCursor(destination: "s3", kind: .weather, to: 10)
        let r = try CLI.run(["status", "--database", path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let tables = object?["tables"] as? [String: [String: Any]]
        #expect(tables?["weather"]?["rows"] as? Int == 18)
        #expect(tables?["motion"]?["rows"] as? Int == 120)
        #expect(tables?["weather"]?["oldest"] as? String == "2026-11-23T00:00:00.000Z")
        #expect(tables?["motion"]?["newest"] as? String == "2026-11-23T00:01:59.000Z")
        let backlog = object?["backlog"] as? [String: [String: Int]]
        let expected: [String: Int] = ["impact": 1, "weather": 8, "motion": 120, "event": 2]
        #expect(backlog?["s3"] == expected)
        let text = try CLI.run(["status", "--database", path])
        #expect(text.stdout.contains("UPLOAD BACKLOG  impact  weather  motion  event"))
        #expect(text.stdout.contains("s3                   1        8     120      2"))
        // No service runs on this file: the status says so, in both forms.
        #expect(
            text.stdout.contains("service    not running: the service is not running\n"), "\(text.stdout)")
        let service = object?["service"] as? [String: Any]
        #expect(
            service?["running"] as? Bool == false
                && service?["reason"] as? String == "the service is not running")
    }

    @Test(
        "status: rows stamped before 2026-01-01 (a run that ended before its clock was set) are counted as kept, not uploaded"
    )
    func heldBack() async throws {
        let (_, path, db) = try await Self.filled()
        let clean = try CLI.run(["status", "--database", path])
        #expect(clean.status == 0 && !clean.stdout.contains("clock "), "\(clean.stdout)")
        // Stamped on a build date, 2025-10-08; kept by age as the service keeps them.
        let unset = Date(timeIntervalSince1970: 1_759_924_807)
        let recorder = Recorder(
            database: db, retention: .init(keepStampedBefore: Date(timeIntervalSince1970: 1_767_225_600)),
            logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        for i in 0..<2 {
            recorder.record(
                .weather(
                    WeatherRecord(
                        time: unset.addingTimeInterval(Double(i) * 10), sensor: "BME280",
                        temperatureC: 20, humidityPercent: nil, pressurePa: 101_300)))
        }
        for i in 0..<3 {
            recorder.record(
                .motion(
                    MotionRecord(
                        time: unset.addingTimeInterval(Double(i)), sampleCount: 100, minG: 1, maxG: 1,
                        meanG: 1, rmsG: 1, peakG: 1, meanX: 0, meanY: 0, meanZ: 1, saturatedCount: 0)))
        }
        await recorder.flush()
        let text = try CLI.run(["status", "--database", path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains(
                """
                clock      5 rows stamped before 2026-01-01T00:00:00.000Z (weather 2, motion 3): logged before the clock was \
                set by a run that ended before it was; kept here, not uploaded

                """), "\(text.stdout)")
        let json = try CLI.run(["status", "--database", path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let held = object?["held_back"] as? [String: Any]
        #expect(held?["stamped_before"] as? String == "2026-01-01T00:00:00.000Z")
        #expect(
            held?["weather"] as? Int == 2 && held?["motion"] as? Int == 3 && held?["impact"] as? Int == 0
                && held?["event"] as? Int == 0)
    }

    @Test("export all as JSON Lines and as CSV, with no progress bar off a terminal")
    func export() async throws {
        let (dir, path, _) = try await Self.filled()
        let out = dir.appendingPathComponent("all.jsonl").path
        let r = try CLI.run(
            ["export", "--database", path, "--format", "jsonl", "--output", out] + Self.window)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 141)  // 1 impact, 18 weather, 120 motion, 2 events
        #expect(
            lines[0].hasPrefix(
                #"{"kind":"impact","id":1,"time_us":1795392030000000,"time":"2026-11-23T00:00:30.000Z","start_us":1795392029900000,"start_time":"2026-11-23T00:00:29.900Z""#
            ))
        #expect(lines[0].contains(#""waveform":"AQID""#))
        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        // An event keeps its record kind ("event") and names its own kind event_kind: one "kind" key per line.
        let event = try #require(lines.first { $0.contains(#""kind":"event""#) })
        #expect(
            event.hasPrefix(
                #"{"kind":"event","id":1,"time_us":1795392000000000,"time":"2026-11-23T00:00:00.000Z","event_kind":"button""#
            ), "\(event)")
        #expect(event.components(separatedBy: #""kind":"#).count == 2)

        let csvPath = dir.appendingPathComponent("weather.csv").path
        let c = try CLI.run(
            ["export", "weather", "--database", path, "--format", "csv", "--output", csvPath] + Self.window)
        #expect(c.status == 0)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "kind,id,time_us,time,sensor,temperature_c,humidity_percent,pressure_pa")
        #expect(csv[2] == "weather,2,1795392010000000,2026-11-23T00:00:10.000Z,BME280,20.125,,101300.0")
        #expect(csv.count == 19)
    }

    @Test("commands read while a writer commits, and see whole batches")
    func readsWhileWriting() async throws {
        let (_, path, db) = try await Self.filled()
        let recorder = Recorder(
            database: db, retention: .init(), logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var last = 120
        for round in 1...5 {
            for i in 0..<1_000 {
                recorder.record(
                    .motion(
                        MotionRecord(
                            time: Self.t0.addingTimeInterval(Double(round * 1_000 + i)), sampleCount: 1,
                            minG: 1, maxG: 1, meanG: 1, rmsG: 1, peakG: 1, meanX: 0, meanY: 0, meanZ: 1,
                            saturatedCount: 0)))
            }
            async let commit: Void = recorder.flush()
            let r = try CLI.run(["status", "--database", path, "--json"])
            await commit
            #expect(r.status == 0, "\(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let rows = ((object?["tables"] as? [String: [String: Any]])?["motion"]?["rows"] as? Int) ?? -1
            let whole = (rows - 120) % 1_000 == 0
            #expect(rows >= last, "rows \(rows)")
            #expect(whole, "rows \(rows)")
            last = rows
        }
    }
}
