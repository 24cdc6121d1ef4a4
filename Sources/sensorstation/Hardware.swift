import Foundation
import HAL
import LinuxHAL
import LinuxSystem
import Simulation
import Station

/// The one place that chooses real hardware (LinuxHAL) or the simulated station.
struct Hardware {
    var description: String
    var bus: any I2CBus
    /// nil when the configuration has no LEDs, no button and no interrupt line.
    var gpio: (any GPIOChip)?
    /// The monotonic timeline of samples (and of the LED patterns).
    var now: @Sendable () -> Duration
    /// The clock of the GPIO chip's edge timestamps: `now` on all-real or all-simulated hardware;
    /// CLOCK_MONOTONIC for simulated sensors with a real chip (`simulation.gpio: linux`), whose
    /// libgpiod timestamps are not on the simulation's clock.
    var gpioNow: @Sendable () -> Duration
    /// Keys that act on the simulated station; nil on real hardware.
    var simulation: SimulationControls?

    /// What the station's services run on.
    var station: StationHardware {
        StationHardware(bus: bus, gpio: gpio, now: now, gpioNow: gpioNow)
    }

    static func open(_ c: StationConfiguration) throws(HardwareError) -> Hardware {
        switch c.hardware {
        case .simulated: return try simulated(c)
        case .linux: return try linux(c)
        }
    }

    /// Real hardware: `/dev/i2c-N` through libi2c, `/dev/gpiochipN` through libgpiod.
    static func linux(_ c: StationConfiguration) throws(HardwareError) -> Hardware {
        let bus = try linuxBus(c.i2c.bus)
        let gpio = try linuxGPIO(c)
        let chip = gpio.map { " and \($0.path) (\($0.label))" } ?? ""
        return Hardware(
            description: "\(bus.path)\(chip)", bus: bus, gpio: gpio, now: Clocks.monotonic,
            gpioNow: Clocks.monotonic, simulation: nil)
    }

    /// The GPIO chip `gpio.chip` through libgpiod; nil when the configuration has no LEDs, no
    /// button and no interrupt line.
    static func linuxGPIO(_ c: StationConfiguration) throws(HardwareError) -> LinuxGPIOChip? {
        guard !c.gpio.leds.isEmpty || c.gpio.button != nil || c.accelerometer.interrupt != nil else {
            return nil
        }
        do { return try LinuxGPIOChip.open(c.gpio.chip) } catch {
            throw HardwareError("GPIO chip \(c.gpio.chip) (gpio.chip): \(error.message)")
        }
    }

    /// Opens a Linux I2C bus and checks that it can be used, so a missing bus or a permission
    /// problem is one clear message rather than a fault per sensor.
    static func linuxBus(_ selector: String) throws(HardwareError) -> LinuxI2CBus {
        let bus = LinuxI2CBus(path: selector)
        do {
            _ = try bus.device(at: 0x03)
        } catch  where [.busNotFound, .permissionDenied, .unsupported].contains(error.kind) {
            throw HardwareError("\(bus.path): \(error.explanation)")
        } catch {
            // Opening succeeded far enough; per-address errors are the sensors' business.
        }
        return bus
    }
}

struct HardwareError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What the keys of the live view do on the simulated station.
struct SimulationControls: Sendable {
    /// Holds the button down for the given time (blocks the caller), then releases it; nil when
    /// the button is a real line (`simulation.gpio: linux`), which no key can press.
    var pressButton: (@Sendable (Duration) -> Void)?
    var injectImpact: @Sendable () -> Void
    /// A 1 m drop, then its landing.
    var injectDrop: @Sendable () -> Void
    /// Turns the station onto its next face (+z, −z, +x, −x, +y, −y up).
    var turnOver: @Sendable () -> Void
}
