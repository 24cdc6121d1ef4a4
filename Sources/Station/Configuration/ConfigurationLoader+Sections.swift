import HAL
import Logging

/// The sections of the file: every declared key with a reader of its own (`ConfigurationKeys`),
/// then the keys whose rules depend on another one, and the checks across fields.
extension ConfigurationLoader {
    typealias Section = ConfigurationReader.Section

    static func decode(_ root: ConfigNode, reader: ConfigurationReader, environment: [String: String])
        -> StationConfiguration
    {
        var config = StationConfiguration.defaults(environment: environment)
        let top = reader.section(root, path: "", allowed: ConfigurationSchema.keys(at: []), schemaPath: [])

        func sub(_ parent: Section, _ key: String) -> Section {
            let path = parent.keyPath(key)
            let components = path.split(separator: ".").map(String.init)
            return reader.section(
                parent.node(key), path: path, allowed: ConfigurationSchema.keys(at: components),
                schemaPath: components)
        }

        readDeclared(top, reader, &config)
        for name in ["station", "i2c", "storage", "simulation", "logging"] {
            readDeclared(sub(top, name), reader, &config)
        }
        let location = sub(sub(top, "station"), "location")
        readDeclared(location, reader, &config)
        decodeWeather(sub(top, "weather"), sub, reader, &config)
        let accelerometer = sub(top, "accelerometer")
        decodeAccelerometer(accelerometer, sub, reader, &config)
        decodeImpact(sub(top, "impact"), accelerometer, reader, &config)
        decodeGPIO(sub(top, "gpio"), reader, &config)
        checkInterruptLine(accelerometer, reader, config)
        let alert = sub(top, "alert")
        readDeclared(alert, reader, &config)
        let shadow = sub(top, "shadow")
        readDeclared(shadow, reader, &config)
        decodeUpload(sub(top, "upload"), sub, reader, &config)
        checkAlert(alert, reader, config)
        checkShadow(shadow, reader, config)

        // Two sensors at one address on one bus. The address tables of the supported chips do
        // not overlap today; this guards a future chip that shares one.
        if config.weather.sensor != .none, config.accelerometer.sensor != .none,
            config.weather.address == config.accelerometer.address,
            let origin = accelerometer.origin(of: "address") ?? accelerometer.origin
        {
            reader.report(
                origin, key: "accelerometer.address",
                "\(hex(config.accelerometer.address)) is also weather.address; two sensors cannot share an address on \(config.i2c.bus)"
            )
        }
        return config
    }

    /// The accelerometer's interrupt line is not a line an LED or the button uses (theirs from the
    /// file or by default): two requests of one line would stop the start with EBUSY.
    static func checkInterruptLine(
        _ accelerometer: Section, _ reader: ConfigurationReader, _ config: StationConfiguration
    ) {
        guard let int = config.accelerometer.interrupt,
            let node = accelerometer.node("interrupt")?.node(at: ["line"])
        else { return }
        var users: [String] = []
        for (i, led) in config.gpio.leds.enumerated() where led.line == int.line {
            users.append("gpio.leds[\(i)] (\(led.role.rawValue))")
        }
        if config.gpio.button?.line == int.line { users.append("gpio.button") }
        guard let user = users.first else { return }
        reader.report(
            node.origin, key: "accelerometer.interrupt.line",
            "\(int.line) is already used by \(user); expected a different line for INT1")
    }

    /// Reads every key of the section that its declaration can read by itself.
    static func readDeclared(
        _ section: Section, _ reader: ConfigurationReader, _ config: inout StationConfiguration
    ) {
        for key in ConfigurationKeys.all where key.parent == section.path {
            key.read?(reader, section, &config)
        }
    }

    /// Whether the file or the environment gave `key` a valid value.
    static func wrote(_ section: Section, _ key: String, _ reader: ConfigurationReader) -> Bool {
        section.node(key) != nil && isValid(section, key, reader)
    }
}
