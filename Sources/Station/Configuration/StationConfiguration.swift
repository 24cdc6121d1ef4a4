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
    public var alert: AlertSettings
    public var shadow: ShadowSettings
    public var simulation: SimulationSettings
    public var logging: LoggingSettings

    public init(
        station: StationSettings, hardware: HardwareKind, i2c: I2CSettings, weather: WeatherSettings,
        accelerometer: AccelerometerSettings, impact: ImpactSettings, gpio: GPIOSettings,
        storage: StorageSettings, upload: UploadSettings, alert: AlertSettings = AlertSettings(),
        shadow: ShadowSettings = ShadowSettings(), simulation: SimulationSettings,
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
        self.alert = alert
        self.shadow = shadow
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
        /// 1–64 printable ASCII characters without spaces: the station's own serial.
        public var serialNumber: String
        /// `station.location`: where the station stands, carried by every S3 line and DynamoDB item.
        public var location: Location

        public init(
            thingName: String = "sensorstation-dev", serialNumber: String = "SIM-0001",
            location: Location = Location()
        ) {
            self.thingName = thingName
            self.serialNumber = serialNumber
            self.location = location
        }
    }

    /// `station.location:` the site. Every part optional.
    public struct Location: Sendable, Equatable {
        public var name: String = ""
        /// Degrees north (WGS 84).
        public var latitude: Double?
        /// Degrees east (WGS 84).
        public var longitude: Double?
        /// Metres above sea level.
        public var elevationM: Double?

        public init(
            name: String = "", latitude: Double? = nil, longitude: Double? = nil, elevationM: Double? = nil
        ) {
            self.name = name
            self.latitude = latitude
            self.longitude = longitude
            self.elevationM = elevationM
        }

        public var isEmpty: Bool { name.isEmpty && latitude == nil && longitude == nil && elevationM == nil }
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
