import Detection
import Drivers
import HAL
import Logging
import ServiceLifecycle
import Storage

/// The station's parts for one configuration on one set of hardware: the services to run (in
/// start order; the group stops them in reverse, so the LEDs go dark last) and what the console
/// needs to label them.
public struct StationComponents {
    public let services: [any Service]
    public let weatherLabel: String?
    public let accelerometerLabel: String?
    public let ledRoles: [LEDRole]
    /// The samplers READY=1 waits for (each must have tried its sensor once).
    public let sampledComponents: Set<String>

    /// Requests the GPIO lines now, so a wrong chip or line name stops the start with a clear error
    /// instead of surfacing later.
    /// - Parameters:
    ///   - gpio: nil when the configuration has no LEDs and no button.
    ///   - now: the monotonic clock of samples (and LED patterns).
    ///   - gpioNow: the clock of the GPIO chip's edge timestamps, for the button; nil = `now`
    ///     (they differ only for simulated sensors with a real chip).
    ///   - recorder: the SQLite log; nil runs the station without one (tests, `read`).
    public init(
        configuration c: StationConfiguration, bus: any I2CBus, gpio: (any GPIOChip)?,
        now: @escaping @Sendable () -> Duration, gpioNow: (@Sendable () -> Duration)? = nil,
        state: StationState, recorder: Recorder?,
        logger: Logger, live: LiveSettings? = nil,
        heartbeat: @escaping @Sendable () -> Void = {}
    ) throws(GPIOError) {
        var services: [any Service] = []
        var roles: [LEDRole] = []
        if let gpio {
            var leds: [Indicators.LED] = []
            for led in c.gpio.leds {
                let line = try gpio.requestOutput(
                    OutputLineRequest(
                        line: led.line, consumer: "sensorstation-\(led.role.rawValue)",
                        activeLow: led.activeLow))
                let role = led.role
                leds.append(.init(role: role, line: line))
                roles.append(role)
            }
            if !leds.isEmpty {
                let indicators = Indicators(leds: leds, state: state, logger: logger)
                services.append(indicators.service(now: now))
            }
            if let b = c.gpio.button {
                let line = try gpio.requestInput(
                    InputLineRequest(
                        line: b.line, consumer: "sensorstation-button", activeLow: b.activeLow, bias: b.bias,
                        debounce: b.debounce))
                services.append(
                    ButtonService(
                        line: line, debounce: b.debounce, longPress: b.longPress, state: state,
                        now: gpioNow ?? now, logger: logger
                    ).service())
            }
        }

        let w = c.weather
        // The accelerometer loop feeds the watchdog when there is one; else the weather loop does.
        let weatherHeartbeat: @Sendable () -> Void
        if c.accelerometer.sensor.chipModel == nil {
            weatherHeartbeat = heartbeat
        } else {
            weatherHeartbeat = {}
        }
        if let model = w.sensor.chipModel {
            weatherLabel = "\(model.rawValue)@\(hex(w.address))"
            services.append(
                WeatherSampler(
                    address: w.address, settings: w.driverSettings, interval: w.interval,
                    temperatureOffsetC: w.temperatureOffsetC
                ).service(bus: bus, state: state, live: live, heartbeat: weatherHeartbeat))
        } else {
            weatherLabel = nil
        }

        let a = c.accelerometer
        // The accelerometer's INT1 line, requested now with the LEDs (a wrong name stops the
        // start): logical rising edges only, so the chip's release wakes nobody.
        var interruptLine: (any InputLine)?
        if a.sensor.chipModel != nil, let int = a.interrupt {
            guard let gpio else {
                throw GPIOError(
                    kind: .chipNotFound, chip: c.gpio.chip, line: int.line.description,
                    message: "accelerometer.interrupt needs a GPIO chip")
            }
            interruptLine = try gpio.requestInput(
                InputLineRequest(
                    line: int.line, consumer: "sensorstation-int1", activeLow: int.activeLow,
                    bias: int.openDrain ? .pullUp : .asIs, edges: .rising))
        }
        if let model = a.sensor.chipModel {
            accelerometerLabel = "\(model.rawValue)@\(hex(a.address)) ±\(a.rangeG) g \(formatHz(a.odrHz))"
            let (impacts, continuation) = AsyncStream.makeStream(of: ImpactCapture.self)
            // The writer comes first: the group stops services in reverse order, so the sampler
            // stops (finishing the stream) before the writer commits what is left and returns.
            services.append(ImpactWriter(impacts: impacts, recorder: recorder, state: state, logger: logger))
            services.append(
                MotionSampler(
                    model: model, address: a.address, rangeG: Double(a.rangeG), odrHz: a.odrHz, fifo: a.fifo,
                    offsetG: a.calibration.offsetG, scale: a.calibration.scale, up: a.up,
                    detector: c.detectorSettings,
                    rawWhileStreaming: c.storage.rawWhileStreaming, realtime: c.hardware == .linux,
                    interrupt: a.interrupt.map {
                        InterruptPin(activeLow: $0.activeLow, openDrain: $0.openDrain)
                    }
                ).service(
                    bus: bus, line: interruptLine, state: state, recorder: recorder, impacts: continuation,
                    now: now, live: live,
                    logger: logger, heartbeat: heartbeat))
        } else {
            accelerometerLabel = nil
        }
        self.services = services
        self.ledRoles = roles
        var sampled: Set<String> = []
        if c.weather.sensor.chipModel != nil { sampled.insert("weather") }
        if c.accelerometer.sensor.chipModel != nil { sampled.insert("accelerometer") }
        self.sampledComponents = sampled
    }
}

func formatHz(_ hz: Double) -> String {
    hz == hz.rounded() ? "\(Int(hz)) Hz" : "\(hz) Hz"
}
