import Foundation
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Cloud

/// Answers in order from a script and records what was asked; a test double for the policy
/// (retry, refresh, clock), not for the network (the live suite below uses a real endpoint).
final class ScriptedTransport: CredentialsTransport {
    enum Answer: Sendable { case http(Int, String), network }
    private let script: Mutex<[Answer]>
    let requests = Mutex<[(url: String, headers: [HTTPField])]>([])
    init(_ answers: [Answer]) { script = Mutex(answers) }

    func get(url: String, headers: [HTTPField], timeout: Duration) async throws(CredentialsError)
        -> (status: Int, headers: [HTTPField], body: [UInt8])
    {
        requests.withLock { $0.append((url, headers)) }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case .http(let status, let body)?:
            return (status, [HTTPField("Date", "Mon, 23 Nov 2026 06:00:00 GMT")], Array(body.utf8))
        case .network?, nil:
            throw .network(endpoint: "scripted", reason: "connection refused")
        }
    }
    func shutdown() async {}
}

/// Hands out the wrapped source's credentials and counts how often it did (each is a signing).
final class CountingCredentials: AWSCredentialsSource {
    let source = Mutex<(any AWSCredentialsSource)?>(nil)
    let count = Mutex(0)
    func credentials() async throws(CredentialsError) -> AWSCredentials {
        guard let source = source.withLock({ $0 }) else {
            throw .configurationIncomplete(missing: ["source"])
        }
        let c = try await source.credentials()
        count.withLock { $0 += 1 }
        return c
    }
    func invalidate() async { await source.withLock { $0 }?.invalidate() }
}

/// Refuses every request (a network error) until `up`, then answers with credentials.
final class SwitchedTransport: CredentialsTransport {
    let up = Mutex(false)
    func get(url: String, headers: [HTTPField], timeout: Duration) async throws(CredentialsError)
        -> (status: Int, headers: [HTTPField], body: [UInt8])
    {
        guard up.withLock({ $0 }) else { throw .network(endpoint: "scripted", reason: "connection refused") }
        return (
            200, [HTTPField("Date", "Mon, 23 Nov 2026 06:00:00 GMT")],
            Array(credentialsBody(expiration: "2026-11-23T07:00:00Z").utf8)
        )
    }
    func shutdown() async {}
}

/// A manual clock: `now` moves only when a sleep "happens".
final class TestClock: Sendable {
    let time: Mutex<Date>
    let sleeps = Mutex<[Duration]>([])
    let synchronisedAfterSleeps: Int
    init(_ start: Date, synchronisedAfterSleeps: Int = 0) {
        time = Mutex(start)
        self.synchronisedAfterSleeps = synchronisedAfterSleeps
    }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var environment: CredentialsEnvironment {
        CredentialsEnvironment(
            now: { self.time.withLock { $0 } },
            sleep: { d in
                self.sleeps.withLock { $0.append(d) }
                self.advance(d.seconds)
            },
            random: { 0.5 },
            clockState: {
                self.sleeps.withLock { $0.count } >= self.synchronisedAfterSleeps
                    ? .marker("/run/test/synchronized")
                    : .kernelUnsynchronised(marker: "/run/test/synchronized")
            })
    }
}

func credentialsBody(expiration: String, key: String = "ASIATESTKEY0001") -> String {
    #"{"credentials":{"accessKeyId":"\#(key)","secretAccessKey":"secret","sessionToken":"token","expiration":"\#(expiration)"}}"#
}

@Suite("CredentialsProvider policy (scripted answers, manual clock)")
struct CredentialsProviderPolicyTests {
    // 2026-11-23T06:00:00Z
    static let t0 = Date(timeIntervalSince1970: 1_795_413_600)
    static func config(margin: Duration = .seconds(300), attempts: Int = 5)
        -> CredentialsProviderConfiguration
    {
        CredentialsProviderConfiguration(
            endpoint: "creds.example:8443", roleAlias: "sensorstation", thingName: "TestThing",
            certificatePath: "/c.pem", privateKeyPath: "/k.pem", refreshMargin: margin,
            maxAttempts: attempts, backoff: Backoff(base: .seconds(1), cap: .seconds(20)))
    }

