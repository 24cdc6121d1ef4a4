import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// What the service needs of the shadow: `ShadowClient` (a test wraps it to interleave a
/// second writer).
public protocol ShadowAPI: Sendable {
    var endpoint: String { get }
    func get() async throws(AWSRequestError) -> ShadowClient.Document?
    @discardableResult func update(_ document: String) async throws(AWSRequestError) -> Int64
}

extension ShadowClient: ShadowAPI {}

/// The station's side of its Device Shadow (docs/shadow.md):
/// - a sync (at start, every heartbeat, and on `sensorstation shadow sync`) reads `desired`,
///   applies its settings through the same path as a reload (`ConfigurationReloader`: validated
///   whole by the configuration's own code, refused whole with its errors), keeps what was
///   applied beside the log, switches streaming and then removes `streaming` from `desired`
///   (guarded by the shadow's version: a 409 reads again), and writes `reported`;
/// - between syncs, `reported` goes at once when something worth telling changes (faults,
///   streaming, a latched impact, sensors, pending alerts, the clock, a destination's error);
/// - offline it keeps trying with a growing pause (5 s up to the heartbeat or 5 min) and the
///   station works on with the settings it has.
public struct ShadowService: Service {
    let client: any ShadowAPI
    let reloader: ConfigurationReloader
    let store: ShadowStore?
    let state: StationState
    let database: StationDatabase?
    let sensors: [String: String]
    let destinations: [String]
    let gate: UploadGate?
    let logger: Logger
    let version: String
    /// What the kept settings came to at start (refused: the file changed since).
    let startOutcome: ShadowReport.DesiredOutcome?
    var now: @Sendable () -> Date = { Date() }
    var tick: Duration = .seconds(1)
    /// Least time between two change-driven reports.
    var minReportSpacing: TimeInterval = 2

    public init(
        client: any ShadowAPI, reloader: ConfigurationReloader, store: ShadowStore?, state: StationState,
        database: StationDatabase?, sensors: [String: String], destinations: [String], gate: UploadGate?,
        logger: Logger, version: String, startOutcome: ShadowReport.DesiredOutcome? = nil
    ) {
        self.client = client
        self.reloader = reloader
        self.store = store
        self.state = state
        self.database = database
        self.sensors = sensors
        self.destinations = destinations
        self.gate = gate
        self.logger = logger
        self.version = version
        self.startOutcome = startOutcome
    }

    /// The loop's memory.
    struct Progress {
        var status: ShadowLiveStatus
        var outcome: ShadowReport.DesiredOutcome?
        /// The desired settings last looked at (applied or refused) and their problems, so the
        /// same are not applied or logged again at every sync.
        var seenDesired: [String: JSONValue]
        var seenProblems: [String] = []
        /// The reloader's generation when they were looked at: a refused state is looked at
        /// again after a reload (the file may have been fixed).
        var seenGeneration = 0
        /// Whether the desired settings last looked at were taken (streaming follows only then).
        var accepted = true
        var lastReported: [String: JSONValue]?
        var lastReportTime: Date = .distantPast
        var nextSync: Date
        var failures = 0
        var failureLog = RepeatedFailureLog(subject: "shadow")
        var requestsSeen = 0
    }

    public func run() async throws {
        let started = now()
        var p = Progress(
            status: ShadowLiveStatus(endpoint: client.endpoint), outcome: startOutcome,
            seenDesired: reloader.overlay.values, nextSync: started)
        p.status.overrides = overrides()
        state.setShadow(p.status)
        if let gate, !gate.isOpen {
            p.status.lastError =
                "waiting for the clock to be set (NTP); the shadow is not read or written before"
            state.setShadow(p.status)
            do { try await cancelWhenGracefulShutdown { try await gate.wait() } } catch { return }
            p.status.lastError = nil
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let t = now()
            let requests = state.snapshot.shadowSyncRequests
            if requests != p.requestsSeen || t >= p.nextSync {
                await sync(&p, started: started, requests: requests)
            } else if t.timeIntervalSince(p.lastReportTime) >= minReportSpacing, p.failures == 0,
                report(started: started, outcome: p.outcome).state != p.lastReported
            {
                do { try await send(&p, started: started) } catch { failed(&p, error) }
            }
            state.setShadow(p.status)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        }
    }

    /// Reads desired, applies it, writes reported.
    func sync(_ p: inout Progress, started: Date, requests: Int) async {
        do {
            var document = try await client.get()
            if let d = document { try await apply(d, &p, document: &document) }
            try await send(&p, started: started)
            let t = now()
            p.status.lastSync = AWSDate.iso8601(t)
            p.status.version = document?.version
            p.status.lastError = nil
            p.status.lastErrorTime = nil
            p.status.nextSync = nil
            p.failures = 0
            p.nextSync = t.addingTimeInterval(currentHeartbeat.seconds)
            if let line = p.failureLog.success(at: t) { logger.log(level: line.level, "\(line.message)") }
        } catch {
            failed(&p, error)
        }
        p.status.syncs += 1
        p.requestsSeen = requests
        p.status.requestsAnswered = requests
        state.setShadow(p.status)
    }

