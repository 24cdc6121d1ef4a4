import Foundation
import TestSupport
import Testing

/// The command-line tool as a user meets it: help, argument mistakes and exit codes, probe and the
/// simulated station run without a terminal, stopped by its timer and by signals.
@Suite("sensorstation CLI", .serialized, .timeLimit(.minutes(3)))
struct CLITests {
    @Test func helpListsTheCommandTree() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for command in ["run", "probe", "gpio", "config"] {
            #expect(r.stdout.contains("  \(command)"), "help should list \(command)")
        }
    }

    @Test(arguments: [
        ["run"], ["probe"], ["config"], ["config", "check"], ["config", "show"], ["gpio"],
        ["gpio", "watch"],
    ])
    func everyCommandHasHelp(_ path: [String]) throws {
        let r = try CLI.run(path + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: sensorstation \(path.joined(separator: " "))"))
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        UsageCase(arguments: ["frobnicate"], message: "Unexpected argument 'frobnicate'"),
        UsageCase(
            arguments: ["run", "--duration", "soon"], message: "The value 'soon' is invalid for '--duration"),
        UsageCase(
            arguments: ["run", "--duration", "0"], message: "--duration must be a positive number of seconds"),
        UsageCase(arguments: ["run", "--bogus"], message: "Unknown option '--bogus'"),
        UsageCase(arguments: ["config", "check"], message: "Missing expected argument '<file>'"),
        UsageCase(arguments: ["probe", "--bus"], message: "Missing value for '--bus"),
    ])
    func argumentMistakesExitWithUsage(_ c: UsageCase) throws {
        let r = try CLI.run(c.arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains(c.message), "stderr was: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func configCheckReportsEveryProblemWithItsLine() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let file = dir.appendingPathComponent("bad.yaml")
        try """
        impact:
          threshold_g: 12
          severe_g: 9
        storage:
          pathh: /tmp/x.db
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", file.path])
        #expect(r.status == 78)
        #expect(r.stderr.contains("\(file.path):5:3: storage.pathh"))
        #expect(r.stderr.contains("did you mean 'path'"))
        #expect(r.stderr.contains("impact.threshold_g"))
    }

    @Test(
        "config show --all: every key once, its value, and where it comes from (file line, variable, default)"
    )
    func configShowAll() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let file = dir.appendingPathComponent("c.yaml")
        try "station:\n  thing_name: pi-7\nimpact:\n  severe_g: 12\n".write(
            to: file, atomically: true, encoding: .utf8)
        let env = ["SENSORSTATION_IMPACT_THRESHOLD_G": "5.5"]
        let json = try CLI.run(
            ["config", "show", "--all", "--json", "--config", file.path], environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try json.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
        }
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ($0["key"]!, $0) })
        #expect(rows.count == byKey.count && rows.count > 60)
        #expect(
            byKey["station.thing_name"] == [
                "key": "station.thing_name", "value": "pi-7", "from": "\(file.path):2", "reload": "restart",
            ])
        #expect(byKey["impact.severe_g"]?["from"] == "\(file.path):4")
        #expect(
            byKey["impact.threshold_g"] == [
                "key": "impact.threshold_g", "value": "5.5",
                "from": "environment SENSORSTATION_IMPACT_THRESHOLD_G", "reload": "applied",
            ])
        #expect(
            byKey["storage.retention_days"] == [
                "key": "storage.retention_days", "value": "30", "from": "default", "reload": "restart",
            ])
        #expect(byKey["gpio.leds[].role"] == nil)
        // The table: same keys, one line each after the source and the header.
        let table = try CLI.run(["config", "show", "--all", "--config", file.path], environment: env)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first == "configuration: \(file.path)")
        #expect(lines.count == rows.count + 2)
        #expect(
            lines.contains {
                $0.hasPrefix("impact.threshold_g ")
                    && $0.contains(" applied  environment SENSORSTATION_IMPACT_THRESHOLD_G ")
                    && $0.hasSuffix(" 5.5")
            })
    }

    @Test func configCheckAcceptsTheExamples() throws {
        for example in ["raspberry-pi.yaml", "simulation.yaml"] {
            let r = try CLI.run(["config", "check", "examples/\(example)"], cwd: packageRoot)
            #expect(r.status == 0, "\(example): \(r.stderr)")
            #expect(r.stdout.contains("OK"))
        }
    }

    @Test(
        "config check says under which name the station uploads: the thing, the DynamoDB key, not the serial")
    func configCheckNamesTheCloudIdentity() throws {
        var text = try String(
            contentsOf: packageRoot.appendingPathComponent("examples/raspberry-pi.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  enabled: false                     # set true", with: "  enabled: true # set true")
        let file = try temporaryDirectory("sensorstation-cli").appendingPathComponent("pi.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  station     sensorstation-0001 (serial SS-2024-0001)"), "\(r.stdout)")
        #expect(
            r.stdout.contains(
                "  upload      on, as thing sensorstation-0001: S3 example-sensorstation-raw/sensorstation/sensorstation-0001/…, DynamoDB example-sensorstation-events (items keyed serial_number = sensorstation-0001)"
            ), "\(r.stdout)")
    }

    @Test func configCheckOfAMissingFileNamesIt() throws {
        let r = try CLI.run(["config", "check", "/nonexistent/station.yaml"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("/nonexistent/station.yaml"))
    }

    @Test func aBadConfigurationStopsRunBeforeAnythingStarts() throws {
        let r = try CLI.run(
            ["run", "--simulated"], environment: ["SENSORSTATION_IMPACT_THRESHOLD_G": "lots"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("SENSORSTATION_IMPACT_THRESHOLD_G"))
    }

    @Test func probeOfAMissingBusSaysSo() throws {
        let r = try CLI.run(["probe", "--bus", "/dev/i2c-77"])
        #expect(r.status == 69)
        #expect(r.stderr.contains("/dev/i2c-77: the bus does not exist"))
    }

    @Test func probeFindsTheSimulatedChips() throws {
        let r = try CLI.run(["probe", "--simulated", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let objects = try lines.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        let found = Dictionary(
            uniqueKeysWithValues: objects.map {
                ($0["address"] as? String ?? "", $0["chip"] as? String ?? "")
            })
        #expect(found == ["0x53": "adxl345", "0x76": "bme280"])
        #expect(objects.allSatisfy { ($0["bus"] as? String)?.isEmpty == false })
    }

    @Test func probeTableIsReadable() throws {
        let r = try CLI.run(["probe", "--simulated"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("2 devices answer"))
        #expect(r.stdout.contains("0x76") && r.stdout.contains("bme280") && r.stdout.contains("0x60 @ 0xd0"))
    }

    @Test func simulatedRunPrintsPlainLinesAndStopsByItself() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let r = try CLI.run(
            ["run", "--simulated", "--duration", "2.5"], environment: ["HOME": dir.path], timeout: 30)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let out = r.stdout
        #expect(out.contains("sensorstation starting"))
        #expect(out.contains("weather bme280:"), "stdout: \(out)")
        #expect(out.contains("sensorstation stopped"))
        #expect(!out.contains("\u{1B}["), "no escape codes when stdout is not a terminal")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func signalsStopTheStationCleanly(_ sig: Int32) throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        // --duration bounds the run even if the test goes wrong: nothing here can hang for ever.
        let (p, out, err) = try CLI.start(
            ["run", "--simulated", "--duration", "60"], environment: ["HOME": dir.path])
        // Wait for the first weather reading (taken at start), then signal.
        let started = Date()
        var seen = Data()
        while Date().timeIntervalSince(started) < 20 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
            if String(decoding: seen, as: UTF8.self).contains("weather bme280:") { break }
        }
        #expect(String(decoding: seen, as: UTF8.self).contains("weather bme280:"))
        let signalled = Date()
        kill(p.processIdentifier, sig)
        let r = CLI.finish(p, out, err, timeout: 10)
        #expect(r.reason == .exit)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(Date().timeIntervalSince(signalled) < 5, "must stop within 5 s")
        #expect((String(decoding: seen, as: UTF8.self) + r.stdout).contains("sensorstation stopped"))
    }
}

/// The package root, for paths like examples/.
let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            return url
        }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}()

@Suite("sensorstation stream and ack", .serialized, .timeLimit(.minutes(2)))
struct ControlCLITests {
    @Test func withoutTheServiceTheCommandsSaySo() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        for args in [["stream", "start"], ["ack"]] {
            let r = try CLI.run(args, environment: ["HOME": dir.path])
            #expect(r.status == 69)
            #expect(r.stderr.contains("the station service is not running"))
        }
    }

    @Test func theCommandsDriveTheRunningStation() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let env = ["HOME": dir.path]
        let (p, out, err) = try CLI.start(["run", "--simulated", "--duration", "60"], environment: env)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // The socket exists once the service is up.
        let socket = dir.appendingPathComponent(".local/state/sensorstation/control.sock").path
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }

        var r = try CLI.run(["stream", "start"], environment: env)
        #expect(r.status == 0 && r.stdout == "streaming started\n", "\(r.stderr)")
        // status shows the running service's live state, upload or not.
        let status = try CLI.run(["status"], environment: env)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("service    running: streaming on, "), "\(status.stdout)")
        // What the motion sampler lost is measured from the start ("none", or the counts).
        #expect(status.stdout.contains("\nsampling   samples lost: "), "\(status.stdout)")
        let live =
            try JSONSerialization.jsonObject(
                with: Data(try CLI.run(["status", "--json"], environment: env).stdout.utf8))
            as? [String: Any]
        let service = live?["service"] as? [String: Any]
        #expect(service?["running"] as? Bool == true && service?["streaming"] as? Bool == true)
        #expect(service?["impact_latched"] as? Bool != nil && service?["faults"] as? [String: String] != nil)
        let sampling = service?["sampling"] as? [String: Any]
        #expect(sampling?["overruns"] as? Int != nil && sampling?["gaps"] as? Int != nil)
        #expect(sampling?["missed_samples"] as? Int != nil)
        #expect(live?["upload"] == nil, "upload is off: no upload member")
        r = try CLI.run(["stream", "toggle", "--json"], environment: env)
        let answer = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(answer?["streaming"] as? Bool == false)
        r = try CLI.run(["ack"], environment: env)
        #expect(r.stdout == "no impact to acknowledge\n")

        kill(p.processIdentifier, SIGTERM)
        let run = CLI.finish(p, out, err)
        #expect(run.status == 0)
        #expect(run.stdout.contains("streaming started (command from uid"))
        #expect(run.stdout.contains("streaming stopped (command from uid"))
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")
    }

    /// Needs root to become another user (CI runs as root).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func otherUsersAreRefused() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let env = ["HOME": dir.path]
        let (p, out, err) = try CLI.start(["run", "--simulated", "--duration", "60"], environment: env)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let socket = dir.appendingPathComponent(".local/state/sensorstation/control.sock").path
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        // The binary must be reachable by nobody: run a copy from a world-readable place.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sensorstation-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: CLI.binary, to: copy)
        chmod(dir.path, 0o755)
        let q = Process()
        q.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        q.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", copy.path, "stream", "start"]
        q.environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let e = Pipe()
        q.standardError = e
        q.standardOutput = Pipe()
        try q.run()
        q.waitUntilExit()
        let stderr = String(decoding: e.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(q.terminationStatus == 77, "stderr: \(stderr)")
        #expect(stderr.contains("permission denied"))
        kill(p.processIdentifier, SIGTERM)
        #expect(CLI.finish(p, out, err).stdout.contains("streaming started") == false)
    }
}

@Suite("sensorstation read", .timeLimit(.minutes(2)))
struct ReadCLITests {
    @Test func readsEachConfiguredSensorAsJSON() throws {
        let r = try CLI.run(["read", "--simulated", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try r.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(objects.count == 2)
        let weather = try #require(objects.first { $0["sensor"] as? String == "bme280" })
        #expect(weather["address"] as? String == "0x76")
        #expect(weather["bus"] as? String == "sim:i2c-1")
        // The demo scenario's day: 14–24 °C, about 101 kPa, 40–70 %RH.
        #expect((14...24).contains(weather["temperature_c"] as? Double ?? -99))
        #expect((100_000...102_700).contains(weather["pressure_pa"] as? Double ?? 0))
        #expect((40...70).contains(weather["humidity_percent"] as? Double ?? 0))
        let motion = try #require(objects.first { $0["sensor"] as? String == "adxl345" })
        #expect(motion["address"] as? String == "0x53")
        #expect(motion["range_g"] as? Double == 16)
        #expect(motion["odr_hz"] as? Double == 3200)
        #expect(motion["saturated"] as? Bool == false)
        let x = motion["x_g"] as? Double ?? 0, y = motion["y_g"] as? Double ?? 0,
            z = motion["z_g"] as? Double ?? 0
        // At rest: gravity, about 1 g (the demo's noise is 0.01 g; a bump may be under way).
        #expect(abs((x * x + y * y + z * z).squareRoot() - 1) < 0.1)
    }

    @Test func aMissingDeviceNamesBusAddressAndRegister() throws {
        let r = try CLI.run(["read", "--simulated", "--device", "bmp280@0x77"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bmp280@0x77: sim:i2c-1 address 0x77 register 0xd0"))
        #expect(r.stderr.contains("nothing answers at this address"))
    }

    @Test func aBadDeviceSpecIsAUsageError() throws {
        let r = try CLI.run(["read", "--device", "bme999@0x76"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("The value 'bme999@0x76' is invalid for '--device"))
    }
}
