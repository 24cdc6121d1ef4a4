import HAL
import Logging

/// Drives the configured LEDs from the station state, with patterns on the injected clock.
/// Owns the output lines: a lamp test at start, all off and released at the end.
public final class Indicators {
    public struct LED {
        public var role: LEDRole
        public var line: any OutputLine
        public init(role: LEDRole, line: any OutputLine) {
            self.role = role
            self.line = line
        }
    }

    private let leds: [LED]
    let state: StationState
    private let logger: Logger
    private var levels: [LEDRole: Bool] = [:]
    /// The patterns of the last render.
    private var patterns: [LEDRole: LEDPattern] = [:]
    private var failing = false

    public init(leds: [LED], state: StationState, logger: Logger) {
        self.leds = leds
        self.state = state
        self.logger = logger
    }

    /// Renders the patterns for time `t`; writes a line only when its level changes.
    public func render(at t: Duration) {
        patterns = StatusModel.patterns(for: state.indication, roles: leds.map(\.role))
        var next: [LEDRole: Bool] = [:]
        for led in leds {
            next[led.role] = patterns[led.role]?.isOn(at: t) ?? false
        }
        apply(next)
    }

    /// When the last render's patterns next change an LED (nil: all steady or off).
    public func nextChange(after t: Duration) -> Duration? {
        patterns.values.compactMap { $0.nextChange(after: t) }.min()
    }

    /// All LEDs on (`true`) or off: the lamp test and the shutdown.
    public func setAll(_ on: Bool) {
        apply(Dictionary(uniqueKeysWithValues: leds.map { ($0.role, on) }), force: true)
    }

    private func apply(_ next: [LEDRole: Bool], force: Bool = false) {
        for led in leds where force || next[led.role] != levels[led.role] {
            let value = next[led.role] ?? false
            do {
                try led.line.set(value)
                levels[led.role] = value
                if failing {
                    failing = false
                    state.clearFault("leds")
                }
            } catch {
                if !failing {
                    failing = true
                    state.raiseFault("leds", "cannot set the \(led.role.rawValue) LED: \(error)")
                }
            }
        }
        state.setLEDLevels(levels)
    }
}
