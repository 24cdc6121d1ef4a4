import Foundation
import Logging
import Storage

/// What the provider reads from the world, injectable so tests neither wait nor depend on the
/// machine's clock.
public struct CredentialsEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in [0, 1), for backoff jitter.
    public var random: @Sendable () -> Double
    /// Whether the clock is synchronised, and how that was found out.
    public var clockState: @Sendable () -> ClockSynchronisation.State

    public init(
        now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void,
        random: @escaping @Sendable () -> Double,
        clockState: @escaping @Sendable () -> ClockSynchronisation.State
    ) {
        self.now = now
        self.sleep = sleep
        self.random = random
        self.clockState = clockState
    }

    public static let live = live(clockSyncMarker: ClockSynchronisation.defaultMarker)

    /// The real world, with the clock trusted once `clockSyncMarker` exists or the kernel says so.
    public static func live(clockSyncMarker: String) -> CredentialsEnvironment {
        CredentialsEnvironment(
            now: { Date() },
            sleep: { try await Task.sleep(for: $0) },
            random: { Double.random(in: 0..<1) },
            clockState: { ClockSynchronisation.state(marker: clockSyncMarker) })
    }
}

/// One successful exchange.
public struct CredentialsFetch: Sendable, Equatable {
    public var credentials: AWSCredentials
    /// The endpoint's `Date` header.
    public var serverDate: Date?
    /// Local time when the answer arrived.
    public var localDate: Date

    public init(credentials: AWSCredentials, serverDate: Date?, localDate: Date) {
        self.credentials = credentials
        self.serverDate = serverDate
        self.localDate = localDate
    }
    /// Local clock minus server clock (positive: ours is ahead); nil without a `Date` header.
    /// Resolution 1 s (the header's).
    public var skew: Duration? {
        serverDate.map { .milliseconds(Int64((localDate.timeIntervalSince($0) * 1000).rounded())) }
    }
}

/// What `sensorstation status` shows about credentials.
public struct CredentialsStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case notFetched
        case waitingForClock
        case fetching
        case valid
        case failing
    }
    public var state: State = .notFetched
    public var accessKeyIdPrefix: String?
    public var expiration: Date?
    public var lastSkew: Duration?
    public var lastError: CredentialsError?
    /// The last look at the clock (while waiting for it: why it is not trusted).
    public var clock: ClockSynchronisation.State?
    public var fetches: Int = 0
    public var failures: Int = 0
    /// While failing: no request before this; callers get the last error until then.
    public var nextRequest: Date?

    /// One line for a person.
    public var summary: String {
        switch state {
        case .notFetched: return "credentials: not fetched yet"
        case .waitingForClock: return "credentials: \(CredentialsError.clockNotSynchronised)"
        case .fetching: return "credentials: fetching"
        case .valid:
            return
                "credentials: \(accessKeyIdPrefix ?? "?") valid until \(expiration.map(AWSDate.iso8601) ?? "?")"
                + (lastSkew.map { ", clock skew \(Self.format($0))" } ?? "")
        case .failing:
            return "credentials: failing: \(lastError.map { "\($0)" } ?? "unknown error")"
                + (nextRequest.map { " (next request at \(AWSDate.iso8601($0)))" } ?? "")
        }
    }

    static func format(_ d: Duration) -> String {
        String(format: "%+.1f s", d.seconds)
    }
}

