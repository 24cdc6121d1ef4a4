import Drivers
import HAL

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
        /// Where `calibration` came from when a calibration file is beside the log (set by the
        /// loader; not a key). Nil: the configuration file or its defaults.
        public var calibrationSource: CalibrationSource?
        /// The chip's direction that points up as mounted, length 1 (at rest the corrected
        /// reading is +1 g along it); `.zero`: not known, and impacts get no components.
        public var up: SIMD3<Double> = .zero

        /// `up` as the configuration writes it: `+z`, `[0.261, -0.201, 0.944]` or `none`.
        public var upText: String { yamlUp(up) }
        /// The GPIO line the chip's INT1 pin is wired to; nil (`interrupt: none`, the default):
        /// the sampler polls.
        public var interrupt: Interrupt?

        public init(
            sensor: AccelerometerKind = .adxl345, address: I2CAddress = 0x53, rangeG: Int = 16,
            odrHz: Double = 3200, fifo: Bool = true, calibration: Calibration = Calibration(),
            interrupt: Interrupt? = nil
        ) {
            self.sensor = sensor
            self.address = address
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.fifo = fifo
            self.calibration = calibration
            self.interrupt = interrupt
        }
    }

    /// `accelerometer.interrupt`: INT1 wired to a line of `gpio.chip`.
    public struct Interrupt: Sendable, Equatable {
        public var line: LineSelector
        /// The chip asserts INT1 low.
        public var activeLow: Bool
        /// The chip's pin is open-drain (where it can be): the line is biased pull-up.
        public var openDrain: Bool

        public init(line: LineSelector, activeLow: Bool = false, openDrain: Bool = false) {
            self.line = line
            self.activeLow = activeLow
            self.openDrain = openDrain
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
