import HAL

// MARK: - gpio

extension StationConfiguration {
    /// The indicators' role type: one enum for the file and for what the LEDs show.
    public typealias LEDRole = Station.LEDRole

    public struct LED: Sendable, Equatable {
        public var role: LEDRole
        public var line: LineSelector
        public var activeLow: Bool

        public init(role: LEDRole, line: LineSelector, activeLow: Bool = false) {
            self.role = role
            self.line = line
            self.activeLow = activeLow
        }
    }

    public struct Button: Sendable, Equatable {
        public var line: LineSelector
        public var bias: Bias
        public var activeLow: Bool
        /// `debounce_ms`, 0…500 ms.
        public var debounce: Duration
        /// `long_press_ms`, 300…10 000 ms.
        public var longPress: Duration

        public init(
            line: LineSelector = .name("GPIO23"), bias: Bias = .pullUp, activeLow: Bool = true,
            debounce: Duration = .milliseconds(20), longPress: Duration = .milliseconds(2000)
        ) {
            self.line = line
            self.bias = bias
            self.activeLow = activeLow
            self.debounce = debounce
            self.longPress = longPress
        }
    }

    /// `gpio:`
    public struct GPIOSettings: Sendable, Equatable {
        /// A chip path (`/dev/gpiochip0`), name (`gpiochip0`) or label (`pinctrl-bcm2711`).
        public var chip: String
        /// In file order; no two share a line or a role.
        public var leds: [LED]
        /// `nil` when there is no button (`button: none`); without a `button` key, the default button on GPIO23.
        public var button: Button?

        public static let defaultLEDs: [LED] = [
            LED(role: .status, line: .name("GPIO17")),
            LED(role: .impact, line: .name("GPIO27")),
            LED(role: .streaming, line: .name("GPIO22")),
        ]

        public init(
            chip: String = "gpiochip0", leds: [LED] = GPIOSettings.defaultLEDs, button: Button? = Button()
        ) {
            self.chip = chip
            self.leds = leds
            self.button = button
        }
    }
}
