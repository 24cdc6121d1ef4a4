import AsyncHTTPClient

/// Which AsyncHTTPClient the service clients use: the process-wide shared one (no shutdown
/// needed) or one the caller owns and shuts down.
public struct HTTPClientSelection: Sendable {
    public let client: HTTPClient
    public static var shared: HTTPClientSelection { HTTPClientSelection(client: .shared) }
    public init(client: HTTPClient) { self.client = client }
}
