import Foundation
import TestSupport
import Testing

@testable import Cloud

@Suite("CredentialsResponseDecoder")
struct CredentialsDecoderTests {
    let decoder = CredentialsResponseDecoder(
        endpoint: "abc.credentials.iot.eu-west-1.amazonaws.com",
        roleAlias: "sensorstation", thingName: "TestThing")
    static let good =
        #"{"credentials":{"accessKeyId":"ASIAEXAMPLE123","secretAccessKey":"s3cr3t","sessionToken":"tok","expiration":"2026-11-23T06:54:46Z"}}"#

    @Test("a documented 200 gives the four fields and the Date header")
    func success() throws {
        let r = decoder.decode(
            status: 200, headers: [HTTPField("Date", "Mon, 23 Nov 2026 05:54:50 GMT")],
            body: Array(Self.good.utf8))
        let d = try r.get()
        #expect(d.credentials.accessKeyId == "ASIAEXAMPLE123")
        #expect(d.credentials.secretAccessKey == "s3cr3t")
        #expect(d.credentials.sessionToken == "tok")
        // 2026-11-23T06:54:46Z = 1795416886 s since the epoch (date -u -d ... +%s).
        #expect(d.credentials.expiration == Date(timeIntervalSince1970: 1_795_416_886))
        #expect(d.serverDate == Date(timeIntervalSince1970: 1_795_416_886 - 3600 + 4))
        #expect(!d.credentials.description.contains("s3cr3t"))
        #expect(!d.credentials.description.contains("tok\""))
    }

    @Test(
        "each documented 4xx maps to its own precise error",
        arguments: [
            (403, "Certificate is invalid on this endpoint", "certificateRejected"),
            (403, "Invalid thing name passed", "invalidThingName"),
            (403, "Access Denied", "accessDenied"),
            (404, "Role alias does not exist", "roleAliasNotFound"),
            (400, "Unable to assume the role, or the role to assume does not exist", "unableToAssumeRole"),
            (
                400,
                "The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role",
                "durationExceedsMaxSession"
            ),
            (401, "Unauthorized", "clientError"),
            (429, "Rate exceeded", "throttled"),
            (503, "Service Unavailable", "serverError"),
        ])
    func documentedFailures(status: Int, message: String, expected: String) {
        let body = Array(#"{"message": "\#(message)"}"#.utf8)
        guard case .failure(let error) = decoder.decode(status: status, headers: [], body: body) else {
            Issue.record("HTTP \(status) decoded as success"); return
        }
        #expect(caseName(error) == expected)
        #expect(error.description.contains(message))
        #expect(
            error.description.contains("abc.credentials.iot.eu-west-1.amazonaws.com")
                || expected == "roleAliasNotFound")
        #expect(error.isTransient == (status == 429 || status >= 500))
    }

