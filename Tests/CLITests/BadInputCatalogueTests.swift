import Foundation
import TestSupport
import Testing

/// The rows of docs/bad-inputs.md that a user meets through the `sensorstation` binary: each one
/// runs the real program on a bad input and checks the exact line it prints, its exit status, and
/// the state afterwards (the input is never modified, nothing is created that should not be, the
/// service keeps running where it should). Messages are written out from the catalogue.
@Suite("Bad-input catalogue (CLI)", .serialized, .timeLimit(.minutes(5)))
struct BadInputCatalogueTests {
    enum After: Sendable {
        /// Nothing was written to stdout (the error is the whole answer).
        case stdoutEmpty
        /// This file (relative to the row's directory) does not exist afterwards.
        case absent(String)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        /// Input files, relative to a fresh directory; "$DIR" is that directory.
        var files: [String: String] = [:]
        var arguments: [String]
        var environment: [String: String] = [:]
        var status: Int32
        /// One whole line of stderr, exactly.
        var message: String
        var after: [After] = []
        var testDescription: String { name }
    }

    static let threshold50 = "impact:\n  threshold_g: 50\n"

    static let rows: [Row] = [
        // Configuration (exit 78, nothing started, no database created).
        Row(
            name: "config: unknown key", files: ["c.yaml": "impact:\n  thresold_g: 5\n"],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml:2:3: impact.thresold_g: unknown key 'thresold_g'; did you mean 'threshold_g'?",
            after: [.stdoutEmpty]),
        Row(
            name: "config: wrong type", files: ["c.yaml": "impact:\n  threshold_g: high\n"],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message: "$DIR/c.yaml:2:16: impact.threshold_g: expected a number from 1.5 to 100, got 'high'",
            after: [.stdoutEmpty]),
        Row(
            name: "config: threshold out of range", files: ["c.yaml": threshold50],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml:2:16: impact.threshold_g: expected at most 16 (accelerometer.range_g of the adxl345, ±16 g): a threshold above the range can never trigger, got 50",
            after: [.stdoutEmpty]),
        Row(
            name: "config: two LEDs on one line",
            files: [
                "c.yaml":
                    "gpio:\n  leds:\n    - { role: status, line: GPIO17 }\n    - { role: impact, line: GPIO17 }\n"
            ],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml:4:29: gpio.leds[1].line: GPIO17 is already used by gpio.leds[0] (status, line 3); expected a different line",
            after: [.stdoutEmpty]),
        Row(
            name: "config: empty file", files: ["c.yaml": ""],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml: the file is empty (or only comments); write at least one setting, or remove the file to use the built-in defaults",
            after: [.stdoutEmpty]),
        Row(
            name: "config: wrong format (TOML)", files: ["c.yaml": "[impact]\nthreshold_g = 5\n"],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml:1:1: this looks like TOML ([impact] and key = value), but the configuration is YAML; write 'impact:' and indent its keys as 'key: value'",
            after: [.stdoutEmpty]),
        Row(
            name: "config: wrong format (broken JSON)", files: ["c.yaml": "{\"impact\": [1,2"],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message:
                "$DIR/c.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)",
            after: [.stdoutEmpty]),
        Row(
            name: "config: missing file", arguments: ["config", "check", "$DIR/none.yaml"], status: 78,
            message:
                "$DIR/none.yaml: cannot open the configuration file: No such file or directory (errno 2)",
            after: [.stdoutEmpty]),
        Row(
            name: "config: unreadable (a directory)", files: ["c.yaml/keep": "x"],
            arguments: ["config", "check", "$DIR/c.yaml"], status: 78,
            message: "$DIR/c.yaml: cannot read the configuration file: Is a directory (errno 21)",
            after: [.stdoutEmpty]),
        Row(
            name: "config: GPIO line that does not exist",
            files: ["c.yaml": "hardware: simulated\ngpio:\n  leds:\n    - { role: status, line: GPIO99 }\n"],
            arguments: ["run", "--config", "$DIR/c.yaml", "--duration", "2"],
            environment: ["SENSORSTATION_STORAGE_PATH": "$DIR/station.db"], status: 69,
            message:
                "sensorstation: sim:/dev/gpiochip0 GPIO99: no line named \"GPIO99\" on gpiochip0 [pinctrl-sim] (gpio in $DIR/c.yaml)"
        ),
        // libgpiod is loaded at run time (Sources/CGPIOD): a library that cannot be loaded, or one
        // that is not libgpiod, is named with the loader's reason.
        Row(
            name: "gpio: libgpiod that cannot be loaded (run)",
            files: ["c.yaml": "hardware: simulated\nsimulation:\n  gpio: linux\n"],
            arguments: ["run", "--config", "$DIR/c.yaml", "--duration", "2"],
            environment: [
                "SENSORSTATION_STORAGE_PATH": "$DIR/station.db",
                "SENSORSTATION_LIBGPIOD": "$DIR/libgpiod.so.3",
            ],
            status: 69,
            message:
                "sensorstation: GPIO chip gpiochip0 (gpio.chip): cannot use SENSORSTATION_LIBGPIOD: $DIR/libgpiod.so.3: cannot open shared object file: No such file or directory"
        ),
        Row(
            name: "gpio: a library that is not libgpiod (gpio lines)", arguments: ["gpio", "lines"],
            environment: ["SENSORSTATION_LIBGPIOD": "libsqlite3.so.0"], status: 1,
            message:
                "error: gpiochip0: cannot use SENSORSTATION_LIBGPIOD: libsqlite3.so.0 is not a usable libgpiod 1.6 or 2.x: it lacks gpiod_api_version or gpiod_version_string (errno 79)",
            after: [.stdoutEmpty]),
        Row(
            name: "config: I2C bus that does not exist",
            files: ["c.yaml": "hardware: linux\ni2c:\n  bus: /dev/i2c-9\n"],
            arguments: ["read", "--config", "$DIR/c.yaml"], status: 69,
            message:
                "sensorstation: /dev/i2c-9: the bus does not exist (enable I2C: dtparam=i2c_arm=on, and load i2c-dev)",
            after: [.stdoutEmpty]),
        Row(
            name: "probe: a bus that does not exist", arguments: ["probe", "--bus", "/dev/i2c-9"], status: 69,
            message:
                "sensorstation: /dev/i2c-9: the bus does not exist (enable I2C: dtparam=i2c_arm=on, and load i2c-dev)",
            after: [.stdoutEmpty]),

        // Replay CSV (exit 65 with FILE:LINE, 74 when unreadable; no events printed).
        Row(
            name: "csv: missing header", files: ["t.csv": "0,0,0,1\n"], arguments: ["replay", "$DIR/t.csv"],
            status: 65,
            message:
                "sensorstation: $DIR/t.csv:1: expected the header t_s,x_g,y_g,z_g (optionally ,saturated), got \"0,0,0,1\"",
            after: [.stdoutEmpty]),
        Row(
            name: "csv: wrong column count", files: ["t.csv": "t_s,x_g,y_g,z_g\n0,0,0,1\n0.001,0,0\n"],
            arguments: ["replay", "$DIR/t.csv"], status: 65,
            message:
                "sensorstation: $DIR/t.csv:3: expected 4 comma-separated values (t_s,x_g,y_g,z_g), got 3",
            after: [.stdoutEmpty]),
        Row(
            name: "csv: non-numeric value", files: ["t.csv": "t_s,x_g,y_g,z_g\n0,0,0,1\n0.001,0,abc,1\n"],
            arguments: ["replay", "$DIR/t.csv"], status: 65,
            message: "sensorstation: $DIR/t.csv:3: y_g is not a number: \"abc\"", after: [.stdoutEmpty]),
        Row(
            name: "csv: time going backwards", files: ["t.csv": "t_s,x_g,y_g,z_g\n1,0,0,1\n0.5,0,0,1\n"],
            arguments: ["replay", "$DIR/t.csv"], status: 65,
            message: "sensorstation: $DIR/t.csv:3: time goes backwards: t_s 0.5 after 1.0",
            after: [.stdoutEmpty]),
        Row(
            name: "csv: empty file", files: ["t.csv": ""], arguments: ["replay", "$DIR/t.csv"], status: 65,
            message: "sensorstation: $DIR/t.csv:1: the trace is empty; expected the header t_s,x_g,y_g,z_g",
            after: [.stdoutEmpty]),
        Row(
            name: "csv: no such file", arguments: ["replay", "$DIR/none.csv"], status: 74,
            message: "sensorstation: $DIR/none.csv: cannot open: No such file or directory",
            after: [.stdoutEmpty]),

        // The control socket (exit 69 when no service listens; nothing is created).
        Row(
            name: "cli: control socket missing", arguments: ["stream", "start"],
            environment: ["SENSORSTATION_STORAGE_PATH": "$DIR/station.db"], status: 69,
            message:
                "sensorstation: the station service is not running (no one listens on $DIR/control.sock)",
            after: [.stdoutEmpty, .absent("control.sock"), .absent("station.db")]),
        Row(
            name: "cli: ack with the control socket missing", arguments: ["ack"],
            environment: ["SENSORSTATION_STORAGE_PATH": "$DIR/station.db"], status: 69,
            message:
                "sensorstation: the station service is not running (no one listens on $DIR/control.sock)",
            after: [.stdoutEmpty, .absent("control.sock")]),

        // Query arguments (exit 64, checked before the database is opened: nothing is created).
        Row(
            name: "query: --since after --until",
            arguments: [
                "query", "weather", "--database", "$DIR/station.db", "--since", "2026-11-20T12:00:00Z",
                "--until", "2026-11-20T10:00:00Z",
            ], status: 64,
            message:
                "Error: --since (2026-11-20T12:00:00.000Z) must be before --until (2026-11-20T10:00:00.000Z)",
            after: [.stdoutEmpty, .absent("station.db")]),
        Row(
            name: "query: unparseable duration",
            arguments: ["query", "weather", "--database", "$DIR/station.db", "--since", "3fortnights"],
            status: 64,
            message:
                "Error: --since \"3fortnights\": not a time; use a duration ago (30m, 24h, 7d) or ISO-8601 (2026-11-20T10:00:00Z, 2026-11-20)",
            after: [.stdoutEmpty, .absent("station.db")]),
        Row(
            name: "query: unparseable --until (impacts list)",
            arguments: ["impacts", "list", "--database", "$DIR/station.db", "--until", "yesterdayish"],
            status: 64,
            message:
                "Error: --until \"yesterdayish\": not a time; use a duration ago (30m, 24h, 7d) or ISO-8601 (2026-11-20T10:00:00Z, 2026-11-20)",
            after: [.stdoutEmpty, .absent("station.db")]),
        Row(
            name: "query: unknown --format",
            arguments: ["query", "weather", "--database", "$DIR/station.db", "--format", "xml"], status: 64,
            message:
                "Error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'table', 'csv' or 'json'.",
            after: [.stdoutEmpty, .absent("station.db")]),
    ]

