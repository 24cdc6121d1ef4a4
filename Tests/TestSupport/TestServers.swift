import Foundation

/// Starts the Python test servers of Tests/Servers as subprocesses on free loopback ports, with
/// the venv that `scripts/test-servers` installs: moto (the AWS wire protocols) behind an outage
/// proxy, and the mutual-TLS credentials endpoint minting from it. Every test target that talks
/// to them uses these.
public enum TestServers {
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let serversDirectory = repoRoot.appendingPathComponent("Tests/Servers")
    public static let python = repoRoot.appendingPathComponent(".venv-test/bin/python").path

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw SetupError(
                description:
                    "\(python) is missing: run scripts/test-servers first (it installs moto, awscrt, "
                    + "boto3 and cryptography into .venv-test/)")
        }
    }

    /// The test PKI, made once per test process in a temporary directory.
    public static let pki: Result<URL, SetupError> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sensorstation-pki-\(getpid())")
        do {
            let out = try run(
                "/bin/bash", [serversDirectory.appendingPathComponent("pki.sh").path, dir.path])
            guard out.status == 0 else {
                return .failure(SetupError(description: "pki.sh failed: \(out.stderr)"))
            }
            return .success(dir)
        } catch {
            return .failure(SetupError(description: "pki.sh could not run: \(error)"))
        }
    }()

    public static func pkiFile(_ name: String) throws -> String {
        try pki.get().appendingPathComponent(name).path
    }

    /// Runs a program to completion; stdout and stderr as text.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errData = LockedData()
        let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while errData.get() == nil { usleep(1000) }
        return (
            p.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData.get()!, as: UTF8.self)
        )
    }

    /// Runs a Python script from Tests/Servers with the venv's interpreter.
    public static func runPython(_ script: String, _ arguments: [String], stdin: Data? = nil) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try requireVenv()
        return try run(
            python, [serversDirectory.appendingPathComponent(script).path] + arguments, stdin: stdin)
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    func set(_ d: Data) { lock.lock(); value = d; lock.unlock() }
    func get() -> Data? { lock.lock(); defer { lock.unlock() }; return value }
}

