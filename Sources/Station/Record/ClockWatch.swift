import Cloud
import Foundation
import LinuxSystem
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// A Raspberry Pi has no battery clock: at boot systemd sets the clock to its build date or to
/// the time systemd-timesyncd last saved, and NTP sets it right minutes or hours later (or never,
/// offline). The station samples and logs from boot all the same; this service puts right what it
/// logged meanwhile (docs/storage.md and docs/upload.md, "No real-time clock").
///
/// When the clock is not synchronised at start, it takes a mark: the offset between the wall
/// clock and CLOCK_BOOTTIME (which counts from boot, suspend included, and is never set), and the
/// last row id of each table. When the clock turns synchronised, Δ = offset now − offset then is
/// what the clock was moved by; every row written after the mark and stamped at or before that
/// moment (read on the old clock) moves by Δ, in one transaction, after the recorder's queue has
/// been committed (`Recorder.correctClock`). Only then does `gate` open: the uploader reads nothing
/// and the streamer takes nothing before, so no record leaves with the old clock's time. Then the
/// watch is done, so nothing is moved twice.
public final class ClockWatch: Service, Sendable {
    /// What the watch reads from the world, injectable so tests set the clock instead of NTP.
    public struct Clocks: Sendable {
        /// The wall clock (CLOCK_REALTIME): what rows are stamped with.
        public var wall: @Sendable () -> Date
        /// CLOCK_BOOTTIME: monotonic, suspend included, never set.
        public var boot: @Sendable () -> Duration
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(
            wall: @escaping @Sendable () -> Date, boot: @escaping @Sendable () -> Duration,
            sleep: @escaping @Sendable (Duration) async throws -> Void
        ) {
            self.wall = wall
            self.boot = boot
            self.sleep = sleep
        }

        public static let live = Clocks(
            wall: { Date() }, boot: ClockWatch.bootTime, sleep: { try await Task.sleep(for: $0) })
    }

    /// One correction, for the log and `status`.
    public struct Correction: Sendable, Equatable {
        /// When it ran, on the new clock.
        public var at: Date
        public var rows: Int
        /// What the clock was moved by (zero: it had not been moved).
        public var delta: Duration
    }

    /// What `status` shows.
    public struct Status: Sendable, Equatable {
        /// The last look at the clock.
        public var clock: ClockSynchronisation.State?
        /// The clock was trusted and what was logged before it corrected: `gate` is open.
        public var corrected = false
        /// While a mark is held: when it was taken, on the clock of that moment.
        public var markedAt: Date?
        public var lastCorrection: Correction?
        /// Why the correction has not run (a storage error; retried at the next look).
        public var lastError: String?

        /// One line for `status`, nil when there is nothing to say.
        public var summary: String? {
            if let lastError {
                return
                    "set, but what was logged before could not be corrected yet (uploads wait): \(lastError)"
            }
            guard let c = lastCorrection else { return nil }
            return c.delta == .zero
                ? "synchronised at \(AWSDate.iso8601(c.at)); it had not been moved, so no row changed"
                : "set at \(AWSDate.iso8601(c.at)): moved \(c.rows) rows logged before synchronisation by \(ClockWatch.describe(c.delta))"
        }
    }

    struct Mark {
        /// Wall clock − CLOCK_BOOTTIME when the mark was taken.
        var offset: Duration
        /// nil: there is no log, or its last ids could not be read (then nothing is corrected).
        var rows: StationDatabase.RowMark?
    }

    /// A clock moved by less than this was not set: the two readings of an offset are a few
    /// microseconds apart, and nothing worth moving rows for is this small.
    static let unmoved: Duration = .milliseconds(1)

    /// Opens once the clock is trusted and what was logged before corrected.
    public let gate = UploadGate()
    let recorder: Recorder?
    let clockState: @Sendable (Date) -> ClockSynchronisation.State
    let clocks: Clocks
    let interval: Duration
    let logger: Logger
    private let state = Mutex<(mark: Mark?, status: Status)>((nil, Status()))

    /// The live watch: the clock is trusted once `marker` exists (systemd-timesyncd's by default,
    /// `upload.clock_sync_marker`) or the kernel's NTP state says so, as for the credentials.
    public convenience init(recorder: Recorder?, marker: String, logger: Logger) {
        self.init(
            recorder: recorder, clockState: { ClockSynchronisation.state(now: $0, marker: marker) },
            clocks: .live, logger: logger)
    }

