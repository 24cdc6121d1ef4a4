import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Store-and-forward: for each destination and kind (impacts first), read the rows after the
/// destination's cursor (oldest first), send them, and advance the cursor only once the service
/// confirmed them. A crash between the two resends the batch; the destination keys (S3 object
/// key from the ids, DynamoDB key from thing, time, kind and id) make the resend harmless; a
/// Kinesis consumer drops it by (partition key, `kind`, `id`). After an outage the backlog drains
/// at `maxBytesPerSecond` (cellular links).
///
/// Kinesis is the one destination that takes records one by one: when a put fails after part
/// of it was taken (throttling past the retries, a later call of a split batch), the cursor moves
/// to just before the first record not taken, and the ones taken after it are remembered and
/// not sent again. While streaming is on (`setLive`), Kinesis is drained every
/// `livePollInterval`: every logged row reaches the stream once, by this one path.
public final class Uploader: Service, Sendable {
    public struct Configuration: Sendable {
        public var thingName: String
        /// Rows read per batch (S3 batches are also split at UTC midnight).
        public var batchSize: Int
        /// Pacing of the drain, bytes of payload per second; nil: as fast as the link allows.
        public var maxBytesPerSecond: Int?
        /// How often to look for new rows when nothing is pending.
        public var pollInterval: Duration
        /// While streaming is on, how often Kinesis is drained (rows reach the log within the
        /// recorder's commit interval, 1 s by default).
        public var livePollInterval: Duration
        /// Backoff after a failed send (network, 5xx, throttling, credentials).
        public var backoff: Backoff
        /// Who and where the station is (`{"thing", "serial", "site"}`), added to every S3 line,
        /// DynamoDB item and Kinesis record of a logged row as `station`; nil: nothing added.
        public var station: JSONValue?
        /// Rows stamped before this are held back: no clock reading before it can be right, so
        /// they were logged by a run that ended before the clock was set and could not be
        /// corrected. They stay in the log (`status` counts them) and the cursor moves past them.
        public var holdBackBefore: Date

        public init(
            thingName: String, batchSize: Int = 500, maxBytesPerSecond: Int? = nil,
            pollInterval: Duration = .seconds(5), livePollInterval: Duration = .milliseconds(250),
            backoff: Backoff = Backoff(base: .seconds(1), cap: .seconds(300)),
            holdBackBefore: Date = ClockSynchronisation.earliestPlausibleDate, station: JSONValue? = nil
        ) {
            self.station = station
            self.thingName = thingName
            self.batchSize = max(1, batchSize)
            self.maxBytesPerSecond = maxBytesPerSecond
            self.pollInterval = pollInterval
            self.livePollInterval = livePollInterval
            self.backoff = backoff
            self.holdBackBefore = holdBackBefore
        }
    }

    /// What `sensorstation status` shows.
    public struct Status: Sendable, Equatable {
        public var sentRecords: Int = 0
        public var sentBytes: Int = 0
        /// Rows passed over because they were stamped before `holdBackBefore` (per destination
        /// each counts once).
        public var heldBack: Int = 0
        public var failures: Int = 0
        public var lastError: String?
        public var lastSuccess: Date?
        /// Per destination: rows not yet confirmed, per kind.
        public var backlog: [String: [UploadKind: Int]] = [:]
        /// Per destination: what it last did.
        public var destinations: [String: DestinationStatus] = [:]

        public init() {}
    }

    /// One destination's live state: the last confirmed batch and the last failure (cleared by
    /// the next success).
    public struct DestinationStatus: Sendable, Equatable {
        public var sentRecords: Int = 0
        public var lastSuccess: Date?
        public var lastError: String?
        public var lastErrorTime: Date?
        public init() {}
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case storage(StorageError)
        case send(destination: String, kind: UploadKind, firstID: Int64, lastID: Int64, AWSRequestError)

        public var description: String {
            switch self {
            case .storage(let e): return "upload: database: \(e)"
            case .send(let d, let k, let a, let b, let e):
                return "upload to \(d) of \(k.rawValue) \(a)–\(b) failed: \(e)"
            }
        }

        /// The failure without the batch's ids, which change as rows arrive while the error
        /// stays the same (for `RepeatedFailureLog`).
        var sameErrorKey: String {
            switch self {
            case .storage(let e): return "storage: \(e)"
            case .send(let d, let k, _, _, let e): return "\(d) \(k.rawValue): \(e)"
            }
        }
    }

