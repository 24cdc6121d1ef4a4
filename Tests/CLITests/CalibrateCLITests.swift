import Foundation
import Station
import TestSupport
import Testing

/// `sensorstation calibrate` as a script runs it (no terminal, stdin closed) against the running
/// simulated station: what it keeps, what it prints, and the exit status of each way it ends.
@Suite("sensorstation calibrate")
struct CalibrateCLITests {
    /// Starts `run` with `scenario` and its log in a fresh directory; returns the config's path.
    static func station(_ scenario: String) throws -> (config: String, dir: String, process: Process) {
        let dir = try temporaryDirectory("calibrate-cli").path
        let config = dir + "/config.yaml"
        try """
        hardware: simulated
        storage:
          path: station.db
        accelerometer:
          odr_hz: 400
        simulation:
          scenario: \(scenario)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let (p, _, _) = try CLI.start(["run", "--config", config, "--duration", "120", "--plain"])
        let socket = dir + "/control.sock"
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        return (config, dir, p)
    }

    @Test(
        "level without a terminal: measured, kept, applied, shown, reset; six positions need a line per step")
    func levelAndReset() throws {
        // Nothing listens yet: 69, as every command that needs the service.
        let idle = try temporaryDirectory("calibrate-cli-idle").path
        try "storage:\n  path: station.db\n".write(
            toFile: idle + "/c.yaml", atomically: true, encoding: .utf8)
        let none = try CLI.run(["calibrate", "--config", idle + "/c.yaml"])
        #expect(
            none.status == 69 && none.stderr.contains("the station service is not running"), "\(none.stderr)")

        let (config, dir, p) = try Self.station("quiet")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let r = try CLI.run(["calibrate", "--config", config, "--seconds", "1"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(
            r.stdout.hasPrefix("calibrating the adxl345 at 0x53 (±16 g, 400 Hz): level, 1 s each\n"),
            "\(r.stdout)")
        #expect(r.stdout.contains("\nlevel: x ") && r.stdout.contains(" g at rest (noise "), "\(r.stdout)")
        #expect(r.stdout.contains("saved \(dir)/calibration.json and applied it"), "\(r.stdout)")
        // The quiet scenario's chip lies flat without error: offsets of a few mg at most.
        let kept = try #require(try CalibrationFile.read(dir + "/calibration.json"))
        #expect(kept.method == .level && kept.sensor == "adxl345" && kept.scale == .one)
        #expect(largest(kept.offsetG) < 0.01, "\(kept.offsetG)")

        let show = try CLI.run(["calibrate", "--config", config, "--show", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        let calibration = answer?["calibration"] as? [String: Any]
        #expect(
            (calibration?["source"] as? String)?.hasPrefix("\(dir)/calibration.json (level, measured ")
                == true)
        // config show takes it too: one calibration for every command.
        let shown = try CLI.run(["config", "show", "--all", "--config", config])
        #expect(shown.stdout.contains("calibration file \(dir)/calibration.json"), "\(shown.stdout)")

        // --json: the result on stdout, the steps on stderr; --dry-run keeps nothing.
        let dry = try CLI.run(["calibrate", "--config", config, "--seconds", "1", "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        #expect(result?["method"] as? String == "level" && result?["saved"] is NSNull)
        #expect((result?["positions"] as? [[String: Any]])?.first?["face"] as? String == "+z")
        #expect(dry.stderr.contains("not kept (--dry-run)"))

        // Which way is up in the mount: the quiet station lies flat.
        let up = try CLI.run(["calibrate", "--config", config, "--seconds", "1", "--measure-up"])
        #expect(
            up.status == 0 && up.stdout.contains("from +Z up\n") && up.stdout.hasSuffix("  up: +z\n"),
            "\(up.stdout)")

        // Six positions from a script: each step waits for a line; stdin closed ends it.
        let six = try CLI.run(["calibrate", "--config", config, "--six-position", "--seconds", "1"])
        #expect(
            six.status == 1 && six.stderr.contains("stdin ended before position 1/6: +Z up"), "\(six.stderr)")

        let reset = try CLI.run(["calibrate", "--config", config, "--reset"])
        #expect(
            reset.status == 0 && reset.stdout.contains("removed \(dir)/calibration.json"), "\(reset.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/calibration.json"))
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }

    @Test("a station that moves during the step, or lies tilted, is refused (exit 1) and nothing is kept")
    func refused() throws {
        // Impacts every 3–5 s on a mount 19° off vertical.
        let (config, dir, p) = try Self.station("impacts")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let moved = try CLI.run(["calibrate", "--config", config, "--seconds", "6"])
        #expect(moved.status == 1, "\(moved.stdout)\(moved.stderr)")
        #expect(moved.stderr.contains("level refused: the station "), "\(moved.stderr)")
        #expect(moved.stderr.contains("moved") || moved.stderr.contains("shook"), "\(moved.stderr)")
        // Between impacts (a second's step): still, but tilted.
        var tilted = try CLI.run(["calibrate", "--config", config, "--seconds", "1"])
        for _ in 0..<3 where !tilted.stderr.contains("tilted") {
            tilted = try CLI.run(["calibrate", "--config", config, "--seconds", "1"])
        }
        #expect(
            tilted.status == 1 && tilted.stderr.contains("tilted about 19° from +Z up"), "\(tilted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/calibration.json"))
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }
}

extension CalibrateCLITests {
    /// Needs root to become another user (CI runs as root).
    @Test(
        "someone outside the service's group still runs the commands, with the configuration's calibration",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func unreadableFile() throws {
        let open = try temporaryDirectory("calibrate-cli-open").path
        let state = try temporaryDirectory("calibrate-cli-state").path
        chmod(open, 0o755)
        chmod(state, 0o700)
        try "storage:\n  path: \(state)/station.db\n".write(
            toFile: open + "/c.yaml", atomically: true, encoding: .utf8)
        chmod(open + "/c.yaml", 0o644)
        try CalibrationFile(
            sensor: "adxl345", address: 0x53, method: .level, measuredAt: "", offsetG: SIMD3(0.1, 0, 0),
            scale: .one
        ).write(to: state + "/calibration.json")
        let root = try CLI.run(["config", "show", "--all", "--config", open + "/c.yaml"])
        #expect(root.status == 0 && root.stdout.contains("calibration file \(state)/calibration.json"))
        let nobody = try CLI.runMinimal(["config", "check", open + "/c.yaml"], asNobody: true)
        #expect(nobody.status == 0, "\(nobody.stdout)\(nobody.stderr)")
        // It says it cannot tell, not that the file is "not applied" (the service may apply it).
        #expect(
            nobody.stdout.contains(
                "calibration cannot tell whether the service keeps a calibration (\(state)/calibration.json: Permission denied"
            ),
            "\(nobody.stdout)")
        // A damaged file is left aside, and calibrate --reset (or any command) still runs.
        try "garbage".write(toFile: state + "/calibration.json", atomically: true, encoding: .utf8)
        let damaged = try CLI.run(["config", "check", open + "/c.yaml"])
        #expect(
            damaged.status == 0
                && damaged.stdout.contains(
                    "calibration.json not applied, the configuration's values are used: not a JSON object"),
            "\(damaged.stdout)")
    }
}

private func largest(_ v: SIMD3<Double>) -> Double { max(abs(v.x), abs(v.y), abs(v.z)) }
