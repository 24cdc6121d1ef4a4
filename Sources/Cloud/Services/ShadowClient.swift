import Foundation
import Storage

/// The AWS IoT Device Shadow over the data plane's REST API (HTTPS and SigV4, signing name
/// `iotdata`; no MQTT): `GetThingShadow` and `UpdateThingShadow` of a thing's classic shadow.
///
/// The endpoint is the account's data endpoint (`aws iot describe-endpoint --endpoint-type
/// iot:Data-ATS`: `https://a1b2c3-ats.iot.eu-west-1.amazonaws.com`).
public struct ShadowClient: Sendable {
    let client: AWSClient
    public let thing: String

    /// The service's limit on a shadow document's state (desired and reported, without
    /// metadata): 8 KiB.
    public static let maxStateBytes = 8 * 1024
    /// The most an answer may be: a full document with its metadata stays far below.
    static let maxAnswerBytes = 64 * 1024

    /// A shadow as `GetThingShadow` returns it: the desired and reported states (objects) and the
    /// document's version.
    public struct Document: Sendable, Equatable {
        public var version: Int64
        public var desired: [String: JSONValue]
        public var reported: [String: JSONValue]
        /// What desired holds that reported does not (the service computes it).
        public var delta: [String: JSONValue]

        public init(
            version: Int64, desired: [String: JSONValue] = [:], reported: [String: JSONValue] = [:],
            delta: [String: JSONValue] = [:]
        ) {
            self.version = version
            self.desired = desired
            self.reported = reported
            self.delta = delta
        }
    }

    public init(
        endpoint: String, region: String, thing: String, credentials: any AWSCredentialsSource,
        httpClient: HTTPClientSelection = .shared, timeout: Duration = .seconds(15)
    ) {
        let url =
            endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://") ? endpoint : "https://" + endpoint
        client = AWSClient(
            endpoint: url, region: region, service: "iotdata", credentials: credentials,
            httpClient: httpClient.client, timeout: timeout)
        self.thing = thing
    }

    public var endpoint: String { client.endpoint }

    /// `/things/<thing>/shadow`, the thing name percent-encoded (a name may hold `:`).
    var path: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        let name = thing.addingPercentEncoding(withAllowedCharacters: allowed) ?? thing
        return "/things/\(name)/shadow"
    }

    /// The shadow, or nil when the thing has none yet (404 ResourceNotFoundException).
    public func get() async throws(AWSRequestError) -> Document? {
        let answer: AWSResponse
        do {
            answer = try await client.send(
                method: "GET", path: path, headers: [], body: [], options: .standard)
        } catch {
            if case .service(_, _, 404, _, _) = error { return nil }
            throw error
        }
        do { return try Self.document(fromAnswer: answer.body) } catch {
            throw .invalidResponse(service: "iotdata", endpoint: client.endpoint, reason: error.description)
        }
    }

    /// Sends an update document (`{"state": {...}, "version": N}`); returns the shadow's new
    /// version. With a version the service refuses (409 ConflictException) when the shadow has
    /// changed since: `isConflict`.
    @discardableResult
    public func update(_ document: String) async throws(AWSRequestError) -> Int64 {
        let answer = try await client.send(
            method: "POST", path: path, headers: [HTTPField("content-type", "application/json")],
            body: Array(document.utf8), options: .standard)
        do { return try Self.document(fromAnswer: answer.body).version } catch {
            throw .invalidResponse(service: "iotdata", endpoint: client.endpoint, reason: error.description)
        }
    }

    /// Whether the service refused an update because the shadow's version moved on.
    public static func isConflict(_ error: AWSRequestError) -> Bool {
        if case .service(_, _, 409, _, _) = error { return true }
        return false
    }

    public struct AnswerError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a `GetThingShadow` or `UpdateThingShadow` answer. Untrusted: anything but a JSON
    /// object with a whole, non-negative `version` and object-valued states is an error that
    /// says what is wrong; never a crash.
    package static func document(fromAnswer bytes: [UInt8]) throws(AnswerError) -> Document {
        guard bytes.count <= maxAnswerBytes else {
            throw AnswerError(
                description: "the shadow answer is \(bytes.count) bytes; at most \(maxAnswerBytes) expected")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw AnswerError(description: "the shadow answer is not JSON")
        }
        guard case .object(let top) = value else {
            throw AnswerError(description: "the shadow answer is not a JSON object")
        }
        guard case .int(let version)? = top["version"], version >= 0 else {
            throw AnswerError(description: "the shadow answer has no whole, non-negative \"version\"")
        }
        var document = Document(version: version)
        switch top["state"] {
        case nil, .null?: break
        case .object(let state)?:
            func part(_ name: String) throws(AnswerError) -> [String: JSONValue] {
                switch state[name] {
                case nil, .null?: return [:]
                case .object(let o)?: return o
                case _?: throw AnswerError(description: "the shadow answer's state.\(name) is not an object")
                }
            }
            document.desired = try part("desired")
            document.reported = try part("reported")
            document.delta = try part("delta")
        case _?:
            throw AnswerError(description: "the shadow answer's \"state\" is not an object")
        }
        return document
    }
}
