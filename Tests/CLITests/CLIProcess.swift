import Foundation
import TestSupport

/// Runs the real `sensorstation` binary (built next to the test bundle) as a user would, with
/// pipes for stdout and stderr, and stdin closed unless given.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var reason: Process.TerminationReason
}

enum CLI {
    static var binary: URL {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // …/debug/SensorStationPackageTests.xctest (a file on Linux, a bundle elsewhere)
        var dir = me.deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.appendingPathComponent("sensorstation")
    }

    /// Starts the binary; the caller decides when to signal or wait.
    static func start(_ arguments: [String], environment: [String: String] = [:], cwd: URL? = nil) throws
        -> (Process, Pipe, Pipe)
    {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env = env.filter { !$0.key.hasPrefix("SENSORSTATION_") }
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        return (p, out, err)
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:], cwd: URL? = nil,
        timeout: TimeInterval = 60
    ) throws -> CLIResult {
        let (p, out, err) = try start(arguments, environment: environment, cwd: cwd)
        return finish(p, out, err, timeout: timeout)
    }

    /// Runs the binary with a minimal environment (no inherited variables), as root or, with
    /// `asNobody`, as user and group nobody (65534, no supplementary groups) through setpriv:
    /// what a user outside group sensorstation sees, since the tests run as root.
    static func runMinimal(
        _ arguments: [String], asNobody: Bool = false, environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) throws -> CLIResult {
        let p = Process()
        if asNobody {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary.path] + arguments
        } else {
            p.executableURL = binary
            p.arguments = arguments
        }
        p.environment = ["NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": "/tmp"].merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        return finish(p, out, err, timeout: timeout)
    }

    /// Waits for the process (killing it after `timeout`) and collects its output.
    static func finish(_ p: Process, _ out: Pipe, _ err: Pipe, timeout: TimeInterval = 60) -> CLIResult {
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate(); usleep(500_000); if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
        group.wait()
        return CLIResult(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), reason: p.terminationReason)
    }

}
