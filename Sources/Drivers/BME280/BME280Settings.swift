/// One weather reading.
public struct WeatherReading: Sendable, Equatable {
    /// °C, resolution 0.01 °C. Raw sensor temperature: no self-heating offset applied.
    public var temperatureC: Double
    /// %RH, 0...100, resolution 1/1024 %RH; nil on a BMP280 (or with humidity oversampling skipped).
    public var humidityPercent: Double?
    /// Pa, resolution 1/256 Pa.
    public var pressurePa: Double

    public init(temperatureC: Double, humidityPercent: Double?, pressurePa: Double) {
        self.temperatureC = temperatureC
        self.humidityPercent = humidityPercent
        self.pressurePa = pressurePa
    }
}

extension BME280 {
    /// Oversampling of one measurement (osrs_x codes, §5.4.3/5.4.5). `.skip` outputs 0x80000.
    public enum Oversampling: UInt8, Sendable, Equatable, CaseIterable {
        case skip = 0, x1 = 1, x2 = 2, x4 = 3, x8 = 4, x16 = 5

        /// Number of samples: 0, 1, 2, 4, 8, 16.
        public var factor: Int { self == .skip ? 0 : 1 << (Int(rawValue) - 1) }
    }

    /// IIR filter coefficient (filter[4:2] codes, §3.4.4 and §5.4.6).
    public enum IIRFilter: UInt8, Sendable, Equatable, CaseIterable {
        case off = 0, coefficient2 = 1, coefficient4 = 2, coefficient8 = 3, coefficient16 = 4
    }

    /// Inactive time between measurements in normal mode (t_sb codes, §5.4.6). The BME280 and
    /// BMP280 differ for codes 6 and 7.
    public enum Standby: UInt8, Sendable, Equatable, CaseIterable {
        // Not lowerCamelCase: 0.5 ms and 62.5 ms, as the datasheet writes t_sb.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case ms0_5 = 0, ms62_5 = 1, ms125 = 2, ms250 = 3, ms500 = 4, ms1000 = 5
        /// Code 6: 10 ms on a BME280 (2000 ms on a BMP280; see `bmp280ms2000`).
        case ms10 = 6
        /// Code 7: 20 ms on a BME280.
        case ms20 = 7
        /// Code 6 on a BMP280 only.
        case bmp280ms2000 = 0x16
        /// Code 7 on a BMP280 only.
        case bmp280ms4000 = 0x17

        /// The t_sb[2:0] code.
        var code: UInt8 { rawValue & 0x07 }
        /// Whether this value exists on `model`.
        func valid(on model: ChipModel) -> Bool {
            switch self {
            case .ms10, .ms20: model == .bme280
            case .bmp280ms2000, .bmp280ms4000: model == .bmp280
            default: true
            }
        }
    }

    public enum Mode: Sendable, Equatable {
        /// One measurement per `read()`, then the chip sleeps (§3.3.3): lowest power, what a
        /// weather station sampling every few seconds wants.
        case forced
        /// Continuous measurements with `standby` between them; `read()` returns the latest.
        case normal
    }

    public struct Settings: Sendable, Equatable {
        public var temperatureOversampling: Oversampling
        public var pressureOversampling: Oversampling
        /// Ignored on a BMP280.
        public var humidityOversampling: Oversampling
        public var iirFilter: IIRFilter
        /// Only used in normal mode.
        public var standby: Standby
        public var mode: Mode

        /// Defaults: the datasheet's "weather monitoring" case (§3.5.1): forced mode, ×1 everywhere,
        /// filter off.
        public init(
            temperatureOversampling: Oversampling = .x1, pressureOversampling: Oversampling = .x1,
            humidityOversampling: Oversampling = .x1, iirFilter: IIRFilter = .off,
            standby: Standby = .ms1000, mode: Mode = .forced
        ) {
            self.temperatureOversampling = temperatureOversampling
            self.pressureOversampling = pressureOversampling
            self.humidityOversampling = humidityOversampling
            self.iirFilter = iirFilter
            self.standby = standby
            self.mode = mode
        }

        /// Maximum measurement time in µs (§9.1, "t_measure,max"):
        /// 1.25 ms + 2.3 ms·T + (2.3 ms·P + 0.575 ms) + (2.3 ms·H + 0.575 ms), where a skipped
        /// measurement contributes nothing. (The typical figure is 1 + 2·T + (2·P + 0.5) + (2·H + 0.5) ms.)
        /// The BMP280 formula (BMP280 datasheet §3.8.1, table 13) is the same without humidity.
        public func maxMeasurementMicroseconds(humidity: Bool = true) -> Int {
            var us = 1250 + 2300 * temperatureOversampling.factor
            if pressureOversampling != .skip { us += 2300 * pressureOversampling.factor + 575 }
            if humidity, humidityOversampling != .skip { us += 2300 * humidityOversampling.factor + 575 }
            return us
        }
    }
}
