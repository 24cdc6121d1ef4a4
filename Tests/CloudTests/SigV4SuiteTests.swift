import Foundation
import Testing

@testable import Cloud

/// One case folder of the published SigV4 suite (aws-c-auth), parsed from its files.
struct SigV4SuiteCase: CustomTestStringConvertible, Sendable {
    let name: String
    let request: SigningRequest
    let credentials: AWSCredentials
    let region: String
    let service: String
    let date: Date
    let options: SigV4Signer.Options
    let expectedCanonicalRequest: String
    let expectedStringToSign: String
    let expectedSignature: String
    let expectedAuthorization: String

    var testDescription: String { name }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4")

    /// Every folder of the suite; a folder that cannot be parsed fails the test that lists them.
    static func all() -> [SigV4SuiteCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            var isDir: ObjCBool = false
            guard
                FileManager.default.fileExists(
                    atPath: directory.appendingPathComponent(name).path, isDirectory: &isDir),
                isDir.boolValue
            else { return nil }
            return try? SigV4SuiteCase(name: name)
        }
    }

    static func folderCount() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(name).path, isDirectory: &isDir)
                && isDir.boolValue
        }.count
    }

    struct ParseError: Error { let message: String }

    init(name: String) throws {
        self.name = name
        let dir = Self.directory.appendingPathComponent(name)
        func text(_ file: String) throws -> String {
            try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
        }
        let context =
            try JSONSerialization.jsonObject(with: Data(try text("context.json").utf8)) as? [String: Any]
            ?? [:]
        let creds = context["credentials"] as? [String: Any] ?? [:]
        credentials = AWSCredentials(
            accessKeyId: creds["access_key_id"] as? String ?? "",
            secretAccessKey: creds["secret_access_key"] as? String ?? "",
            sessionToken: creds["token"] as? String)
        region = context["region"] as? String ?? ""
        service = context["service"] as? String ?? ""
        guard let ts = context["timestamp"] as? String, let d = AWSDate.parseISO8601(ts) else {
            throw ParseError(message: "\(name): bad timestamp")
        }
        date = d
        options = SigV4Signer.Options(
            normalizePath: context["normalize"] as? Bool ?? true, encodePath: true,
            addContentSHA256Header: context["sign_body"] as? Bool ?? false,
            signSessionToken: !(context["omit_session_token"] as? Bool ?? false))

        // request.txt: "METHOD path[?query] HTTP/1.1", header lines (a line starting with
        // whitespace continues the previous value: obs-fold), a blank line, the body.
        let raw = try text("request.txt")
        var lines = raw.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        guard let sp = requestLine.firstIndex(of: " "),
            let httpRange = requestLine.range(of: " HTTP/", options: .backwards)
        else {
            throw ParseError(message: "\(name): bad request line")
        }
        let method = String(requestLine[..<sp])
        let target = String(requestLine[requestLine.index(after: sp)..<httpRange.lowerBound])
        var headers: [HTTPField] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody { bodyLines.append(line); continue }
            if line.isEmpty { inBody = true; continue }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(message: "\(name): bad header \(line)")
            }
            headers.append(HTTPField(String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let body = bodyLines.joined(separator: "\n")
        let path: String, query: String
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q]); query = String(target[target.index(after: q)...])
        } else {
            path = target; query = ""
        }
        request = SigningRequest(
            method: method, path: path, query: query, headers: headers, payload: .bytes(Array(body.utf8)))

        expectedCanonicalRequest = try text("header-canonical-request.txt")
        expectedStringToSign = try text("header-string-to-sign.txt")
        expectedSignature = try text("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines)
        let signed = try text("header-signed-request.txt")
        guard let auth = signed.components(separatedBy: "\n").first(where: { $0.hasPrefix("Authorization:") })
        else {
            throw ParseError(message: "\(name): no Authorization in header-signed-request.txt")
        }
        expectedAuthorization = String(auth.dropFirst("Authorization:".count))
    }
}

@Suite("SigV4 published suite (aws-c-auth v4, header form)")
struct SigV4SuiteTests {
    @Test("every case folder of the suite parses; none is skipped")
    func suiteIsComplete() {
        let parsed = SigV4SuiteCase.all()
        #expect(SigV4SuiteCase.folderCount() == 38)
        #expect(parsed.count == SigV4SuiteCase.folderCount())
    }

    @Test(
        "canonical request, string to sign, signature and Authorization match",
        arguments: SigV4SuiteCase.all())
    func signsLikeTheSuite(_ c: SigV4SuiteCase) {
        let signed = SigV4Signer.sign(
            request: c.request, credentials: c.credentials, region: c.region,
            service: c.service, date: c.date, options: c.options)
        #expect(signed.canonicalRequest == c.expectedCanonicalRequest)
        #expect(signed.stringToSign == c.expectedStringToSign)
        #expect(signed.signature == c.expectedSignature)
        #expect(signed.authorization == c.expectedAuthorization)
        // The token is sent whenever there is one, signed or not.
        if let token = c.credentials.sessionToken {
            #expect(signed.allHeaders.contains(HTTPField("X-Amz-Security-Token", token)))
        }
    }
}
