import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Cloud

/// A clock that only moves when someone sleeps on it (to the deadline, at once) or advances it:
/// the streamer's schedule can be checked without depending on how fast the machine is.
final class JumpClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }
    private let time = Mutex(Duration.zero)
    let sleeps = Mutex<[Duration]>([])
    var now: Instant { Instant(offset: time.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(_ d: Duration) { time.withLock { $0 += d } }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        time.withLock { t in
            sleeps.withLock { $0.append(deadline.offset - t) }
            t = max(t, deadline.offset)
        }
        await Task.yield()
    }
}

/// Waits (without asserting on time) until `condition` holds; fails after `limit` of wall time
/// so a broken streamer cannot hang the suite. The limit is a deadline, not a speed figure: a full
/// run on two cores with a VM beside it once kept a wait here past 60 s.
func eventually(_ what: String, limit: Duration = .seconds(120), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            throw TestServers.SetupError(description: "never happened: \(what)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

func streamEntry(_ key: String, _ seq: Int) -> KinesisClient.Entry {
    KinesisClient.Entry(
        partitionKey: key,
        data: Array(
            #"{"kind":"motion","seq":\#(seq),"time_us":\#(1_795_478_400_000_000 + seq * 1_000_000)}"#.utf8))
}

@Suite("Streamer: flush schedule and retries (scripted PutRecords, jump clock)")
struct StreamerScheduleTests {
    @Test(
        "each call starts one flush interval after its oldest record; records offered together share a call")
    func schedule() async throws {
        let clock = JumpClock()
        let calls = Mutex<[(at: Duration, seqs: [Int])]>([])
        let streamer = Streamer(
            configuration: .init(stream: "s", flushInterval: .milliseconds(250)), clock: clock
        ) { entries in
            let seqs = entries.map { e in
                Int(
                    String(decoding: e.data, as: UTF8.self).split(separator: ",")[1].split(separator: ":")[1])!
            }
            calls.withLock { $0.append((clock.now.offset, seqs)) }
        }
        streamer.setActive(true)
        for i in 0..<3 { streamer.offer(streamEntry("k", i)) }  // before it runs: one call for all three
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await streamer.run() }
            try await eventually("first call") { calls.withLock { $0.count } == 1 }
            clock.advance(.milliseconds(600))
            streamer.offer(streamEntry("k", 3))
            try await eventually("second call") { calls.withLock { $0.count } == 2 }
            group.cancelAll()
        }
        let c = calls.withLock { $0 }
        #expect(c.map(\.seqs) == [[0, 1, 2], [3]])
        // Offered at 0 → sent at 0.25 s; offered at 0.85 s → sent at 1.1 s (on the streamer's clock).
        #expect(c.map(\.at) == [.milliseconds(250), .milliseconds(1100)])
        #expect(streamer.status.flushDelays == [.milliseconds(250), .milliseconds(250)])
        #expect(streamer.status.maxDelay == .milliseconds(250))
        #expect(streamer.status.sentRecords == 4)
    }

    @Test("off: offers are refused and nothing is sent")
    func off() async throws {
        let sent = Mutex(0)
        let streamer = Streamer(configuration: .init(stream: "s"), clock: JumpClock()) { entries in
            sent.withLock { $0 += entries.count }
        }
        #expect(streamer.offer(streamEntry("k", 1)) == false)
        streamer.setActive(true)
        #expect(streamer.offer(streamEntry("k", 2)) == true)
        streamer.setActive(false)
        #expect(streamer.offer(streamEntry("k", 3)) == false)
        #expect(streamer.buffered == 1)
        await streamer.flushDue()
        #expect(sent.withLock { $0 } == 1)
    }

    @Test(
        "a failed call is retried with its records until they are maxAge old, then they are dropped and counted"
    )
    func retries() async throws {
        let clock = JumpClock()
        let attempts = Mutex(0)
        let config = Streamer<JumpClock>.Configuration(
            stream: "s", flushInterval: .milliseconds(100), maxAge: .seconds(10),
            backoff: Backoff(base: .seconds(1), cap: .seconds(4)))
        let failing = Streamer(configuration: config, clock: clock, random: { 0.999_999 }) {
            _ throws(AWSRequestError) in
            attempts.withLock { $0 += 1 }
            throw .network(service: "kinesis", endpoint: "http://127.0.0.1:9", reason: "connection refused")
        }
        failing.setActive(true)
        failing.offer(streamEntry("k", 1))
        await failing.flushDue()
        // Attempts at 0.1, ~1.1, ~3.1, ~7.1 s; the next would be at ~11.1 s, past maxAge: dropped.
        #expect(attempts.withLock { $0 } == 5)
        #expect(failing.status.dropped == 1)
        #expect(failing.status.failedCalls == 5)
        #expect(failing.buffered == 0)
        #expect(failing.status.lastError?.contains("connection refused") == true)

        // A refused request (not retryable) is dropped at once.
        let refused = Streamer(configuration: config, clock: JumpClock()) { _ throws(AWSRequestError) in
            throw .invalidRequest(
                service: "kinesis", reason: "a record of 2000000 bytes exceeds Kinesis's 1 MiB")
        }
        refused.setActive(true)
        refused.offer(streamEntry("k", 1))
        await refused.flushDue()
        #expect(refused.status.dropped == 1 && refused.status.failedCalls == 1)
    }
}

@Suite("Streamer against moto Kinesis (auth on) with vended credentials", .serialized)
struct StreamerLiveTests {
    @Test(
        "streaming on: records reach Kinesis within 1 s of the offer on the streamer's clock; off: nothing more"
    )
    func streams() async throws {
        let (moto, _) = try LiveStack.get()
        let creds = StaticCredentials(
            try await withProvider(try LiveStack.configuration()) { try await $0.fetch() }.credentials)
        let client = KinesisClient(region: "us-east-1", credentials: creds, endpoint: moto.endpoint)
        let key = "stream-\(UUID().uuidString.prefix(8))"
        let clock = JumpClock()
        let streamer = Streamer(configuration: .init(stream: moto.stream), client: client, clock: clock)
        streamer.setActive(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await streamer.run() }
            for i in 0..<20 { streamer.offer(streamEntry(key, i)) }
            try await eventually("20 records sent") { streamer.status.sentRecords == 20 }
            for i in 20..<30 { streamer.offer(streamEntry(key, i)) }
            try await eventually("30 records sent") { streamer.status.sentRecords == 30 }
            streamer.setActive(false)
            for i in 30..<40 { #expect(!streamer.offer(streamEntry(key, i))) }
            try await Task.sleep(for: .milliseconds(500))  // a chance to send anything it wrongly kept
            group.cancelAll()
        }
        let read = try moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]] ?? []
        let seqs = read.filter { $0["partition_key"] as? String == key }.compactMap {
            ($0["data"] as? [String: Any])?["seq"] as? Int
        }
        #expect(seqs == Array(0..<30))  // each once, in order, none after "off"
        // The schedule: every call started 250 ms after its oldest record; the clock does not move
        // during the HTTP call, so "within 1 s" is a property of the code, not of this machine.
        #expect(streamer.status.flushDelays.allSatisfy { $0 <= .milliseconds(250) })
        #expect(streamer.status.maxDelay <= .seconds(1))
        #expect(streamer.status.calls >= 2 && streamer.status.failedCalls == 0)
    }

    @Test("moto unreachable: the call is retried and the records arrive once the link is back")
    func retriesAcrossOutage() async throws {
        // Its own moto: an outage on the shared one would fail the live suites running in parallel.
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let client = KinesisClient(
            region: "us-east-1", credentials: StaticCredentials(moto.user), endpoint: moto.endpoint,
            retry: .init(maxAttempts: 2))
        let key = "outage-\(UUID().uuidString.prefix(8))"
        let streamer = Streamer(
            configuration: .init(
                stream: moto.stream, maxAge: .seconds(3600),
                backoff: Backoff(base: .milliseconds(50), cap: .milliseconds(200))),
            client: client, clock: ContinuousClock())
        streamer.setActive(true)
        try moto.setOutage(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await streamer.run() }
            for i in 0..<5 { streamer.offer(streamEntry(key, i)) }
            try await eventually("a failed call") { streamer.status.failedCalls >= 2 }
            try moto.setOutage(false)
            try await eventually("5 records sent") { streamer.status.sentRecords == 5 }
            group.cancelAll()
        }
        let read = try moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]] ?? []
        let seqs = read.filter { $0["partition_key"] as? String == key }.compactMap {
            ($0["data"] as? [String: Any])?["seq"] as? Int
        }
        #expect(seqs == Array(0..<5))
        #expect(streamer.status.dropped == 0)
        // A figure, not an assertion: offer to confirmed PutRecords in wall time on this machine.
        print("streamer: wall-clock offer-to-success after the outage \(streamer.status.maxDelay)")
    }
}
