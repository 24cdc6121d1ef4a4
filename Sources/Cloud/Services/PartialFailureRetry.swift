/// How a batch call sends again the part the service did not take (DynamoDB's
/// UnprocessedItems, the Kinesis records with an ErrorCode): at most `maxAttempts` calls in all,
/// with jittered exponential backoff between them.
public struct PartialFailureRetry: Sendable {
    public var maxAttempts: Int
    public var backoff: Backoff
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 8, backoff: Backoff = Backoff(base: .milliseconds(50), cap: .seconds(5)),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.sleep = sleep
        self.random = random
    }

    /// After `attempts` calls that left something behind: false when they are all spent, else
    /// waits out the backoff and returns true.
    func again(after attempts: Int) async -> Bool {
        guard attempts < maxAttempts else { return false }
        try? await sleep(backoff.delay(attempt: attempts - 1, random: random()))
        return true
    }
}

extension AWSClient {
    /// The client of a regional service at its AWS endpoint (`https://service.region.amazonaws.com`),
    /// or at `endpoint` (a local server in tests, a VPC endpoint).
    static func regional(
        service: String, region: String, endpoint: String?, credentials: any AWSCredentialsSource,
        httpClient: HTTPClientSelection
    ) -> AWSClient {
        AWSClient(
            endpoint: endpoint ?? "https://\(service).\(region).amazonaws.com", region: region,
            service: service,
            credentials: credentials, httpClient: httpClient.client)
    }
}
