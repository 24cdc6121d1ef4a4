import Foundation

/// Weather at one moment, in the units a BME280 reports after compensation.
public struct Weather: Sendable, Equatable {
    /// °C
    public var temperatureC: Double
    /// Pa
    public var pressurePa: Double
    /// %RH, 0...100
    public var humidityPercent: Double

    public init(temperatureC: Double, pressurePa: Double, humidityPercent: Double) {
        self.temperatureC = temperatureC
        self.pressurePa = pressurePa
        self.humidityPercent = humidityPercent
    }
}

/// A smooth, deterministic weather drift: a daily temperature sinusoid, a slow pressure swing and
/// a humidity that falls as the temperature rises.
public struct WeatherModel: Sendable, Equatable {
    /// Daily mean (°C) and half the daily swing (°C): 19 ± 5 gives 14...24 °C.
    public var meanTemperatureC: Double
    public var temperatureAmplitudeC: Double
    /// Scenario time of the daily temperature maximum (e.g. 15:00 = 15 h).
    public var warmestAt: Duration
    /// Mean pressure (Pa) and amplitude (Pa) of a slow swing with `pressurePeriod`.
    public var meanPressurePa: Double
    public var pressureAmplitudePa: Double
    public var pressurePeriod: Duration
    /// Phase of the pressure swing, as a fraction of its period.
    public var pressurePhase: Double
    /// Mean humidity (%RH) and half its swing; highest when it is coldest.
    public var meanHumidityPercent: Double
    public var humidityAmplitudePercent: Double

    public init(
        meanTemperatureC: Double = 19, temperatureAmplitudeC: Double = 5,
        warmestAt: Duration = .seconds(15 * 3600),
        meanPressurePa: Double = 101_325, pressureAmplitudePa: Double = 300,
        pressurePeriod: Duration = .seconds(3 * 86_400), pressurePhase: Double = 0,
        meanHumidityPercent: Double = 55, humidityAmplitudePercent: Double = 15
    ) {
        self.meanTemperatureC = meanTemperatureC
        self.temperatureAmplitudeC = temperatureAmplitudeC
        self.warmestAt = warmestAt
        self.meanPressurePa = meanPressurePa
        self.pressureAmplitudePa = pressureAmplitudePa
        self.pressurePeriod = pressurePeriod
        self.pressurePhase = pressurePhase
        self.meanHumidityPercent = meanHumidityPercent
        self.humidityAmplitudePercent = humidityAmplitudePercent
    }

    /// Weather that never changes.
    public static func constant(temperatureC: Double, pressurePa: Double, humidityPercent: Double)
        -> WeatherModel
    {
        WeatherModel(
            meanTemperatureC: temperatureC, temperatureAmplitudeC: 0, meanPressurePa: pressurePa,
            pressureAmplitudePa: 0, meanHumidityPercent: humidityPercent, humidityAmplitudePercent: 0)
    }

    public func weather(at time: Duration) -> Weather {
        let t = time.simSeconds
        // Daily cycle: +1 at `warmestAt`, −1 twelve hours later.
        let day = cos(2 * Double.pi * (t - warmestAt.simSeconds) / 86_400)
        let temperature = meanTemperatureC + temperatureAmplitudeC * day
        let pressure =
            meanPressurePa + pressureAmplitudePa
            * sin(2 * Double.pi * (t / pressurePeriod.simSeconds + pressurePhase))
        let humidity = min(100, max(0, meanHumidityPercent - humidityAmplitudePercent * day))
        return Weather(temperatureC: temperature, pressurePa: pressure, humidityPercent: humidity)
    }
}
