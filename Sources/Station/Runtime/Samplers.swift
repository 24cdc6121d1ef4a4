import Detection
import Drivers
import Foundation
import HAL
import Logging
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
                            WeatherSample(
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

/// The motion sampler: drains the accelerometer (FIFO where the chip has one) often enough that
/// the FIFO never overflows, folds samples into per-second summaries, and runs the impact
/// detector on every sample. On a trigger the impact LED latches at once; the finished event
/// (with its waveform) goes to the impact writer, which commits it durably.
public struct MotionSampler: Sendable {
    public var model: ChipModel
    public var address: I2CAddress
    public var rangeG: Double
    public var odrHz: Double
    public var fifo: Bool
    public var offsetG: SIMD3<Double>
    public var scale: SIMD3<Double>
    public var detector: DetectorSettings
    /// Keep raw samples in the log while streaming.
    public var rawWhileStreaming: Bool
    public var reprobeInterval: Duration

    public init(
        model: ChipModel, address: I2CAddress, rangeG: Double, odrHz: Double, fifo: Bool,
        offsetG: SIMD3<Double> = .zero, scale: SIMD3<Double> = .one, detector: DetectorSettings,
        rawWhileStreaming: Bool = false, reprobeInterval: Duration = .seconds(5)
    ) {
        self.model = model
        self.address = address
        self.rangeG = rangeG
        self.odrHz = odrHz
        self.fifo = fifo
        self.offsetG = offsetG
        self.scale = scale
        self.detector = detector
        self.rawWhileStreaming = rawWhileStreaming
        self.reprobeInterval = reprobeInterval
    }

    /// Opens the driver for the configured chip.
    public func open(bus: any I2CBus) throws -> any Accelerometer {
        try AccelerometerFactory.open(
            model: model, device: bus.device(at: address), rangeG: rangeG, odrHz: odrHz,
            fifo: fifo, sleep: { Thread.sleep(forTimeInterval: $0.seconds) })
    }

    /// How long to sleep between reads: the time 8 samples take when draining a FIFO (a quarter
    /// of the ADXL345's 32 entries), or one sample period when polling, never less than 1 ms.
    var pollInterval: Duration {
        let samplesPerRead = fifo ? 8.0 : 1.0
        return .microseconds(Int64(max(1000, samplesPerRead / odrHz * 1e6)))
    }

    /// - Parameters:
    ///   - impacts: where finished impacts go (the impact writer); finished when the sampler stops.
    ///   - recorder: the log for summaries and raw samples; nil without storage.
    ///   - logger: says which scheduling the thread got (a warning when real-time was refused).
    public func service(
        bus: any I2CBus, state: StationState, recorder: Recorder?,
        impacts: AsyncStream<ImpactCapture>.Continuation,
        now: @escaping @Sendable () -> Duration, live: LiveSettings? = nil, logger: Logger,
        heartbeat: @escaping @Sendable () -> Void = {}
    ) -> ThreadService {
        let config = self
        return ThreadService(name: "motion") { signal in
            // A 32-entry FIFO at 3200 Hz lasts 10 ms: keep ordinary work from delaying the drain.
            if let refused = RealtimePriority.raiseCurrentThread(to: RealtimePriority.samplingPriority) {
                logger.warning("motion sampling under ordinary scheduling: \(refused)")
            } else {
                logger.info("motion sampling under SCHED_FIFO priority \(RealtimePriority.samplingPriority)")
            }
            var config = config
            var liveVersion = live?.current.version ?? 0
            defer { impacts.finish() }
            var accel: (any Accelerometer)?
            var aggregator = MotionAggregator()
            var detector = ImpactDetector(settings: config.detector)
            var latched = false
            // Sample times are on the timeline `now`; the anchor maps them onto the wall clock and
            // follows it when it is set (NTP after a boot without a battery clock).
            var anchor = WallClockAnchor(timeline: now(), wall: Date())
            let wallClock: (Duration) -> Date = { anchor.date($0) }
            let wallClockSeconds: (Double) -> Date = { anchor.date(seconds: $0) }
            while !signal.isStopped {
                let before = now(), wall = Date(), after = now()
                anchor.follow(before: before, wall: wall, after: after)
                do {
                    let a: any Accelerometer
                    if let accel {
                        a = accel
                    } else {
                        state.markProbed("accelerometer")
                        a = try config.open(bus: bus)
                        accel = a
                        state.clearFault("accelerometer")
                    }
                    heartbeat()
                    // A reload (SIGHUP) takes effect between events, never in the middle of a capture.
                    if let live, live.current.version != liveVersion, detector.pendingTrigger == nil {
                        let (version, v) = live.current
                        liveVersion = version
                        for e in detector.finish() {
                            impacts.yield(
                                ImpactCapture(
                                    event: e, sensor: config.model.rawValue,
                                    thresholdG: config.detector.thresholdG,
                                    rateHz: a.odrHz, wallClock: wallClockSeconds))
                        }
                        config.detector = v.detector
                        config.offsetG = v.offsetG
                        config.scale = v.scale
                        detector = ImpactDetector(settings: v.detector)
                        latched = false
                    }
                    let samples = try a.read(now: now())
                    let streaming = state.indication.streaming
                    let keepRaw = config.rawWhileStreaming && recorder != nil && streaming
                    let sendRaw = streaming && state.wantsRaw
                    var raw: [RawSampleRecord] = []
                    for s in samples {
                        let v = (SIMD3(s.x, s.y, s.z) - config.offsetG) * config.scale
                        if let m = aggregator.add(
                            time: s.time, x: v.x, y: v.y, z: v.z, saturated: s.saturated,
                            wallClock: wallClock)
                        {
                            state.record(.motion(m), at: m.time)
                        }
                        if keepRaw || sendRaw {
                            raw.append(
                                RawSampleRecord(
                                    time: wallClock(s.time), x: v.x, y: v.y, z: v.z, saturated: s.saturated))
                        }
                        let events = detector.process(
                            MotionSample(
                                t: s.time.seconds, x: v.x, y: v.y, z: v.z,
                                saturated: s.saturated))
                        // Latch the LED at the trigger, before the post-trigger window is captured.
                        if let trigger = detector.pendingTrigger, !latched {
                            latched = true
                            state.record(
                                .impact(
                                    ImpactNotice(
                                        time: wallClockSeconds(trigger.t), peakG: trigger.peakG,
                                        severe: trigger.severity == .severe, saturated: s.saturated)))
                        }
                        for e in events {
                            if !latched {
                                state.record(
                                    .impact(
                                        ImpactNotice(
                                            time: wallClockSeconds(e.triggerT), peakG: e.peakG,
                                            severe: e.severity == .severe, saturated: e.saturated)))
                            }
                            latched = detector.pendingTrigger != nil
                            impacts.yield(
                                ImpactCapture(
                                    event: e, sensor: config.model.rawValue,
                                    thresholdG: config.detector.thresholdG, rateHz: a.odrHz,
                                    wallClock: wallClockSeconds))
                        }
                    }
                    if !raw.isEmpty {
                        if keepRaw { recorder?.record(.raw(raw)) }
                        if sendRaw { state.recordRaw(raw) }
                    }
                } catch {
                    accel = nil
                    state.raiseFault("accelerometer", "\(error)")
                    heartbeat()
                    if signal.wait(for: config.reprobeInterval) { break }
                    continue
                }
                if signal.wait(for: config.pollInterval) { break }
            }
            // Whatever the detector still holds (an event in its post window) is not lost.
            for e in detector.finish() {
                impacts.yield(
                    ImpactCapture(
                        event: e, sensor: config.model.rawValue, thresholdG: config.detector.thresholdG,
                        rateHz: config.odrHz, wallClock: wallClockSeconds))
            }
        }
    }
}
