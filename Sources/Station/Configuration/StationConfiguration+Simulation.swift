import Logging

// MARK: - simulation, logging

extension StationConfiguration {
    public enum SimulationScenario: String, Sendable, Equatable, CaseIterable {
        /// Weather drift, road vibration and an occasional drop or crash.
        case demo
        /// Weather drift and a still accelerometer: no impacts.
        case quiet
        /// The demo with an impact every 3–5 s (tests, tuning thresholds).
        case impacts
    }

    /// Which GPIO chip the simulated station uses (`simulation.gpio`).
    public enum SimulationGPIO: String, Sendable, Equatable, CaseIterable {
        /// The simulated chip with Raspberry Pi line names: LEDs render in the terminal, keys press
        /// the button.
        case simulated
        /// The real `/dev/gpiochipN` named by `gpio.chip`, through libgpiod: simulated sensors
        /// with real LEDs and a real button (a bench setup, or gpio-sim in the kernel test tier).
        case linux
    }

    /// `simulation:` used when `hardware` is `simulated`.
    public struct SimulationSettings: Sendable, Equatable {
        public var seed: UInt64
        public var scenario: SimulationScenario
        public var gpio: SimulationGPIO

        public init(seed: UInt64 = 1, scenario: SimulationScenario = .demo, gpio: SimulationGPIO = .simulated)
        {
            self.seed = seed
            self.scenario = scenario
            self.gpio = gpio
        }
    }

    /// `logging:`
    public struct LoggingSettings: Sendable, Equatable {
        public var level: Logger.Level

        public init(level: Logger.Level = .info) {
            self.level = level
        }
    }
}

/// `a` + `/` + `b` without doubling the slash.
func joinPath(_ a: String, _ b: String) -> String {
    if a.isEmpty { return b }
    return a.hasSuffix("/") ? a + b : a + "/" + b
}
