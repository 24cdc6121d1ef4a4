import Foundation

/// Turns the credentials provider's HTTP answer (status, headers, body) into credentials or a
/// precise `CredentialsError`. Pure and total: any input, however malformed, gives a value or an
/// error, never a trap (it is fuzzed).
public struct CredentialsResponseDecoder: Sendable {
    /// Where the request went, for the error messages.
    public var endpoint: String
    public var roleAlias: String
    public var thingName: String
    /// Bodies larger than this are refused without parsing (a real answer is about 1.3 KiB;
    /// awscrt caps it at 2 KiB).
    public var maximumBodySize: Int

    public init(endpoint: String, roleAlias: String, thingName: String, maximumBodySize: Int = 64 * 1024) {
        self.endpoint = endpoint
        self.roleAlias = roleAlias
        self.thingName = thingName
        self.maximumBodySize = maximumBodySize
    }

    /// What a 200 gives.
    public struct Decoded: Sendable, Equatable {
        public var credentials: AWSCredentials
        /// The response's `Date` header, when present and well-formed.
        public var serverDate: Date?
    }

    private struct Envelope: Decodable {
        struct Inner: Decodable {
            let accessKeyId: String
            let secretAccessKey: String
            let sessionToken: String
            let expiration: String
        }
        let credentials: Inner
    }

    // Not lowerCamelCase: AWS sends either key.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct ErrorBody: Decodable {
        let message: String?
        let Message: String?
    }

    public func decode(status: Int, headers: [HTTPField], body: [UInt8]) -> Result<Decoded, CredentialsError>
    {
        let serverDate = headers.first { $0.name.lowercased() == "date" }.flatMap {
            AWSDate.parseHTTPDate($0.value)
        }
        guard body.count <= maximumBodySize else {
            return .failure(
                .malformedResponse(
                    endpoint: endpoint, status: status,
                    reason: "body of \(body.count) bytes exceeds \(maximumBodySize)"))
        }
        if status == 200 {
            let envelope: Envelope
            do {
                envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
            } catch {
                return .failure(
                    .malformedResponse(endpoint: endpoint, status: status, reason: Self.describe(error)))
            }
            let c = envelope.credentials
            for (name, value) in [
                ("accessKeyId", c.accessKeyId), ("secretAccessKey", c.secretAccessKey),
                ("sessionToken", c.sessionToken),
            ] where value.isEmpty {
                return .failure(
                    .malformedResponse(endpoint: endpoint, status: status, reason: "\(name) is empty"))
            }
            guard let expiration = AWSDate.parseISO8601(c.expiration) else {
                return .failure(
                    .malformedResponse(
                        endpoint: endpoint, status: status,
                        reason: "expiration \"\(c.expiration.prefix(40))\" is not an ISO 8601 time"))
            }
            return .success(
                Decoded(
                    credentials: AWSCredentials(
                        accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey,
                        sessionToken: c.sessionToken, expiration: expiration),
                    serverDate: serverDate))
        }
        let message = errorMessage(headers: headers, body: body)
        let lower = message.lowercased()
        switch status {
        case 403 where lower.contains("certificate"):
            return .failure(.certificateRejected(endpoint: endpoint, message: message))
        case 403 where lower.contains("thing name"):
            return .failure(.invalidThingName(endpoint: endpoint, thingName: thingName, message: message))
        case 403:
            return .failure(.accessDenied(endpoint: endpoint, roleAlias: roleAlias, message: message))
        case 404:
            return .failure(.roleAliasNotFound(endpoint: endpoint, roleAlias: roleAlias, message: message))
        case 400 where lower.contains("credentialdurationseconds") || lower.contains("maxsessionduration"):
            return .failure(
                .durationExceedsMaxSession(endpoint: endpoint, roleAlias: roleAlias, message: message))
        case 400 where lower.contains("assume"):
            return .failure(.unableToAssumeRole(endpoint: endpoint, roleAlias: roleAlias, message: message))
        case 429:
            return .failure(.throttled(endpoint: endpoint, message: message))
        case 500...599:
            return .failure(.serverError(endpoint: endpoint, status: status, message: message))
        case 400...499:
            return .failure(.clientError(endpoint: endpoint, status: status, message: message))
        default:
            return .failure(
                .malformedResponse(endpoint: endpoint, status: status, reason: "unexpected HTTP status"))
        }
    }

    /// `{"message": "..."}` from the body, else `x-amzn-ErrorType`, else a short printable prefix
    /// of the body; at most 200 characters, control characters replaced.
    func errorMessage(headers: [HTTPField], body: [UInt8]) -> String {
        var text: String?
        if let parsed = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) {
            text = parsed.message ?? parsed.Message
        }
        if text == nil || text!.isEmpty {
            text = headers.first { $0.name.lowercased() == "x-amzn-errortype" }?.value
        }
        if text == nil || text!.isEmpty {
            text = String(decoding: body.prefix(200), as: UTF8.self)
        }
        let cleaned = String(
            String.UnicodeScalarView(
                (text ?? "").unicodeScalars.map {
                    $0.properties.generalCategory == .control ? " " : $0
                }))
        return String(cleaned.prefix(200))
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \((ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted:
            return "not JSON"
        default:
            return "cannot decode"
        }
    }
}
