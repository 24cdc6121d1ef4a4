import Drivers
import HAL
import Logging

/// The whole station configuration: one `Sendable` value, loaded and validated once at start
/// (`ConfigurationLoader`). Every field has a default that runs the simulated station on a
/// developer machine; `docs/configuration.md` lists every key.
///
/// Units are in the YAML key names (`interval_s`, `threshold_g`); here durations are `Duration`
/// and everything else keeps the unit in its name.
public struct StationConfiguration: Sendable, Equatable {
    public var station: StationSettings
    public var hardware: HardwareKind
    public var i2c: I2CSettings
    public var weather: WeatherSettings
    public var accelerometer: AccelerometerSettings
    public var impact: ImpactSettings
    public var gpio: GPIOSettings
    public var storage: StorageSettings
    public var upload: UploadSettings
    public var simulation: SimulationSettings
    public var logging: LoggingSettings

    public init(
        station: StationSettings, hardware: HardwareKind, i2c: I2CSettings, weather: WeatherSettings,
        accelerometer: AccelerometerSettings, impact: ImpactSettings, gpio: GPIOSettings,
        storage: StorageSettings, upload: UploadSettings, simulation: SimulationSettings,
        logging: LoggingSettings
    ) {
        self.station = station
        self.hardware = hardware
        self.i2c = i2c
        self.weather = weather
        self.accelerometer = accelerometer
        self.impact = impact
        self.gpio = gpio
        self.storage = storage
        self.upload = upload
        self.simulation = simulation
        self.logging = logging
    }

    /// The built-in defaults. Only `storage.path` depends on the environment
    /// (`STATE_DIRECTORY`, `XDG_STATE_HOME`, `HOME`); the process environment is never read here.
    public static func defaults(environment: [String: String]) -> StationConfiguration {
        StationConfiguration(
            station: StationSettings(),
            hardware: .simulated,
            i2c: I2CSettings(),
            weather: WeatherSettings(),
            accelerometer: AccelerometerSettings(),
            impact: ImpactSettings(),
            gpio: GPIOSettings(),
            storage: StorageSettings(path: StorageSettings.defaultPath(environment: environment)),
            upload: UploadSettings(),
            simulation: SimulationSettings(),
            logging: LoggingSettings()
        )
    }
}

// MARK: - station, hardware, i2c

extension StationConfiguration {
    /// `station:` who this device is.
    public struct StationSettings: Sendable, Equatable {
        /// AWS IoT thing name: 1–128 of `[a-zA-Z0-9:_-]`. Also the credentials provider's
        /// `x-amzn-iot-thingname`.
        public var thingName: String
        /// 1–64 printable ASCII characters without spaces; the DynamoDB partition key.
        public var serialNumber: String

        public init(thingName: String = "sensorstation-dev", serialNumber: String = "SIM-0001") {
            self.thingName = thingName
            self.serialNumber = serialNumber
        }
    }

    /// `hardware:` which HAL the executable wires in.
    public enum HardwareKind: String, Sendable, Equatable, CaseIterable {
        case simulated
        case linux
    }

    /// `i2c:`
    public struct I2CSettings: Sendable, Equatable {
        /// `/dev/i2c-N`; whether it exists is checked when the bus is opened, not here.
        public var bus: String

        public init(bus: String = "/dev/i2c-1") {
            self.bus = bus
        }
    }
}

// MARK: - weather

extension StationConfiguration {
    public enum WeatherSensorKind: String, Sendable, Equatable, CaseIterable {
        case bme280
        case bmp280
        case none

        /// The two addresses the chip's SDO pin selects (the identification table).
        public var allowedAddresses: [I2CAddress] { ChipModel(rawValue: rawValue)?.addresses ?? [] }

        public var hasHumidity: Bool { self == .bme280 }
    }

