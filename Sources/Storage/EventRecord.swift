import Foundation

/// A discrete event: button presses, streaming start/stop, state changes, sensor faults and their
/// clearing, acknowledgements. One table for all of them, told apart by `kind`.
public struct EventRecord: Sendable, Equatable {
    public var time: Date
    /// "button", "streaming", "state", "fault", "fault_cleared", "ack", …
    public var kind: String
    /// A human sentence, e.g. "weather sensor BME280 at 0x76 stopped answering".
    public var detail: String
    /// Structured fields (stored as a JSON object).
    public var payload: [String: String]?

    public init(time: Date, kind: String, detail: String, payload: [String: String]? = nil) {
        self.time = time
        self.kind = kind
        self.detail = detail
        self.payload = payload
    }
}
