// MARK: - storage

extension StationConfiguration {
    /// `storage:` the SQLite log.
    public struct StorageSettings: Sendable, Equatable {
        /// Absolute, or relative to the working directory (relative paths in a file are resolved
        /// against the file's directory by the loader).
        public var path: String
        /// `commit_interval_ms`, 100…60 000 ms.
        public var commitInterval: Duration
        public var retentionDays: Int
        public var maxSizeMB: Int
        /// Keep raw acceleration while a client streams, not only around impacts.
        public var rawWhileStreaming: Bool

        public init(
            path: String, commitInterval: Duration = .milliseconds(1000), retentionDays: Int = 30,
            maxSizeMB: Int = 1024, rawWhileStreaming: Bool = false
        ) {
            self.path = path
            self.commitInterval = commitInterval
            self.retentionDays = retentionDays
            self.maxSizeMB = maxSizeMB
            self.rawWhileStreaming = rawWhileStreaming
        }

        /// `$STATE_DIRECTORY/station.db` under systemd (`StateDirectory=`; the first entry if
        /// there are several), else `$XDG_STATE_HOME/sensorstation/station.db`, else
        /// `$HOME/.local/state/sensorstation/station.db`, else `.sensorstation/station.db`.
        public static func defaultPath(environment: [String: String]) -> String {
            if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
                return joinPath(String(state), "station.db")
            }
            if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
                return joinPath(xdg, "sensorstation/station.db")
            }
            if let home = environment["HOME"], !home.isEmpty {
                return joinPath(home, ".local/state/sensorstation/station.db")
            }
            return ".sensorstation/station.db"
        }
    }
}