    @Test("request shape: URL with the alias, thing-name header")
    func requestShape() async throws {
        let t = ScriptedTransport([.http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z"))])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: TestClock(Self.t0).environment)
        _ = try await p.credentials()
        let r = t.requests.withLock { $0 }
        #expect(r.count == 1)
        #expect(r.first?.url == "https://creds.example:8443/role-aliases/sensorstation/credentials")
        #expect(r.first?.headers == [HTTPField("x-amzn-iot-thingname", "TestThing")])
    }

    @Test("429, 503 and a network error are retried with full-jitter backoff, then succeed")
    func retriesTransient() async throws {
        let clock = TestClock(Self.t0)
        let t = ScriptedTransport([
            .http(429, #"{"message":"Rate exceeded"}"#), .http(503, "{}"), .network,
            .http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z")),
        ])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        let c = try await p.credentials()
        #expect(c.accessKeyId == "ASIATESTKEY0001")
        // random = 0.5: waits are half of min(20 s, 1 s · 2ⁿ) for n = 0, 1, 2.
        #expect(clock.sleeps.withLock { $0 } == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(await p.status.failures == 3)
        #expect(await p.status.state == .valid)
    }

    @Test("transient failures stop after maxAttempts with the last error")
    func givesUp() async {
        let clock = TestClock(Self.t0)
        let t = ScriptedTransport([
            .http(500, #"{"message":"boom"}"#), .http(500, #"{"message":"boom"}"#),
            .http(500, #"{"message":"boom"}"#),
        ])
        let p = CredentialsProvider(
            configuration: Self.config(attempts: 3), transport: t, environment: clock.environment)
        await #expect(
            throws: CredentialsError.serverError(endpoint: "creds.example:8443", status: 500, message: "boom")
        ) {
            try await p.credentials()
        }
        #expect(clock.sleeps.withLock { $0.count } == 2)
    }

    @Test(
        "an unreachable endpoint retried for over 5 min: one warning, one reminder, one info line when it answers again; a request round every 11.5 s, not one a second"
    )
    func unreachableEndpointIsNotLoggedOnEveryRetry() async throws {
        let clock = TestClock(Self.t0)
        let transport = SwitchedTransport()
        let log = CapturedLog()
        let p = CredentialsProvider(
            configuration: Self.config(), transport: transport, environment: clock.environment,
            logger: log.logger)
        // The uploader's loop: ask, back off 1 s, ask again. A request fails after 5 attempts
        // (waits 0.5 + 1 + 2 + 4 s); then callers get that error without a request for 0.75 ×
        // 5 s (a transient error's short cool-down), so the next request starts 11.5 s after
        // the last one began (7.5 s of retries, then calls at +8.5, 9.5, 10.5 in the cool-down,
        // then +11.5): requests begin at 0, 11.5, …, 391 s, 35 of them, 175 attempts.
        while clock.time.withLock({ $0 }) < Self.t0.addingTimeInterval(400) {
            await #expect(
                throws: CredentialsError.network(endpoint: "scripted", reason: "connection refused")
            ) {
                try await p.credentials()
            }
            clock.advance(1)
        }
        let failures = await p.status.failures
        #expect(failures == 175)
        transport.up.withLock { $0 = true }
        clock.advance(5)
        _ = try await p.credentials()
        let refused = "cannot reach scripted: connection refused; retrying with backoff"
        let warnings = log.lines.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.first == "warning \(refused) attempt=1 retry_in_s=0.5")
        #expect(warnings.last?.hasPrefix("warning credentials still failing after ") == true)
        #expect(warnings.last?.contains(" attempts since 2026-11-23T06:00:00Z: \(refused) attempt=") == true)
        #expect(!log.lines.contains { $0.hasPrefix("error") })
        #expect(
            log.lines.filter { $0.hasPrefix("info") }.first
                == "info credentials recovered after \(failures) failed attempts since 2026-11-23T06:00:00Z")
    }

    @Test(
        "a permanent error (wrong role alias, 404) while records stream: one request per growing wait, not one per caller"
    )
    func permanentErrorBacksOffForEveryCaller() async {
        let clock = TestClock(Self.t0)
        let t = ScriptedTransport(
            Array(repeating: .http(404, #"{"message":"Role alias does not exist"}"#), count: 100))
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        // A streamer asking for every record, 10 a second, for the 245 s of the run that made 305
        // requests before this wait existed.
        var calls = 0
        while clock.time.withLock({ $0 }) < Self.t0.addingTimeInterval(245) {
            await #expect(throws: CredentialsError.self) { try await p.credentials() }
            calls += 1
            clock.advance(0.1)
        }
        // Waits of 0.75 × 15, 30, 60, 120 s (random 0.5): requests at 0, 11.25, 33.75, 78.75 and
        // 168.75 s; the next at 348.75 s.
        let requests = t.requests.withLock { $0.count }
        #expect(requests == 5, "\(requests) requests for \(calls) calls")
        #expect(calls > 2400)
        let status = await p.status
        #expect(status.state == .failing && status.failures == 5)
        #expect(status.summary.hasSuffix("(next request at 2026-11-23T06:05:48Z)"), "\(status.summary)")
        // A forced fetch (`sensorstation credentials check`) asks at once, wait or not.
        _ = try? await p.fetch()
        #expect(t.requests.withLock { $0.count } == 6)
    }

    @Test("a documented 4xx is not retried: it needs an operator")
    func operatorErrorsNotRetried() async {
        let clock = TestClock(Self.t0)
        let t = ScriptedTransport([.http(403, #"{"message":"Invalid thing name passed"}"#)])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        await #expect(throws: CredentialsError.self) { try await p.credentials() }
        #expect(clock.sleeps.withLock { $0 }.isEmpty)
        #expect(t.requests.withLock { $0.count } == 1)
        let status = await p.status
        #expect(status.state == .failing)
        #expect(status.summary.contains("Invalid thing name passed"))
    }

    @Test(
        "refresh margin: min(configured, 20 % of lifetime)",
        arguments: [
            // (lifetime s, configured margin s, expected refresh after s)
            (3600.0, 300, 3300.0),  // 5 min < 12 min
            (60.0, 300, 48.0),  // 20 % of 60 s = 12 s
            (900.0, 300, 720.0),  // 20 % of 900 s = 180 s
            (900.0, 60, 840.0),
        ])
    func refreshMargin(lifetime: Double, margin: Int, refreshAfter: Double) async throws {
        let clock = TestClock(Self.t0)
        let exp1 = AWSDate.iso8601(Self.t0.addingTimeInterval(lifetime))
        let exp2 = AWSDate.iso8601(Self.t0.addingTimeInterval(2 * lifetime))
        let t = ScriptedTransport([
            .http(200, credentialsBody(expiration: exp1, key: "ASIAFIRST")),
            .http(200, credentialsBody(expiration: exp2, key: "ASIASECOND")),
        ])
        let p = CredentialsProvider(
            configuration: Self.config(margin: .seconds(margin)), transport: t,
            environment: clock.environment)
        #expect(try await p.credentials().accessKeyId == "ASIAFIRST")
        #expect(await p.nextRefresh == Self.t0.addingTimeInterval(refreshAfter))
        clock.advance(refreshAfter - 1)
        #expect(try await p.credentials().accessKeyId == "ASIAFIRST")
        clock.advance(1)
        #expect(try await p.credentials().accessKeyId == "ASIASECOND")
        #expect(t.requests.withLock { $0.count } == 2)
    }

    @Test("no request before the clock is synchronised; the status says why meanwhile")
    func waitsForClock() async throws {
        let clock = TestClock(Self.t0, synchronisedAfterSleeps: 3)
        let t = ScriptedTransport([.http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z"))])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        _ = try await p.credentials()
        #expect(clock.sleeps.withLock { $0 } == [.seconds(5), .seconds(5), .seconds(5)])
        #expect(t.requests.withLock { $0.count } == 1)
    }

    @Test(
        "while the clock is unknown (adjtimex refused) the uploader signs and sends nothing; once synchronised it goes"
    )
    func uploaderWaitsForClock() async throws {
        let server = try ScriptedAWS([.ok])
        let db = try TestDatabase()
        try await db.fill(weather: 3, impacts: 0, start: BadInputUploadTests.start)
        let transport = ScriptedTransport([.http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z"))])
        let clock = TestClock(Self.t0)
        let synchronised = Mutex(false)
        let handedOut = CountingCredentials()
        // At every 5 s poll of the wait: credentials requested from the endpoint, and credentials
        // handed to the S3 client to sign with, so far.
        let seenWhileWaiting = Mutex<[[Int]]>([])
        let env = CredentialsEnvironment(
            now: { clock.time.withLock { $0 } },
            sleep: { d in
                let counts = [transport.requests.withLock { $0.count }, handedOut.count.withLock { $0 }]
                let polls = seenWhileWaiting.withLock {
                    $0.append(counts); return $0.count
                }
                if polls == 3 { synchronised.withLock { $0 = true } }  // timesyncd writes its marker
                clock.advance(d.seconds)
            },
            random: { 0.5 },
            clockState: {
                synchronised.withLock { $0 }
                    ? .marker("/run/systemd/timesync/synchronized")
                    : .kernelUnreadable(marker: "/run/systemd/timesync/synchronized", errno: EPERM)
            })
        let log = CapturedLog()
        let provider = CredentialsProvider(
            configuration: Self.config(), transport: transport, environment: env, logger: log.logger)
        handedOut.source.withLock { $0 = provider }
        let s3 = UploadDestination(
            name: "s3",
            target: .s3(
                S3Client(bucket: "b", region: "us-east-1", credentials: handedOut, endpoint: server.endpoint),
                prefix: "p"))
        let uploader = Uploader(
            database: db.database, destinations: [s3], configuration: .init(thingName: "TestThing"))

        #expect(try await uploader.drain() == 3)
        // Waiting: nothing asked of the credentials endpoint, nothing to sign with, so nothing sent.
        #expect(seenWhileWaiting.withLock { $0 } == [[0, 0], [0, 0], [0, 0]])
        // Then: one credentials request, and the one batch went out signed with those credentials.
        #expect(transport.requests.withLock { $0.count } == 1)
        #expect(handedOut.count.withLock { $0 } == 1)
        let requests = try server.requests()
        #expect(requests.count == 1)
        #expect(
            (requests.first?["authorization"] as? String)?.contains("Credential=ASIATESTKEY0001/") == true)
        #expect(try db.database.cursor(destination: "s3", kind: .weather) == 3)
        // The log said once why it waited.
        #expect(
            log.lines.filter { $0.hasPrefix("notice") } == [
                "notice waiting for the system clock to be synchronised (NTP) before requesting or signing anything: unknown, "
                    + "so not trusted: no marker file /run/systemd/timesync/synchronized, and the kernel's NTP state is "
                    + "unreadable: adjtimex refused (EPERM); under ProtectClock=yes only the timesyncd marker or "
                    + "upload.clock_sync_marker can tell"
            ])
        #expect(await provider.status.clock == .marker("/run/systemd/timesync/synchronized"))
    }

    @Test("a bounded clock wait ends with clockNotSynchronised and no request")
    func clockWaitBounded() async {
        let clock = TestClock(Self.t0, synchronisedAfterSleeps: 100)
        let t = ScriptedTransport([])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        await #expect(throws: CredentialsError.clockNotSynchronised) {
            try await p.fetch(clockWait: .seconds(10))
        }
        #expect(t.requests.withLock { $0.isEmpty })
        #expect(await p.status.state == .waitingForClock)
    }

    @Test("skew is local minus the server's Date")
    func skew() async throws {
        let clock = TestClock(Self.t0.addingTimeInterval(7))  // server says 06:00:00, we say 06:00:07
        let t = ScriptedTransport([.http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z"))])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        let f = try await p.fetch()
        #expect(f.skew == .seconds(7))
    }

    @Test(
        "the refresh time is the endpoint's expiry minus the margin, moved onto the local clock by the skew",
        arguments: [3000.0, -600.0])  // local clock 50 min ahead, 10 min behind
    func refreshFollowsSkew(skew: Double) async throws {
        // The endpoint says 06:00:00 and issues credentials until 07:00:00: a 1 h lifetime, so a
        // 5 min margin; refresh at 06:55 on its clock, 06:55 + skew on ours.
        let clock = TestClock(Self.t0.addingTimeInterval(skew))
        let t = ScriptedTransport([
            .http(200, credentialsBody(expiration: "2026-11-23T07:00:00Z", key: "ASIAFIRST")),
            .http(200, credentialsBody(expiration: "2026-11-23T08:00:00Z", key: "ASIASECOND")),
        ])
        let p = CredentialsProvider(
            configuration: Self.config(), transport: t, environment: clock.environment)
        #expect(try await p.credentials().accessKeyId == "ASIAFIRST")
        #expect(await p.nextRefresh == Self.t0.addingTimeInterval(3300 + skew))
        clock.advance(3299)
        #expect(try await p.credentials().accessKeyId == "ASIAFIRST")
        #expect(t.requests.withLock { $0.count } == 1)
        clock.advance(1)
        #expect(try await p.credentials().accessKeyId == "ASIASECOND")
        #expect(t.requests.withLock { $0.count } == 2)
    }

    @Test("backoff ceilings are min(cap, base·2ⁿ)")
    func backoff() {
        let b = Backoff(base: .milliseconds(500), cap: .seconds(60))
        #expect(
            (0..<10).map { b.ceiling(attempt: $0) } == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4),
                .seconds(8), .seconds(16), .seconds(32), .seconds(60),
                .seconds(60), .seconds(60),
            ])
        #expect(b.delay(attempt: 3, random: 0) == .zero)
        #expect(b.delay(attempt: 3, random: 0.25) == .seconds(1))
        #expect(b.delay(attempt: 1000, random: .nan) == .zero)
    }
}

@Suite("Clock synchronisation: trusted only when the marker or the kernel says so")
struct ClockSynchronisationTests {
    static let now = Date(timeIntervalSince1970: 1_795_413_600)  // 2026-11-23

    static func noMarker() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("no-marker-\(UUID())").path
    }

    @Test(
        "the kernel's state decides when there is no marker file; unreadable means not synchronised",
        arguments: [
            ClockSynchronisation.KernelState.synchronised, .unsynchronised, .unreadable(errno: EPERM),
            .unreadable(errno: ENOSYS),
        ])
    func kernelDecides(_ kernel: ClockSynchronisation.KernelState) {
        let marker = Self.noMarker()
        let state = ClockSynchronisation.state(now: Self.now, marker: marker, kernel: { kernel })
        switch kernel {
        case .synchronised:
            #expect(state == .kernelSynchronised(marker: marker))
            #expect(state.isSynchronised)
        case .unsynchronised:
            #expect(state == .kernelUnsynchronised(marker: marker))
            #expect(!state.isSynchronised)
            #expect(
                state.description
                    == "not synchronised: no marker file \(marker), and the kernel's NTP state (adjtimex) says unsynchronised"
            )
        case .unreadable(let code):
            // ProtectClock=yes: adjtimex refused. Unknown is not synchronised: wait, sign nothing.
            #expect(state == .kernelUnreadable(marker: marker, errno: code))
            #expect(!state.isSynchronised)
            #expect(
                state.description
                    == "unknown, so not trusted: no marker file \(marker), and the kernel's NTP state is "
                    + "unreadable: adjtimex refused (\(code == EPERM ? "EPERM" : "ENOSYS")); under ProtectClock=yes only the "
                    + "timesyncd marker or upload.clock_sync_marker can tell")
        }
    }

    @Test("the marker file is enough, without asking the kernel")
    func markerDecides() throws {
        let marker = Self.noMarker()
        try Data().write(to: URL(fileURLWithPath: marker))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let asked = Mutex(false)
        let state = ClockSynchronisation.state(
            now: Self.now, marker: marker,
            kernel: {
                asked.withLock { $0 = true }
                return .unreadable(errno: EPERM)
            })
        #expect(state == .marker(marker))
        #expect(state.isSynchronised)
        #expect(state.description == "synchronised: the marker file \(marker) exists")
        #expect(!asked.withLock { $0 })
    }

    @Test("the raw adjtimex system call reads what glibc's adjtimex() (clock_adjtime since 2.36) reads")
    func rawCallAgreesWithGlibc() throws {
        // glibc's function, as the station called it before: same struct timex, same verdict.
        let handle = try #require(dlopen(nil, RTLD_NOW))
        let symbol = try #require(dlsym(handle, "adjtimex"))
        let glibcAdjtimex = unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutableRawPointer) -> Int32).self)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let rc = glibcAdjtimex(buffer)
        let expected: ClockSynchronisation.KernelState
        if rc < 0 {
            expected = .unreadable(errno: errno)
        } else {
            let unsync = buffer.load(fromByteOffset: 5 * MemoryLayout<Int>.size, as: Int32.self) & 0x0040 != 0
            expected = rc == 5 || unsync ? .unsynchronised : .synchronised
        }
        #expect(ClockSynchronisation.kernelState() == expected)
    }

    @Test("a clock before 2026 is never trusted, marker or not")
    func implausibleTime() throws {
        let marker = Self.noMarker()
        try Data().write(to: URL(fileURLWithPath: marker))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let state = ClockSynchronisation.state(
            now: Date(timeIntervalSince1970: 1_700_000_000), marker: marker,
            kernel: { .synchronised })
        #expect(state == .implausible)
        #expect(!state.isSynchronised)
        #expect(
            state.description
                == "not synchronised: the clock reads a time before 2026-01-01T00:00:00Z, which cannot be right"
        )
    }
}
