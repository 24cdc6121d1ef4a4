// MARK: - shadow

extension StationConfiguration {
    /// `shadow:` the station's health and remote settings in its AWS IoT Device Shadow
    /// (docs/shadow.md).
    public struct ShadowSettings: Sendable, Equatable {
        public var enabled: Bool
        /// The account's IoT data endpoint (`aws iot describe-endpoint --endpoint-type
        /// iot:Data-ATS`), a host name or a URL (a local test server).
        public var endpoint: String
        /// `reported` is sent at least this often, and `desired` read after each.
        public var heartbeat: Duration

        public init(enabled: Bool = false, endpoint: String = "", heartbeat: Duration = .seconds(300)) {
            self.enabled = enabled
            self.endpoint = endpoint
            self.heartbeat = heartbeat
        }
    }
}
