// MARK: - alert

extension StationConfiguration {
    /// `alert:` an impact told to a person through Amazon SNS (docs/alerts.md), with a window in
    /// which a long press cancels it.
    public struct AlertSettings: Sendable, Equatable {
        public var enabled: Bool
        /// The SNS topic (`arn:aws:sns:REGION:ACCOUNT:NAME`, `….fifo` for deduplication).
        public var topicArn: String
        /// A custom endpoint URL (a local test server); empty for AWS.
        public var endpoint: String
        /// How long after an impact a long press can still cancel its alert (0: none).
        public var cancelWindow: Duration
        /// The same for severe impacts.
        public var severeCancelWindow: Duration
        /// Impacts this close to a pending alert's first one join it (0: every impact alone).
        public var coalesce: Duration
        /// At most this many alerts an hour; more wait (and say they were delayed).
        public var maxPerHour: Int
        /// Alerts older than this when they can finally go are sent as one summary.
        public var summaryAfter: Duration
        /// Where the station is, in words, for the alert's text; empty: not said.
        public var location: String

        public init(
            enabled: Bool = false, topicArn: String = "", endpoint: String = "",
            cancelWindow: Duration = .seconds(30), severeCancelWindow: Duration = .seconds(10),
            coalesce: Duration = .seconds(60), maxPerHour: Int = 10, summaryAfter: Duration = .seconds(3600),
            location: String = ""
        ) {
            self.enabled = enabled
            self.topicArn = topicArn
            self.endpoint = endpoint
            self.cancelWindow = cancelWindow
            self.severeCancelWindow = severeCancelWindow
            self.coalesce = coalesce
            self.maxPerHour = maxPerHour
            self.summaryAfter = summaryAfter
            self.location = location
        }

        /// The cancel window of an impact of `severity` ("impact" or "severe").
        public func cancelWindow(severity: String) -> Duration {
            severity == "severe" ? severeCancelWindow : cancelWindow
        }
    }
}
