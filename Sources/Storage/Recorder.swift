import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Synchronization

/// The batched writer, as a ServiceLifecycle `Service`.
///
/// `record` appends to a Mutex-protected buffer and returns at once: sampling never waits for the
/// SD card. `run` commits the buffer every `commitInterval` in one transaction on GRDB's writer
/// queue (its own thread, not the cooperative pool), so a power cut loses at most one interval of
/// readings. Impacts skip the queue: `recordImpact` commits with synchronous=FULL and returns the
/// row id only once the commit is on disk.
///
/// Bounded queue: `queueCapacity` units (a record, or one raw sample, since memory scales with
/// samples). Full: the newest raw batches go first, then the incoming record; impacts are never
/// queued, so never dropped here. Disk full (SQLITE_FULL): raw data stops (dropped and counted),
/// the raw already stored is deleted oldest first to make room, summaries wait in the queue, and
/// writing resumes with the first commit that succeeds.
public final class Recorder: Service, Sendable {
    struct State {
        var buffer = Batch()
        var stats = RecorderStats()
        var retentionMore = false
        var lastRetention: Date?
        var dropLogged = false
        /// Retention by age waits while the wall clock cannot be trusted (`holdAgeRetention`).
        var ageRetentionHeld = false
    }

    public let database: StationDatabase
    let commitInterval: Duration
    let queueCapacity: Int
    let retention: RetentionPolicy
    let logger: Logger
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    /// How often retention runs when it has caught up.
    let retentionInterval: TimeInterval = 60
    /// After a full disk, raw data resumes only once this much space is free again (in the file
    /// system, and under `max_page_count`), so it does not flap at the edge.
    let resumeHeadroomBytes: Int64
    private let state = Mutex(State())

