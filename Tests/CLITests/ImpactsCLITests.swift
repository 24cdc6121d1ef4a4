import Detection
import Foundation
import Logging
import Station
import Storage
import TestSupport
import Testing

/// `sensorstation impacts` and `impacts show ID` on an impact recorded the way the service records
/// one: the real detector over a synthetic half-sine, mapped by the service's own `ImpactCapture`,
/// written by the Recorder into a real SQLite file.
///
/// The pulse: 1 g on z plus 8 sin(π t / 10 ms) g on x from t = 1 s, sampled at 3200 Hz; default
/// detector (threshold 4 g, severe 9 g, pre 500 ms, post 1000 ms). Closed forms give every
/// expectation: |a| ≥ 4 g ⇔ sin ≥ √15/8 ⇔ t − 1 ≥ 10 ms · asin(0.48412)/π = 1.6092 ms, so the
/// trigger is the sample k = 3206 (t = 1.001875 s); the peak √65 = 8.0623 g (below 9: an "impact")
/// is the sample at 1.005 s, 3.125 ms after the trigger; the capture runs from 500 ms before the
/// trigger (sample 1606) to 1000 ms after it (sample 6406): 4801 samples, −0.5 s … +1.0 s exactly.
@Suite("sensorstation impacts", .serialized)
struct ImpactsCLITests {
    static let rate = 3200.0
    /// Wall-clock time of the sampler's t = 0: 2026-11-23T00:00:00Z.
    static let t0 = Date(timeIntervalSince1970: 1_795_392_000)

    static func pulse() -> [MotionSample] {
        (0..<(4 * 3200)).map { k in
            let t = Double(k) / rate
            let x = t >= 1 && t < 1.010 ? 8 * sin(Double.pi * (t - 1) / 0.010) : 0
            return MotionSample(t: t, x: x, y: 0, z: 1)
        }
    }

    /// A database holding that one impact (id 1) plus one whose waveform blob is damaged (id 2).
    static func database(
        _ samples: [MotionSample] = pulse(), rate: Double = rate, fallMs: Double? = nil,
        up: SIMD3<Double> = .zero
    ) async throws -> (path: String, record: ImpactRecord) {
        var detector = ImpactDetector(settings: DetectorSettings())
        var events = samples.flatMap { detector.process($0) }
        events += detector.finish()
        try #require(events.count == 1)
        var capture = ImpactCapture(
            event: events[0], sensor: "ADXL375", thresholdG: 4, rateHz: rate, up: up,
            wallClock: { t0.addingTimeInterval($0) })
        capture.record.fallMs = fallMs
        let dir = try temporaryDirectory("sensorstation-cli")
        let path = dir.appendingPathComponent("station.db").path
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let recorder = Recorder(
            database: db, retention: .init(), logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        _ = try await recorder.recordImpact(capture.record)
        var damaged = capture.record
        damaged.waveform[damaged.waveform.count / 2] ^= 0xFF  // the CRC-32 no longer matches
        _ = try await recorder.recordImpact(damaged)
        return (path, capture.record)
    }

    static let window = ["--since", "2026-11-22T00:00:00Z", "--until", "2026-11-24T00:00:00Z"]

    @Test("the list is the query: one row per impact, with the id to show")
    func list() async throws {
        let (path, _) = try await Self.database()
        let list = try CLI.run(["impacts", "--database", path, "--format", "json"] + Self.window)
        let query = try CLI.run(["query", "impacts", "--database", path, "--format", "json"] + Self.window)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout == query.stdout)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines.first?.hasPrefix(#"{"id":1,"time":"2026-11-23T00:00:01.001Z","peak_g":8.0622"#) == true,
            "\(lines)")
        let explicit = try CLI.run(["impacts", "list", "--database", path, "--format", "csv"] + Self.window)
        #expect(explicit.status == 0)
        #expect(explicit.stdout.hasPrefix("id,time,peak_g,severity,"))
    }

