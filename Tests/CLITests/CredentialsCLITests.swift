import Cloud
import Foundation
import Testing

@testable import sensorstation

/// `sensorstation credentials check`: its output never holds the secret, and its exit codes map
/// each failure class as documented. (The live exchange is tested in CloudTests against the
/// mutual-TLS endpoint; the lead registers the command in SensorStationCommand.)
@Suite("credentials check")
struct CredentialsCLITests {
    static let fetch = CredentialsFetch(
        credentials: AWSCredentials(
            accessKeyId: "ASIAQEXAMPLE7777", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/SECRET",
            sessionToken: "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
            expiration: Date(timeIntervalSince1970: 1_795_416_886)),  // 2026-11-23T06:54:46Z
        serverDate: Date(timeIntervalSince1970: 1_795_413_280),
        localDate: Date(timeIntervalSince1970: 1_795_413_281.4))

    @Test("plain report: thing, key prefix, expiry in minutes, skew; no secret, no token")
    func plain() {
        let now = Date(timeIntervalSince1970: 1_795_416_886 - 59 * 60 - 10)
        let text = CredentialsCommand.Check.report(
            Self.fetch, thing: "TestThing", endpoint: "e.example", json: false,
            style: Style(enabled: false), now: now)
        #expect(text.contains("thing:         TestThing"))
        #expect(text.contains("access key id: ASIAQ…"))
        #expect(text.contains("expires:       2026-11-23T06:54:46Z (in 59 min)"))
        #expect(text.contains("clock skew:    +1.4 s"))
        #expect(!text.contains("SECRET") && !text.contains("EXAMPLETOKEN") && !text.contains("EXAMPLE7777"))
        #expect(!text.contains("\u{1B}["))  // no colour without a terminal
    }

    @Test("JSON report has the same facts and no secret")
    func json() throws {
        let now = Date(timeIntervalSince1970: 1_795_416_886 - 600)
        let text = CredentialsCommand.Check.report(
            Self.fetch, thing: "TestThing", endpoint: "e.example", json: true,
            style: Style(enabled: false), now: now)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(obj["thing_name"] as? String == "TestThing")
        #expect(obj["access_key_id_prefix"] as? String == "ASIAQ…")
        #expect(obj["expiration"] as? String == "2026-11-23T06:54:46Z")
        #expect(obj["expires_in_s"] as? Int == 600)
        #expect(abs((obj["skew_s"] as? Double ?? 0) - 1.4) < 1e-9)
        #expect(!text.contains("SECRET") && !text.contains("TOKEN"))
    }

    @Test(
        "exit codes: 78 configuration or file, 77 refused, 69 unreachable",
        arguments: [
            (CredentialsError.configurationIncomplete(missing: ["upload.role_alias"]), Int32(78)),
            (.invalidPrivateKey(path: "/k", reason: "bad decrypt"), 78),
            (.invalidCABundle(path: "/ca", reason: "missing"), 78),
            (.keyFileTooOpen(path: "/k", mode: 0o644), 77),
            (.certificateRejected(endpoint: "e", message: "Certificate is invalid on this endpoint"), 77),
            (.invalidThingName(endpoint: "e", thingName: "t", message: "Invalid thing name passed"), 77),
            (.roleAliasNotFound(endpoint: "e", roleAlias: "a", message: "Role alias does not exist"), 77),
            (.network(endpoint: "e", reason: "connection refused"), 69),
            (.serverError(endpoint: "e", status: 503, message: "x"), 69),
            (.clockNotSynchronised, 69),
        ])
    func exitCodes(error: CredentialsError, code: Int32) {
        #expect(CredentialsCommand.Check.exitCode(for: error) == code)
    }

    @Test("arguments parse; there is no option that takes a passphrase")
    func parsing() throws {
        let parsed = try CredentialsCommand.parseAsRoot([
            "check", "--endpoint-port", "8443", "--ca", "/tmp/ca.pem", "--json",
        ])
        let check = try #require(parsed as? CredentialsCommand.Check)
        #expect(check.endpointPort == 8443)
        #expect(check.ca == "/tmp/ca.pem")
        #expect(check.json)
        #expect(throws: (any Error).self) {
            try CredentialsCommand.parseAsRoot(["check", "--passphrase", "x"])
        }
        #expect(CredentialsCommand.Check.minutes(59 * 60 + 10) == "59 min")
        #expect(CredentialsCommand.Check.minutes(45) == "45 s")
    }
}
