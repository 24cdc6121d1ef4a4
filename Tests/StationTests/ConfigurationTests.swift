import HAL
import Logging
import Testing

@testable import Station

/// The configuration loader: defaults, the example files, environment overrides, and a table of
/// bad configurations, each with the exact message a user would see.
@Suite struct ConfigurationTests {
    typealias C = StationConfiguration

    static let environment = ["HOME": "/home/pi"]

    /// The repository root, from this file's path.
    static let repositoryRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/StationTests/ConfigurationTests.swift
        return parts.joined(separator: "/")
    }()

    /// Parses `yaml` as `config.yaml` and returns the problems, one description each.
    static func problems(_ yaml: String, environment: [String: String] = environment) -> [String] {
        do {
            _ = try ConfigurationLoader.parse(yaml, source: "config.yaml", environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("station.location: the site's parts, each optional, each checked")
    func stationLocation() throws {
        let c = try ConfigurationLoader.parse(
            "station:\n  location:\n    name: Riverside pitch 3\n    latitude: 51.5\n    longitude: -0.12\n",
            source: "config.yaml", environment: Self.environment)
        #expect(c.station.location == .init(name: "Riverside pitch 3", latitude: 51.5, longitude: -0.12))
        #expect(C.defaults(environment: Self.environment).station.location.isEmpty)
        #expect(
            Self.problems("station:\n  location:\n    latitude: 91\n    longitude: 0\n") == [
                "config.yaml:3:15: station.location.latitude: expected a number from -90 to 90, got 91"
            ])
        #expect(
            Self.problems("station:\n  location:\n    elevation: 3\n").first?.contains(
                "station.location.elevation: unknown key") == true)
    }

    // MARK: - Defaults

    @Test func defaultsRunTheSimulatedStation() throws {
        let c = C.defaults(environment: Self.environment)
        #expect(c.hardware == .simulated)
        #expect(c.station.thingName == "sensorstation-dev")
        #expect(c.station.serialNumber == "SIM-0001")
        #expect(c.i2c.bus == "/dev/i2c-1")
        #expect(c.weather.sensor == .bme280)
        #expect(c.weather.address == 0x76)
        #expect(c.weather.interval == .seconds(10))
        #expect(c.weather.oversampling == C.Oversampling(temperature: 2, pressure: 16, humidity: 1))
        #expect(c.weather.iirFilter == 4)
        #expect(c.accelerometer.sensor == .adxl345)
        #expect(c.accelerometer.address == 0x53)
        #expect(c.accelerometer.rangeG == 16)
        #expect(c.accelerometer.odrHz == 3200)
        #expect(c.accelerometer.fifo)
        #expect(c.accelerometer.calibration == C.Calibration(offsetG: [0, 0, 0], scale: [1, 1, 1]))
        #expect(
            c.impact
                == C.ImpactSettings(
                    thresholdG: 4, sustain: .zero, severeG: 9, rearmG: 3.5,
                    refractory: .seconds(1), preWindow: .milliseconds(500),
                    postWindow: .seconds(1)))
        #expect(c.gpio.chip == "gpiochip0")
        #expect(c.gpio.leds.map(\.role) == [.status, .impact, .streaming])
        #expect(c.gpio.leds.map(\.line) == [.name("GPIO17"), .name("GPIO27"), .name("GPIO22")])
        #expect(
            c.gpio.button
                == C.Button(
                    line: .name("GPIO23"), bias: .pullUp, activeLow: true,
                    debounce: .milliseconds(20), longPress: .seconds(2)))
        #expect(c.storage.path == "/home/pi/.local/state/sensorstation/station.db")
        #expect(c.storage.commitInterval == .seconds(1))
        #expect(c.storage.retentionDays == 30)
        #expect(c.storage.maxSizeMB == 1024)
        #expect(c.upload.enabled == false)
        #expect(c.upload.region == "eu-west-1")
        #expect(c.upload.hasDestination == false)
        #expect(c.upload.refreshMargin == .seconds(300))
        #expect(c.simulation == C.SimulationSettings(seed: 1, scenario: .demo))
        #expect(c.logging.level == .info)
        // The loader agrees with the struct's defaults.
        #expect(try ConfigurationLoader.defaults(environment: Self.environment) == c)
        #expect(
            try ConfigurationLoader.parse(
                "hardware: simulated\n", source: "c.yaml", environment: Self.environment) == c)
    }

    @Test(arguments: [
        (
            ["STATE_DIRECTORY": "/var/lib/sensorstation", "HOME": "/root"],
            "/var/lib/sensorstation/station.db"
        ),
        (["STATE_DIRECTORY": "/var/lib/a:/var/lib/b"], "/var/lib/a/station.db"),
        (["XDG_STATE_HOME": "/home/u/.state", "HOME": "/home/u"], "/home/u/.state/sensorstation/station.db"),
        (["HOME": "/home/u/"], "/home/u/.local/state/sensorstation/station.db"),
        ([:], ".sensorstation/station.db"),
    ])
    func defaultStoragePath(environment: [String: String], expected: String) {
        #expect(C.StorageSettings.defaultPath(environment: environment) == expected)
    }

    // MARK: - Examples

    @Test func raspberryPiExampleParses() throws {
        let path = Self.repositoryRoot + "/examples/raspberry-pi.yaml"
        let c = try ConfigurationLoader.load(path: path, environment: Self.environment)
        #expect(c.hardware == .linux)
        #expect(c.i2c.bus == "/dev/i2c-1")
        #expect(c.weather.sensor == .bme280 && c.weather.address == 0x76)
        #expect(c.accelerometer.sensor == .adxl345 && c.accelerometer.address == 0x53)
        #expect(c.gpio.leds.map(\.line) == [.name("GPIO17"), .name("GPIO27"), .name("GPIO22")])
        #expect(
            c.gpio.button
                == C.Button(
                    line: .name("GPIO23"), bias: .pullUp, activeLow: true,
                    debounce: .milliseconds(20), longPress: .seconds(2)))
        #expect(c.storage.path == "/var/lib/sensorstation/station.db")
        #expect(c.upload.enabled == false)
        #expect(c.upload.credentialsEndpoint == "c1example.credentials.iot.eu-west-1.amazonaws.com")
        #expect(c.upload.passphraseFile == nil)
        #expect(c.upload.s3 == C.S3Destination(bucket: "example-sensorstation-raw", prefix: "sensorstation"))
        #expect(c.upload.dynamodb == C.DynamoDBDestination(table: "example-sensorstation-events"))
        #expect(c.upload.kinesis == nil)
    }

    @Test func simulationExampleParsesWithPathsRelativeToTheFile() throws {
        let path = Self.repositoryRoot + "/examples/simulation.yaml"
        let c = try ConfigurationLoader.load(path: path, environment: Self.environment)
        #expect(c.hardware == .simulated)
        #expect(c.storage.path == Self.repositoryRoot + "/examples/.sensorstation/station.db")
        #expect(c.gpio.leds.count == 4)
        #expect(c.simulation == C.SimulationSettings(seed: 42, scenario: .demo))
        #expect(c.logging.level == .debug)
    }

    @Test func relativePathsResolveAgainstTheFileDirectoryButNotFromTheEnvironment() throws {
        let yaml = "storage:\n  path: data/station.db\nupload:\n  certificate: ./certs/device.crt\n"
        let c = try ConfigurationLoader.parse(
            yaml, source: "/etc/sensorstation/config.yaml", environment: [:])
        #expect(c.storage.path == "/etc/sensorstation/data/station.db")
        #expect(c.upload.certificate == "/etc/sensorstation/certs/device.crt")
        let bare = try ConfigurationLoader.parse(yaml, source: "config.yaml", environment: [:])
        #expect(bare.storage.path == "data/station.db")
        let env = try ConfigurationLoader.parse(
            yaml, source: "/etc/sensorstation/config.yaml",
            environment: ["SENSORSTATION_STORAGE_PATH": "x.db"])
        #expect(env.storage.path == "x.db")
    }

    // MARK: - Accepted forms

    @Test func chipDependentDefaults() throws {
        let c = try ConfigurationLoader.parse(
            "accelerometer:\n  sensor: lis3dh\n", source: "c.yaml", environment: [:])
        #expect(
            c.accelerometer
                == C.AccelerometerSettings(
                    sensor: .lis3dh, address: 0x18, rangeG: 16, odrHz: 1344, fifo: true))
        let h = try ConfigurationLoader.parse(
            "accelerometer:\n  sensor: h3lis331dl\nimpact:\n  threshold_g: 5\n", source: "c.yaml",
            environment: [:])
        #expect(
            h.accelerometer
                == C.AccelerometerSettings(
                    sensor: .h3lis331dl, address: 0x18, rangeG: 100, odrHz: 1000, fifo: false))
        let bmp = try ConfigurationLoader.parse(
            "weather:\n  sensor: bmp280\n", source: "c.yaml", environment: [:])
        #expect(bmp.weather.oversampling.humidity == 0)
    }

    @Test func acceptedSpellings() throws {
        let yaml = """
            weather:
              address: "0x77"
            accelerometer:
              address: 29          # 0x1d in decimal
              odr_hz: 0.39
              calibration: { offset_g: [0.01, -0.02, 0], scale: [1.01, 0.99, 1] }
            gpio:
              leds:
                - { role: fault, line: 5, active_low: true }
                - { role: upload, line: "6" }
              button: none
            upload:
              s3: none
              dynamodb: { table: "" }
            """
        let c = try ConfigurationLoader.parse(yaml, source: "c.yaml", environment: [:])
        #expect(c.weather.address == 0x77)
        #expect(c.accelerometer.address == 0x1D)
        #expect(c.accelerometer.odrHz == 0.39)
        #expect(c.accelerometer.calibration.offsetG == [0.01, -0.02, 0])
        #expect(c.accelerometer.up == .zero)
        #expect(
            c.gpio.leds == [
                C.LED(role: .fault, line: .offset(5), activeLow: true),
                C.LED(role: .upload, line: .name("6")),
            ])
        #expect(c.gpio.button == nil)
        #expect(c.upload.s3 == nil && c.upload.dynamodb == nil)
    }

    @Test("accelerometer.interrupt: none by default, a mapping names the line and the pin's polarity")
    func interruptLine() throws {
        #expect(
            try ConfigurationLoader.parse("impact:\n  threshold_g: 5\n", source: "c.yaml", environment: [:])
                .accelerometer.interrupt == nil)
        let none = try ConfigurationLoader.parse(
            "accelerometer:\n  interrupt: none\n", source: "c.yaml", environment: [:])
        #expect(none.accelerometer.interrupt == nil)
        let c = try ConfigurationLoader.parse(
            "accelerometer:\n  sensor: h3lis331dl\n  interrupt: { line: GPIO24, active_low: true, open_drain: true }\n",
            source: "c.yaml", environment: [:])
        #expect(
            c.accelerometer.interrupt == C.Interrupt(line: .name("GPIO24"), activeLow: true, openDrain: true))
        let offset = try ConfigurationLoader.parse(
            "accelerometer:\n  interrupt:\n    line: 24\n", source: "c.yaml", environment: [:])
        #expect(offset.accelerometer.interrupt == C.Interrupt(line: .offset(24)))
    }

    @Test("the MPU-6050 reads its FIFO by default, and data ready (no FIFO) with an interrupt line")
    func mpuFIFO() throws {
        let fifo = try ConfigurationLoader.parse(
            "accelerometer:\n  sensor: mpu6050\n", source: "c.yaml", environment: [:])
        #expect(fifo.accelerometer.fifo)
        let line = try ConfigurationLoader.parse(
            "accelerometer:\n  sensor: mpu6050\n  interrupt: { line: GPIO24 }\n", source: "c.yaml",
            environment: [:])
        #expect(!line.accelerometer.fifo && line.accelerometer.interrupt != nil)
        let both = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(
                "accelerometer:\n  sensor: mpu6050\n  fifo: true\n  interrupt: { line: GPIO24 }\n",
                source: "c.yaml",
                environment: [:])
        }
        #expect(
            both?.problems.map(\.description) == [
                "c.yaml:3:9: accelerometer.fifo: expected false with accelerometer.interrupt (the mpu6050's FIFO has no watermark interrupt: its line says data ready, a sample at a time), got true"
            ])
    }

    @Test func jsonObjectIsYAML() throws {
        let c = try ConfigurationLoader.parse(
            #"{"impact": {"threshold_g": 5}}"#, source: "c.json", environment: [:])
        #expect(c.impact.thresholdG == 5)
    }

    @Test func uploadEnabledWithEverythingSet() throws {
        let yaml = """
            upload:
              enabled: true
              region: us-gov-west-1
              credentials_endpoint: c1abc.credentials.iot.us-gov-west-1.amazonaws.com
              role_alias: station-role
              passphrase_file: /run/credentials/sensorstation.service/passphrase
              kinesis: { stream: live, endpoint: "http://localhost:4567", raw_acceleration: true }
            """
        let c = try ConfigurationLoader.parse(yaml, source: "c.yaml", environment: [:])
        #expect(c.upload.enabled)
        #expect(
            c.upload.kinesis
                == C.KinesisDestination(
                    stream: "live", endpoint: "http://localhost:4567", rawAcceleration: true))
        #expect(c.upload.passphraseFile == "/run/credentials/sensorstation.service/passphrase")
    }

    // MARK: - Environment overrides

    @Test func environmentOverridesScalars() throws {
        let env = [
            "SENSORSTATION_IMPACT_THRESHOLD_G": "5.5",
            "SENSORSTATION_STORAGE_PATH": "/tmp/x.db",
            "SENSORSTATION_HARDWARE": "linux",
            "SENSORSTATION_WEATHER_ADDRESS": "0x77",
            "SENSORSTATION_GPIO_BUTTON_LINE": "GPIO5",
            "SENSORSTATION_LOGGING_LEVEL": "debug",
            "SENSORSTATION_UPLOAD_S3_BUCKET": "my-bucket",
            "SENSORSTATION_CONFIG": "/somewhere/config.yaml",
            "HOME": "/home/pi",
        ]
        let c = try ConfigurationLoader.parse(
            "impact:\n  threshold_g: 4.2\nhardware: simulated\n", source: "c.yaml", environment: env)
        #expect(c.impact.thresholdG == 5.5)
        #expect(c.storage.path == "/tmp/x.db")
        #expect(c.hardware == .linux)
        #expect(c.weather.address == 0x77)
        #expect(c.gpio.button?.line == .name("GPIO5"))
        #expect(c.logging.level == .debug)
        #expect(c.upload.s3?.bucket == "my-bucket")
        // Without a file, the overrides apply to the built-in defaults.
        let d = try ConfigurationLoader.defaults(environment: env)
        #expect(d.impact.thresholdG == 5.5 && d.hardware == .linux)
    }

    @Test("simulation.gpio: simulated sensors with the real GPIO chip, from the file or the environment")
    func simulationWithLinuxGPIO() throws {
        let yaml =
            "hardware: simulated\nsimulation:\n  scenario: demo\n  gpio: linux\ngpio:\n  chip: gpiochip1\n"
        let c = try ConfigurationLoader.parse(yaml, source: "c.yaml", environment: [:])
        #expect(c.hardware == .simulated)
        #expect(c.simulation == C.SimulationSettings(seed: 1, scenario: .demo, gpio: .linux))
        #expect(c.gpio.chip == "gpiochip1")
        // The default keeps the simulated chip; the environment can switch it either way.
        #expect(
            try ConfigurationLoader.parse("hardware: simulated\n", source: "c.yaml", environment: [:])
                .simulation.gpio == .simulated)
        let env = try ConfigurationLoader.parse(
            yaml, source: "c.yaml", environment: ["SENSORSTATION_SIMULATION_GPIO": "simulated"])
        #expect(env.simulation.gpio == .simulated)
        #expect(
            Set(ConfigurationSchema.environmentVariables.map(\.name)).contains(
                "SENSORSTATION_SIMULATION_GPIO"))
    }

    @Test func environmentVariableNames() {
        let names = Set(ConfigurationSchema.environmentVariables.map(\.name))
        #expect(names.contains("SENSORSTATION_IMPACT_THRESHOLD_G"))
        #expect(names.contains("SENSORSTATION_WEATHER_OVERSAMPLING_HUMIDITY"))
        #expect(names.contains("SENSORSTATION_UPLOAD_S3_BUCKET"))
        #expect(names.contains("SENSORSTATION_GPIO_BUTTON"))
        #expect(!names.contains("SENSORSTATION_GPIO_LEDS"))
        #expect(!names.contains("SENSORSTATION_IMPACT"))
        #expect(names.count == ConfigurationSchema.environmentVariables.count)
    }

    // MARK: - File search order

    @Test func configurationPathSearchOrder() {
        let exists: (String) -> Bool = { $0 == ConfigurationLoader.systemPath }
        let none: (String) -> Bool = { _ in false }
        let env = ["SENSORSTATION_CONFIG": "/env/config.yaml"]
        #expect(
            ConfigurationLoader.configurationPath(
                explicitPath: "/cli.yaml", environment: env, fileExists: exists) == "/cli.yaml")
        #expect(
            ConfigurationLoader.configurationPath(explicitPath: nil, environment: env, fileExists: exists)
                == "/env/config.yaml")
        #expect(
            ConfigurationLoader.configurationPath(explicitPath: nil, environment: [:], fileExists: exists)
                == "/etc/sensorstation/config.yaml")
        #expect(
            ConfigurationLoader.configurationPath(explicitPath: nil, environment: [:], fileExists: none)
                == nil)
    }

    // MARK: - Bad configurations

    struct Bad: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var environment: [String: String] = [:]
        var expected: [String]
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(
            name: "unknown key with suggestion", yaml: "impact:\n  treshold_g: 5\n",
            expected: [
                "config.yaml:2:3: impact.treshold_g: unknown key 'treshold_g'; did you mean 'threshold_g'?"
            ]),
        Bad(
            name: "key in the wrong section", yaml: "threshold_g: 5\n",
            expected: [
                "config.yaml:1:1: threshold_g: unknown key 'threshold_g' here; did you mean 'impact.threshold_g'?"
            ]),
        Bad(
            name: "unknown key without a near match", yaml: "weather:\n  colour: blue\n",
            expected: [
                "config.yaml:2:3: weather.colour: unknown key 'colour'; allowed keys: sensor, address, interval_s, oversampling, iir_filter, temperature_offset_c"
            ]),
        Bad(
            name: "wrong type", yaml: "impact:\n  threshold_g: four\n",
            expected: ["config.yaml:2:16: impact.threshold_g: expected a number from 1.5 to 100, got 'four'"]),
        Bad(
            name: "threshold out of range", yaml: "impact:\n  threshold_g: 200\n",
            expected: ["config.yaml:2:16: impact.threshold_g: expected a number from 1.5 to 100, got 200"]),
        Bad(
            name: "severe below threshold", yaml: "impact:\n  threshold_g: 5\n  severe_g: 4.5\n",
            expected: [
                "config.yaml:3:13: impact.severe_g: expected a value above impact.threshold_g (5), got 4.5"
            ]),
        Bad(
            name: "rearm not below threshold", yaml: "impact:\n  threshold_g: 5\n  rearm_g: 5\n",
            expected: [
                "config.yaml:3:12: impact.rearm_g: expected a value below impact.threshold_g (5) so the detector re-arms, got 5"
            ]),
        Bad(
            name: "threshold above the default severe", yaml: "impact:\n  threshold_g: 12\n",
            expected: [
                "config.yaml:2:16: impact.threshold_g: expected a value below impact.severe_g (9, the default), got 12; raise impact.severe_g too"
            ]),
        Bad(
            name: "threshold above the accelerometer range",
            yaml: "accelerometer:\n  range_g: 4\nimpact:\n  threshold_g: 5\n",
            expected: [
                "config.yaml:4:16: impact.threshold_g: expected at most 4 (accelerometer.range_g of the adxl345, ±4 g): a threshold above the range can never trigger, got 5"
            ]),
        Bad(
            name: "range below the default threshold", yaml: "accelerometer:\n  range_g: 2\n",
            expected: [
                "config.yaml:2:12: accelerometer.range_g: ±2 g is below impact.threshold_g (4 g), so an impact can never trigger; expected one of 4, 8, 16 for the adxl345"
            ]),
        Bad(
            name: "two LEDs on one line",
            yaml:
                "gpio:\n  leds:\n    - { role: status, line: GPIO17 }\n    - { role: impact, line: GPIO17 }\n",
            expected: [
                "config.yaml:4:29: gpio.leds[1].line: GPIO17 is already used by gpio.leds[0] (status, line 3); expected a different line"
            ]),
        Bad(
            name: "same role twice",
            yaml:
                "gpio:\n  leds:\n    - { role: status, line: GPIO17 }\n    - { role: status, line: GPIO27 }\n",
            expected: [
                "config.yaml:4:15: gpio.leds[1].role: 'status' is already the role of gpio.leds[0] (line 3); each role drives one LED"
            ]),
        Bad(
            name: "LED on the button's line",
            yaml: "gpio:\n  leds:\n    - { role: status, line: GPIO23 }\n  button: { line: GPIO23 }\n",
            expected: [
                "config.yaml:4:19: gpio.button.line: GPIO23 is already used by gpio.leds[0] (status, line 3); expected a different line"
            ]),
        Bad(
            name: "interrupt on the default button's line",
            yaml: "accelerometer:\n  interrupt: { line: GPIO23 }\n",
            expected: [
                "config.yaml:2:22: accelerometer.interrupt.line: GPIO23 is already used by gpio.button; expected a different line for INT1"
            ]),
        Bad(
            name: "interrupt on an LED's line",
            yaml: "accelerometer:\n  interrupt:\n    line: 27\ngpio:\n  leds: [{ role: impact, line: 27 }]\n",
            expected: [
                "config.yaml:3:11: accelerometer.interrupt.line: line 27 is already used by gpio.leds[0] (impact); expected a different line for INT1"
            ]),
        Bad(
            name: "interrupt without a line", yaml: "accelerometer:\n  interrupt: { active_low: true }\n",
            expected: [
                "config.yaml:2:14: accelerometer.interrupt.line: missing; expected the GPIO line INT1 is wired to, such as GPIO24 or an offset ≥ 0"
            ]),
        Bad(
            name: "open-drain interrupt on a push-pull chip",
            yaml: "accelerometer:\n  interrupt: { line: GPIO24, open_drain: true }\n",
            expected: [
                "config.yaml:2:42: accelerometer.interrupt.open_drain: expected false (the adxl345's interrupt pins are push-pull only), got true"
            ]),
        Bad(
            name: "interrupt as a number", yaml: "accelerometer:\n  interrupt: 24\n",
            expected: [
                "config.yaml:2:14: accelerometer.interrupt: expected a mapping with keys line, active_low, open_drain or none, got 24"
            ]),
        Bad(
            name: "LED without a line", yaml: "gpio:\n  leds:\n    - role: fault\n",
            expected: [
                "config.yaml:3:7: gpio.leds[0].line: missing; expected a line name such as GPIO17 or an offset ≥ 0"
            ]),
        Bad(
            name: "address not valid for the chip",
            yaml: "accelerometer:\n  sensor: lis3dh\n  address: 0x53\n",
            expected: [
                "config.yaml:3:12: accelerometer.address: expected one of 0x18, 0x19 for the lis3dh, got 0x53"
            ]),
        Bad(
            name: "fifo on a chip without one", yaml: "accelerometer:\n  sensor: lis331hh\n  fifo: true\n",
            expected: [
                "config.yaml:3:9: accelerometer.fifo: expected false (the lis331hh driver reads no FIFO), got true"
            ]),
        Bad(
            name: "range not offered by the chip", yaml: "accelerometer:\n  sensor: adxl375\n  range_g: 16\n",
            expected: ["config.yaml:3:12: accelerometer.range_g: expected one of 200 for the adxl375, got 16"]
        ),
        Bad(
            name: "data rate not in the chip's table", yaml: "accelerometer:\n  odr_hz: 3000\n",
            expected: [
                "config.yaml:2:11: accelerometer.odr_hz: expected one of 0.1, 0.2, 0.39, 0.78, 1.56, 3.13, 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600, 3200 for the adxl345, got 3000"
            ]),
        Bad(
            name: "bad bias", yaml: "gpio:\n  button:\n    bias: pull_up\n",
            expected: [
                "config.yaml:3:11: gpio.button.bias: expected one of as-is, disabled, pull-up, pull-down, got 'pull_up'; did you mean 'pull-up'?"
            ]),
        Bad(
            name: "duration with a unit", yaml: "gpio:\n  button:\n    debounce_ms: 20ms\n",
            expected: [
                "config.yaml:3:18: gpio.button.debounce_ms: expected a whole number of milliseconds from 0 to 500, got '20ms'"
            ]),
        Bad(
            name: "duration out of range", yaml: "gpio:\n  button: { long_press_ms: 100 }\n",
            expected: [
                "config.yaml:2:28: gpio.button.long_press_ms: expected a whole number of milliseconds from 300 to 10000, got 100"
            ]),
        Bad(
            name: "upload enabled without credentials endpoint",
            yaml: "upload:\n  enabled: true\n  role_alias: station\n  s3: { bucket: my-bucket }\n",
            expected: [
                "config.yaml:2:12: upload.credentials_endpoint: required when upload.enabled is true; expected a host name such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
            ]),
        Bad(
            name: "upload enabled without destination",
            yaml:
                "upload:\n  enabled: true\n  credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com\n  role_alias: station\n",
            expected: [
                "config.yaml:2:12: upload.enabled: upload is enabled but has no destination; set upload.s3.bucket, upload.dynamodb.table, upload.kinesis.stream, alert.enabled or shadow.enabled"
            ]),
        Bad(
            name: "alert enabled without upload",
            yaml: "alert:\n  enabled: true\n  topic_arn: arn:aws:sns:eu-west-1:123456789012:impact-alerts\n",
            expected: [
                "config.yaml:2:12: alert.enabled: needs upload.enabled: true (an alert is signed with the credentials the upload section obtains)"
            ]),
        Bad(
            name: "alert enabled without a topic (alerts alone need no upload destination)",
            yaml:
                "upload:\n  enabled: true\n  credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com\n  role_alias: station\nalert:\n  enabled: true\n",
            expected: [
                "config.yaml:6:12: alert.topic_arn: required when alert.enabled is true; expected an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:impact-alerts"
            ]),
        Bad(
            name: "alert topic that is not an SNS topic ARN",
            yaml: "alert:\n  topic_arn: arn:aws:sqs:eu-west-1:123456789012:queue\n",
            expected: [
                "config.yaml:2:14: alert.topic_arn: expected an SNS topic ARN: arn:aws:sns:REGION:ACCOUNT:NAME, got 'arn:aws:sqs:eu-west-1:123456789012:queue'"
            ]),
        Bad(
            name: "endpoint with a scheme",
            yaml: "upload:\n  credentials_endpoint: https://c1abc.credentials.iot.eu-west-1.amazonaws.com\n",
            expected: [
                "config.yaml:2:25: upload.credentials_endpoint: expected a host name without a scheme, such as c1abc.credentials.iot.eu-west-1.amazonaws.com, got 'https://c1abc.credentials.iot.eu-west-1.amazonaws.com'"
            ]),
        Bad(
            name: "duplicate key", yaml: "impact:\n  threshold_g: 5\n  severe_g: 10\n  threshold_g: 6\n",
            expected: [
                "config.yaml:4:3: impact.threshold_g: duplicate key 'threshold_g' (first at line 2); each key may appear once in a mapping"
            ]),
        Bad(
            name: "duplicate key in a flow mapping", yaml: "gpio:\n  button: { line: GPIO5, line: GPIO6 }\n",
            expected: [
                "config.yaml:2:26: gpio.button.line: duplicate key 'line' (first at line 2); each key may appear once in a mapping"
            ]),
        Bad(
            name: "empty file", yaml: "",
            expected: [
                "config.yaml: the file is empty (or only comments); write at least one setting, or remove the file to use the built-in defaults"
            ]),
        Bad(
            name: "only comments", yaml: "# nothing here\n\n",
            expected: [
                "config.yaml: the file is empty (or only comments); write at least one setting, or remove the file to use the built-in defaults"
            ]),
        Bad(
            name: "JSON array at the top level", yaml: "[1, 2, 3]\n",
            expected: [
                "config.yaml:1:1: expected a YAML mapping of sections (station:, hardware:, impact:, …) at the top level, got a list"
            ]),
        Bad(
            name: "plain text", yaml: "hello\n",
            expected: [
                "config.yaml:1:1: expected a YAML mapping of sections (station:, hardware:, impact:, …) at the top level, got the text 'hello'"
            ]),
        Bad(
            name: "TOML", yaml: "# SensorStation\n[impact]\nthreshold_g = 5.0\n",
            expected: [
                "config.yaml:2:1: this looks like TOML ([impact] and key = value), but the configuration is YAML; write 'impact:' and indent its keys as 'key: value'"
            ]),
        Bad(
            name: "tab indentation", yaml: "impact:\n\tthreshold_g: 5\n",
            expected: [
                "config.yaml:2:1: YAML syntax error: a tab is used for indentation; YAML allows only spaces"
            ]),
        Bad(
            name: "YAML syntax error",
            yaml: "impact:\n  threshold_g: 5\n  severe_g: [9\nlogging:\n  level: info\n",
            expected: [
                "config.yaml:4:8: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 3)"
            ]),
        Bad(
            name: "bad thing name", yaml: "station:\n  thing_name: my station\n",
            expected: [
                "config.yaml:2:15: station.thing_name: expected 1 to 128 of the characters a-z A-Z 0-9 : _ -, got 'my station'"
            ]),
        Bad(
            name: "bad enum value", yaml: "hardware: raspberry\n",
            expected: ["config.yaml:1:11: hardware: expected one of simulated, linux, got 'raspberry'"]),
        Bad(
            name: "simulation.gpio typo", yaml: "simulation:\n  gpio: real\n",
            expected: ["config.yaml:2:9: simulation.gpio: expected one of simulated, linux, got 'real'"]),
        Bad(
            name: "section that is not a mapping", yaml: "logging: debug\n",
            expected: ["config.yaml:1:10: logging: expected a mapping with keys level, got 'debug'"]),
        Bad(
            name: "calibration with two values", yaml: "accelerometer:\n  calibration:\n    scale: [1, 1]\n",
            expected: [
                "config.yaml:3:12: accelerometer.calibration.scale: expected a list of three numbers [x, y, z] from 0.5 to 2, got a list of 2"
            ]),
        Bad(
            name: "up that is not an axis", yaml: "accelerometer:\n  up: sideways\n",
            expected: [
                "config.yaml:2:7: accelerometer.up: expected +x, -x, +y, -y, +z, -z, none, or a direction [x, y, z], got 'sideways'"
            ]),
        Bad(
            name: "up without a length", yaml: "accelerometer:\n  up: [0, 0.01, 0]\n",
            expected: [
                "config.yaml:2:7: accelerometer.up: expected a direction, got [0, 0.01, 0], which has almost no length"
            ]),
        Bad(
            name: "humidity oversampling on a bmp280",
            yaml: "weather:\n  sensor: bmp280\n  oversampling: { humidity: 2 }\n",
            expected: [
                "config.yaml:3:29: weather.oversampling.humidity: expected 0 (the bmp280 has no humidity sensor), got 2"
            ]),
        Bad(
            name: "bad i2c bus", yaml: "i2c:\n  bus: i2c-1\n",
            expected: ["config.yaml:2:8: i2c.bus: expected a bus device such as /dev/i2c-1, got 'i2c-1'"]),
        Bad(
            name: "button as a bare line", yaml: "gpio:\n  button: GPIO23\n",
            expected: [
                "config.yaml:2:11: gpio.button: expected a mapping with keys line, bias, active_low, debounce_ms, long_press_ms or none, got 'GPIO23'"
            ]),
        Bad(
            name: "boolean spelled yes", yaml: "storage:\n  raw_while_streaming: yes\n",
            expected: ["config.yaml:2:24: storage.raw_while_streaming: expected true or false, got 'yes'"]),
        Bad(
            name: "environment override of the wrong type", yaml: "hardware: simulated\n",
            environment: ["SENSORSTATION_IMPACT_THRESHOLD_G": "high"],
            expected: [
                "environment SENSORSTATION_IMPACT_THRESHOLD_G: impact.threshold_g: expected a number from 1.5 to 100, got 'high'"
            ]),
        Bad(
            name: "unknown SENSORSTATION_ variable", yaml: "hardware: simulated\n",
            environment: ["SENSORSTATION_IMPACT_TRESHOLD_G": "5", "SENSORSTATION_CONFIG": "/etc/x.yaml"],
            expected: [
                "environment SENSORSTATION_IMPACT_TRESHOLD_G: unknown variable; did you mean SENSORSTATION_IMPACT_THRESHOLD_G?"
            ]),
        Bad(
            name: "environment override breaking a cross-field rule", yaml: "impact:\n  threshold_g: 5\n",
            environment: ["SENSORSTATION_IMPACT_SEVERE_G": "4"],
            expected: [
                "environment SENSORSTATION_IMPACT_SEVERE_G: impact.severe_g: expected a value above impact.threshold_g (5), got 4"
            ]),
        Bad(
            name: "duplicate keys in a list item and a section",
            yaml:
                "gpio:\n  leds:\n    - role: status\n      line: GPIO17\n      role: fault\nlogging:\n  level: info\nlogging: {}\n",
            expected: [
                "config.yaml:5:7: gpio.leds[0].role: duplicate key 'role' (first at line 3); each key may appear once in a mapping",
                "config.yaml:8:1: logging: duplicate key 'logging' (first at line 6); each key may appear once in a mapping",
            ]),
        Bad(
            name: "environment override into a section that is not a mapping", yaml: "impact: 5\n",
            environment: ["SENSORSTATION_IMPACT_THRESHOLD_G": "5"],
            expected: [
                "config.yaml:1:9: impact: expected a mapping with keys threshold_g, sustain_ms, severe_g, rearm_g, refractory_ms, pre_ms, post_ms, free_fall_g, free_fall_ms, got 5",
                "environment SENSORSTATION_IMPACT_THRESHOLD_G: impact.threshold_g: cannot override: the file does not hold a mapping on the way to this key",
            ]),
        Bad(
            name: "merge keys are not supported", yaml: "impact: &i { threshold_g: 5 }\nlogging:\n  <<: *i\n",
            expected: ["config.yaml:3:3: logging.<<: merge keys (<<) are not supported; write the keys out"]),
        Bad(
            name: "two documents", yaml: "hardware: linux\n---\nhardware: simulated\n",
            expected: [
                "config.yaml:2:1: the file holds more than one YAML document (a second '---'); put all settings in one"
            ]),
    ]

    @Test(arguments: bad)
    func badConfiguration(_ bad: Bad) {
        #expect(Self.problems(bad.yaml, environment: bad.environment) == bad.expected)
    }

    @Test func everyProblemIsReportedTogetherInFileOrder() throws {
        let yaml = """
            station:
              thing_name: "bad name!"
            hardware: linus
            impact:
              threshold_g: four
              sustain_ms: -1
            gpio:
              leds:
                - { role: status, line: GPIO17 }
                - { role: statsu, line: GPIO17 }
              colour: red
            """
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(
                yaml, source: "/etc/sensorstation/config.yaml",
                environment: ["SENSORSTATION_LOGGING_LEVEL": "loud"])
        }
        #expect(
            error?.problems.map(\.key) == [
                "station.thing_name", "hardware", "impact.threshold_g", "impact.sustain_ms",
                "gpio.leds[1].role",
                "gpio.colour", "logging.level",
            ])
        #expect(
            error?.description == """
                /etc/sensorstation/config.yaml:2:15: station.thing_name: expected 1 to 128 of the characters a-z A-Z 0-9 : _ -, got 'bad name!'
                /etc/sensorstation/config.yaml:3:11: hardware: expected one of simulated, linux, got 'linus'; did you mean 'linux'?
                /etc/sensorstation/config.yaml:5:16: impact.threshold_g: expected a number from 1.5 to 100, got 'four'
                /etc/sensorstation/config.yaml:6:15: impact.sustain_ms: expected a whole number of milliseconds from 0 to 60000, got -1
                /etc/sensorstation/config.yaml:10:15: gpio.leds[1].role: expected one of status, impact, streaming, fault, upload, got 'statsu'; did you mean 'status'?
                /etc/sensorstation/config.yaml:11:3: gpio.colour: unknown key 'colour'; allowed keys: chip, leds, button
                environment SENSORSTATION_LOGGING_LEVEL: logging.level: expected one of trace, debug, info, notice, warning, error, critical, got 'loud'
                """)
        let first = try #require(error?.problems.first)
        #expect(
            first
                == ConfigurationProblem(
                    source: "/etc/sensorstation/config.yaml", line: 2, column: 15,
                    key: "station.thing_name",
                    message: "expected 1 to 128 of the characters a-z A-Z 0-9 : _ -, got 'bad name!'"))
    }

    // MARK: - Files

    static func loadProblems(_ path: String) -> [String] {
        do {
            _ = try ConfigurationLoader.load(path: path, environment: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func missingFile() {
        #expect(
            Self.loadProblems("/nonexistent/sensorstation.yaml") == [
                "/nonexistent/sensorstation.yaml: cannot open the configuration file: No such file or directory (errno 2)"
            ])
    }

    @Test func unreadableFileIsADirectory() {
        // A directory opens but cannot be read: EISDIR. This works as root too.
        #expect(
            Self.loadProblems(Self.repositoryRoot + "/examples") == [
                Self.repositoryRoot
                    + "/examples: cannot read the configuration file: Is a directory (errno 21)"
            ])
    }

    /// chmod 000 keeps only non-root users out; as root (CI containers) this case is skipped, and
    /// `unreadableFileIsADirectory` covers the read failure instead.
    @Test(.enabled(if: TemporaryFile.runningAsRoot == false, "root can read a chmod 000 file"))
    func unreadableFileWithoutPermission() throws {
        let path = try TemporaryFile.make(contents: "hardware: linux\n", mode: 0o000)
        defer { TemporaryFile.remove(path) }
        #expect(
            Self.loadProblems(path) == [
                "\(path): cannot open the configuration file: Permission denied (errno 13)"
            ])
    }
}