    private func failed(_ p: inout Progress, _ error: any Error) {
        let t = now()
        p.failures += 1
        let pause = min(5 * pow(2, Double(min(p.failures - 1, 10))), min(currentHeartbeat.seconds, 300))
        p.nextSync = t.addingTimeInterval(pause)
        p.status.lastError = "\(error)"
        p.status.lastErrorTime = AWSDate.iso8601(t)
        p.status.nextSync = AWSDate.iso8601(p.nextSync)
        if let line = p.failureLog.failure("\(error)", key: nil, at: t) {
            logger.log(level: line.level, "\(line.message)", metadata: ["retry_in_s": "\(Int(pause))"])
        }
    }

    var currentHeartbeat: Duration { reloader.running.shadow.heartbeat }

    /// The settings and the streaming switch of `desired`. A 409 on removing `streaming` reads
    /// the shadow again (`document` is then the newer one) and goes over it once more.
    private func apply(
        _ first: ShadowClient.Document, _ p: inout Progress, document: inout ShadowClient.Document?
    )
        async throws(AWSRequestError)
    {
        var d = first
        for attempt in 1...5 {
            let reading = ShadowDesired.read(d.desired, version: d.version)
            settle(reading, version: d.version, &p)
            // A refused desired state is refused whole: its streaming switch stays in desired.
            guard p.accepted, let streaming = reading.streaming else { return }
            _ = state.setStreaming(streaming, cause: "shadow")
            // Done: take the command out of desired, unless someone wrote the shadow meanwhile.
            let clear = #"{"state":{"desired":{"streaming":null}},"version":\#(d.version)}"#
            do {
                let version = try await client.update(clear)
                if var newer = document {
                    newer.version = version
                    document = newer
                }
                logger.notice("shadow: streaming \(streaming ? "on" : "off") (desired version \(d.version))")
                return
            } catch  where ShadowClient.isConflict(error) && attempt < 5 {
                logger.info("shadow: desired changed while it was applied (409); reading it again")
                guard let newer = try await client.get() else { return }
                d = newer
                document = newer
            }
        }
    }

    /// Applies the settings of `reading` when they differ from the last looked at.
    private func settle(_ reading: ShadowDesired.Reading, version: Int64, _ p: inout Progress) {
        let values = reading.overlay.values
        let seen = reading.problems.map { "\($0.key): \($0.message)" }
        let retry = !p.accepted && reloader.generation != p.seenGeneration
        guard values != p.seenDesired || seen != p.seenProblems || retry else { return }
        p.seenDesired = values
        p.seenProblems = seen
        defer { p.seenGeneration = reloader.generation }
        var problems = reading.problems.map(\.description)
        if problems.isEmpty {
            do {
                let outcome = try reloader.apply(overlay: reading.overlay)
                do {
                    try store?.save(.init(version: version, values: values))
                    state.clearFault("shadow")
                } catch {
                    state.raiseFault("shadow", "\(error); the settings apply until the next restart")
                }
                p.accepted = true
                p.outcome = .applied(version: version)
                p.status.desired = "version \(version) applied"
                p.status.overrides = overrides()
                logger.notice(
                    "shadow: desired version \(version) applied\(outcome.applied.isEmpty ? " (nothing changed)" : ": " + outcome.applied.joined(separator: ", "))"
                )
                return
            } catch {
                problems = error.problems.map(\.description)
            }
        }
        p.accepted = false
        p.outcome = .refused(version: version, problems: problems)
        p.status.desired = "version \(version) refused: " + problems.joined(separator: "; ")
        logger.error(
            "shadow: desired version \(version) refused, the running settings stay: \(problems.joined(separator: "; "))"
        )
    }

    /// The settings the shadow sets over the file, for `status`.
    private func overrides() -> [String] {
        reloader.overlay.values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.jsonText)" }
    }

    private func send(_ p: inout Progress, started: Date) async throws(AWSRequestError) {
        let r = report(started: started, outcome: p.outcome, withMetrics: true)
        try await client.update(r.updateDocument)
        p.lastReported = r.state
        p.lastReportTime = now()
        p.status.lastReport = AWSDate.iso8601(p.lastReportTime)
    }

    /// The report as things are now; the metrics (database, backlog) are read only when asked.
    func report(started: Date, outcome: ShadowReport.DesiredOutcome?, withMetrics: Bool = false)
        -> ShadowReport
    {
        let t = now()
        var inputs = ShadowReport.Inputs(
            configuration: reloader.running,
            snapshot: state.snapshot, sensors: sensors, version: version,
            bootTime: t.addingTimeInterval(-ProcessInfo.processInfo.systemUptime), startTime: started, now: t,
            clockSynchronised: gate?.isOpen ?? true, desired: outcome)
        if let database {
            inputs.alertsPending = (try? database.pendingAlerts())?.count
            if withMetrics {
                inputs.databaseBytes = Self.fileBytes(database.path)
                var records = 0
                var oldest: Date?
                for d in destinations {
                    records +=
                        (try? database.backlog(destination: d))?.filter {
                            UploadRuntime.sentKinds(destination: d).contains($0.key)
                        }.values.reduce(0, +) ?? 0
                    if let o = try? database.oldestPending(
                        destination: d, kinds: Array(UploadRuntime.sentKinds(destination: d)))
                    {
                        oldest = min(oldest ?? o, o)
                    }
                }
                inputs.backlogRecords = destinations.isEmpty ? nil : records
                inputs.backlogOldest = oldest
            }
        }
        return ShadowReport(inputs)
    }

    static func fileBytes(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, p in
            total
                + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}
