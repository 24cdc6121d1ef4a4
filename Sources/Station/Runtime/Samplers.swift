import Drivers
import Foundation
import HAL
import Logging

/// The weather sampler: a BME280/BMP280 read in forced mode every `interval`, on its own thread
/// (a forced measurement blocks for up to ~110 ms, which must never hold up the accelerometer).
/// A sensor that fails is reported as a fault and re-probed until it answers again.
public struct WeatherSampler: Sendable {
    public var address: I2CAddress
    public var settings: BME280.Settings
    public var interval: Duration
    public var temperatureOffsetC: Double
    public var reprobeInterval: Duration

    public init(address: I2CAddress, settings: BME280.Settings, interval: Duration,
                temperatureOffsetC: Double, reprobeInterval: Duration = .seconds(5)) {
        self.address = address
        self.settings = settings
        self.interval = interval
        self.temperatureOffsetC = temperatureOffsetC
        self.reprobeInterval = reprobeInterval
    }

    public func service(bus: any I2CBus, state: StationState) -> ThreadService {
        let config = self
        return ThreadService(name: "weather") { signal in
            var sensor: BME280?
            while !signal.isStopped {
                do {
                    let s: BME280
                    if let sensor {
                        s = sensor
                    } else {
                        s = try BME280(device: bus.device(at: config.address), settings: config.settings,
                                       sleep: { signal.wait(for: $0) })
                        sensor = s
                        state.clearFault("weather")
                    }
                    let r = try s.read()
                    state.record(.weather(WeatherSample(
                        time: Date(), sensor: s.model.rawValue,
                        temperatureC: r.temperatureC - config.temperatureOffsetC,
                        humidityPercent: r.humidityPercent, pressurePa: r.pressurePa)))
                } catch {
                    sensor = nil
                    state.raiseFault("weather", "\(error)")
                }
                if signal.wait(for: sensor == nil ? config.reprobeInterval : config.interval) { break }
            }
        }
    }
}

/// The motion sampler: drains the accelerometer (FIFO where the chip has one) at a rate that
/// keeps the FIFO from overflowing, folds samples into per-second summaries and impact notices.
public struct MotionSampler: Sendable {
    public var model: ChipModel
    public var address: I2CAddress
    public var rangeG: Double
    public var odrHz: Double
    public var fifo: Bool
    public var offsetG: (x: Double, y: Double, z: Double)
    public var scale: (x: Double, y: Double, z: Double)
    public var thresholds: MotionAggregator.Thresholds
    public var reprobeInterval: Duration
    /// Log a motion line every this many summaries (plain output stays readable).
    public var logEvery: Int

    public init(model: ChipModel, address: I2CAddress, rangeG: Double, odrHz: Double, fifo: Bool,
                offsetG: (x: Double, y: Double, z: Double) = (0, 0, 0),
                scale: (x: Double, y: Double, z: Double) = (1, 1, 1),
                thresholds: MotionAggregator.Thresholds, reprobeInterval: Duration = .seconds(5),
                logEvery: Int = 10) {
        self.model = model
        self.address = address
        self.rangeG = rangeG
        self.odrHz = odrHz
        self.fifo = fifo
        self.offsetG = offsetG
        self.scale = scale
        self.thresholds = thresholds
        self.reprobeInterval = reprobeInterval
        self.logEvery = logEvery
    }

    /// Opens the driver for the configured chip.
    public func open(bus: any I2CBus) throws -> any Accelerometer {
        try AccelerometerFactory.open(model: model, device: bus.device(at: address), rangeG: rangeG, odrHz: odrHz,
                                      fifo: fifo, sleep: { Thread.sleep(forTimeInterval: $0.seconds) })
    }

    /// How long to sleep between reads: a quarter of the time the FIFO takes to fill (32 entries),
    /// or one sample period when polling, never less than 1 ms.
    var pollInterval: Duration {
        let samplesPerRead = fifo ? 8.0 : 1.0
        return .microseconds(Int64(max(1000, samplesPerRead / odrHz * 1e6)))
    }

    public func service(bus: any I2CBus, state: StationState, now: @escaping @Sendable () -> Duration) -> ThreadService {
        let config = self
        return ThreadService(name: "motion") { signal in
            var accel: (any Accelerometer)?
            var aggregator = MotionAggregator(thresholds: config.thresholds)
            let t0 = now()
            let d0 = Date()
            let wallClock: (Duration) -> Date = { d0.addingTimeInterval(($0 - t0).seconds) }
            var summaries = 0
            while !signal.isStopped {
                do {
                    let a: any Accelerometer
                    if let accel {
                        a = accel
                    } else {
                        a = try config.open(bus: bus)
                        accel = a
                        state.clearFault("accelerometer")
                    }
                    for s in try a.read(now: now()) {
                        let x = (s.x - config.offsetG.x) * config.scale.x
                        let y = (s.y - config.offsetG.y) * config.scale.y
                        let z = (s.z - config.offsetG.z) * config.scale.z
                        for out in aggregator.add(time: s.time, x: x, y: y, z: z, saturated: s.saturated, wallClock: wallClock) {
                            switch out {
                            case .summary(_, let m):
                                summaries += 1
                                state.record(.motion(m), at: m.time)
                            case .impact(let at, let peak, let severe, let saturated):
                                state.record(.impact(ImpactNotice(time: wallClock(at), peakG: peak, severe: severe,
                                                                  saturated: saturated)))
                            }
                        }
                    }
                } catch {
                    accel = nil
                    state.raiseFault("accelerometer", "\(error)")
                    if signal.wait(for: config.reprobeInterval) { break }
                    continue
                }
                if signal.wait(for: config.pollInterval) { break }
            }
            _ = summaries
        }
    }
}