    let database: StationDatabase
    let destinations: [UploadDestination]
    let configuration: Configuration
    let logger: Logger
    let now: @Sendable () -> Date
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double
    /// Nothing is read from the log before it opens (nil: at once).
    let gate: UploadGate?
    private let state = Mutex(Status())
    /// (destination, kind) pairs whose held-back rows were already logged, so it is said once.
    private let heldBackLogged = Mutex<Set<String>>([])
    /// The pacer's next allowed send time.
    private let nextSend = Mutex<Date?>(nil)
    /// Streaming is on: Kinesis is drained every `livePollInterval`.
    private let live = Mutex(Date.distantPast)
    private let pollInterval: Mutex<Duration>
    /// Per "destination kind": ids after the cursor the destination already took (Kinesis, after
    /// a put that failed part-way). In memory: a crash forgets them, and they go again.
    private let takenAhead = Mutex<[String: Set<Int64>]>([:])

    public init(
        database: StationDatabase, destinations: [UploadDestination], configuration: Configuration,
        logger: Logger = Logger(label: "sensorstation.upload"),
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, gate: UploadGate? = nil
    ) {
        self.database = database
        self.destinations = destinations
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.random = random
        self.gate = gate
        pollInterval = Mutex(configuration.pollInterval)
        state.withLock { s in for d in destinations { s.destinations[d.name] = DestinationStatus() } }
    }

    public var status: Status { state.withLock { $0 } }

    /// How long a Kinesis put under way may still run after a graceful stop was asked for.
    static let stopGrace = Duration.seconds(10)

    /// Streaming on or off: while on, Kinesis is drained every `livePollInterval`; after off,
    /// for 3 s more, so the last rows and the "off" event (in the log within the recorder's
    /// commit interval) go at once too.
    public func setLive(_ on: Bool) {
        let t = now()
        live.withLock { until in
            if on {
                until = .distantFuture
            } else if until == .distantFuture {
                until = t.addingTimeInterval(3)
            }
        }
    }

    public var isLive: Bool { live.withLock { $0 } > now() }

    /// A new poll interval (a reload or the shadow changed `upload.poll_interval_s`): the next
    /// wait uses it.
    public func setPollInterval(_ interval: Duration) {
        pollInterval.withLock { $0 = interval }
    }

