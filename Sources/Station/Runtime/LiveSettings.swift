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

    /// The keys a reload applies, when they changed, each with its old and new value as the
    /// configuration file writes it: `impact.threshold_g 4.0 → 5.5`.
    public static func applied(old: StationConfiguration, new: StationConfiguration) -> [String] {
        var keys: [String] = []
        func check<T: Equatable>(_ key: String, _ a: T, _ b: T, _ text: (T) -> String) {
            if a != b { keys.append("\(key) \(text(a)) → \(text(b))") }
        }
        let g = { (v: Double) in "\(v)" }
        let ms = { (d: Duration) in "\(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)" }
        let s = { (d: Duration) in "\(d.components.seconds)" }
        check("impact.threshold_g", old.impact.thresholdG, new.impact.thresholdG, g)
        check("impact.sustain_ms", old.impact.sustain, new.impact.sustain, ms)
        check("impact.severe_g", old.impact.severeG, new.impact.severeG, g)
        check("impact.rearm_g", old.impact.rearmG, new.impact.rearmG, g)
        check("impact.refractory_ms", old.impact.refractory, new.impact.refractory, ms)
        check("impact.pre_ms", old.impact.preWindow, new.impact.preWindow, ms)
        check("impact.post_ms", old.impact.postWindow, new.impact.postWindow, ms)
        check("accelerometer.calibration", old.accelerometer.calibration, new.accelerometer.calibration) { "\($0)" }
        check("weather.interval_s", old.weather.interval, new.weather.interval, s)
        check("weather.temperature_offset_c", old.weather.temperatureOffsetC, new.weather.temperatureOffsetC, g)
        return keys
    }
}