    /// - Parameters:
    ///   - clock: paces commits (inject a manual clock in tests).
    ///   - now: the wall clock for retention cut-offs and `lastCommit`.
    public init(
        database: StationDatabase, commitInterval: Duration = .seconds(1), queueCapacity: Int = 100_000,
        retention: RetentionPolicy, logger: Logger, clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }, resumeHeadroomBytes: Int64 = 16 << 20
    ) {
        self.resumeHeadroomBytes = resumeHeadroomBytes
        self.database = database
        self.commitInterval = commitInterval
        self.queueCapacity = max(1, queueCapacity)
        self.retention = retention
        self.logger = logger
        self.clock = clock
        self.now = now
    }

    public var stats: RecorderStats {
        state.withLock { s in
            var stats = s.stats
            stats.queued = s.buffer.units
            return stats
        }
    }

    /// Queues a record for the next commit. Never blocks and never throws.
    public func record(_ r: Record) {
        let dropped: Bool = state.withLock { s in
            if case .raw(let samples) = r {
                // Raw goes first: refused while the disk is full or when it would overflow.
                if s.stats.diskFull || s.buffer.units + samples.count > queueCapacity {
                    s.stats.dropped += 1
                    s.stats.droppedRawSamples += samples.count
                    return true
                }
                s.buffer.raw.append(samples)
                return false
            }
            // Make room by evicting the newest raw batches; if there is none, drop this record.
            while s.buffer.units + 1 > queueCapacity, let last = s.buffer.raw.popLast() {
                s.stats.dropped += 1
                s.stats.droppedRawSamples += last.count
            }
            if s.buffer.units + 1 > queueCapacity {
                s.stats.dropped += 1
                return true
            }
            switch r {
            case .weather(let w): s.buffer.weather.append(w)
            case .motion(let m): s.buffer.motion.append(m)
            case .event(let e): s.buffer.events.append(e)
            case .raw: break
            }
            s.dropLogged = false
            return false
        }
        if dropped {
            let first = state.withLock { s in
                defer { s.dropLogged = true }
                return !s.dropLogged
            }
            if first {
                logger.warning(
                    "storage queue full or disk full: dropping records",
                    metadata: ["path": "\(database.path)"])
            }
        }
    }

    /// Commits an impact durably (synchronous=FULL) and returns its row id. On a full disk it
    /// deletes raw acceleration, then the oldest hour of summaries, and retries (three times).
    public func recordImpact(_ impact: ImpactRecord) async throws(StorageError) -> Int64 {
        let pool = try database.writer()
        do {
            return try await pool.writeWithoutTransaction { db in try self.insertImpact(impact, db) }
        } catch {
            let e = StorageError.from(error, path: database.path, doing: "recording an impact")
            state.withLock { $0.stats.lastError = e.description }
            logger.error("impact not recorded", metadata: ["error": "\(e)"])
            throw e
        }
    }

    /// Commits what is queued now, then runs a retention pass if one is due.
    public func flush() async {
        guard let pool = try? database.writer() else { return }
        do {
            try await pool.writeWithoutTransaction { db in self.commit(db) }
        } catch {
            // Cancelled before it ran: the buffer is untouched and the next flush takes it.
            logger.debug("commit did not run", metadata: ["error": "\(error)"])
        }
    }

    /// Holds retention by age (or lets it go again): while the system clock is not set, "older
    /// than `maxAge`" means nothing, and the rows this run logged so far still carry the old
    /// clock's times until they are corrected (`correctClock`); a pass in between would delete them.
    /// The size cap still applies.
    public func holdAgeRetention(_ hold: Bool) {
        state.withLock { $0.ageRetentionHeld = hold }
    }

    /// Commits what is queued, then moves the rows logged after `mark` and stamped at or before
    /// `stampedBefore` by `delta` (`StationDatabase.correctClock`): both on the writer queue, one
    /// after the other, so no sample still waiting in the queue misses the correction.
    public func correctClock(after mark: StationDatabase.RowMark, stampedBefore: Date, by delta: Duration)
        async throws(StorageError) -> StationDatabase.ClockCorrection
    {
        let pool = try database.writer()
        do {
            return try await pool.writeWithoutTransaction { db in
                self.commit(db, retention: false)
                return try StationDatabase.correctClock(
                    db, after: mark, stampedBefore: stampedBefore, by: delta)
            }
        } catch {
            throw StorageError.from(
                error, path: database.path, doing: "correcting the times logged before the clock was set")
        }
    }

    /// Commits every `commitInterval` until graceful shutdown (or cancellation), then flushes
    /// everything still queued and returns.
    public func run() async throws {
        logger.info(
            "recording", metadata: ["path": "\(database.path)", "commit_interval": "\(commitInterval)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await self.clock.sleep(for: self.commitInterval) }
            } catch {
                break
            }
            await flush()
        }
        // The final flush runs synchronously on the writer: an async GRDB access would refuse to
        // start in a cancelled task, and what is queued must still reach the disk.
        finalFlush()
        let s = stats
        logger.info(
            "recorder stopped",
            metadata: ["written": "\(s.written)", "dropped": "\(s.dropped)", "queued": "\(s.queued)"])
    }

    /// Blocks until the queue is written (synchronous GRDB access).
    private func finalFlush() {
        guard let pool = try? database.writer() else { return }
        pool.writeWithoutTransaction { db in self.commit(db, retention: false) }
    }

    // MARK: - on the writer queue

    /// Takes the buffer and writes it in one transaction. Never throws: failures are counted,
    /// logged, and what can still be written waits in the queue.
    func commit(_ db: Database, retention runRetention: Bool = true) {
        let batch = state.withLock { s -> Batch in
            defer { s.buffer = Batch() }
            return s.buffer
        }
        if !batch.isEmpty {
            do {
                let rows = try insert(batch, db)
                succeeded(rows: rows)
            } catch let error where Self.isFull(error) {
                enterDiskFull(error)
                var rest = batch
                if !batch.raw.isEmpty {
                    rest.raw = []
                    state.withLock { s in
                        s.stats.dropped += batch.raw.count
                        s.stats.droppedRawSamples += batch.rawSamples
                    }
                }
                // Make room by deleting stored raw acceleration, oldest first; then retry the rest.
                _ = try? StationDatabase.freeSpace(db, rawRows: 16, alsoOldestSummaries: false)
                do {
                    let rows = try insert(rest, db)
                    succeeded(rows: rows)
                } catch {
                    requeue(rest, error: error)
                }
            } catch {
                requeue(batch, error: error)
            }
        }
        if runRetention { retainIfDue(db) }
        checkSpaceReturned(db)
    }

    private func insert(_ batch: Batch, _ db: Database) throws -> Int {
        var rows = 0
        try db.inTransaction {
            rows = try StationDatabase.insert(batch, db)
            return .commit
        }
        return rows
    }

    func insertImpact(_ impact: ImpactRecord, _ db: Database) throws -> Int64 {
        var attempt = 0
        while true {
            do {
                let id = try StationDatabase.insertImpact(impact, db)
                state.withLock { s in
                    s.stats.impacts += 1
                    s.stats.written += 1
                }
                return id
            } catch let error where Self.isFull(error) && attempt < 3 {
                enterDiskFull(error)
                // Impacts matter more than raw data, and more than the oldest summaries.
                _ = try? StationDatabase.freeSpace(db, rawRows: 100_000, alsoOldestSummaries: attempt > 0)
                attempt += 1
            }
        }
    }

    private func succeeded(rows: Int) {
        state.withLock { s in
            s.stats.written += rows
            s.stats.lastCommit = now()
            // A full disk stays reported until space returns.
            if !s.stats.diskFull { s.stats.lastError = nil }
        }
    }

    /// While the disk is full: is there room again? Then raw data resumes.
    private func checkSpaceReturned(_ db: Database) {
        guard state.withLock({ $0.stats.diskFull }) else { return }
        guard let headroom = try? StationDatabase.headroom(db, path: database.path),
            headroom >= resumeHeadroomBytes
        else { return }
        state.withLock { s in
            s.stats.diskFull = false
            s.stats.lastError = nil
        }
        logger.notice(
            "storage: space available again; raw data resumes",
            metadata: ["path": "\(database.path)", "free_bytes": "\(headroom)"])
    }

    private func enterDiskFull(_ error: any Error) {
        let e = StorageError.from(error, path: database.path, doing: "writing")
        let first = state.withLock { s -> Bool in
            defer {
                s.stats.diskFull = true
                s.stats.lastError = e.description
            }
            return !s.stats.diskFull
        }
        if first {
            logger.error(
                "storage: disk full; dropping raw acceleration, keeping impacts and summaries queued",
                metadata: ["error": "\(e)"])
        }
    }

    /// Puts an unwritten batch back in front of newer records, within the capacity (the newest
    /// raw first, then the newest summaries, are dropped if it does not fit).
    private func requeue(_ batch: Batch, error: any Error) {
        let e = StorageError.from(error, path: database.path, doing: "writing a batch of \(batch.rows) rows")
        state.withLock { s in
            s.stats.lastError = e.description
            var b = batch
            b.weather += s.buffer.weather
            b.motion += s.buffer.motion
            b.events += s.buffer.events
            b.raw += s.buffer.raw
            while b.units > queueCapacity {
                if let last = b.raw.popLast() {
                    s.stats.droppedRawSamples += last.count
                } else if !b.motion.isEmpty {
                    b.motion.removeLast()
                } else if !b.weather.isEmpty {
                    b.weather.removeLast()
                } else {
                    b.events.removeLast()
                }
                s.stats.dropped += 1
            }
            s.buffer = b
        }
        if !Self.isFull(error) {
            logger.error("storage: commit failed; will retry", metadata: ["error": "\(e)"])
        }
    }

    private func retainIfDue(_ db: Database) {
        let t = now()
        let (due, byAge) = state.withLock { s -> (Bool, Bool) in
            (
                s.retentionMore
                    || s.lastRetention.map { t.timeIntervalSince($0) >= retentionInterval } ?? true,
                !s.ageRetentionHeld
            )
        }
        guard due else { return }
        do {
            let pass = try StationDatabase.retentionPass(db, policy: retention, now: t, byAge: byAge)
            state.withLock { s in
                s.lastRetention = t
                s.retentionMore = pass.more
                s.stats.retentionDeleted += pass.deletedByAge + pass.deletedBySize
            }
        } catch {
            state.withLock { s in
                s.lastRetention = t
                s.stats.lastError =
                    StorageError.from(error, path: database.path, doing: "applying retention").description
            }
        }
    }

    static func isFull(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode.primaryResultCode == .SQLITE_FULL
    }
}