/// A long-running server subprocess that announces itself with one JSON line on stdout.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let announcement: [String: Any]
    public let logPath: String
    let stdinPipe = Pipe()

    public init(script: String, arguments: [String], timeout: TimeInterval = 60) throws {
        try TestServers.requireVenv()
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "sensorstation-\(script)-\(UUID()).log"
            ).path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestServers.python)
        process.arguments = [TestServers.serversDirectory.appendingPathComponent(script).path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: logPath)
        // Our end of its stdin stays open while we live: the server exits on EOF, so no server
        // outlives the test process, even one kept in a static.
        process.standardInput = stdinPipe
        try process.run()
        // Read the announcement line (blocking; the server prints it once it listens).
        var line = Data()
        let deadline = Date().addingTimeInterval(timeout)
        let handle = out.fileHandleForReading
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }  // EOF: the server died
            line.append(chunk)
            if line.contains(0x0A) { break }
        }
        let first = line.split(separator: 0x0A).first.map { Data($0) } ?? Data()
        guard let json = try? JSONSerialization.jsonObject(with: first) as? [String: Any] else {
            process.terminate()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestServers.SetupError(description: "\(script) did not start: \(log.suffix(2000))")
        }
        announcement = json
    }

    public func int(_ key: String) -> Int { announcement[key] as? Int ?? 0 }
    public func string(_ key: String) -> String { announcement[key] as? String ?? "" }

    /// Closes the server's stdin (it exits on EOF), then terminates it and waits.
    public func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Plain-HTTP POST/GET to a control port, without AsyncHTTPClient (keeps the tests' control path
/// independent of the code under test).
public enum Control {
    public static func request(port: Int, method: String, path: String, json: [String: Any]? = nil) throws
        -> [String: Any]
    {
        var args = [
            "-c",
            """
            import sys, json, http.client
            c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=30)
            body = sys.stdin.read().encode() or None
            c.request(sys.argv[2], sys.argv[3], body=body, headers={'Content-Type': 'application/json'})
            print(c.getresponse().read().decode())
            """,
        ]
        args += [String(port), method, path]
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        let r = try TestServers.run(TestServers.python, args, stdin: body ?? Data())
        guard r.status == 0,
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        else {
            throw TestServers.SetupError(description: "control \(method) \(path) failed: \(r.stderr)")
        }
        return obj
    }
}

/// moto behind the outage proxy, set up and with signature checking on.
public final class MotoStack: @unchecked Sendable {
    public let server: ServerProcess
    public var port: Int { server.int("port") }
    public var controlPort: Int { server.int("control_port") }
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The IAM user's access key id and secret, as the stack announced them.
    public var userKeys: (accessKeyId: String, secretAccessKey: String) {
        let u = server.announcement["user"] as? [String: String] ?? [:]
        return (u["accessKeyId"] ?? "", u["secretAccessKey"] ?? "")
    }
    public var roleArn: String { server.string("role_arn") }
    public var bucket: String { server.string("bucket") }
    public var weatherTable: String { server.string("weather_table") }
    public var impactTable: String { server.string("impact_table") }
    public var stream: String { server.string("stream") }
    /// The alert topics (standard and FIFO) and the SQS queues subscribed to them.
    public var topicArn: String { server.string("topic_arn") }
    public var queueURL: String { server.string("queue_url") }
    public var fifoTopicArn: String { server.string("fifo_topic_arn") }
    public var fifoQueueURL: String { server.string("fifo_queue_url") }

    public init() throws {
        server = try ServerProcess(script: "moto_stack.py", arguments: [])
    }

    public func setOutage(_ on: Bool) throws {
        _ = try Control.request(port: controlPort, method: "POST", path: "/outage", json: ["on": on])
    }

    /// Once: the next request for `action` (a Query-protocol action such as `Publish`) is carried
    /// out by moto, then process `pid` is killed with SIGKILL before it gets the answer.
    public func killAfter(action: String, pid: Int32) throws {
        _ = try Control.request(
            port: controlPort, method: "POST", path: "/kill-after", json: ["action": action, "pid": Int(pid)])
    }

    /// The `impact_id` message attribute of an SNS envelope that `readback sqs-drain` or
    /// `sqs-peek` returned.
    public static func impactID(_ message: [String: Any]) -> String? {
        ((message["MessageAttributes"] as? [String: Any])?["impact_id"] as? [String: Any])?["Value"]
            as? String
    }

    /// How many processes `killAfter` has killed.
    public var killed: Int {
        get throws {
            try Control.request(port: controlPort, method: "GET", path: "/stats")["killed"] as? Int ?? 0
        }
    }

    /// boto3 (an independent client) runs `readback.py` against this moto with the IAM user's keys.
    public func readback(_ arguments: [String]) throws -> Any {
        let r = try TestServers.runPython(
            "readback.py",
            [
                "--endpoint", endpoint, "--access-key", userKeys.accessKeyId,
                "--secret-key", userKeys.secretAccessKey,
            ] + arguments)
        guard r.status == 0 else {
            throw TestServers.SetupError(description: "readback.py failed: \(r.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: [.fragmentsAllowed])
    }

    deinit { server.stop() }
}

/// The mutual-TLS credentials endpoint, minting from a MotoStack.
public final class CredentialsEndpointServer: @unchecked Sendable {
    public let server: ServerProcess
    public var port: Int { server.int("port") }
    public var controlPort: Int { server.int("control_port") }

    public init(moto: MotoStack, port: Int = 0, lifetime: Int? = nil, revokedCN: [String] = []) throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sensorstation-userkeys-\(UUID()).json")
        let u = moto.userKeys
        try JSONSerialization.data(withJSONObject: [
            "accessKeyId": u.accessKeyId, "secretAccessKey": u.secretAccessKey,
        ])
        .write(to: keys)
        var args = [
            "--cert", try TestServers.pkiFile("server.pem"), "--key", try TestServers.pkiFile("server.key"),
            "--ca", try TestServers.pkiFile("ca.pem"), "--moto", moto.endpoint, "--user-keys", keys.path,
            "--role-arn", moto.roleArn, "--port", String(port),
        ]
        if let lifetime { args += ["--lifetime", String(lifetime)] }
        if !revokedCN.isEmpty { args += ["--revoked-cn"] + revokedCN }
        server = try ServerProcess(script: "credentials_endpoint.py", arguments: args)
    }

    public func queueFailure(status: Int, message: String, count: Int = 1) throws {
        _ = try Control.request(
            port: controlPort, method: "POST", path: "/fail",
            json: ["status": status, "message": message, "count": count])
    }

    public func setLifetime(_ seconds: Int?) throws {
        _ = try Control.request(
            port: controlPort, method: "POST", path: "/lifetime",
            json: ["seconds": seconds.map { $0 as Any } ?? NSNull()])
    }

    public func stats() throws -> [String: Any] {
        try Control.request(port: controlPort, method: "GET", path: "/stats")
    }

    deinit { server.stop() }
}