    /// Takes the first look now, before anything is logged: an unsynchronised clock gets its mark
    /// (and retention by age waits), a synchronised one opens the gate at once.
    /// - Parameter clockState: whether the clock is synchronised, given the wall clock's reading.
    public init(
        recorder: Recorder?, clockState: @escaping @Sendable (Date) -> ClockSynchronisation.State,
        clocks: Clocks, interval: Duration = .seconds(1), logger: Logger
    ) {
        self.recorder = recorder
        self.clockState = clockState
        self.clocks = clocks
        self.interval = interval
        self.logger = logger
        let wall = clocks.wall(), boot = clocks.boot()
        let clock = clockState(wall)
        if clock.isSynchronised {
            state.withLock {
                $0.status.clock = clock
                $0.status.corrected = true
            }
            gate.open()
            return
        }
        var rows: StationDatabase.RowMark?
        if let recorder {
            do {
                rows = try recorder.database.rowMark()
            } catch {
                logger.error(
                    "clock not synchronised, and the last row ids could not be read, so what is logged before it is set cannot be corrected: \(error)"
                )
            }
            recorder.holdAgeRetention(true)
        }
        state.withLock {
            $0.mark = Mark(offset: Self.since1970(wall) - boot, rows: rows)
            $0.status.clock = clock
            $0.status.markedAt = wall
        }
        logger.notice(
            "waiting for the system clock to be synchronised (NTP): what is logged until then is corrected when it is, and nothing is uploaded before",
            metadata: ["clock": "\(clock)"])
    }

    public var status: Status { state.withLock { $0.status } }

    /// Looks every `interval` until the gate is open, then waits for graceful shutdown: once the
    /// clock has been set it is NTP's to keep (a later loss of synchronisation finds a clock that
    /// was right, and rows may have been uploaded since, so nothing is moved again).
    public func run() async throws {
        while !gate.isOpen && !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await self.clocks.sleep(self.interval) } } catch {
                return
            }
            await look()
        }
        try? await gracefulShutdown()
    }

    /// One look at the clock: when it has become synchronised, the correction, then the gate
    /// opens. The service looks every `interval`; tests call this. Does nothing once open.
    public func look() async {
        guard !gate.isOpen else { return }
        let wall = clocks.wall(), boot = clocks.boot()
        let clock = clockState(wall)
        // The gate is closed only while a mark is held.
        guard
            let mark = state.withLock({ s -> Mark? in
                s.status.clock = clock
                return s.mark
            }), clock.isSynchronised
        else { return }
        // What the clock was moved by, and the moment of this look on the old clock: rows of
        // this run stamped at or before it carry the old clock's time.
        let moved = (Self.since1970(wall) - boot) - mark.offset
        let delta = (moved < .zero ? .zero - moved : moved) < Self.unmoved ? .zero : moved
        let stampedBefore = Self.date(since1970: boot + mark.offset)
        var rows = 0
        if let recorder, let after = mark.rows {
            do {
                rows = try await recorder.correctClock(after: after, stampedBefore: stampedBefore, by: delta)
                    .rows
            } catch {
                let first = state.withLock { s -> Bool in
                    defer { s.status.lastError = "\(error)" }
                    return s.status.lastError != "\(error)"
                }
                if first {
                    logger.error(
                        "clock set, but the rows logged before could not be corrected (retrying; uploads wait): \(error)"
                    )
                }
                return
            }
        }
        if recorder != nil && mark.rows == nil {
            logger.error(
                "clock set (moved by \(Self.describe(delta))), but the rows logged before cannot be corrected: the last row ids could not be read at start",
                metadata: ["clock": "\(clock)"])
        } else if delta == .zero {
            logger.info(
                "clock synchronised; it had not been moved (by less than 1 ms), so nothing logged before changed",
                metadata: ["clock": "\(clock)"])
        } else if recorder == nil {
            logger.info(
                "clock set by \(Self.describe(delta)); there is no log to correct",
                metadata: ["clock": "\(clock)"])
        } else {
            logger.info(
                "clock set: moved \(rows) rows logged before synchronisation by \(Self.describe(delta))",
                metadata: ["clock": "\(clock)"])
        }
        state.withLock { s in
            s.mark = nil
            s.status.markedAt = nil
            s.status.lastError = nil
            s.status.lastCorrection = Correction(at: wall, rows: rows, delta: delta)
            s.status.corrected = true
        }
        recorder?.holdAgeRetention(false)
        gate.open()
    }

    // MARK: - clocks and durations

    /// CLOCK_BOOTTIME now (on macOS CLOCK_MONOTONIC, which counts sleep too).
    @Sendable public static func bootTime() -> Duration { LinuxSystem.Clocks.bootTime() }

    static func since1970(_ date: Date) -> Duration { .microseconds(TimeCodec.micros(date)) }

    static func date(since1970 d: Duration) -> Date { TimeCodec.date(micros: TimeCodec.micros(d)) }

    /// A clock step for people: "+3 h 12 min 5 s", "+412 d 0 h 3 min 0 s", "-0.250 s".
    public static func describe(_ d: Duration) -> String {
        let us = TimeCodec.micros(d)
        let sign = us < 0 ? "-" : "+"
        let magnitude = us.magnitude
        if magnitude < 60_000_000 { return sign + String(format: "%.3f s", Double(magnitude) / 1e6) }
        let seconds = (magnitude + 500_000) / 1_000_000
        let parts: [(UInt64, String)] = [
            (seconds / 86_400, "d"), (seconds / 3600 % 24, "h"), (seconds / 60 % 60, "min"),
            (seconds % 60, "s"),
        ]
        let shown = parts.drop { $0.0 == 0 }
        return sign + shown.map { "\($0.0) \($0.1)" }.joined(separator: " ")
    }
}
