import Foundation

/// The uploader's and the streamer's state as `sensorstation status` shows it, sent over the
/// control socket by the running service. Times are ISO 8601 UTC text.
public struct UploadLiveStatus: Codable, Sendable, Equatable {
    public struct Destination: Codable, Sendable, Equatable {
        public var name: String
        public var sentRecords: Int
        public var lastSuccess: String?
        public var lastError: String?
        public var lastErrorTime: String?

        public init(
            name: String, sentRecords: Int = 0, lastSuccess: String? = nil, lastError: String? = nil,
            lastErrorTime: String? = nil
        ) {
            self.name = name
            self.sentRecords = sentRecords
            self.lastSuccess = lastSuccess
            self.lastError = lastError
            self.lastErrorTime = lastErrorTime
        }
    }

    public struct Streaming: Codable, Sendable, Equatable {
        public var stream: String
        public var active: Bool
        public var sentRecords: Int
        public var dropped: Int
        public var lastSuccess: String?
        public var lastError: String?
    }

    /// `valid`, `waiting_for_clock`, `fetching`, `failing`, `not_fetched`, or `unavailable` (the
    /// provider could not be built: bad certificate, key or passphrase).
    public var credentialsState: String
    /// The credentials line (`credentials: ASIA… valid until …`, or the precise error).
    public var credentials: String
    public var credentialsExpiry: String?
    /// The last look at the clock: synchronised or not, and how that was found out (the marker
    /// file, the kernel's NTP state, or that the kernel's state could not be read).
    public var clock: String?
    /// What was done about the rows logged before the clock was set (`ClockWatch.Status.summary`).
    public var clockCorrection: String?
    public var destinations: [Destination]
    public var streaming: Streaming?

    public init(
        credentialsState: String, credentials: String, credentialsExpiry: String? = nil, clock: String? = nil,
        clockCorrection: String? = nil, destinations: [Destination] = [], streaming: Streaming? = nil
    ) {
        self.credentialsState = credentialsState
        self.credentials = credentials
        self.credentialsExpiry = credentialsExpiry
        self.clock = clock
        self.clockCorrection = clockCorrection
        self.destinations = destinations
        self.streaming = streaming
    }

    /// Plain lines for `status`, one per fact.
    public var lines: [String] {
        var out: [String] = []
        switch credentialsState {
        case "waiting_for_clock":
            out.append("credentials  waiting for clock synchronisation (NTP); nothing is signed before")
            if let clock { out.append("clock        \(clock)") }
        default:
            out.append(
                "credentials  "
                    + (credentials.hasPrefix("credentials: ")
                        ? String(credentials.dropFirst(13)) : credentials))
        }
        if let clockCorrection { out.append("clock        \(clockCorrection)") }
        for d in destinations {
            var line = "\(d.name)  sent \(d.sentRecords)"
            line += ", last success " + (d.lastSuccess ?? "never")
            if let e = d.lastError {
                line += "; last error" + (d.lastErrorTime.map { " at \($0)" } ?? "") + ": \(e)"
            }
            out.append(line)
        }
        if let s = streaming {
            var line = "stream \(s.stream)  \(s.active ? "on" : "off"), sent \(s.sentRecords)"
            line += ", last success " + (s.lastSuccess ?? "never")
            if s.dropped > 0 { line += ", \(s.dropped) left to store-and-forward" }
            if let e = s.lastError { line += "; last error: \(e)" }
            out.append(line)
        }
        return out
    }
}
