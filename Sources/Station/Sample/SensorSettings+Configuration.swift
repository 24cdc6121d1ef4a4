import Drivers

extension StationConfiguration.WeatherSensorKind {
    public var chipModel: ChipModel? {
        switch self {
        case .bme280: .bme280
        case .bmp280: .bmp280
        case .none: nil
        }
    }
}

extension StationConfiguration.AccelerometerKind {
    public var chipModel: ChipModel? { ChipModel(rawValue: rawValue) }
}

extension StationConfiguration.WeatherSettings {
    /// The driver settings: forced mode (one measurement per interval, the chip sleeps between).
    public var driverSettings: BME280.Settings {
        func osr(_ n: Int) -> BME280.Oversampling {
            BME280.Oversampling.allCases.first { $0.factor == n } ?? .x1
        }
        let filter: BME280.IIRFilter =
            switch iirFilter {
            case 2: .coefficient2
            case 4: .coefficient4
            case 8: .coefficient8
            case 16: .coefficient16
            default: .off
            }
        return BME280.Settings(
            temperatureOversampling: osr(oversampling.temperature),
            pressureOversampling: osr(oversampling.pressure),
            humidityOversampling: osr(oversampling.humidity), iirFilter: filter, mode: .forced)
    }
}