    /// Issue 21's case: 8 g for 1.15 s read at 25 Hz. Samples 40 ms apart leave no 15 ms window.
    @Test("HIC15 not computable at 25 Hz: n/a in show and in tables, null in JSON, empty in CSV")
    func hic15NotComputable() async throws {
        let slow = (0..<(4 * 25)).map { k in
            let t = Double(k) / 25
            return MotionSample(t: t, x: t >= 1 && t < 2.15 ? 8 : 0, y: 0, z: 1)
        }
        let (path, record) = try await Self.database(slow, rate: 25)
        #expect(record.hic15 == nil)
        let show = try CLI.run(["impacts", "show", "1", "--database", path])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("HIC15        n/a (no 15 ms window at 25 Hz)"), "\(show.stdout)")
        let json = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "json"])
        #expect(json.stdout.contains(#""hic15":null"#), "\(json.stdout)")
        let list = try CLI.run(["impacts", "--database", path, "--format", "json"] + Self.window)
        #expect(list.stdout.contains(#""hic15":null"#), "\(list.stdout)")
        let csv = try CLI.run(["query", "impacts", "--database", path, "--format", "csv"] + Self.window)
        let header = try #require(csv.stdout.split(separator: "\n").first).split(
            separator: ",", omittingEmptySubsequences: false)
        let row = try #require(csv.stdout.split(separator: "\n").dropFirst().first).split(
            separator: ",", omittingEmptySubsequences: false)
        let column = try #require(header.firstIndex(of: "hic15"))
        #expect(row[column] == "")
        let table = try CLI.run(["query", "impacts", "--database", path] + Self.window)
        let lines = table.stdout.split(separator: "\n")
        let header0 = try #require(lines.first)
        let at = try #require(header0.range(of: "hic15"))
        // right-aligned under its header
        let end = header0.distance(from: header0.startIndex, to: at.upperBound)
        #expect(String(lines[1].prefix(end)).hasSuffix("  n/a"), "\(table.stdout)")
    }

    @Test("show: the figures, and a chart whose peak column and threshold row follow from the pulse")
    func showChart() async throws {
        let (path, _) = try await Self.database()
        let r = try CLI.run(["impacts", "show", "1", "--database", path, "--width", "60"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Impact 1 — impact"))
        #expect(r.stdout.contains("peak         8.06 g at +3.1 ms"), "\(r.stdout)")
        #expect(
            r.stdout.contains("waveform     4801 samples at 3200 Hz, −500.0 ms to +1000.0 ms"), "\(r.stdout)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // 12 plot rows, then the axis and its labels. The plot starts at column 9.
        guard let top = lines.firstIndex(where: { $0.hasPrefix(" 10.0 g┤") }) else {
            Issue.record("no top row labelled 10.0 g (the round ceiling of 8.06 g): \(r.stdout)")
            return
        }
        for line in lines[top...] { #expect(line.count <= 60, "wider than --width 60: \(line)") }
        let plot = Array(lines[top..<(top + 12)]).map { Array($0.dropFirst(9)) }
        // 51 columns over 1.5 s: the peak (0.503125 s after the first sample) is in column
        // ⌊0.503125 / 1.5 · 51⌋ = 17. Its bar is round(8.0623 / 10 · 12 · 8) = 77 eighths: nine
        // full rows (3…11 from the top) and ▅ (5/8) in row 2, the only mark in that row.
        let firstInk = plot.firstIndex(where: { $0.contains { $0 != " " && $0 != "┄" } })
        #expect(firstInk == 2, "\(plot.map { String($0) })")
        if let firstInk {
            let ink = plot[firstInk].enumerated().filter { $0.element != " " }.map(\.offset)
            #expect(ink == [17], "the only mark in the top row of the bar")
            #expect(plot[firstInk][17] == "▅")
            #expect(plot[firstInk + 1][17] == "█")
        }
        // The 4 g threshold is in row 12 − ⌈4 / 10 · 12⌉ = 7, labelled.
        #expect(lines[top + 7].hasPrefix("  4.0 g┤"), "\(lines[top + 7])")
        #expect(lines[top + 7].contains("┄┄┄"))
        #expect(lines[top + 12].hasPrefix("       └"))
        #expect(
            lines[top + 13].contains("−500 ms") && lines[top + 13].contains("+1000 ms")
                && lines[top + 13].contains("▲"))
    }

    @Test("show in braille and ascii fits the width; ascii uses only ASCII in the chart")
    func styles() async throws {
        let (path, _) = try await Self.database()
        for style in ["braille", "ascii"] {
            let r = try CLI.run([
                "impacts", "show", "1", "--database", path, "--width", "40", "--chart", style, "--height",
                "6",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let chart = r.stdout.split(separator: "\n").drop { !$0.contains(" g┤") && !$0.contains(" g|") }
            #expect(chart.count == 8, "\(style): 6 rows, axis, labels: \(r.stdout)")
            for line in chart { #expect(line.count <= 40) }
            if style == "ascii" {
                #expect(
                    chart.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) || $0.contains("−") },
                    "\(chart)")
                #expect(chart.contains { $0.contains("#") })
            } else {
                #expect(
                    chart.contains { $0.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } })
            }
        }
    }

    @Test("the waveform CSV: t from the trigger, every sample, and replay finds the same impact in it")
    func csvRoundTrip() async throws {
        let (path, record) = try await Self.database()
        let file = try temporaryDirectory("sensorstation-cli").appendingPathComponent("impact-1.csv")
        let r = try CLI.run([
            "impacts", "show", "1", "--database", path, "--csv", file.path, "--chart", "none",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("4801 samples written to \(file.path)"))
        let csv = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4802)
        #expect(csv.first == "t_s,x_g,y_g,z_g,saturated")
        #expect(csv[1] == "-0.500000,0.0000,0.0000,1.0000,0")
        #expect(csv.last == "1.000000,0.0000,0.0000,1.0000,0")
        // The peak sample, 3.125 ms after the trigger: x = 8 sin(π/2) = 8 g.
        let hasPeak = csv.contains("0.003125,8.0000,0.0000,1.0000,0")
        #expect(hasPeak, "no peak sample at +3.125 ms")

        let stdout = try CLI.run(["impacts", "show", "1", "--database", path, "--csv", "-"])
        let same = stdout.stdout.split(separator: "\n") == csv
        #expect(same, "`--csv -` must print the same CSV and nothing else")

        let config = try temporaryDirectory("sensorstation-cli").appendingPathComponent("c.yaml")
        try "impact:\n  threshold_g: 4\n".write(to: config, atomically: true, encoding: .utf8)
        let replay = try CLI.run(["replay", "--config", config.path, file.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        let events = replay.stdout.split(separator: "\n")
        try #require(events.count == 1, "\(replay.stdout)")
        let e = try #require(try JSONSerialization.jsonObject(with: Data(events[0].utf8)) as? [String: Any])
        #expect(abs((e["peak_g"] as? Double ?? 0) - 65.0.squareRoot()) < 1e-4)
        #expect(abs((e["delta_v_mps"] as? Double ?? 0) - record.deltaVMps) < 1e-3 * record.deltaVMps)
        #expect(e["severity"] as? String == "impact")
    }

    @Test("json: the figures as one object")
    func json() async throws {
        let (path, record) = try await Self.database()
        let r = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["id"] as? Int == 1)
        #expect(o["peak_g"] as? Double == record.peakG)
        #expect(o["waveform_samples"] as? Int == 4801)
        #expect(o["severity"] as? String == "impact")
        #expect(o["time"] as? String == "2026-11-23T00:00:01.001Z")
    }

    @Test("an impact that ended a free fall: show gives its time and height, json both, the list its columns")
    func fall() async throws {
        // 451.6 ms is a 1 m drop: 9.80665 × 0.4516² / 2 = 1.000 m.
        let (path, _) = try await Self.database(fallMs: 451.6)
        let text = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "text"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains("\n  free fall    452 ms before it: 1.00 m from rest\n  sensor"),
            "\(text.stdout)")
        let json = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(o["fall_ms"] as? Double == 451.6 && abs((o["drop_m"] as? Double ?? 0) - 1) < 0.001)
        let csv = try CLI.run(["impacts", "--database", path, "--format", "csv"] + Self.window)
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasSuffix(",fall_ms,drop_m,vertical_g,horizontal_g") == true, "\(csv.stdout)")
        #expect(
            lines.dropFirst().first?.hasSuffix(",ADXL375,451.6,0.999996653012,,") == true, "\(csv.stdout)")
    }

    @Test("with accelerometer.up: show splits the peak along it, json and the list carry both components")
    func mounted() async throws {
        // Flat (+z up), the pulse along x: at its crest (8, 0, 1) g, 1 g up and 8 g across.
        let (path, _) = try await Self.database(up: SIMD3(0, 0, 1))
        let text = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "text"])
        #expect(
            text.stdout.contains("\n  mounted      1.00 g up, 8.00 g across (mostly horizontal)\n"),
            "\(text.stdout)")
        let json = try CLI.run(["impacts", "show", "1", "--database", path, "--format", "json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(
            abs((o["vertical_g"] as? Double ?? 0) - 1) < 1e-9
                && abs((o["horizontal_g"] as? Double ?? 0) - 8) < 1e-9)
        let list = try CLI.run(["impacts", "--database", path, "--format", "json"] + Self.window)
        #expect(
            list.stdout.contains(#""vertical_g":1.0,"#) && list.stdout.contains(#""horizontal_g":8.0}"#),
            "\(list.stdout)")
    }

    @Test("errors: an unknown id, a damaged waveform, an unwritable CSV file")
    func errors() async throws {
        let (path, _) = try await Self.database()
        let missing = try CLI.run(["impacts", "show", "99", "--database", path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no impact with id 99 in \(path)"))
        let damaged = try CLI.run(["impacts", "show", "2", "--database", path])
        #expect(damaged.status == 65)
        #expect(damaged.stderr.contains("impact 2: its stored waveform is damaged"))
        let figures = try CLI.run(["impacts", "show", "2", "--database", path, "--chart", "none"])
        #expect(figures.status == 0, "the figures are still shown")
        #expect(figures.stdout.contains("peak         8.06 g"))
        let unwritable = try CLI.run([
            "impacts", "show", "1", "--database", path, "--csv", "/nonexistent/dir/x.csv",
        ])
        #expect(unwritable.status == 74)
        #expect(unwritable.stderr.contains("cannot write /nonexistent/dir/x.csv"))
        let narrow = try CLI.run(["impacts", "show", "1", "--database", path, "--width", "5"])
        #expect(narrow.status == 64)
        let noDatabase = try CLI.run(["impacts", "--database", "/nonexistent/station.db"])
        #expect(noDatabase.status == 69)
    }
}