    /// Runs until cancelled or graceful shutdown: drain, wait, drain; back off after failures.
    public func run() async throws {
        // Before the clock is set and what was logged meanwhile corrected, a read would send the
        // old clock's times (docs/upload.md, "No real-time clock").
        if let gate, !gate.isOpen {
            do { try await cancelWhenGracefulShutdown { try await gate.wait() } } catch { return }
        }
        // A warning when failures start or change, then one every 5 min at most; info on recovery.
        var failureLog = RepeatedFailureLog(subject: "upload")
        var schedule = DrainSchedule(
            start: now(), pollInterval: configuration.pollInterval,
            livePollInterval: configuration.livePollInterval, backoff: configuration.backoff)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            schedule.retime(pollInterval: pollInterval.withLock { $0 }, at: now())
            if let pass = schedule.due(at: now(), live: isLive) {
                do {
                    // A drain can wait long (credentials retries, the clock not yet synchronised):
                    // graceful shutdown cancels it. That is safe: a cursor only moves after a
                    // confirmed batch, so a cancelled send is sent again next time.
                    _ = try await cancelWhenGracefulShutdown { try await self.drain(liveOnly: pass == .live) }
                    _ = schedule.finished(pass, ok: true, at: now(), random: random())
                    if let line = failureLog.success(at: now()) {
                        logger.log(level: line.level, "\(line.message)")
                    }
                } catch {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    let delay = schedule.finished(pass, ok: false, at: now(), random: random())
                    let key = (error as? Failure)?.sameErrorKey
                    if let line = failureLog.failure("\(error)", key: key, at: now()) {
                        logger.log(
                            level: line.level, "\(line.message)", metadata: ["retry_in_s": "\(delay.seconds)"]
                        )
                    }
                }
            }
            let next = schedule.wake(after: now(), live: isLive)
            try? await gracefulSleep(.milliseconds(Int64(max(0, next.timeIntervalSince(now())) * 1000)))
        }
    }

    private func gracefulSleep(_ d: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await self.sleep(d) }
    }

    /// Sends everything pending, destination by destination, kind by kind (impacts first),
    /// oldest first. Returns the number of records confirmed. A destination that fails stops at
    /// its failed batch (its cursor stays before it) while the others still go: an S3 bucket
    /// that is gone must not hold DynamoDB back. The first send failure is thrown at the end (for
    /// the retry's backoff); a database failure stops everything at once.
    @discardableResult
    public func drain(liveOnly: Bool = false) async throws(Failure) -> Int {
        var total = 0
        var firstFailure: Failure?
        defer { if !liveOnly { refreshBacklog() } }
        for destination in destinations where !liveOnly || (isLive && destination.isKinesis) {
            do { total += try await drain(destination) } catch {
                if case .storage = error { throw error }
                if firstFailure == nil { firstFailure = error }
            }
        }
        if let firstFailure { throw firstFailure }
        return total
    }

    /// `drain()` for one destination: stops at its first failure.
    private func drain(_ destination: UploadDestination) async throws(Failure) -> Int {
        var total = 0
        for kind in destination.kinds {
            while !Task.isCancelled {
                let items: [UploadItem]
                // S3 object keys name the batch (`<first>-<last>`): a batch that was sent but
                // not confirmed (crash, cancel, lost answer) must be resent with the same
                // boundaries, or new rows would make an overlapping object. Its last id is
                // recorded durably before the send (`<name>#batch`), and a pending plan is
                // resent exactly: ids (cursor, planned].
                var planned: Int64 = 0
                do {
                    var limit = configuration.batchSize
                    if destination.isS3 {
                        planned = try database.cursor(destination: destination.planName, kind: kind)
                        let cursor = try database.cursor(destination: destination.name, kind: kind)
                        if planned > cursor {
                            limit = max(limit, Int(clamping: planned - cursor))
                        } else {
                            planned = 0
                        }
                    }
                    items = try database.pending(kind, destination: destination.name, limit: limit)
                        .filter { planned == 0 || $0.id <= planned }
                } catch { record(failure: "\(error)"); throw .storage(error) }
                if items.isEmpty && planned > 0 {
                    // The planned rows are gone (retention): nothing of that batch is left to send.
                    do {
                        try database.advanceCursor(
                            destination: destination.name, kind: kind, to: planned, now: now())
                    } catch { record(failure: "\(error)"); throw .storage(error) }
                    continue
                }
                if items.isEmpty { break }
                // Rows a clock that was never set stamped: passed over, kept in the log.
                let kept = items.filter { $0.time >= configuration.holdBackBefore }
                if kept.count < items.count {
                    heldBack(items.count - kept.count, kind: kind, destination: destination.name)
                }
                if kept.isEmpty, let last = items.last {
                    do {
                        try database.advanceCursor(
                            destination: destination.name, kind: kind, to: last.id, now: now())
                    } catch { record(failure: "\(error)"); throw .storage(error) }
                    continue
                }
                let records = kept.map(UploadRecord.init)
                // S3 partitions by day: send day runs one by one, advancing after each.
                let runs = destination.isS3 ? S3Client.splitByDay(records) : [records]
                let aheadKey = "\(destination.name) \(kind.rawValue)"
                for run in runs {
                    guard let first = run.first, let last = run.last else { continue }
                    if destination.isS3 && last.id > planned {
                        do {
                            try database.advanceCursor(
                                destination: destination.planName, kind: kind, to: last.id, now: now())
                        } catch { record(failure: "\(error)"); throw .storage(error) }
                    }
                    let ahead = takenAhead.withLock { $0[aheadKey] ?? [] }
                    let unsent = run.filter { !ahead.contains($0.id) }
                    let bytes = unsent.reduce(0) { $0 + $1.json.count }
                    await pace(bytes: bytes)
                    let (taken, error) = await send(unsent, kind: kind, to: destination)
                    if let error {
                        // Kinesis may have taken part: the cursor moves to just before the first
                        // record it did not take, and the ones it took after that are not sent again.
                        let firstMissing = unsent.first { !taken.contains($0.id) }?.id ?? first.id
                        if let through = run.last(where: { $0.id < firstMissing })?.id {
                            do {
                                try database.advanceCursor(
                                    destination: destination.name, kind: kind, to: through, now: now())
                            } catch { record(failure: "\(error)"); throw .storage(error) }
                        }
                        let later = taken.filter { $0 > firstMissing }
                        takenAhead.withLock { $0[aheadKey] = ahead.union(later).filter { $0 > firstMissing } }
                        let failure = Failure.send(
                            destination: destination.name, kind: kind, firstID: first.id,
                            lastID: last.id, error)
                        record(failure: "\(failure)", destination: destination.name)
                        throw failure
                    }
                    if !ahead.isEmpty { takenAhead.withLock { $0[aheadKey] = ahead.filter { $0 > last.id } } }
                    do {
                        try database.advanceCursor(
                            destination: destination.name, kind: kind, to: last.id, now: now())
                    } catch { record(failure: "\(error)"); throw .storage(error) }
                    total += run.count
                    state.withLock {
                        $0.sentRecords += run.count
                        $0.sentBytes += bytes
                        $0.lastSuccess = now()
                        $0.lastError = nil
                        $0.destinations[destination.name, default: DestinationStatus()].sentRecords +=
                            run.count
                        $0.destinations[destination.name, default: DestinationStatus()].lastSuccess = now()
                        $0.destinations[destination.name, default: DestinationStatus()].lastError = nil
                    }
                }
                // Held-back rows after the last one sent: the cursor passes them too.
                if let last = items.last, let sent = records.last, last.id > sent.id {
                    do {
                        try database.advanceCursor(
                            destination: destination.name, kind: kind, to: last.id, now: now())
                    } catch { record(failure: "\(error)"); throw .storage(error) }
                }
                if planned == 0 && items.count < configuration.batchSize { break }
            }
        }
        return total
    }

    /// Sends `records`; returns the ids the destination took and, when it did not take them
    /// all, why. S3 and DynamoDB take a batch whole or not at all; Kinesis record by record.
    func send(_ records: [UploadRecord], kind: UploadKind, to destination: UploadDestination) async
        -> (taken: Set<Int64>, error: AWSRequestError?)
    {
        let all = Set(records.map(\.id))
        do {
            switch destination.target {
            case .s3(let client, let prefix):
                try await client.putBatch(
                    records.map { $0.adding("station", configuration.station) }, prefix: prefix,
                    thing: configuration.thingName)
            case .dynamoDB(let client, let tables):
                guard let table = tables[kind] else { return (all, nil) }
                try await client.batchWrite(
                    records.map { $0.adding("station", configuration.station) }, table: table,
                    thing: configuration.thingName)
            case .kinesis(let client, let stream):
                let entries = records.map {
                    KinesisClient.Entry(
                        partitionKey: configuration.thingName,
                        data: $0.adding("station", configuration.station).json)
                }
                // A put Kinesis may already have carried out must get its answer and its
                // bookkeeping, or the next start sends it again: a graceful stop (which cancels
                // the drain) lets it finish, for at most `stopGrace` (systemd's stop timeout is
                // 30 s, and the recorder still flushes after this). None starts after the stop.
                if Task.isCancelled || Task.isShuttingDownGracefully {
                    return (
                        [],
                        .network(
                            service: "kinesis", endpoint: client.client.endpoint,
                            reason: "the service is stopping")
                    )
                }
                let put = Task { await client.put(entries, stream: stream) }
                let grace = Self.stopGrace
                let result = await withTaskCancellationHandler {
                    await put.value
                } onCancel: {
                    Task {
                        try? await Task.sleep(for: grace)
                        put.cancel()
                    }
                }
                let taken = Set(zip(records, result.taken).filter(\.1).map(\.0.id))
                return (taken, result.error)
            }
            return (all, nil)
        } catch {
            return ([], error)
        }
    }

    /// Token-bucket-like pacing: each batch of `bytes` reserves bytes/rate seconds of the link.
    func pace(bytes: Int) async {
        guard let rate = configuration.maxBytesPerSecond, rate > 0 else { return }
        let t = now()
        let start = nextSend.withLock { next -> Date in
            let s = max(next ?? t, t)
            next = s.addingTimeInterval(Double(bytes) / Double(rate))
            return s
        }
        let wait = start.timeIntervalSince(t)
        if wait > 0 { try? await sleep(.milliseconds(Int64(wait * 1000))) }
    }

    /// Counts rows passed over for being stamped before `holdBackBefore`, and says so once per
    /// destination and kind.
    private func heldBack(_ count: Int, kind: UploadKind, destination: String) {
        state.withLock { $0.heldBack += count }
        let first = heldBackLogged.withLock { $0.insert("\(destination) \(kind.rawValue)").inserted }
        if first {
            logger.notice(
                "upload: \(kind.rawValue) rows stamped before \(AWSDate.iso8601(configuration.holdBackBefore)) are not sent to \(destination): a run that ended before the clock was set logged them, so their time is unknown; they stay in the log (sensorstation status counts them)",
                metadata: ["rows": "\(count)"])
        }
    }

    private func record(failure: String, destination: String? = nil) {
        let t = now()
        state.withLock {
            $0.failures += 1
            $0.lastError = failure
            if let destination {
                $0.destinations[destination, default: DestinationStatus()].lastError = failure
                $0.destinations[destination, default: DestinationStatus()].lastErrorTime = t
            }
        }
    }

    /// Re-reads the backlog of every destination into the status.
    public func refreshBacklog() {
        var backlog: [String: [UploadKind: Int]] = [:]
        for d in destinations { backlog[d.name] = try? database.backlog(destination: d.name) }
        state.withLock { $0.backlog = backlog }
    }
}

