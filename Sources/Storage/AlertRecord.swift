import Foundation

/// One impact alert in the outbox (`alerts` table): which impacts it tells of, and how far it got.
public struct AlertRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Waiting: for its cancel window, the network, credentials, or the hourly limit.
        case pending
        /// SNS accepted it (`messageID`).
        case sent
        /// Someone said "I'm fine" in the cancel window (a long press, `sensorstation ack`).
        case cancelled
    }

    public var id: Int64
    /// The first impact: the id the receiver sees.
    public var impactID: Int64
    /// Every impact the alert tells of, `impactID` first (later ones were coalesced into it).
    public var impactIDs: [Int64]
    /// When the first impact was recorded.
    public var created: Date
    public var state: State
    public var attempts: Int
    public var lastError: String?
    public var lastAttempt: Date?
    public var sent: Date?
    public var messageID: String?
    public var cancelled: Date?
    public var cancelCause: String?

    public init(
        id: Int64, impactID: Int64, impactIDs: [Int64], created: Date, state: State, attempts: Int = 0,
        lastError: String? = nil, lastAttempt: Date? = nil, sent: Date? = nil, messageID: String? = nil,
        cancelled: Date? = nil, cancelCause: String? = nil
    ) {
        self.id = id
        self.impactID = impactID
        self.impactIDs = impactIDs
        self.created = created
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.lastAttempt = lastAttempt
        self.sent = sent
        self.messageID = messageID
        self.cancelled = cancelled
        self.cancelCause = cancelCause
    }
}
