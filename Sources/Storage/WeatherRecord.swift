import Foundation

/// One weather reading, at the weather sampler's own interval (default 10 s).
public struct WeatherRecord: Sendable, Equatable {
    public var time: Date
    /// Chip model, e.g. "BME280".
    public var sensor: String
    public var temperatureC: Double
    /// `nil` for a BMP280 (no humidity sensor).
    public var humidityPercent: Double?
    public var pressurePa: Double

    public init(
        time: Date, sensor: String, temperatureC: Double, humidityPercent: Double?, pressurePa: Double
    ) {
        self.time = time
        self.sensor = sensor
        self.temperatureC = temperatureC
        self.humidityPercent = humidityPercent
        self.pressurePa = pressurePa
    }
}