/// Temporary AWS credentials from the AWS IoT credentials provider, held in memory only and
/// refreshed `margin` before they expire (margin = min(configured, 20 % of the lifetime)).
/// Transient failures (429, 5xx, network) are retried with exponential backoff and full jitter;
/// operator errors (the documented 4xx) are returned at once with a precise message. After a
/// request failed for good, every caller gets its error without a request until a growing wait
/// has passed (`failureBackoff`): a wrong role alias costs the endpoint a request every few
/// minutes, not one per record to stream. Nothing is requested while the system clock is not
/// synchronised: callers wait, and the status says why.
public actor CredentialsProvider {
    public let configuration: CredentialsProviderConfiguration
    let transport: any CredentialsTransport
    let environment: CredentialsEnvironment
    let logger: Logger
    let decoder: CredentialsResponseDecoder

    private var cached: AWSCredentials?
    private var refreshAt: Date?
    private var inFlight = false
    private var waiters: [CheckedContinuation<Result<AWSCredentials, CredentialsError>, Never>] = []
    public private(set) var status = CredentialsStatus()
    /// Failures are logged when they start or change, then every 5 min at most (a retry of an
    /// unreachable endpoint would otherwise log a warning every second or so).
    private var failureLog = RepeatedFailureLog(subject: "credentials")
    /// The last failure for good and until when callers get it without a request.
    private var coolDown: (until: Date, error: CredentialsError)?
    /// Failures for good in a row (the exponent of `failureBackoff`).
    private var failuresInARow = 0

    /// The live provider: mutual TLS with the configured files (checked now).
    public init(
        configuration: CredentialsProviderConfiguration, environment: CredentialsEnvironment = .live,
        logger: Logger = Logger(label: "sensorstation.credentials")
    ) throws(CredentialsError) {
        let missing = configuration.missingKeys
        guard missing.isEmpty else { throw .configurationIncomplete(missing: missing) }
        self.init(
            configuration: configuration, transport: try MutualTLSTransport(configuration: configuration),
            environment: environment, logger: logger)
    }

    public init(
        configuration: CredentialsProviderConfiguration, transport: any CredentialsTransport,
        environment: CredentialsEnvironment, logger: Logger = Logger(label: "sensorstation.credentials")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.environment = environment
        self.logger = logger
        self.decoder = CredentialsResponseDecoder(
            endpoint: configuration.endpoint, roleAlias: configuration.roleAlias,
            thingName: configuration.thingName)
    }

    /// Valid credentials: the cached ones until their refresh time, else fresh ones. Concurrent
    /// callers during a refresh share one request.
    public func credentials() async throws(CredentialsError) -> AWSCredentials {
        if let cached, let refreshAt, environment.now() < refreshAt { return cached }
        if let coolDown, environment.now() < coolDown.until {
            // Credentials past their refresh time but not yet expired still sign.
            if let cached, let expiration = cached.expiration, environment.now() < expiration {
                return cached
            }
            throw coolDown.error
        }
        if inFlight {
            let result = await withCheckedContinuation { waiters.append($0) }
            return try result.get()
        }
        inFlight = true
        let result: Result<AWSCredentials, CredentialsError>
        do throws(CredentialsError) {
            result = .success(try await fetch().credentials)
            failuresInARow = 0
            coolDown = nil
        } catch {
            result = .failure(error)
            // A caller that was cancelled (a stream switched off, shutdown) says nothing of the endpoint.
            // An error that needs an operator waits longer each time, up to minutes; a network
            // or service error (already retried `maxAttempts` times) only briefly, so the
            // station is back within seconds of the link.
            if !Task.isCancelled {
                let ceiling =
                    error.isTransient
                    ? configuration.transientCoolDown.seconds
                    : configuration.failureBackoff.ceiling(attempt: failuresInARow).seconds
                if !error.isTransient { failuresInARow += 1 }
                let until = environment.now().addingTimeInterval(ceiling * (0.5 + 0.5 * environment.random()))
                coolDown = (until, error)
                status.nextRequest = until
            }
        }
        inFlight = false
        let pending = waiters
        waiters = []
        for w in pending { w.resume(returning: result) }
        return try result.get()
    }

    /// Forces one request (with retries of transient failures), after waiting for the clock.
    /// `clockWait` bounds that wait (nil: wait until cancelled).
    public func fetch(clockWait: Duration? = nil) async throws(CredentialsError) -> CredentialsFetch {
        try await waitForClock(atMost: clockWait)
        status.state = .fetching
        var attempt = 0
        while true {
            do throws(CredentialsError) {
                let fetched = try await fetchOnce()
                // `expiration` is on the endpoint's clock: the lifetime is measured on that clock
                // and the refresh time moved onto ours by the skew. A clock ahead would otherwise
                // shorten the lifetime (past zero: a fetch on every call); one behind would refresh
                // after the credentials had already expired.
                let serverNow = fetched.serverDate ?? fetched.localDate
                let offset = fetched.localDate.timeIntervalSince(serverNow)
                let lifetime = fetched.credentials.expiration.map { $0.timeIntervalSince(serverNow) } ?? 0
                let margin = configuration.margin(lifetime: .milliseconds(Int64(max(lifetime, 0) * 1000)))
                cached = fetched.credentials
                refreshAt = fetched.credentials.expiration.map {
                    $0.addingTimeInterval(offset - margin.seconds)
                }
                status.state = .valid
                status.accessKeyIdPrefix = fetched.credentials.redactedAccessKeyId()
                status.expiration = fetched.credentials.expiration
                status.lastSkew = fetched.skew
                status.lastError = nil
                status.nextRequest = nil
                status.fetches += 1
                if let line = failureLog.success(at: environment.now()) {
                    logger.log(level: line.level, "\(line.message)")
                }
                logger.info(
                    "credentials fetched",
                    metadata: [
                        "access_key_id": "\(fetched.credentials.redactedAccessKeyId())",
                        "expiration": "\(fetched.credentials.expiration.map(AWSDate.iso8601) ?? "?")",
                        "skew_s": "\(fetched.skew.map { $0.seconds } ?? .nan)",
                    ])
                return fetched
            } catch {
                status.failures += 1
                status.lastError = error
                status.state = .failing
                attempt += 1
                let retry = error.isTransient && attempt < configuration.maxAttempts
                let delay =
                    retry
                    ? configuration.backoff.delay(attempt: attempt - 1, random: environment.random()) : nil
                if let line = failureLog.failure(
                    "\(error)", at: environment.now(), level: error.isTransient ? .warning : .error)
                {
                    var metadata: Logger.Metadata = ["attempt": "\(attempt)"]
                    if let delay { metadata["retry_in_s"] = "\(delay.seconds)" }
                    logger.log(level: line.level, "\(line.message)", metadata: metadata)
                }
                guard let delay else { throw error }
                do { try await environment.sleep(delay) } catch {
                    throw CredentialsError.network(
                        endpoint: configuration.endpoint, reason: "cancelled while waiting to retry")
                }
            }
        }
    }

    /// One GET, no retry.
    func fetchOnce() async throws(CredentialsError) -> CredentialsFetch {
        let answer = try await transport.get(
            url: configuration.url,
            headers: [HTTPField("x-amzn-iot-thingname", configuration.thingName)],
            timeout: configuration.requestTimeout)
        let localDate = environment.now()
        let decoded = try decoder.decode(status: answer.status, headers: answer.headers, body: answer.body)
            .get()
        // by the endpoint's own clock
        if let expiry = decoded.credentials.expiration, expiry <= (decoded.serverDate ?? localDate) {
            throw .malformedResponse(
                endpoint: configuration.endpoint, status: answer.status,
                reason:
                    "the credentials expired at \(AWSDate.iso8601(expiry)), before the answer was sent (\(AWSDate.iso8601(decoded.serverDate ?? localDate)))"
            )
        }
        return CredentialsFetch(
            credentials: decoded.credentials, serverDate: decoded.serverDate, localDate: localDate)
    }

    /// Polls every 5 s until the clock is synchronised; the status says so meanwhile, and the log
    /// says why once (again when the reason changes).
    func waitForClock(atMost limit: Duration?) async throws(CredentialsError) {
        var waited = Duration.zero
        var logged: ClockSynchronisation.State?
        while true {
            let clock = environment.clockState()
            status.clock = clock
            if clock.isSynchronised { break }
            status.state = .waitingForClock
            status.lastError = .clockNotSynchronised
            if logged != clock {
                logger.notice("\(CredentialsError.clockNotSynchronised): \(clock)")
                logged = clock
            }
            if let limit, waited >= limit { throw .clockNotSynchronised }
            do { try await environment.sleep(.seconds(5)) } catch { throw .clockNotSynchronised }
            waited += .seconds(5)
        }
    }

    /// Drops the cached credentials (e.g. after a service answered ExpiredToken).
    public func invalidate() {
        cached = nil
        refreshAt = nil
    }

    /// When the cached credentials will be refreshed (nil: none cached).
    public var nextRefresh: Date? { refreshAt }

    public func shutdown() async {
        await transport.shutdown()
    }
}
