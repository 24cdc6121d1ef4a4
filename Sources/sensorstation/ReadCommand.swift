import ArgumentParser
import Drivers
import Foundation
import HAL
import Station

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Take one reading of each configured sensor, or of the devices named with --device.",
        discussion: """
            Examples:
              sensorstation read
              sensorstation read --bus /dev/i2c-1 --device bme280@0x76 --device adxl345@0x53 --json
            A device is MODEL@ADDRESS (or just MODEL for its usual address). Accelerometers are read \
            at the configured range and rate when the model matches the configuration, else at the \
            chip's defaults. Do not run this while the service samples the same chip: it \
            reconfigures the chip.
            Exit status: 0 every device read, 1 a device failed (the error names bus, address and \
            register), 69 the bus cannot be opened, 78 invalid configuration.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The I2C bus (default: i2c.bus from the configuration).", valueName: "bus"))
    var bus: String?

    @Option(
        name: .customLong("device"),
        help: ArgumentHelp(
            "A device to read, e.g. bme280@0x76 or adxl345@0x53; repeat for more.", valueName: "model@address"
        ))
    var devices: [DeviceSpec] = []

    @Flag(help: "Read the simulated station's sensors.")
    var simulated = false

    @Flag(help: "One JSON object per sensor and line.")
    var json = false

    func run() throws {
        let config = try options.load().configuration
        let i2c: any I2CBus
        do {
            if simulated || (bus == nil && config.hardware == .simulated) {
                i2c = SimulatedHardwareFactory.make(config).station.bus  // the bus only: no GPIO chip opened
            } else {
                i2c = try Hardware.linuxBus(bus ?? config.i2c.bus)
            }
        } catch {
            printError(error.description)
            throw ExitCode(ExitCodes.unavailable)
        }
        var targets = devices
        if targets.isEmpty {
            if let m = config.weather.sensor.chipModel {
                targets.append(DeviceSpec(model: m, address: config.weather.address))
            }
            if let m = config.accelerometer.sensor.chipModel {
                targets.append(DeviceSpec(model: m, address: config.accelerometer.address))
            }
        }
        guard !targets.isEmpty else {
            printError("no sensors configured and no --device given")
            throw ExitCode(ExitCodes.usage)
        }
        var failed = false
        var rows: [[String]] = []
        for target in targets {
            do {
                let reading = try SensorReading.read(target, bus: i2c, configuration: config)
                if json { print(reading.jsonLine) } else { rows.append(reading.tableRow) }
            } catch {
                failed = true
                printError("\(target): \(error)")
            }
        }
        if !json, !rows.isEmpty {
            print(renderTable([["SENSOR", "BUS", "ADDRESS", "READING"]] + rows))
        }
        if failed { throw ExitCode(ExitCodes.failure) }
    }
}

/// `bme280@0x76`, `adxl345@83`, `lis3dh`.
struct DeviceSpec: ExpressibleByArgument, CustomStringConvertible {
    var model: ChipModel
    var address: I2CAddress

    init(model: ChipModel, address: I2CAddress) {
        self.model = model
        self.address = address
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "@", maxSplits: 1).map(String.init)
        guard let first = parts.first, let model = ChipModel(rawValue: first) else { return nil }
        self.model = model
        if parts.count == 2 {
            let text = parts[1]
            let value = text.hasPrefix("0x") ? UInt8(text.dropFirst(2), radix: 16) : UInt8(text)
            guard let value, value <= 0x77 else { return nil }
            address = value
        } else {
            let usual =
                StationConfiguration.AccelerometerKind(rawValue: model.rawValue)?.defaultAddress
                ?? StationConfiguration.WeatherSensorKind(rawValue: model.rawValue)?.allowedAddresses.first
            guard let usual else { return nil }
            address = usual
        }
    }

    var description: String { "\(model.rawValue)@\(hex(address))" }

    static var allValueStrings: [String] { ChipModel.allCases.map { "\($0.rawValue)@ADDRESS" } }
}

/// One reading of one sensor, as the `read` command prints it.
enum SensorReading {
    case weather(model: ChipModel, bus: String, address: I2CAddress, WeatherReading)
    case motion(
        model: ChipModel, bus: String, address: I2CAddress, AccelerationSample, rangeG: Double, odrHz: Double)

    static func read(_ d: DeviceSpec, bus: any I2CBus, configuration c: StationConfiguration) throws
        -> SensorReading
    {
        let device = try bus.device(at: d.address)
        switch d.model {
        case .bme280, .bmp280:
            let settings =
                c.weather.sensor.chipModel == d.model ? c.weather.driverSettings : BME280.Settings()
            let sensor = try BME280(
                device: device, settings: settings, sleep: { Thread.sleep(forTimeInterval: $0.seconds) })
            var r = try sensor.read()
            if c.weather.sensor.chipModel == d.model, c.weather.address == d.address {
                r.temperatureC -= c.weather.temperatureOffsetC
            }
            return .weather(model: sensor.model, bus: bus.path, address: d.address, r)
        default:
            let configured = c.accelerometer.sensor.chipModel == d.model
            let kind = StationConfiguration.AccelerometerKind(rawValue: d.model.rawValue)
            let range = configured ? Double(c.accelerometer.rangeG) : Double(kind?.defaultRangeG ?? 16)
            let odr = configured ? c.accelerometer.odrHz : (kind?.defaultODRHz ?? 100)
            // One sample: polled mode (no FIFO), waiting for data-ready up to a second.
            let a = try AccelerometerFactory.open(
                model: d.model, device: device, rangeG: range, odrHz: odr, fifo: false,
                sleep: { Thread.sleep(forTimeInterval: $0.seconds) })
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(1) {
                if let s = try a.read(clock: { ContinuousClock.now - start }).last {
                    var sample = s
                    if configured {
                        let cal = c.accelerometer.calibration
                        sample.x = (s.x - cal.offsetG.x) * cal.scale.x
                        sample.y = (s.y - cal.offsetG.y) * cal.scale.y
                        sample.z = (s.z - cal.offsetG.z) * cal.scale.z
                    }
                    return .motion(
                        model: d.model, bus: bus.path, address: d.address, sample, rangeG: a.rangeG,
                        odrHz: a.odrHz)
                }
                Thread.sleep(forTimeInterval: min(0.05, max(0.001, 1 / odr)))
            }
            throw DriverError(
                kind: .notReady("no sample within 1 s at \(odr) Hz"), busPath: bus.path, address: d.address)
        }
    }

    var jsonLine: String {
        var object: [String: Any]
        switch self {
        case .weather(let model, let bus, let address, let r):
            object = [
                "sensor": model.rawValue, "bus": bus, "address": hex(address),
                "temperature_c": round(r.temperatureC, 2), "pressure_pa": round(r.pressurePa, 1),
            ]
            if let h = r.humidityPercent { object["humidity_percent"] = round(h, 2) }
        case .motion(let model, let bus, let address, let s, let range, let odr):
            object = [
                "sensor": model.rawValue, "bus": bus, "address": hex(address),
                "x_g": round(s.x, 4), "y_g": round(s.y, 4), "z_g": round(s.z, 4),
                "range_g": range, "odr_hz": odr, "saturated": s.saturated,
            ]
        }
        // Without escaping slashes: "/dev/i2c-1" as probe prints it (and greps find it), not "\/dev\/i2c-1".
        let data =
            (try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    var tableRow: [String] {
        switch self {
        case .weather(let model, let bus, let address, let r):
            var s = String(format: "%.2f °C", r.temperatureC)
            if let h = r.humidityPercent { s += String(format: "  %.1f %%RH", h) }
            s += String(format: "  %.2f hPa", r.pressurePa / 100)
            return [model.rawValue, bus, hex(address), s]
        case .motion(let model, let bus, let address, let a, let range, let odr):
            let s =
                String(format: "x %+.3f g  y %+.3f g  z %+.3f g  |a| %.3f g", a.x, a.y, a.z, a.magnitude)
                + "  (±\(number(range)) g, \(number(odr)) Hz)" + (a.saturated ? "  SATURATED" : "")
            return [model.rawValue, bus, hex(address), s]
        }
    }

    private func round(_ v: Double, _ places: Int) -> Double {
        let f = pow(10, Double(places))
        return (v * f).rounded() / f
    }

    private func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}

/// Left-aligned columns separated by two spaces; the first row is the header.
func renderTable(_ rows: [[String]]) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}
