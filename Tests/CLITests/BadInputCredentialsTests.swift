import Cloud
import Foundation
import TestSupport
import Testing

/// The certificate, key and credentials-response rows of docs/bad-inputs.md, through the real
/// `sensorstation credentials check` against the local mutual-TLS endpoint (Tests/Servers:
/// credentials_endpoint.py minting from moto STS, the PKI of pki.sh). Each row checks the exact
/// line the user reads, the exit status, and the state after it: the input files are unchanged,
/// nothing is created next to them, and the endpoint minted nothing (a refused or broken answer
/// never yields credentials).
/// The provider requests nothing until the clock is synchronised: each row's configuration points
/// upload.clock_sync_marker at a file next to its inputs (the machine's own NTP state is not used).
@Suite(
    "Bad-input catalogue (certificates and credentials responses, CLI)", .serialized, .timeLimit(.minutes(5)))
struct BadInputCredentialsTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var certificate = "good.pem"
        var key = "good.key"
        var ca = "ca.pem"
        /// Contents of a passphrase file (upload.passphrase_file), if any.
        var passphrase: String?
        /// Failures queued at the endpoint before the run (POST /fail bodies).
        var queue: [[String: any Sendable]] = []
        var status: Int32
        /// One whole line of stderr, exactly; `$E` is the endpoint (127.0.0.1:PORT), `$DIR` the row's directory.
        var message: String
        /// Requests the endpoint receives (attempts: 1, or 3 when the failure is retried).
        var requests = 1
        var testDescription: String { name }
    }

    static let rejected = "refused the device certificate"

    static let rows: [Row] = [
        // Certificates and keys: checked before anything is sent (no request reaches the endpoint).
        Row(
            name: "certificate missing", certificate: "none.pem", status: 78,
            message: "sensorstation: cannot read $DIR/none.pem: no such file or not readable", requests: 0),
        Row(
            name: "key readable by group and others (mode 644)", key: "open.key", status: 77,
            message:
                "sensorstation: private key $DIR/open.key is readable by group or others (mode 644); refusing to use it: run `chmod 600 $DIR/open.key`",
            requests: 0),
        Row(
            name: "key not matching the certificate", key: "other.key", status: 78,
            message:
                "sensorstation: private key $DIR/other.key does not belong to certificate $DIR/good.pem: use the key made with that certificate",
            requests: 0),
        Row(
            name: "wrong passphrase", key: "good-pkcs8-enc.key", passphrase: "not the passphrase\n",
            status: 78,
            message:
                "sensorstation: private key $DIR/good-pkcs8-enc.key cannot be loaded (wrong passphrase, or not a PEM key): failedToLoadPrivateKey",
            requests: 0),
        Row(
            name: "encrypted key, no passphrase configured", key: "good-pkcs8-enc.key", status: 78,
            message:
                "sensorstation: private key $DIR/good-pkcs8-enc.key cannot be loaded (wrong passphrase, or not a PEM key): failedToLoadPrivateKey (if the key is encrypted, set upload.passphrase_file or the key-passphrase systemd credential)",
            requests: 0),
        // Refused in the TLS handshake: no HTTP request is made, nothing is minted.
        Row(
            name: "expired certificate", certificate: "expired.pem", key: "expired.key", status: 77,
            message:
                "sensorstation: $E refused the device certificate (TLS alert CERTIFICATE_EXPIRED during the handshake): register and activate it in AWS IoT in this account and region, or check the endpoint",
            requests: 0),
        Row(
            name: "certificate from another CA", certificate: "rogue.pem", key: "rogue.key", status: 77,
            message:
                "sensorstation: $E refused the device certificate (TLS alert ALERT_UNKNOWN_CA during the handshake): register and activate it in AWS IoT in this account and region, or check the endpoint",
            requests: 0),
        Row(
            name: "CA bundle that does not trust the endpoint", ca: "rogue-ca.pem", status: 69,
            message:
                "sensorstation: cannot reach $E: the server's certificate is not trusted by the CA bundle (CERTIFICATE_VERIFY_FAILED); retrying with backoff",
            requests: 0),
        Row(
            name: "certificate of another thing", certificate: "other.pem", key: "other.key", status: 77,
            message:
                "sensorstation: $E refused thing name \"TestThing\" (HTTP 403 \"Invalid thing name passed\"): the thing does not exist or is not attached to this certificate (aws iot attach-thing-principal)"
        ),
        // Credentials responses: transient answers are retried (3 attempts), then reported.
        Row(
            name: "429 burst", queue: [["status": 429, "message": "Rate exceeded", "count": 3]], status: 69,
            message:
                "sensorstation: $E is throttling credential requests (HTTP 429 \"Rate exceeded\"); retrying with backoff",
            requests: 3),
        Row(
            name: "5xx burst",
            queue: [
                ["status": 503, "message": "Service Unavailable", "count": 2],
                ["status": 500, "message": "Internal error", "count": 1],
            ], status: 69,
            message: "sensorstation: $E failed (HTTP 500 \"Internal error\"); retrying with backoff",
            requests: 3),
        Row(
            name: "connection reset", queue: [["action": "reset", "count": 3]], status: 69,
            message:
                "sensorstation: cannot reach $E: Connection reset by peer (errno 104); retrying with backoff",
            requests: 3),
    ]

    @Test(arguments: rows)
    func badInput(_ row: Row) throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: row.passphrase)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try endpoint.configuration(
            in: dir, certificate: row.certificate, key: row.key, ca: row.ca,
            passphrase: row.passphrase != nil)
        for body in row.queue { try endpoint.control("/fail", body) }
        let before = try BadInputEndpoint.snapshot(dir)
        let stats = try endpoint.stats()

        let r = try endpoint.check(config: config)

        func expand(_ s: String) -> String {
            s.replacingOccurrences(of: "$DIR", with: dir.path).replacingOccurrences(
                of: "$E", with: endpoint.address)
        }
        #expect(r.status == row.status, "stderr: \(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains(expand(row.message)), "stderr was:\n\(r.stderr)")
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
        // State: every input is byte for byte as it was, nothing new next to them, nothing minted,
        // and the endpoint saw exactly the attempts the row expects.
        #expect(try BadInputEndpoint.snapshot(dir) == before)
        let after = try endpoint.stats()
        #expect(after.issued == stats.issued)
        #expect(after.requests - stats.requests == row.requests)
        #expect(try endpoint.queuedFailures() == 0)
    }

    @Test(
        "key the service user cannot read (mode 000, as user nobody)",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func unreadableKey() throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Everything else readable by nobody; the key 000 (not group/world-readable, so only unreadable).
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            try FileManager.default.setAttributes(
                [.posixPermissions: name == "good.key" ? 0o000 : 0o644],
                ofItemAtPath: dir.appendingPathComponent(name).path)
        }
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem",
            passphrase: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        let before = try BadInputEndpoint.snapshot(dir)
        let stats = try endpoint.stats()
        let r = try endpoint.check(config: config, asNobody: true)
        #expect(r.status == 78, "stderr: \(r.stderr)")
        #expect(
            r.stderr.split(separator: "\n").map(String.init)
                .contains("sensorstation: cannot read \(dir.path)/good.key: Permission denied"),
            "stderr was:\n\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try BadInputEndpoint.snapshot(dir) == before)
        #expect(try endpoint.stats().requests == stats.requests)
    }

    @Test("503 twice, then credentials: the retry succeeds and nothing is reported as a failure")
    func burstThenSuccess() throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem", passphrase: false)
        try endpoint.control("/fail", ["status": 503, "message": "Service Unavailable", "count": 2])
        let stats = try endpoint.stats()
        let r = try endpoint.check(config: config)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.split(separator: "\n").first == "credentials obtained from \(endpoint.address)"[...])
        let after = try endpoint.stats()
        #expect(after.requests - stats.requests == 3)
        #expect(after.issued - stats.issued == 1)
        // The two 503s were logged as retried warnings, never as the final answer.
        #expect(!r.stderr.contains("sensorstation: "), "stderr: \(r.stderr)")
    }

    @Test(
        "a single-label host name (localhost, which the endpoint's certificate names) is accepted and reached"
    )
    func singleLabelHost() throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem", passphrase: false,
            host: "localhost")
        let stats = try endpoint.stats()
        let r = try endpoint.check(config: config)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(
            r.stdout.split(separator: "\n").first
                == "credentials obtained from localhost:\(endpoint.port)"[...])
        #expect(try endpoint.stats().issued - stats.issued == 1)
    }

    @Test("an expiration in the past is refused, not reported as credentials")
    func expirationInThePast() throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem", passphrase: false)
        try endpoint.control("/lifetime", ["seconds": -3600])
        defer { try? endpoint.control("/lifetime", [:]) }  // back to moto's own expiry
        let r = try endpoint.check(config: config)
        #expect(r.status == 69, "stderr: \(r.stderr)")
        // sensorstation: E answered HTTP 200 with an unexpected body: the credentials expired at T1, before the answer was sent (T2)
        let prefix =
            "sensorstation: \(endpoint.address) answered HTTP 200 with an unexpected body: the credentials expired at "
        let line = try #require(
            r.stderr.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) },
            "stderr: \(r.stderr)")
        let times = line.dropFirst(prefix.count).components(separatedBy: ", before the answer was sent (")
        #expect(times.count == 2 && times[1].hasSuffix(")"))
        let expired = try #require(AWSDate.parseISO8601(times[0]))
        let sent = try #require(AWSDate.parseISO8601(String(times[1].dropLast())))
        #expect(abs(sent.timeIntervalSince(expired) - 3600) <= 2)
        #expect(r.stdout.isEmpty)
    }

    @Test(
        "a clock an hour off either way: credentials come; the skew line says AWS will refuse signed requests",
        arguments: [3600, -3600])
    func clockSkewOfAnHour(endpointAhead: Int) throws {
        let endpoint = try BadInputEndpoint.shared.get()
        let dir = try endpoint.inputs(passphrase: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem", passphrase: false)
        // The endpoint's clock (its Date header and the expiration it hands out) an hour off ours.
        try endpoint.control("/skew", ["seconds": endpointAhead])
        defer { try? endpoint.control("/skew", ["seconds": 0]) }
        let r = try endpoint.check(config: config)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let suffix =
            " s (local clock minus endpoint's Date header): more than 5 min, AWS will refuse signed requests (RequestTimeTooSkewed); check NTP"
        let line = try #require(lines.first { $0.hasPrefix("clock skew:    ") }, "stdout: \(r.stdout)")
        #expect(line.hasSuffix(suffix), "\(line)")
        // The number: local minus endpoint (the header has a resolution of 1 s).
        let seconds = try #require(Double(line.dropFirst("clock skew:    ".count).dropLast(suffix.count)))
        #expect(abs(seconds + Double(endpointAhead)) < 1.5, "\(line)")
        // By our clock the 15-minute credentials expire in 75 min (endpoint ahead) or expired 45 min ago (behind).
        let expires = try #require(lines.first { $0.hasPrefix("expires:       ") }, "stdout: \(r.stdout)")
        #expect(
            expires.hasSuffix(endpointAhead > 0 ? "(in 75 min)" : "(expired 45 min ago)")
                || expires.hasSuffix(endpointAhead > 0 ? "(in 74 min)" : "(expired 44 min ago)"), "\(expires)"
        )
    }
}

