import Foundation

/// One header as it will be sent. Order matters only for repeated names (SigV4 joins their values
/// with `,` in the order given).
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What SigV4 needs to know about a request: method, the path and query exactly as they go on the
/// wire (already percent-encoded), the headers to sign (including `host`), and the payload.
public struct SigningRequest: Sendable, Equatable {
    public enum Payload: Sendable, Equatable {
        /// The body bytes; the signer hashes them (SHA-256).
        case bytes([UInt8])
        /// A precomputed lowercase hex SHA-256 of the body (for bodies hashed while being built).
        case sha256Hex(String)
        /// `UNSIGNED-PAYLOAD` (S3 only, over TLS).
        case unsigned
    }

    public var method: String
    /// The path as sent on the wire, percent-encoded, starting with `/`.
    public var path: String
    /// The query as sent on the wire without `?`; empty when there is none.
    public var query: String
    public var headers: [HTTPField]
    public var payload: Payload

    public init(method: String, path: String, query: String = "", headers: [HTTPField], payload: Payload) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// The lowercase hex SHA-256 the canonical request ends with.
    public var payloadHash: String {
        switch payload {
        case .bytes(let b): return SigV4Signer.hexSHA256(b)
        case .sha256Hex(let h): return h
        case .unsigned: return "UNSIGNED-PAYLOAD"
        }
    }
}

/// The result of signing: the headers to add to the request, and the intermediate values (for
/// tests against the published suite and for debugging a `SignatureDoesNotMatch`).
public struct SignedRequest: Sendable, Equatable {
    /// `X-Amz-Date`, `x-amz-content-sha256` (when requested), `X-Amz-Security-Token` (when there
    /// is a session token) and `Authorization`, in that order.
    public var addedHeaders: [HTTPField]
    /// The request's own headers followed by `addedHeaders`: everything to send.
    public var allHeaders: [HTTPField]
    public var canonicalRequest: String
    public var stringToSign: String
    /// Lowercase hex HMAC-SHA256.
    public var signature: String
    public var authorization: String
}
