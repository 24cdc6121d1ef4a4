import Cloud
import Foundation
import Storage

/// The `reported` state: the settable settings as they run (so the shadow's delta is what is not
/// applied), the streaming switch, the station's health and what became of the last `desired`.
/// Split in two: what is worth an update at once when it changes (`state`), and the figures
/// that change all the time and go with the heartbeat (`metrics`: uptime, sample ages, database
/// size, backlog).
public struct ShadowReport: Sendable, Equatable {
    public var state: [String: JSONValue]
    public var metrics: [String: JSONValue]

    /// Faults and errors are cut to this many UTF-8 bytes, and at most `maxFaults` of each are
    /// listed, so the document stays far below the service's 8 KiB.
    static let maxText = 160
    static let maxFaults = 8

    /// What the last `desired` came to.
    public enum DesiredOutcome: Sendable, Equatable {
        case applied(version: Int64)
        case refused(version: Int64, problems: [String])
    }

    public struct Inputs: Sendable {
        public var configuration: StationConfiguration
        public var snapshot: StationState.Snapshot
        /// The sensors the configuration has: component (`accelerometer`, `weather`) → chip label.
        public var sensors: [String: String]
        public var version: String
        public var bootTime: Date
        public var startTime: Date
        public var now: Date
        public var clockSynchronised: Bool
        public var alertsPending: Int?
        public var databaseBytes: Int64?
        public var backlogRecords: Int?
        public var backlogOldest: Date?
        public var desired: DesiredOutcome?

        public init(
            configuration: StationConfiguration, snapshot: StationState.Snapshot, sensors: [String: String],
            version: String, bootTime: Date, startTime: Date, now: Date, clockSynchronised: Bool,
            alertsPending: Int? = nil, databaseBytes: Int64? = nil, backlogRecords: Int? = nil,
            backlogOldest: Date? = nil, desired: DesiredOutcome? = nil
        ) {
            self.configuration = configuration
            self.snapshot = snapshot
            self.sensors = sensors
            self.version = version
            self.bootTime = bootTime
            self.startTime = startTime
            self.now = now
            self.clockSynchronised = clockSynchronised
            self.alertsPending = alertsPending
            self.databaseBytes = databaseBytes
            self.backlogRecords = backlogRecords
            self.backlogOldest = backlogOldest
            self.desired = desired
        }
    }

    public init(_ i: Inputs) {
        let s = i.snapshot
        // Cut by UTF-8 bytes, not characters: a key in a refused desired state is anyone's text,
        // and one character can be many bytes.
        func cut(_ text: String) -> JSONValue {
            guard text.utf8.count > Self.maxText else { return .string(text) }
            var out = ""
            var bytes = 0
            for c in text {
                let n = c.utf8.count
                guard bytes + n <= Self.maxText - 3 else { break }
                out.append(c)
                bytes += n
            }
            return .string(out + "…")
        }
        func seconds(_ d: TimeInterval) -> JSONValue { .double((max(0, d) * 10).rounded() / 10) }

        var sensors: [String: JSONValue] = [:]
        var sensorAges: [String: JSONValue] = [:]
        for (component, chip) in i.sensors.sorted(by: { $0.key < $1.key }) {
            let condition =
                s.faultMessages[component] != nil ? "fault" : s.probed.contains(component) ? "ok" : "starting"
            sensors[component] = .object(["chip": .string(chip), "state": .string(condition)])
            let last = component == "weather" ? s.lastWeather?.time : s.lastMotion?.time
            sensorAges[component] = last.map { seconds(i.now.timeIntervalSince($0)) } ?? .null
        }
        let faults = s.faultMessages.sorted { $0.key < $1.key }.prefix(Self.maxFaults).map {
            cut("\($0.key): \($0.value)")
        }
        // The last error is news; the last success changes with every batch and goes with the
        // metrics.
        var destinations: [String: JSONValue] = [:]
        var lastSuccess: [String: JSONValue] = [:]
        for d in s.upload?.destinations ?? [] {
            destinations[d.name] = .object(["last_error": d.lastError.map(cut) ?? .null])
            lastSuccess[d.name] = d.lastSuccess.map(JSONValue.string) ?? .null
        }
        var health: [String: JSONValue] = [
            "version": .string(i.version),
            "booted_at": .string(AWSDate.iso8601(i.bootTime)),
            "started_at": .string(AWSDate.iso8601(i.startTime)),
            "sensors": .object(sensors),
            "faults": .array(faults),
            "clock_synchronised": .bool(i.clockSynchronised),
            "impact_latched": .bool(s.indication.impactLatched),
            "destinations": .object(destinations),
        ]
        if let pending = i.alertsPending { health["alerts_pending"] = .int(Int64(pending)) }
        var state = ShadowDesired.reportedSettings(i.configuration)
        state["streaming"] = .bool(s.indication.streaming)
        state["health"] = .object(health)
        switch i.desired {
        case .applied(let version)?:
            state["desired_status"] = .object([
                "version": .int(version), "applied": .bool(true), "errors": .array([]),
            ])
        case .refused(let version, let problems)?:
            state["desired_status"] = .object([
                "version": .int(version), "applied": .bool(false),
                "errors": .array(problems.prefix(Self.maxFaults).map(cut)),
            ])
        case nil:
            state["desired_status"] = .null  // removes what an earlier run reported
        }
        self.state = state
        var metrics: [String: JSONValue] = [
            "reported_at": .string(AWSDate.iso8601(i.now)),
            "uptime_s": .int(Int64(max(0, i.now.timeIntervalSince(i.startTime)))),
            "last_sample_age_s": .object(sensorAges),
            "last_success": .object(lastSuccess),
        ]
        if let bytes = i.databaseBytes { metrics["database_bytes"] = .int(bytes) }
        if let d = s.sampling {
            metrics["samples_lost"] = .object([
                "overruns": .int(Int64(d.overruns)), "gaps": .int(Int64(d.gaps)),
                "missed_samples": .int(Int64(d.missedSamples)),
                "interrupt_timeouts": .int(Int64(d.interruptTimeouts)),
                "interrupt_unusable": .int(Int64(d.interruptUnusable)),
            ])
        }
        if let records = i.backlogRecords {
            metrics["backlog"] = .object([
                "records": .int(Int64(records)),
                "oldest_age_s": i.backlogOldest.map { seconds(i.now.timeIntervalSince($0)) } ?? .null,
            ])
        }
        self.metrics = metrics
    }

    /// The whole `reported` object: `state` with the metrics inside `health`.
    public var reported: [String: JSONValue] {
        var r = state
        if case .object(var health)? = r["health"] {
            for (k, v) in metrics { health[k] = v }
            r["health"] = .object(health)
        }
        return r
    }

    /// The update document for `UpdateThingShadow`.
    public var updateDocument: String {
        JSONValue.object([("state", .object(["reported": .object(reported)]))])
    }
}