/// moto and the credentials endpoint for this process's catalogue rows (their own instances: the
/// rows queue failures, which must not reach other suites).
final class BadInputEndpoint: @unchecked Sendable {
    static let shared: Result<BadInputEndpoint, TestServers.SetupError> = {
        do { return .success(try BadInputEndpoint()) } catch let e as TestServers.SetupError {
            return .failure(e)
        } catch {
            return .failure(TestServers.SetupError(description: "\(error)"))
        }
    }()

    let pki: URL
    let moto: MotoStack
    let endpoint: CredentialsEndpointServer
    var port: Int { endpoint.port }
    var address: String { "127.0.0.1:\(port)" }

    init() throws {
        pki = try TestServers.pki.get()
        moto = try MotoStack()
        endpoint = try CredentialsEndpointServer(moto: moto)
    }

    /// A fresh directory with copies of the PKI files (and a passphrase file): each row's inputs.
    func inputs(passphrase: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sensorstation-badinput-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in [
            "ca.pem", "rogue-ca.pem", "good.pem", "good.key", "good-pkcs8-enc.key", "expired.pem",
            "expired.key",
            "rogue.pem", "rogue.key", "other.pem", "other.key", "open.key",
        ] {
            try FileManager.default.copyItem(
                at: pki.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        // The clock-synchronisation marker (upload.clock_sync_marker), as systemd-timesyncd writes one.
        FileManager.default.createFile(
            atPath: dir.appendingPathComponent("synchronized").path, contents: Data())
        if let passphrase {
            let url = dir.appendingPathComponent("passphrase.txt")
            try Data(passphrase.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        }
        return dir
    }

    /// The configuration file for `credentials check`, written next to the inputs.
    func configuration(
        in dir: URL, certificate: String, key: String, ca: String, passphrase: Bool,
        host: String = "127.0.0.1"
    ) throws -> URL {
        let url = dir.appendingPathComponent("config.yaml")
        var text = """
            station:
              thing_name: TestThing
            upload:
              region: us-east-1
              credentials_endpoint: \(host)
              role_alias: sensorstation
              certificate: \(dir.path)/\(certificate)
              private_key: \(dir.path)/\(key)
              ca_bundle: \(dir.path)/\(ca)
              clock_sync_marker: \(dir.path)/synchronized

            """
        if passphrase { text += "  passphrase_file: \(dir.path)/passphrase.txt\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// `sensorstation credentials check --config FILE --endpoint-port PORT --clock-wait 0`.
    func check(config: URL, asNobody: Bool = false) throws -> CLIResult {
        try CLI.runMinimal(
            [
                "credentials", "check", "--config", config.path, "--endpoint-port", String(port),
                "--clock-wait", "0",
            ],
            asNobody: asNobody, timeout: 120)
    }

    /// Names, sizes, modes and contents of every file in the directory.
    static func snapshot(_ dir: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let path = dir.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            // Read as root (the test): a mode-000 file is still compared by content.
            let data = FileManager.default.contents(atPath: path) ?? Data()
            result[name] = "\(String(mode, radix: 8)) \(data.count) \(data.base64EncodedString())"
        }
        return result
    }

    func control(_ path: String, _ body: [String: any Sendable]) throws {
        _ = try Control.request(
            port: endpoint.controlPort, method: "POST", path: path, json: body.mapValues { $0 as Any })
    }

    func stats() throws -> (requests: Int, issued: Int) {
        let o = try endpoint.stats()
        return (o["requests"] as? Int ?? -1, o["issued"] as? Int ?? -1)
    }

    /// Failures queued but not yet consumed (a row must use exactly what it queued).
    func queuedFailures() throws -> Int {
        try endpoint.stats()["queued"] as? Int ?? -1
    }

}
