import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Storage

/// Where signing credentials come from: the IoT credentials provider on a device, fixed keys in
/// tests and benchmarks.
public protocol AWSCredentialsSource: Sendable {
    func credentials() async throws(CredentialsError) -> AWSCredentials
    /// Called after a service answered that the credentials are expired or invalid.
    func invalidate() async
}

extension CredentialsProvider: AWSCredentialsSource {}

public struct StaticCredentials: AWSCredentialsSource {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws(CredentialsError) -> AWSCredentials { value }
    public func invalidate() async {}
}

/// Why an AWS call failed, with the service, endpoint, status and the service's own error code.
public enum AWSRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case credentials(CredentialsError)
    case network(service: String, endpoint: String, reason: String)
    case service(service: String, endpoint: String, status: Int, code: String, message: String)
    case invalidResponse(service: String, endpoint: String, reason: String)
    case invalidRequest(service: String, reason: String)

    /// Network errors, 5xx, throttling and expired credentials are worth retrying.
    public var isRetryable: Bool {
        switch self {
        case .credentials(let c): return c.isTransient || c == .clockNotSynchronised
        case .network: return true
        case .service(_, _, let status, let code, _):
            return status >= 500 || status == 429 || Self.throttlingCodes.contains(code)
                || Self.expiredCodes.contains(code)
        case .invalidResponse: return true
        case .invalidRequest: return false
        }
    }

    public var isExpiredCredentials: Bool {
        if case .service(_, _, _, let code, _) = self { return Self.expiredCodes.contains(code) }
        return false
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ProvisionedThroughputExceededException", "Throttled",
        "RequestLimitExceeded", "SlowDown", "LimitExceededException",
    ]
    static let expiredCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    public var description: String {
        switch self {
        case .credentials(let e): return "\(e)"
        case .network(let s, let e, let r): return "\(s) at \(e) unreachable: \(r)"
        case .service(let s, let e, let status, let code, let m):
            return "\(s) at \(e) answered HTTP \(status) \(code): \(m)"
        case .invalidResponse(let s, let e, let r): return "\(s) at \(e) sent an unexpected answer: \(r)"
        case .invalidRequest(let s, let r): return "\(s) request not sent: \(r)"
        }
    }
}

/// A response: status, headers, body.
public struct AWSResponse: Sendable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPField], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Signs (SigV4) and sends one request to an AWS service endpoint with AsyncHTTPClient.
public struct AWSClient: Sendable {
    /// `https://host[:port]` or `http://127.0.0.1:port` (tests), without a trailing slash.
    public let endpoint: String
    public let region: String
    public let service: String
    public let credentials: any AWSCredentialsSource
    let httpClient: HTTPClient
    let now: @Sendable () -> Date
    let timeout: Duration

    public init(
        endpoint: String, region: String, service: String, credentials: any AWSCredentialsSource,
        httpClient: HTTPClient = HTTPClientSelection.shared.client, timeout: Duration = .seconds(30),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.service = service
        self.credentials = credentials
        self.httpClient = httpClient
        self.timeout = timeout
        self.now = now
    }

    /// The `Host` header value: the endpoint without scheme.
    public var host: String {
        var h = Substring(endpoint)
        if let r = h.range(of: "://") { h = h[r.upperBound...] }
        if let slash = h.firstIndex(of: "/") { h = h[..<slash] }
        return String(h)
    }

    /// - Parameters:
    ///   - path: the wire path, percent-encoded, starting with `/`.
    ///   - query: the wire query without `?`.
    public func send(
        method: String, path: String, query: String = "", headers: [HTTPField], body: [UInt8],
        options: SigV4Signer.Options
    ) async throws(AWSRequestError) -> AWSResponse {
        let creds: AWSCredentials
        do { creds = try await credentials.credentials() } catch { throw .credentials(error) }
        let request = SigningRequest(
            method: method, path: path, query: query,
            headers: [HTTPField("host", host)] + headers, payload: .bytes(body))
        let signed = SigV4Signer.sign(
            request: request, credentials: creds, region: region, service: service,
            date: now(), options: options)
        var http = HTTPClientRequest(url: endpoint + path + (query.isEmpty ? "" : "?" + query))
        http.method = HTTPMethod(rawValue: method)
        for field in signed.allHeaders { http.headers.add(name: field.name, value: field.value) }
        http.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await httpClient.execute(
                http, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            var buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            let result = AWSResponse(
                status: Int(response.status.code),
                headers: response.headers.map { HTTPField($0.name, $0.value) }, body: bytes)
            if !(200..<300).contains(result.status) {
                let error = AWSErrorParser.parse(service: service, endpoint: endpoint, response: result)
                if error.isExpiredCredentials { await credentials.invalidate() }
                throw error
            }
            return result
        } catch let e as AWSRequestError {
            throw e
        } catch {
            throw .network(
                service: service, endpoint: endpoint, reason: NetworkFailure.describe(error, timeout: timeout)
            )
        }
    }
}

/// Service error bodies: JSON (`__type`, `message`) for DynamoDB/Kinesis, XML (`<Code>`,
/// `<Message>`) for S3 and for moto's auth failures.
package enum AWSErrorParser {
    package static func parse(service: String, endpoint: String, response: AWSResponse) -> AWSRequestError {
        let text = String(decoding: response.body.prefix(8192), as: UTF8.self)
        var code = "", message = ""
        if let obj = try? JSONSerialization.jsonObject(with: Data(response.body.prefix(8192)))
            as? [String: Any]
        {
            code =
                (obj["__type"] as? String ?? obj["code"] as? String ?? "").split(separator: "#").last.map(
                    String.init) ?? ""
            message = obj["message"] as? String ?? obj["Message"] as? String ?? ""
        } else {
            code = xmlElement("Code", in: text) ?? ""
            message = xmlElement("Message", in: text) ?? ""
        }
        if code.isEmpty {
            code =
                response.headers.first { $0.name.lowercased() == "x-amzn-errortype" }?.value
                .split(separator: ":").first.map(String.init) ?? "HTTP\(response.status)"
        }
        return .service(
            service: service, endpoint: endpoint, status: response.status, code: code,
            message: String(message.prefix(300)))
    }

    package static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}