    /// `weather:` the Bosch temperature/pressure(/humidity) sensor.
    public struct WeatherSettings: Sendable, Equatable {
        public var sensor: WeatherSensorKind
        public var address: I2CAddress
        /// `interval_s`, 1…3600 s.
        public var interval: Duration
        public var oversampling: Oversampling
        /// IIR filter coefficient: 0 (off), 2, 4, 8, 16.
        public var iirFilter: Int
        /// Subtracted from the measured temperature to correct for self-heating, −20…20 °C.
        public var temperatureOffsetC: Double

        public init(
            sensor: WeatherSensorKind = .bme280, address: I2CAddress = 0x76,
            interval: Duration = .seconds(10),
            oversampling: Oversampling = Oversampling(), iirFilter: Int = 4, temperatureOffsetC: Double = 0
        ) {
            self.sensor = sensor
            self.address = address
            self.interval = interval
            self.oversampling = oversampling
            self.iirFilter = iirFilter
            self.temperatureOffsetC = temperatureOffsetC
        }
    }

    /// Oversampling per measurement: 0 skips the measurement; 1, 2, 4, 8 or 16 samples.
    public struct Oversampling: Sendable, Equatable {
        public static let allowed = [0, 1, 2, 4, 8, 16]
        public var temperature: Int
        public var pressure: Int
        /// Always 0 for the bmp280, which has no humidity sensor.
        public var humidity: Int

        public init(temperature: Int = 2, pressure: Int = 16, humidity: Int = 1) {
            self.temperature = temperature
            self.pressure = pressure
            self.humidity = humidity
        }
    }
}

// MARK: - accelerometer

extension StationConfiguration {
    public enum AccelerometerKind: String, Sendable, Equatable, CaseIterable {
        case adxl345
        case adxl375
        case lis3dh
        case lis331hh
        case h3lis331dl
        case mpu6050
        case none

        /// The driver's table for this chip (`Drivers/Common/AccelerometerCapabilities.swift`);
        /// nil for `none`. Everything below reads it.
        public var capabilities: AccelerometerCapabilities? { ChipModel(rawValue: rawValue)?.accelerometer }

        public var allowedAddresses: [I2CAddress] { capabilities?.addresses ?? [] }
        /// Full-scale ranges in ±g.
        public var allowedRangesG: [Int] { capabilities?.rangesG ?? [] }
        /// Output data rates the chip offers, in Hz; empty where any rate in `allowedODRRangeHz` works.
        public var allowedODRsHz: [Double] {
            if case .table(let rates) = capabilities?.rates { return rates }
            return []
        }
        /// A continuous ODR range, where the chip has one instead of a table.
        public var allowedODRRangeHz: ClosedRange<Double>? {
            if case .range(let r) = capabilities?.rates { return r }
            return nil
        }
        /// Whether the driver reads this chip through its FIFO.
        public var hasFIFO: Bool { capabilities?.hasFIFO ?? false }

        /// What `address`, `range_g`, `odr_hz` and `fifo` default to for this chip.
        public var defaultAddress: I2CAddress { allowedAddresses.first ?? 0 }
        public var defaultRangeG: Int { capabilities?.defaultRangeG ?? 0 }
        public var defaultODRHz: Double { capabilities?.defaultODRHz ?? 0 }
    }

    /// `accelerometer:`
    public struct AccelerometerSettings: Sendable, Equatable {
        public var sensor: AccelerometerKind
        public var address: I2CAddress
        /// Full-scale range, ±g.
        public var rangeG: Int
        /// Output data rate, Hz.
        public var odrHz: Double
        /// Read through the chip's FIFO (only chips that have one).
        public var fifo: Bool
        public var calibration: Calibration

        public init(
            sensor: AccelerometerKind = .adxl345, address: I2CAddress = 0x53, rangeG: Int = 16,
            odrHz: Double = 3200, fifo: Bool = true, calibration: Calibration = Calibration()
        ) {
            self.sensor = sensor
            self.address = address
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.fifo = fifo
            self.calibration = calibration
        }
    }

