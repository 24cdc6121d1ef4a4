/// What an operator can tell a running station to do, whoever asks: the button (a short press
/// toggles streaming, a long one acknowledges), the control socket (`sensorstation stream|ack`)
/// and, later, the Device Shadow. Each asker names itself as the cause, which the log records.
public enum StationCommand: Sendable, Equatable {
    case stream(StreamAction)
    case acknowledgeImpact

    public enum StreamAction: String, Sendable, CaseIterable {
        case start, stop, toggle
    }

    /// What a command did.
    public struct Outcome: Sendable, Equatable {
        public var command: StationCommand
        /// Whether the station's state changed (false: streaming was already so, or no impact
        /// was latched).
        public var changed: Bool
        /// Streaming afterwards (stream commands only).
        public var streaming: Bool?
        /// An acknowledgement while an alert's cancel window was open: the alert is cancelled.
        public var cancelsAlert = false

        /// The state it left, as the button's log record says it: "streaming on", "streaming
        /// off", "impact acknowledged", "nothing to acknowledge".
        public var result: String {
            switch command {
            case .stream: streaming == true ? "streaming on" : "streaming off"
            case .acknowledgeImpact:
                cancelsAlert ? "alert cancelled" : changed ? "impact acknowledged" : "nothing to acknowledge"
            }
        }

        /// What happened, as the control socket answers it.
        public var reply: String {
            switch command {
            case .stream:
                let on = streaming == true
                return changed
                    ? "streaming \(on ? "started" : "stopped")" : "streaming was already \(on ? "on" : "off")"
            case .acknowledgeImpact:
                return cancelsAlert
                    ? "impact acknowledged; its alert is cancelled"
                    : changed ? "impact acknowledged" : "no impact to acknowledge"
            }
        }
    }

    /// Carries the command out on the station's state; `cause` is who asked ("button",
    /// "control", "shadow"), logged with the event it makes.
    @discardableResult
    public func apply(to state: StationState, cause: String) -> Outcome {
        switch self {
        case .stream(let action):
            let before = state.indication.streaming
            let on: Bool =
                switch action {
                case .start: state.setStreaming(true, cause: cause)
                case .stop: state.setStreaming(false, cause: cause)
                case .toggle: state.toggleStreaming(cause: cause)
                }
            return Outcome(command: self, changed: on != before, streaming: on)
        case .acknowledgeImpact:
            let countdown = state.indication.alertCountdown
            return Outcome(
                command: self, changed: state.acknowledgeImpact(cause: cause), streaming: nil,
                cancelsAlert: countdown)
        }
    }
}