extension UploadDestination {
    var isS3: Bool { if case .s3 = target { return true } else { return false } }
    var isKinesis: Bool { if case .kinesis = target { return true } else { return false } }
    /// Where the S3 batch about to be sent is recorded (a cursor row of its own: the last id of
    /// the batch in flight). Names with `#` are not destinations (`knownDestinations` skips them).
    var planName: String { name + "#batch" }
}

/// When the uploader drains what: every destination each poll interval, or after its backoff when
/// that failed; between, while streaming is on, only Kinesis each live poll interval, or after
/// its own backoff. A failing S3 or DynamoDB does not slow the stream, nor a failing stream them.
struct DrainSchedule: Sendable, Equatable {
    enum Pass: Sendable, Equatable { case full, live }

    private(set) var pollInterval: Duration
    let livePollInterval: Duration
    let backoff: Backoff
    private(set) var nextFull: Date
    private(set) var nextLive: Date
    private var failures = 0
    private var liveFailures = 0

    init(start: Date, pollInterval: Duration, livePollInterval: Duration, backoff: Backoff) {
        self.pollInterval = pollInterval
        self.livePollInterval = livePollInterval
        self.backoff = backoff
        nextFull = start
        nextLive = start
    }

    /// A new poll interval at `t`: a shorter one takes effect now (the next full pass comes at
    /// most that far ahead), unless a backoff after failures holds it; a longer one from the
    /// next pass on.
    mutating func retime(pollInterval new: Duration, at t: Date) {
        guard new != pollInterval else { return }
        pollInterval = new
        if failures == 0 { nextFull = min(nextFull, t.addingTimeInterval(new.seconds)) }
    }

