/// What the station shows on its LEDs, by priority: an alert's cancel window > fault > an alert
/// waiting to go > impact latched > streaming > uploading a backlog > idle heartbeat.
public struct StationIndication: Sendable, Equatable {
    public var faults: Set<String>
    public var impactLatched: Bool
    /// An impact alert waits for its cancel window: a long press now cancels it.
    public var alertCountdown: Bool
    /// An alert's window has closed but it has not gone yet (no network or credentials, the
    /// clock not set, the hourly limit): nobody has been told of the impact so far.
    public var alertWaiting: Bool
    public var streaming: Bool
    public var uploadingBacklog: Bool

    public init(
        faults: Set<String> = [], impactLatched: Bool = false, streaming: Bool = false,
        uploadingBacklog: Bool = false, alertCountdown: Bool = false, alertWaiting: Bool = false
    ) {
        self.faults = faults
        self.impactLatched = impactLatched
        self.alertCountdown = alertCountdown
        self.alertWaiting = alertWaiting
        self.streaming = streaming
        self.uploadingBacklog = uploadingBacklog
    }

    /// The single most important state, for a station with one LED.
    public var topState: State {
        if alertCountdown { return .alertCountdown }
        if !faults.isEmpty { return .fault }
        if alertWaiting { return .alertWaiting }
        if impactLatched { return .impactLatched }
        if streaming { return .streaming }
        if uploadingBacklog { return .uploading }
        return .idle
    }

    public enum State: String, Sendable, Equatable, CaseIterable {
        case alertCountdown = "alert-countdown", fault, alertWaiting = "alert-waiting", impactLatched =
            "impact"
        case streaming, uploading, idle
    }
}

/// The role of an LED, as named in the configuration (`gpio.leds[].role`).
public enum LEDRole: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Shows the top-priority state with a pattern; the only LED a minimal build needs.
    case status
    case impact
    case streaming
    case fault
    case upload
}

public enum StatusModel {
    /// The pattern for the top-priority state on a status LED.
    public static func statusPattern(for state: StationIndication.State) -> LEDPattern {
        switch state {
        case .alertCountdown, .fault: .fastBlink
        case .alertWaiting: .tripleFlash
        case .impactLatched: .doubleFlash
        case .streaming: .steady
        case .uploading: .slowBlink
        case .idle: .heartbeat
        }
    }

    /// The pattern each configured LED shows. A status LED shows the top state; a dedicated LED
    /// shows its own condition whatever else is going on, so a red impact LED stays latched even
    /// while a fault blinks elsewhere. The impact LED blinks fast while an alert can be
    /// cancelled, slowly while it waits to go, and is steady while an impact is latched.
    public static func patterns(for indication: StationIndication, roles: [LEDRole]) -> [LEDRole: LEDPattern]
    {
        var result: [LEDRole: LEDPattern] = [:]
        for role in roles {
            switch role {
            case .status: result[role] = statusPattern(for: indication.topState)
            case .impact:
                result[role] =
                    indication.alertCountdown
                    ? .fastBlink
                    : indication.alertWaiting ? .slowBlink : indication.impactLatched ? .steady : .off
            case .streaming: result[role] = indication.streaming ? .steady : .off
            case .fault: result[role] = indication.faults.isEmpty ? .off : .fastBlink
            case .upload: result[role] = indication.uploadingBacklog ? .slowBlink : .off
            }
        }
        return result
    }
}
