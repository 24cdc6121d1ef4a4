import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Live streaming to Kinesis Data Streams: while active, every record offered is sent with
/// PutRecords no later than `flushInterval` after it was offered (plus the call's own time).
/// Records offered within one interval share a call (at most 500 records and 5 MiB per call:
/// `KinesisClient` splits). Records Kinesis reports as failed are retried by the client; a call
/// that fails as a whole (network, 5xx, credentials) is retried with backoff until the records
/// are `maxAge` old, then dropped and counted: they are in the log, and store-and-forward sends
/// them later (consumers dedupe, see docs/upload.md).
///
/// The schedule runs on an injected clock, so tests check "sent within 1 s of the reading" on
/// the streamer's own clock instead of on the speed of the machine.
public final class Streamer<C: Clock>: Service, Sendable where C.Duration == Duration {
    public struct Configuration: Sendable {
        public var stream: String
        /// The longest a record waits in the buffer before its PutRecords call starts.
        public var flushInterval: Duration
        /// Records older than this are not retried any more (store-and-forward has them).
        public var maxAge: Duration
        /// Records held at most (oldest dropped first) while Kinesis is unreachable.
        public var capacity: Int
        public var backoff: Backoff

        public init(
            stream: String, flushInterval: Duration = .milliseconds(250), maxAge: Duration = .seconds(30),
            capacity: Int = 10_000, backoff: Backoff = Backoff(base: .milliseconds(200), cap: .seconds(5))
        ) {
            self.stream = stream
            self.flushInterval = flushInterval
            self.maxAge = maxAge
            self.capacity = max(1, capacity)
            self.backoff = backoff
        }
    }

    /// What `sensorstation status` shows about streaming.
    public struct Status: Sendable, Equatable {
        public var active = false
        public var sentRecords = 0
        public var calls = 0
        public var failedCalls = 0
        /// Records given up (too old, buffer full, refused): they remain in the log.
        public var dropped = 0
        public var lastSuccess: Date?
        public var lastError: String?
        /// The longest time, on the streamer's clock, from a record's offer to the success of
        /// the call that carried it.
        public var maxDelay: Duration = .zero
        /// Per successful call: the largest offer-to-start delay of its records (the flush
        /// schedule; the call's own time is not in it). The last 64.
        public var flushDelays: [Duration] = []
    }

    struct Pending: Sendable {
        var entry: KinesisClient.Entry
        var offered: C.Instant
    }

