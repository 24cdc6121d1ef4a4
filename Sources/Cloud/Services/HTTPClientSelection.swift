import AsyncHTTPClient

/// Which AsyncHTTPClient the service clients use: the process-wide shared one (no shutdown
/// needed) or one the caller owns and shuts down.
public struct HTTPClientSelection: Sendable {
    public let client: HTTPClient

    /// The service clients' process-wide client, never shut down. Unlike AsyncHTTPClient's own
    /// `.shared`, it does not retry a refused or unreachable connect until the request's deadline
    /// (30 s, during which a live stream stalls and says nothing): the error comes at once, and
    /// the callers' own backoff decides when to try again.
    public static let shared = HTTPClientSelection(
        client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: serviceConfiguration))

    /// Connect within 10 s, no connect retries, no redirects (a signed request must not be
    /// replayed elsewhere).
    public static var serviceConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10))
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    public init(client: HTTPClient) { self.client = client }
}
