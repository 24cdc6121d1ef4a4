/// The shadow service's state as `sensorstation status` shows it, sent over the control socket.
/// Times are ISO 8601 UTC text.
public struct ShadowLiveStatus: Codable, Sendable, Equatable {
    public var endpoint: String
    /// The last complete sync (desired read, reported written), and the shadow's version then.
    public var lastSync: String?
    public var version: Int64?
    /// The last `reported` update the service accepted.
    public var lastReport: String?
    public var lastError: String?
    public var lastErrorTime: String?
    /// When the next sync is due.
    public var nextSync: String?
    /// What became of the last desired state: `version 12 applied` or `version 13 refused: …`.
    public var desired: String?
    /// The settings the shadow sets over the file: `impact.threshold_g = 5`.
    public var overrides: [String]
    /// Syncs done, and the `shadow sync` requests they answered (for the CLI to wait on).
    public var syncs: Int
    public var requestsAnswered: Int

    public init(
        endpoint: String, lastSync: String? = nil, version: Int64? = nil, lastReport: String? = nil,
        lastError: String? = nil, lastErrorTime: String? = nil, nextSync: String? = nil,
        desired: String? = nil,
        overrides: [String] = [], syncs: Int = 0, requestsAnswered: Int = 0
    ) {
        self.endpoint = endpoint
        self.lastSync = lastSync
        self.version = version
        self.lastReport = lastReport
        self.lastError = lastError
        self.lastErrorTime = lastErrorTime
        self.nextSync = nextSync
        self.desired = desired
        self.overrides = overrides
        self.syncs = syncs
        self.requestsAnswered = requestsAnswered
    }

    /// Plain lines for `status`, one per fact.
    public var lines: [String] {
        var out = [
            "shadow     "
                + (lastSync.map { "synced \($0)" + (version.map { " (version \($0))" } ?? "") }
                    ?? "never synced") + " with \(endpoint)"
        ]
        if let desired { out.append("shadow     desired \(desired)") }
        for o in overrides { out.append("shadow     sets \(o) (over the file)") }
        if let lastError {
            out.append("shadow     last error" + (lastErrorTime.map { " at \($0)" } ?? "") + ": \(lastError)")
            if let nextSync { out.append("shadow     next try \(nextSync)") }
        }
        return out
    }
}