    public let configuration: Configuration
    let send: @Sendable ([KinesisClient.Entry]) async throws(AWSRequestError) -> Void
    let clock: C
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger
    /// Records offered before it opens are not taken (nil: always taken).
    let gate: UploadGate?
    private let buffer = Mutex<[Pending]>([])
    private let state = Mutex(Status())
    /// A warning when failures start or change, then one every 5 min at most; info on recovery.
    private let failureLog: Mutex<RepeatedFailureLog>
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    /// - Parameter send: one PutRecords (`KinesisClient.putRecords` to `configuration.stream`).
    /// - Parameter gate: closed while the clock is not set (docs/upload.md, "No real-time clock").
    public init(
        configuration: Configuration, clock: C, logger: Logger = Logger(label: "sensorstation.stream"),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, gate: UploadGate? = nil,
        send: @escaping @Sendable ([KinesisClient.Entry]) async throws(AWSRequestError) -> Void
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.gate = gate
        self.now = now
        self.random = random
        self.send = send
        failureLog = Mutex(RepeatedFailureLog(subject: "streaming to \(configuration.stream)"))
        (signals, signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The streamer for a Kinesis client.
    public convenience init(
        configuration: Configuration, client: KinesisClient, clock: C,
        logger: Logger = Logger(label: "sensorstation.stream"), gate: UploadGate? = nil
    ) {
        let stream = configuration.stream
        self.init(configuration: configuration, clock: clock, logger: logger, gate: gate) {
            entries throws(AWSRequestError) in
            try await client.putRecords(entries, stream: stream)
        }
    }

    public var status: Status { state.withLock { $0 } }

    /// Turns streaming on or off. Off: nothing offered from now on is sent (what is already
    /// buffered was read while streaming was on and still goes).
    public func setActive(_ on: Bool) {
        state.withLock { $0.active = on }
    }

    /// Queues a record if streaming is on; never blocks (safe from the sampler threads).
    /// Returns whether it was queued. While the gate is closed (the clock not set, or what was
    /// logged before not yet corrected) the record carries the old clock's time: it is dropped and
    /// counted, and store-and-forward sends the logged copy with the corrected time.
    @discardableResult
    public func offer(_ entry: KinesisClient.Entry) -> Bool {
        guard state.withLock({ $0.active }) else { return false }
        if let gate, !gate.isOpen {
            state.withLock { $0.dropped += 1 }
            return false
        }
        let p = Pending(entry: entry, offered: clock.now)
        let overflow = buffer.withLock { b -> Int in
            b.append(p)
            let extra = b.count - configuration.capacity
            if extra > 0 { b.removeFirst(extra) }
            return max(extra, 0)
        }
        if overflow > 0 { state.withLock { $0.dropped += overflow } }
        signal.yield()
        return true
    }

    /// Records offered and not yet sent.
    public var buffered: Int { buffer.withLock { $0.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signals {
                await flushDue()
                if Task.isCancelled { break }
            }
        } onGracefulShutdown: { [signal] in
            signal.finish()
        }
    }

    /// Sends everything buffered, each call starting at most `flushInterval` after the oldest
    /// record in it was offered.
    func flushDue() async {
        var attempt = 0
        while let oldest = buffer.withLock({ $0.first?.offered }) {
            let due = oldest.advanced(by: configuration.flushInterval)
            if clock.now < due {
                do { try await clock.sleep(until: due, tolerance: nil) } catch { return }
            }
            let batch = buffer.withLock { b -> [Pending] in
                defer { b = [] }; return b
            }
            if batch.isEmpty { continue }
            let start = clock.now
            do throws(AWSRequestError) {
                try await send(batch.map(\.entry))
                attempt = 0
                if let line = failureLog.withLock({ $0.success(at: now()) }) {
                    logger.log(level: line.level, "\(line.message)")
                }
                let end = clock.now
                let flushDelay = batch.map { $0.offered.duration(to: start) }.max() ?? .zero
                let delay = batch.map { $0.offered.duration(to: end) }.max() ?? .zero
                state.withLock {
                    $0.sentRecords += batch.count
                    $0.calls += 1
                    $0.lastSuccess = now()
                    $0.lastError = nil
                    $0.maxDelay = max($0.maxDelay, delay)
                    $0.flushDelays.append(flushDelay)
                    if $0.flushDelays.count > 64 { $0.flushDelays.removeFirst($0.flushDelays.count - 64) }
                }
            } catch {
                attempt += 1
                let now = clock.now
                let keep =
                    error.isRetryable
                    ? batch.filter { $0.offered.duration(to: now) < configuration.maxAge } : []
                let dropped = batch.count - keep.count
                state.withLock {
                    $0.failedCalls += 1
                    $0.dropped += dropped
                    $0.lastError = "kinesis stream \(configuration.stream): \(error)"
                }
                let message = "streaming to \(configuration.stream) failed: \(error)"
                if let line = failureLog.withLock({ $0.failure(message, at: self.now()) }) {
                    logger.log(
                        level: line.level, "\(line.message)",
                        metadata: ["records": "\(batch.count)", "dropped": "\(dropped)"])
                }
                if keep.isEmpty { continue }
                buffer.withLock { $0.insert(contentsOf: keep, at: 0) }
                let wait = configuration.backoff.delay(attempt: attempt - 1, random: random())
                do { try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil) } catch {
                    return
                }
            }
        }
    }
}