@Suite("accelerometer.up")
struct MountingUpTests {
    static func up(_ value: String, environment: [String: String] = [:]) throws -> SIMD3<Double> {
        try ConfigurationLoader.parse(
            "accelerometer:\n  up: \(value)\n", source: "/etc/c.yaml", environment: environment
        ).accelerometer.up
    }

    @Test("an axis, a measured direction (scaled to length 1), none; live, and the environment can set it")
    func forms() throws {
        #expect(try Self.up("-y") == SIMD3(0, -1, 0))
        #expect(try Self.up("+z") == SIMD3(0, 0, 1))
        #expect(try Self.up("x") == SIMD3(1, 0, 0))
        #expect(try Self.up("none") == .zero)
        // The simulated demo's mount at rest, |(0.26, −0.2, 0.94)| = 0.99559.
        let v = try Self.up("[0.26, -0.2, 0.94]")
        #expect(abs(v.x - 0.26 / 0.99559) < 1e-4 && abs(v.z - 0.94 / 0.99559) < 1e-4)
        #expect(try Self.up("none", environment: ["SENSORSTATION_ACCELEROMETER_UP": "+x"]) == SIMD3(1, 0, 0))
        let key = try #require(ConfigurationKeys.all.first { $0.path == "accelerometer.up" })
        #expect(key.reload == .live)
    }
}