    /// Per-axis correction: `corrected = (raw - offsetG) * scale`.
    public struct Calibration: Sendable, Equatable {
        /// x, y, z offsets, −2…2 g.
        public var offsetG: SIMD3<Double>
        /// x, y, z scale factors, 0.5…2.
        public var scale: SIMD3<Double>

        public init(offsetG: SIMD3<Double> = .zero, scale: SIMD3<Double> = .one) {
            self.offsetG = offsetG
            self.scale = scale
        }
    }
}

// MARK: - impact

extension StationConfiguration {
    /// `impact:` the detector's thresholds on the acceleration magnitude, in g.
    /// Always `rearmG < thresholdG < severeG`, and `thresholdG ≤ accelerometer.rangeG`.
    public struct ImpactSettings: Sendable, Equatable {
        /// An impact starts when the magnitude reaches this, 1.5…100 g.
        public var thresholdG: Double
        /// …and stays there at least this long (`sustain_ms`, 0…60 000 ms).
        public var sustain: Duration
        /// Impacts whose peak reaches this are severe.
        public var severeG: Double
        /// Hysteresis: the detector re-arms once the magnitude falls below this (≥ 1 g).
        public var rearmG: Double
        /// No new impact starts within this time after one ended (`refractory_ms`, 0…60 000 ms).
        public var refractory: Duration
        /// Raw samples kept before the trigger (`pre_ms`, 0…10 000 ms).
        public var preWindow: Duration
        /// Raw samples kept after the impact ended (`post_ms`, 0…30 000 ms).
        public var postWindow: Duration

        public init(
            thresholdG: Double = 4.0, sustain: Duration = .zero, severeG: Double = 9.0, rearmG: Double = 3.5,
            refractory: Duration = .milliseconds(1000), preWindow: Duration = .milliseconds(500),
            postWindow: Duration = .milliseconds(1000)
        ) {
            self.thresholdG = thresholdG
            self.sustain = sustain
            self.severeG = severeG
            self.rearmG = rearmG
            self.refractory = refractory
            self.preWindow = preWindow
            self.postWindow = postWindow
        }
    }
}

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

// MARK: - storage

extension StationConfiguration {
    /// `storage:` the SQLite log.
    public struct StorageSettings: Sendable, Equatable {
        /// Absolute, or relative to the working directory (relative paths in a file are resolved
        /// against the file's directory by the loader).
        public var path: String
        /// `commit_interval_ms`, 100…60 000 ms.
        public var commitInterval: Duration
        public var retentionDays: Int
        public var maxSizeMB: Int
        /// Keep raw acceleration while a client streams, not only around impacts.
        public var rawWhileStreaming: Bool

        public init(
            path: String, commitInterval: Duration = .milliseconds(1000), retentionDays: Int = 30,
            maxSizeMB: Int = 1024, rawWhileStreaming: Bool = false
        ) {
            self.path = path
            self.commitInterval = commitInterval
            self.retentionDays = retentionDays
            self.maxSizeMB = maxSizeMB
            self.rawWhileStreaming = rawWhileStreaming
        }

        /// `$STATE_DIRECTORY/station.db` under systemd (`StateDirectory=`; the first entry if
        /// there are several), else `$XDG_STATE_HOME/sensorstation/station.db`, else
        /// `$HOME/.local/state/sensorstation/station.db`, else `.sensorstation/station.db`.
        public static func defaultPath(environment: [String: String]) -> String {
            if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
                return joinPath(String(state), "station.db")
            }
            if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
                return joinPath(xdg, "sensorstation/station.db")
            }
            if let home = environment["HOME"], !home.isEmpty {
                return joinPath(home, ".local/state/sensorstation/station.db")
            }
            return ".sensorstation/station.db"
        }
    }
}

// MARK: - upload

