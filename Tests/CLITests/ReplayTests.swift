import Foundation
import TestSupport
import Testing

/// `sensorstation replay` as a user runs it: a recorded trace in, one JSON line per impact out,
/// the configuration's settings or the options, and clear errors with line numbers.
@Suite("sensorstation replay", .serialized)
struct ReplayTests {
    static let g0 = 9.80665

    /// A trace at `rate` (3200 Hz unless given): 1 g on z, plus a half-sine of `amplitude` g and
    /// `duration` s along x starting at 1 s; axes clipped at `clip` with the saturated column when given.
    static func trace(
        amplitude: Double, duration: Double = 0.010, seconds: Double = 3, clip: Double? = nil,
        saturatedColumn: Bool = false, rate: Double = 3200, fall: Double? = nil
    ) -> String {
        var lines = [saturatedColumn ? "t_s,x_g,y_g,z_g,saturated" : "t_s,x_g,y_g,z_g"]
        for k in 0..<Int(seconds * rate) {
            let t = Double(k) / rate
            var x = t >= 1 && t < 1 + duration ? amplitude * sin(Double.pi * (t - 1) / duration) : 0
            var saturated = false
            if let clip, x > clip { x = clip; saturated = true }
            // Falling (before the pulse, for `fall` s) the accelerometer reads no gravity.
            let z = fall.map { t >= 1 - $0 && t < 1 } == true ? 0 : 1
            var line = "\(t),\(x),0,\(z)"
            if saturatedColumn { line += saturated ? ",1" : ",0" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String, name: String = "trace.csv") throws -> URL {
        let url = try temporaryDirectory("sensorstation-cli").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A configuration with the defaults of the impact issue, so a machine's /etc file cannot
    /// change the outcome.
    static func config(threshold: Double = 4, severe: Double = 9, sustainMs: Int = 0) throws -> URL {
        try write(
            """
            impact:
              threshold_g: \(threshold)
              severe_g: \(severe)
              sustain_ms: \(sustainMs)
            """, name: "config.yaml")
    }

    static func events(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func printsOneJSONLinePerImpactWithItsMeasures() throws {
        let file = try Self.write(Self.trace(amplitude: 10))
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let events = try Self.events(r.stdout)
        try #require(events.count == 1)
        let e = events[0]
        for key in [
            "start_s", "end_s", "peak_g", "duration_ms", "severity", "delta_v_mps", "hic15", "saturated",
        ] {
            #expect(e[key] != nil, "missing \(key)")
        }
        // |a| = sqrt(1 + (10 sin)²): peak sqrt(101) at 1.005 s (a sample falls on it), above 4 g
        // while 10 sin ≥ sqrt(15).
        #expect(abs((e["peak_g"] as? Double ?? 0) - 101.0.squareRoot()) < 1e-3)
        #expect(abs((e["peak_t_s"] as? Double ?? 0) - 1.005) < 1e-6)
        #expect(e["severity"] as? String == "severe")
        #expect(e["saturated"] as? Bool == false)
        let phase = asin(15.0.squareRoot() / 10) / Double.pi * 0.010
        #expect(abs((e["duration_ms"] as? Double ?? 0) - (0.010 - 2 * phase) * 1000) < 0.05)
        #expect(abs((e["start_s"] as? Double ?? 0) - (1 + phase)) < 5e-5)
        let deltaV = 2 * 10 * Self.g0 * 0.010 / Double.pi
        #expect(abs((e["delta_v_mps"] as? Double ?? 0) - deltaV) / deltaV < 0.01)
        #expect((e["hic15"] as? Double ?? 0) > 0)
        #expect(e["fall_ms"] is NSNull && e["drop_m"] is NSNull)
        #expect(r.stderr.contains("replayed 9600 samples, 1 event"))
        // Keys in a stable (sorted) order, so lines can be compared and diffed.
        let line = r.stdout.split(separator: "\n")[0]
        #expect(line.hasPrefix("{\"delta_v_mps\":"))
    }

    @Test("dropped 1 m before the impact: the line carries the fall, √(2 m / g) = 451.6 ms, and the 1.00 m")
    func aFallBeforeTheImpact() throws {
        let fall = (2 / Self.g0).squareRoot()
        let file = try Self.write(Self.trace(amplitude: 10, fall: fall))
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let events = try Self.events(r.stdout)
        try #require(events.count == 1)
        // Each edge within a sample (0.31 ms at 3200 Hz); dh = g·t·dt.
        #expect(abs((events[0]["fall_ms"] as? Double ?? 0) - fall * 1000) < 0.7)
        #expect(abs((events[0]["drop_m"] as? Double ?? 0) - 1) < 0.003)
    }

    @Test("at 25 Hz no 15 ms window exists: hic15 is null, not 0")
    func hic15IsNullWhenTheTraceIsTooSlow() throws {
        let file = try Self.write(Self.trace(amplitude: 8, duration: 1.15, seconds: 4, rate: 25))
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let events = try Self.events(r.stdout)
        try #require(events.count == 1)
        #expect(events[0]["hic15"] is NSNull)
        #expect(r.stdout.contains("\"hic15\":null"))
    }

    @Test func theConfigurationDecidesUnlessOptionsOverride() throws {
        let file = try Self.write(Self.trace(amplitude: 6))
        // 6 g across gravity peaks at 6.08 g: an impact at the default 4 g…
        let byDefault = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(try Self.events(byDefault.stdout).count == 1)
        // …none with an 8 g threshold in the configuration: nothing on stdout, exit 0.
        let strict = try Self.config(threshold: 8, severe: 12)
        let none = try CLI.run(["replay", "--config", strict.path, file.path])
        #expect(none.status == 0)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("replayed 9600 samples, 0 events"))
        // …and one again when --threshold brings it back down.
        let back = try CLI.run(["replay", "--config", strict.path, "--threshold", "5", file.path])
        #expect(try Self.events(back.stdout).count == 1)
        // A 10 ms pulse cannot hold for 50 ms.
        let sustained = try CLI.run([
            "replay", "--config", Self.config().path, "--sustain-ms", "50", file.path,
        ])
        #expect(sustained.status == 0)
        #expect(sustained.stdout.isEmpty)
        // --severe moves the severity boundary.
        let severe = try CLI.run(["replay", "--config", Self.config().path, "--severe", "6", file.path])
        #expect(try Self.events(severe.stdout).first?["severity"] as? String == "severe")
    }

    @Test("--up splits the peak along the mounting: v² + h² = peak², the sign says which way it pushed")
    func mountingSplitsThePeak() throws {
        // The pulse is 10 g along x on 1 g of gravity along z: the peak (10, 0, 1) g.
        let file = try Self.write(Self.trace(amplitude: 10))
        func split(_ extra: [String]) throws -> (Double?, Double?, Double) {
            let r = try CLI.run(["replay", "--config", Self.config().path] + extra + [file.path])
            #expect(r.status == 0, "stderr: \(r.stderr)")
            let e = try #require(try Self.events(r.stdout).first)
            return (
                e["vertical_g"] as? Double, e["horizontal_g"] as? Double, try #require(e["peak_g"] as? Double)
            )
        }
        // No mounting in the configuration: both null, the keys present.
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.stdout.contains("\"vertical_g\":null") && r.stdout.contains("\"horizontal_g\":null"))
        let (v1, h1, peak) = try split(["--up", "+z"])
        #expect(abs(peak - 101.0.squareRoot()) < 1e-3)
        #expect(v1 == 1 && h1 == 10)
        // Up along -x (written --up=-x, as an option value may not start with a dash): the knock
        // pushed the station down, by all 10 g.
        let (v2, h2, _) = try split(["--up=-x"])
        #expect(v2 == -10 && h2 == 1)
        // A direction is scaled to length 1: [0, 0, 2] is +z.
        let (v3, h3, _) = try split(["--up", "[0, 0, 2]"])
        #expect(v3 == 1 && h3 == 10)
        // Tilted 45° between x and z: (10 + 1)/√2 along it, (10 − 1)/√2 across.
        let (v4, h4, _) = try split(["--up", "[1, 0, 1]"])
        #expect(abs((v4 ?? 0) - 11 / 2.0.squareRoot()) < 1e-4 && abs((h4 ?? 0) - 9 / 2.0.squareRoot()) < 1e-4)
    }

    @Test(
        "a bad --up is a usage error naming the option",
        arguments: ["sideways", "[1, 2]", "[0, 0, 0]", "[1,"])
    func badUp(value: String) throws {
        let file = try Self.write(Self.trace(amplitude: 10, seconds: 1.2))
        let r = try CLI.run(["replay", "--config", Self.config().path, "--up", value, file.path])
        #expect(r.status == 64, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("--up: "), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func aThresholdAboveTheSevereLevelSaysWhichOptionToAdd() throws {
        let file = try Self.write(Self.trace(amplitude: 6))
        let r = try CLI.run(["replay", "--config", Self.config().path, "--threshold", "12", file.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("give --severe above 12"))
        let ok = try CLI.run([
            "replay", "--config", Self.config().path, "--threshold", "12", "--severe", "20", file.path,
        ])
        #expect(ok.status == 0)
        #expect(ok.stdout.isEmpty)
    }

    @Test func saturationFromTheColumnOrTheRange() throws {
        let flagged = try Self.write(Self.trace(amplitude: 30, clip: 16, saturatedColumn: true))
        let a = try CLI.run(["replay", "--config", Self.config().path, flagged.path])
        #expect(try Self.events(a.stdout).first?["saturated"] as? Bool == true)
        // A column of 0s is the recorder's word: not saturated, whatever the range.
        let unflagged = try Self.write(
            Self.trace(amplitude: 30, clip: 16, saturatedColumn: true)
                .replacingOccurrences(of: ",1\n", with: ",0\n"))
        let u = try CLI.run(["replay", "--config", Self.config().path, unflagged.path])
        #expect(try Self.events(u.stdout).first?["saturated"] as? Bool == false)
        // Without the column: the configured accelerometer's range (the default ADXL345, ±16 g),
        // as the running service's driver flags its readings; --range-g overrides it.
        let plain = try Self.write(Self.trace(amplitude: 30, clip: 16))
        let b = try CLI.run(["replay", "--config", Self.config().path, plain.path])
        #expect(b.status == 0, "stderr: \(b.stderr)")
        #expect(try Self.events(b.stdout).first?["saturated"] as? Bool == true)
        let wide = try Self.write(
            "accelerometer:\n  sensor: h3lis331dl\n  address: 0x18\n  range_g: 100\n", name: "wide.yaml")
        let w = try CLI.run(["replay", "--config", wide.path, plain.path])
        #expect(w.status == 0, "stderr: \(w.stderr)")
        #expect(try Self.events(w.stdout).first?["saturated"] as? Bool == false)
        let c = try CLI.run(["replay", "--config", wide.path, "--range-g", "16", plain.path])
        #expect(try Self.events(c.stdout).first?["saturated"] as? Bool == true)
    }

    @Test func aMalformedLineGivesFileLineAndExit65() throws {
        var text = Self.trace(amplitude: 10, seconds: 0.01)
        text += "0.02,abc,0,1\n"
        let file = try Self.write(text)
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.status == 65)
        // Header + 32 samples, so the bad line is line 34.
        #expect(r.stderr.contains("\(file.path):34: x_g is not a number: \"abc\""), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func timeGoingBackwardsIsMalformed() throws {
        let file = try Self.write("t_s,x_g,y_g,z_g\n0.5,0,0,1\n0.4,0,0,1\n")
        let r = try CLI.run(["replay", "--config", Self.config().path, file.path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("\(file.path):3: time goes backwards"))
    }

    @Test func closedStdinIsAnEmptyTraceNotAHang() throws {
        let r = try CLI.run(["replay", "--config", Self.config().path, "-"], timeout: 20)
        #expect(r.reason == .exit)
        #expect(r.status == 65)
        #expect(r.stderr.contains("stdin:1: the trace is empty"))
    }

    @Test func aMissingFileIsAnIOError() throws {
        let r = try CLI.run(["replay", "--config", Self.config().path, "/nonexistent/trace.csv"])
        #expect(r.status == 74)
        #expect(r.stderr.contains("/nonexistent/trace.csv: cannot open: No such file or directory"))
    }

    @Test func helpExplainsTheFormatAndExitCodes() throws {
        let r = try CLI.run(["replay", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: sensorstation replay"))
        #expect(r.stdout.contains("t_s,x_g,y_g,z_g"))
        #expect(r.stdout.contains("--sustain-ms"))
    }
}
