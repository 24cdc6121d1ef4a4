import Foundation

/// Temporary (or long-lived) AWS credentials: what SigV4 signs with.
///
/// The secret never appears in `description`, logs or errors: only the access key id's first
/// characters do (see `redactedAccessKeyId`).
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// STS session token; sent as `X-Amz-Security-Token`. `nil` for long-lived IAM user keys.
    public var sessionToken: String?
    /// When the credentials stop working (from the credentials provider's `expiration`).
    public var expiration: Date?

    public init(
        accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The first `count` characters of the access key id and an ellipsis, e.g. `ASIAQ…`:
    /// enough to tell two keys apart in a log, not enough to use.
    public func redactedAccessKeyId(count: Int = 5) -> String {
        String(accessKeyId.prefix(max(0, count))) + "…"
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(redactedAccessKeyId()), secretAccessKey: <redacted>, "
            + "sessionToken: \(sessionToken == nil ? "none" : "<redacted>"), expiration: "
            + "\(expiration.map { AWSDate.iso8601($0) } ?? "none"))"
    }
}
