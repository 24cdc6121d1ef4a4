import Detection
import Synchronization

/// The settings a running station can take on without a restart (SIGHUP): the detector's
/// thresholds and windows, the accelerometer calibration, the weather interval and temperature
/// offset. The samplers read them once per loop; a new version replaces what they use.
public final class LiveSettings: Sendable {
    public struct Values: Sendable, Equatable {
        public var detector: DetectorSettings
        public var offsetG: SIMD3<Double>
        public var scale: SIMD3<Double>
        public var weatherInterval: Duration
        public var temperatureOffsetC: Double

        public init(detector: DetectorSettings, offsetG: SIMD3<Double>, scale: SIMD3<Double>,
                    weatherInterval: Duration, temperatureOffsetC: Double) {
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
        self.init(detector: c.detectorSettings, offsetG: c.accelerometer.calibration.offsetG,
                  scale: c.accelerometer.calibration.scale, weatherInterval: c.weather.interval,
                  temperatureOffsetC: c.weather.temperatureOffsetC)
    }
}

/// What a reload can apply, and what needs a restart.
public enum ReloadPlan {
    /// The configuration keys that differ between `old` and `new` but cannot change while running.
    public static func needsRestart(old: StationConfiguration, new: StationConfiguration) -> [String] {
        var keys: [String] = []
        func check<T: Equatable>(_ key: String, _ a: T, _ b: T) { if a != b { keys.append(key) } }
        check("station", old.station, new.station)
        check("hardware", old.hardware, new.hardware)
        check("i2c", old.i2c, new.i2c)
        check("weather.sensor", old.weather.sensor, new.weather.sensor)
        check("weather.address", old.weather.address, new.weather.address)
        check("weather.oversampling", old.weather.oversampling, new.weather.oversampling)
        check("weather.iir_filter", old.weather.iirFilter, new.weather.iirFilter)
        check("accelerometer.sensor", old.accelerometer.sensor, new.accelerometer.sensor)
        check("accelerometer.address", old.accelerometer.address, new.accelerometer.address)
        check("accelerometer.range_g", old.accelerometer.rangeG, new.accelerometer.rangeG)
        check("accelerometer.odr_hz", old.accelerometer.odrHz, new.accelerometer.odrHz)
        check("accelerometer.fifo", old.accelerometer.fifo, new.accelerometer.fifo)
        check("gpio", old.gpio, new.gpio)
        check("storage", old.storage, new.storage)
        check("upload", old.upload, new.upload)
        check("simulation", old.simulation, new.simulation)
        check("logging", old.logging, new.logging)
        return keys
    }

    /// The keys a reload applies, when they changed.
    public static func applied(old: StationConfiguration, new: StationConfiguration) -> [String] {
        var keys: [String] = []
        if old.impact != new.impact { keys.append("impact") }
        if old.accelerometer.calibration != new.accelerometer.calibration { keys.append("accelerometer.calibration") }
        if old.weather.interval != new.weather.interval { keys.append("weather.interval_s") }
        if old.weather.temperatureOffsetC != new.weather.temperatureOffsetC { keys.append("weather.temperature_offset_c") }
        return keys
    }
}