extension StationConfiguration {
    public struct S3Destination: Sendable, Equatable {
        public var bucket: String
        /// Object key prefix, without leading or trailing `/`.
        public var prefix: String
        /// A custom endpoint URL (e.g. a local test server); `nil` for AWS.
        public var endpoint: String?

        public init(bucket: String, prefix: String = "sensorstation", endpoint: String? = nil) {
            self.bucket = bucket
            self.prefix = prefix
            self.endpoint = endpoint
        }
    }

    public struct DynamoDBDestination: Sendable, Equatable {
        public var table: String
        public var endpoint: String?

        public init(table: String, endpoint: String? = nil) {
            self.table = table
            self.endpoint = endpoint
        }
    }

    public struct KinesisDestination: Sendable, Equatable {
        public var stream: String
        public var endpoint: String?
        /// While streaming, also send the raw acceleration samples (`raw_acceleration`).
        public var rawAcceleration: Bool

        public init(stream: String, endpoint: String? = nil, rawAcceleration: Bool = false) {
            self.stream = stream
            self.endpoint = endpoint
            self.rawAcceleration = rawAcceleration
        }
    }

    /// `upload:` store-and-forward to AWS, authenticated with the device certificate through the
    /// AWS IoT credentials provider. When `enabled`, the loader has checked that region,
    /// credentials endpoint, role alias, certificate and key are set and at least one
    /// destination is configured.
    public struct UploadSettings: Sendable, Equatable {
        public var enabled: Bool
        public var region: String
        /// Host name of the account's credentials provider, e.g.
        /// `c1abc.credentials.iot.eu-west-1.amazonaws.com`; empty when unset.
        public var credentialsEndpoint: String
        public var roleAlias: String
        public var certificate: String
        public var privateKey: String
        /// A file holding the private key's passphrase, if it has one.
        public var passphraseFile: String?
        public var caBundle: String
        /// Refresh credentials this long before they expire (`refresh_margin_s`).
        public var refreshMargin: Duration
        /// 0 = unlimited.
        public var rateLimitKbps: Int
        /// How often the uploader looks for new rows in the log (`poll_interval_s`).
        public var pollInterval: Duration
        /// A file whose existence says the clock is synchronised (`clock_sync_marker`); without
        /// it the kernel's NTP state decides.
        public var clockSyncMarker: String
        /// `nil` = that destination is off.
        public var s3: S3Destination?
        public var dynamodb: DynamoDBDestination?
        public var kinesis: KinesisDestination?

        public init(
            enabled: Bool = false, region: String = "eu-west-1", credentialsEndpoint: String = "",
            roleAlias: String = "", certificate: String = "/etc/sensorstation/device.pem.crt",
            privateKey: String = "/etc/sensorstation/device.pem.key", passphraseFile: String? = nil,
            caBundle: String = "/etc/ssl/certs/Amazon_Root_CA_1.pem", refreshMargin: Duration = .seconds(300),
            rateLimitKbps: Int = 0, s3: S3Destination? = nil, dynamodb: DynamoDBDestination? = nil,
            kinesis: KinesisDestination? = nil, pollInterval: Duration = .seconds(5),
            clockSyncMarker: String = "/run/systemd/timesync/synchronized"
        ) {
            self.clockSyncMarker = clockSyncMarker
            self.pollInterval = pollInterval
            self.enabled = enabled
            self.region = region
            self.credentialsEndpoint = credentialsEndpoint
            self.roleAlias = roleAlias
            self.certificate = certificate
            self.privateKey = privateKey
            self.passphraseFile = passphraseFile
            self.caBundle = caBundle
            self.refreshMargin = refreshMargin
            self.rateLimitKbps = rateLimitKbps
            self.s3 = s3
            self.dynamodb = dynamodb
            self.kinesis = kinesis
        }

        /// Whether any destination is configured.
        public var hasDestination: Bool { s3 != nil || dynamodb != nil || kinesis != nil }
    }
}

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