    /// The pass due at `t`, if any.
    func due(at t: Date, live: Bool) -> Pass? {
        if t >= nextFull { return .full }
        return live && t >= nextLive ? .live : nil
    }

    /// Moves the times on after `pass` ended at `t`; returns the backoff after a failure (zero
    /// after a success).
    mutating func finished(_ pass: Pass, ok: Bool, at t: Date, random: Double) -> Duration {
        func delay(_ n: Int) -> Duration {
            max(backoff.delay(attempt: n - 1, random: random), .milliseconds(100))
        }
        switch (pass, ok) {
        case (.full, true):
            failures = 0
            liveFailures = 0
            nextFull = t.addingTimeInterval(pollInterval.seconds)
            nextLive = t.addingTimeInterval(livePollInterval.seconds)
            return .zero
        case (.full, false):
            // Which destination failed is not known here: the live passes go on, and back off
            // on their own if it was Kinesis.
            failures += 1
            let d = delay(failures)
            nextFull = t.addingTimeInterval(d.seconds)
            nextLive = t.addingTimeInterval(livePollInterval.seconds)
            return d
        case (.live, true):
            liveFailures = 0
            nextLive = t.addingTimeInterval(livePollInterval.seconds)
            return .zero
        case (.live, false):
            liveFailures += 1
            let d = delay(liveFailures)
            nextLive = t.addingTimeInterval(d.seconds)
            return d
        }
    }

    /// When to look again: the next pass due, and while not live at most 1 s ahead, so that
    /// streaming on is noticed within a second.
    func wake(after t: Date, live: Bool) -> Date {
        live ? min(nextFull, nextLive) : min(nextFull, t.addingTimeInterval(1))
    }
}
