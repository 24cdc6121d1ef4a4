import HAL
import LinuxSystem
import Simulation
import Station

/// The simulated station for a configuration: the configured weather sensor and accelerometer
/// (where a model exists) at their configured addresses, the configured scenario on real time,
/// and a GPIO chip named like a Raspberry Pi's.
struct SimulatedHardwareFactory {
    static func make(_ c: StationConfiguration) -> (station: SimulatedStation, missing: [String]) {
        var placements: [SimulatedChipPlacement] = []
        var missing: [String] = []
        if c.weather.sensor != .none {
            if let kind = SimulatedChipKind(rawValue: c.weather.sensor.rawValue) {
                placements.append(.init(kind, at: c.weather.address))
            } else {
                missing.append(c.weather.sensor.rawValue)
            }
        }
        if c.accelerometer.sensor != .none {
            if let kind = SimulatedChipKind(rawValue: c.accelerometer.sensor.rawValue) {
                placements.append(.init(kind, at: c.accelerometer.address))
            } else {
                missing.append(c.accelerometer.sensor.rawValue)
            }
        }
        let scenario: Scenario =
            switch c.simulation.scenario {
            case .demo: .demo(seed: c.simulation.seed)
            case .quiet: .quiet(seed: c.simulation.seed, noiseG: 0.005)
            case .impacts: .frequentImpacts(seed: c.simulation.seed)
            }
        let station = SimulatedStation(
            clock: RealtimeSimulationClock(), scenario: scenario, chips: placements)
        return (station, missing)
    }
}

extension Hardware {
    /// The simulated station: chip models on a simulated bus, driven by the configured scenario on
    /// real time, and a simulated GPIO chip with Raspberry Pi line names whose button the keys press
    /// — or, with `simulation.gpio: linux`, the real GPIO chip `gpio.chip`.
    static func simulated(_ c: StationConfiguration) throws(HardwareError) -> Hardware {
        let (station, missing) = SimulatedHardwareFactory.make(c)
        var description =
            "simulated hardware (\(c.simulation.scenario.rawValue) scenario, seed \(c.simulation.seed))"
        if !missing.isEmpty {
            description += "; no model of \(missing.joined(separator: ", ")) yet, so nothing answers there"
        }
        let clock = station.clock
        if c.simulation.gpio == .linux {
            if c.accelerometer.interrupt != nil {
                throw HardwareError(
                    "accelerometer.interrupt with simulation.gpio: linux: a simulated chip cannot drive a real GPIO line; remove one of them"
                )
            }
            // Simulated sensors, real LEDs and button. The samples stay on the simulation's clock;
            // the button's edge timestamps are libgpiod's CLOCK_MONOTONIC, so it gets that clock.
            let gpio = try linuxGPIO(c)
            if let gpio { description += " with GPIO \(gpio.path) (\(gpio.label))" }
            let controls = SimulationControls(
                pressButton: nil, injectImpact: { station.injectImpact(peakG: 7) },
                injectDrop: { station.injectDrop(height: 1) },
                turnOver: { station.turnToNextFace() })
            return Hardware(
                description: description, bus: station.bus, gpio: gpio, now: { clock.now },
                gpioNow: Clocks.monotonic, simulation: controls)
        }
        let gpio = station.gpio
        if let int = c.accelerometer.interrupt {
            // The simulated board wires the accelerometer's INT1 where the configuration says.
            station.wireInterrupt(to: int.line)
        }
        let buttonOffset: Int? = c.gpio.button.flatMap { try? gpio.offset(of: $0.line) }
        let controls = SimulationControls(
            pressButton: { hold in
                guard let buttonOffset else { return }
                gpio.press(offset: buttonOffset)
                StopSignal().wait(for: hold)
                gpio.release(offset: buttonOffset)
            },
            injectImpact: { station.injectImpact(peakG: 7) }, injectDrop: { station.injectDrop(height: 1) },
            turnOver: { station.turnToNextFace() })
        return Hardware(
            description: description, bus: station.bus, gpio: gpio, now: { clock.now },
            gpioNow: { clock.now }, simulation: controls)
    }
}