    @Test(arguments: rows)
    func badInput(_ row: Row) throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        func expand(_ s: String) -> String { s.replacingOccurrences(of: "$DIR", with: dir.path) }
        for (name, content) in row.files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        let r = try CLI.run(row.arguments.map(expand), environment: row.environment.mapValues(expand))
        #expect(r.status == row.status, "stderr: \(r.stderr)")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains(expand(row.message)), "stderr was:\n\(r.stderr)")
        // State: every input file is exactly as it was.
        for (name, content) in row.files {
            #expect(try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) == content)
        }
        for check in row.after {
            switch check {
            case .stdoutEmpty: #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
            case .absent(let name):
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path))
            }
        }
    }

    @Test("csv: a 2 GB file is streamed, not loaded whole")
    func twoGigabyteTrace() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.csv")
        // A sparse 2 GiB file: the header, then NUL bytes (a file truncated by a crashed logger
        // looks like this). A reader that loaded it whole would need 2 GiB before saying anything.
        FileManager.default.createFile(atPath: url.path, contents: Data("t_s,x_g,y_g,z_g\n".utf8))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        let r = try CLI.run(["replay", url.path])
        #expect(r.status == 65)
        #expect(
            r.stderr.split(separator: "\n").contains(
                "sensorstation: \(url.path):2: the line is longer than 4096 bytes"[...]))
        // State: the file is untouched, and no child of this test ever held it: the peak resident
        // size of every child so far stays far below its 2 GiB.
        #expect(
            try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber
                == NSNumber(value: 2 << 30))
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        #expect(usage.ru_maxrss < 512 * 1024, "peak child RSS \(usage.ru_maxrss) KiB")
    }

    @Test(
        "cli: the control socket belongs to someone else",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func socketOfSomeoneElse() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The service's directory (mode 0700, owned by root here) that user nobody may not enter.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir.path)
        let r = try CLI.runMinimal(
            ["stream", "start"], asNobody: true,
            environment: ["SENSORSTATION_STORAGE_PATH": dir.appendingPathComponent("station.db").path])
        #expect(r.status == 77)
        #expect(
            r.stderr.split(separator: "\n").map(String.init).contains(
                "sensorstation: permission denied on \(dir.path)/control.sock: add yourself to the sensorstation group (sudo usermod -aG sensorstation $USER) and log in again"
            ))
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("control.sock").path))
    }
}
