import Detection
import Synchronization

/// The settings a running station can take on without a restart (SIGHUP or the shadow): the
/// detector's thresholds and windows, the accelerometer calibration, the weather interval and
/// temperature offset, the upload poll interval and the shadow heartbeat. The samplers read them once per loop; a new version replaces what they use.
public final class LiveSettings: Sendable {
    public struct Values: Sendable, Equatable {
        public var detector: DetectorSettings
        public var offsetG: SIMD3<Double>
        public var scale: SIMD3<Double>
        public var weatherInterval: Duration
        public var temperatureOffsetC: Double
        /// Read by the uploader through `ConfigurationReloader.onApply`, by the shadow service
        /// from the running configuration; here so that every live key is in one value.
        public var uploadPollInterval: Duration
        public var shadowHeartbeat: Duration
        /// `accelerometer.up` (`.zero`: not known).
        public var up: SIMD3<Double> = .zero

        public init(
            detector: DetectorSettings, offsetG: SIMD3<Double>, scale: SIMD3<Double>,
            weatherInterval: Duration, temperatureOffsetC: Double, uploadPollInterval: Duration = .seconds(5),
            shadowHeartbeat: Duration = .seconds(300)
        ) {
            self.uploadPollInterval = uploadPollInterval
            self.shadowHeartbeat = shadowHeartbeat
            self.detector = detector
            self.offsetG = offsetG
            self.scale = scale
            self.weatherInterval = weatherInterval
            self.temperatureOffsetC = temperatureOffsetC
        }
    }

    private let state: Mutex<(version: Int, values: Values)>

    public init(_ values: Values) {
        state = Mutex((0, values))
    }

    public convenience init(configuration c: StationConfiguration) {
        self.init(Values(configuration: c))
    }

    /// The current values and their version (it grows with every change).
    public var current: (version: Int, values: Values) { state.withLock { $0 } }

    public func update(_ values: Values) {
        state.withLock { s in
            if s.values != values { s = (s.version + 1, values) }
        }
    }
}

extension LiveSettings.Values {
    public init(configuration c: StationConfiguration) {
        self.init(
            detector: c.detectorSettings, offsetG: c.accelerometer.calibration.offsetG,
            scale: c.accelerometer.calibration.scale, weatherInterval: c.weather.interval,
            temperatureOffsetC: c.weather.temperatureOffsetC, uploadPollInterval: c.upload.pollInterval,
            shadowHeartbeat: c.shadow.heartbeat)
        up = c.accelerometer.up
    }
}

/// What a reload can apply, and what needs a restart: from each key's declaration
/// (`ConfigurationKey.reload`), comparing the values as the file writes them.
public enum ReloadPlan {
    /// The configuration keys that differ between `old` and `new` but cannot change while running.
    public static func needsRestart(old: StationConfiguration, new: StationConfiguration) -> [String] {
        changed(.restart, old, new).map(\.path)
    }

    /// The keys a reload applies, when they changed, each with its old and new value as the
    /// configuration file writes it: `impact.threshold_g 4 → 5.5`.
    public static func applied(old: StationConfiguration, new: StationConfiguration) -> [String] {
        changed(.live, old, new).map { "\($0.path) \($0.value(old)) → \($0.value(new))" }
    }

    /// `running` with the live keys of `new`: what runs after a reload (the keys that need a
    /// restart keep their running values, so they are reported again on the next reload).
    public static func applying(_ new: StationConfiguration, to running: StationConfiguration)
        -> StationConfiguration
    {
        var c = running
        for key in ConfigurationKeys.all where key.reload == .live { key.copy?(&c, new) }
        return c
    }

    static func changed(
        _ reload: ConfigurationKey.Reload, _ old: StationConfiguration, _ new: StationConfiguration
    )
        -> [ConfigurationKey]
    {
        ConfigurationKeys.all.filter {
            $0.reload == reload && !$0.isListItem && $0.value(old) != $0.value(new)
        }
    }
}
