import Drivers
import Foundation
import HAL
import Storage

/// The weather sampler: a BME280/BMP280 read in forced mode every `interval`, on its own thread
/// (a forced measurement blocks for up to ~110 ms, which must never hold up the accelerometer).
/// A sensor that fails is reported as a fault and re-probed until it answers again.
public struct WeatherSampler: Sendable {
    public var address: I2CAddress
    public var settings: BME280.Settings
    public var interval: Duration
    public var temperatureOffsetC: Double
    public var reprobeInterval: Duration

    public init(
        address: I2CAddress, settings: BME280.Settings, interval: Duration,
        temperatureOffsetC: Double, reprobeInterval: Duration = .seconds(5)
    ) {
        self.address = address
        self.settings = settings
        self.interval = interval
        self.temperatureOffsetC = temperatureOffsetC
        self.reprobeInterval = reprobeInterval
    }

    /// - Parameter heartbeat: called every loop (the systemd watchdog when nothing samples faster).
    public func service(
        bus: any I2CBus, state: StationState, live: LiveSettings? = nil,
        heartbeat: @escaping @Sendable () -> Void = {}
    ) -> ThreadService {
        let config = self
        return ThreadService(name: "weather") { signal in
            var config = config
            var sensor: BME280?
            while !signal.isStopped {
                do {
                    let s: BME280
                    if let sensor {
                        s = sensor
                    } else {
                        s = try BME280(
                            device: bus.device(at: config.address), settings: config.settings,
                            sleep: { signal.wait(for: $0) })
                        sensor = s
                        state.clearFault("weather")
                    }
                    state.markProbed("weather")
                    if let v = live?.current.values {
                        config.interval = v.weatherInterval
                        config.temperatureOffsetC = v.temperatureOffsetC
                    }
                    let r = try s.read()
                    state.record(
                        .weather(
                            WeatherRecord(
                                time: Date(), sensor: s.model.rawValue,
                                temperatureC: r.temperatureC - config.temperatureOffsetC,
                                humidityPercent: r.humidityPercent, pressurePa: r.pressurePa)))
                } catch {
                    sensor = nil
                    state.raiseFault("weather", "\(error)")
                    state.markProbed("weather")
                }
                heartbeat()
                // Sleep in short steps so the heartbeat keeps going during a long interval.
                let deadline =
                    ContinuousClock.now + (sensor == nil ? config.reprobeInterval : config.interval)
                var stopped = false
                while !stopped, ContinuousClock.now < deadline {
                    stopped = signal.wait(for: min(.seconds(1), deadline - ContinuousClock.now))
                    heartbeat()
                }
                if stopped { break }
            }
        }
    }
}