    @Test("the messages name what to fix")
    func actionable() {
        #expect(
            CredentialsError.invalidThingName(endpoint: "e", thingName: "TestThing", message: "m").description
                .contains("attach-thing-principal"))
        #expect(
            CredentialsError.accessDenied(endpoint: "e", roleAlias: "a", message: "m").description
                .contains("iot:AssumeRoleWithCertificate"))
        #expect(
            CredentialsError.keyFileTooOpen(path: "/etc/k.pem", mode: 0o100644).description
                .contains("chmod 600 /etc/k.pem"))
        #expect(
            CredentialsError.keyFileTooOpen(path: "/etc/k.pem", mode: 0o100644).description.contains("644"))
    }

    @Test("x-amzn-ErrorType is the message when the body has none")
    func errorTypeHeader() {
        let r = decoder.decode(
            status: 403, headers: [HTTPField("x-amzn-ErrorType", "AccessDeniedException")], body: [])
        guard case .failure(.accessDenied(_, _, let message)) = r else { Issue.record("\(r)"); return }
        #expect(message == "AccessDeniedException")
    }

    @Test(
        "malformed 200 bodies are precise errors",
        arguments: [
            ("", "not JSON"),
            ("{}", "missing credentials"),
            (
                #"{"credentials":{"accessKeyId":"A","secretAccessKey":"B","sessionToken":"C"}}"#,
                "missing credentials.expiration"
            ),
            (
                #"{"credentials":{"accessKeyId":"A","secretAccessKey":"B","sessionToken":"C","expiration":"tomorrow"}}"#,
                "not an ISO 8601"
            ),
            (
                #"{"credentials":{"accessKeyId":"","secretAccessKey":"B","sessionToken":"C","expiration":"2026-11-23T06:54:46Z"}}"#,
                "accessKeyId is empty"
            ),
            (
                #"{"credentials":{"accessKeyId":1,"secretAccessKey":"B","sessionToken":"C","expiration":"2026-11-23T06:54:46Z"}}"#,
                "wrong type"
            ),
            (
                #"{"credentials":{"accessKeyId":"A","secretAccessKey":"B","sessionToken":"C","expiration":"2026-02-30T00:00:00Z"}}"#,
                "not an ISO 8601"
            ),
            (#"[1,2,3]"#, "wrong type"),
        ])
    func malformed(body: String, reason: String) {
        let r = decoder.decode(status: 200, headers: [], body: Array(body.utf8))
        guard case .failure(.malformedResponse(_, 200, let why)) = r else { Issue.record("\(r)"); return }
        #expect(why.contains(reason), "\(why)")
    }

    @Test("ISO 8601 with fraction and offset")
    func iso() {
        #expect(
            AWSDate.parseISO8601("2026-11-23T07:54:46.500+01:00")
                == Date(timeIntervalSince1970: 1_795_416_886.5))
        #expect(AWSDate.parseISO8601("2026-11-23T06:54:46") == nil)
        #expect(AWSDate.parseISO8601("2026-11-23T06:54:46Zjunk") == nil)
        #expect(AWSDate.iso8601(Date(timeIntervalSince1970: 1_795_416_886)) == "2026-11-23T06:54:46Z")
        #expect(AWSDate.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
    }

    /// Fuzz: mutations of a good body and random bytes, with every status. The decoder must
    /// answer every input (no trap), and a success must carry non-empty fields and a date.
    @Test("fuzz: 20,000 mutated and random inputs never trap and never yield a hollow success")
    func fuzz() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        let seed = Array(Self.good.utf8)
        let alphabet = Array(#"{}[]":,0123456789-TZ.eE+ \tabcdefgASIAcredentialsexpiration\u0000\"#.utf8)
        var successes = 0
        for i in 0..<20_000 {
            var body: [UInt8]
            if i % 4 == 0 {
                body = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                body = seed
                for _ in 0...Int(rng.next() % 6) {
                    let pos = body.isEmpty ? 0 : Int(rng.next() % UInt64(body.count))
                    switch rng.next() % 4 {
                    case 0 where !body.isEmpty: body.remove(at: pos)
                    case 1: body.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: pos)
                    case 2 where !body.isEmpty: body[pos] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    default: body = Array(body.prefix(pos))
                    }
                }
            }
            let status = [200, 200, 200, 400, 403, 404, 429, 500, 503, 302, 0, -1, 999][Int(rng.next() % 13)]
            switch decoder.decode(status: status, headers: [HTTPField("Date", "garbage")], body: body) {
            case .success(let d):
                successes += 1
                #expect(status == 200)
                #expect(!d.credentials.accessKeyId.isEmpty && !d.credentials.secretAccessKey.isEmpty)
                #expect(d.credentials.expiration != nil)
                #expect(d.serverDate == nil)
            case .failure(let e):
                #expect(!e.description.isEmpty)
            }
        }
        // The mutations keep some bodies valid (e.g. changed digits): the success path is exercised.
        #expect(successes > 0)
    }

    @Test("oversized bodies are refused unparsed")
    func oversized() {
        let r = decoder.decode(status: 200, headers: [], body: [UInt8](repeating: 0x20, count: 70_000))
        guard case .failure(.malformedResponse(_, _, let why)) = r else { Issue.record("\(r)"); return }
        #expect(why.contains("exceeds"))
    }
}

/// The enum case name, for table-driven comparisons.
func caseName(_ e: CredentialsError) -> String { e.code }
