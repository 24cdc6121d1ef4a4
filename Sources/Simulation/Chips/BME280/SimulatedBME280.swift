import Synchronization

/// A register-level Bosch BME280 (or BMP280: chip ID 0x58, no humidity) driven by a scenario's
/// weather on a simulation clock.
///
/// Modelled (BME280 datasheet §3.3, §3.5, §5, §9): chip ID 0xD0; soft reset 0xE0 ← 0xB6 (status
/// im_update for 2 ms); calibration 0x88–0xA1 and 0xE1–0xE7; ctrl_hum 0xF2 latched by the next
/// ctrl_meas 0xF4 write; config 0xF5 (ignored while in normal mode, §5.4.6); sleep / forced / normal
/// modes with status bit 3 "measuring" for the maximum measurement time (§9.1); skipped
/// measurements read 0x80000 / 0x8000; resolution 16 + (osrs − 1) bits without IIR filter, 20 bits
/// with it (§3.4.3); data 0xF7–0xFE updated only at the end of a measurement, so a burst read
/// always returns one measurement.
/// Not modelled: the IIR filter's smoothing (only its effect on resolution), noise, SPI, the
/// power-on NVM copy (the chip is assumed powered long before the scenario starts).
public final class SimulatedBME280: SimulatedI2CChip {
    public enum Variant: String, Sendable, CaseIterable {
        case bme280, bmp280

        /// Register 0xD0.
        public var chipID: UInt8 { self == .bme280 ? 0x60 : 0x58 }
        public var hasHumidity: Bool { self == .bme280 }
    }

    public enum Mode: Sendable, Equatable { case sleep, forced, normal }

    public let variant: Variant
    public let calibration: BME280Calibration
    public let scenario: Scenario
    public var modelName: String { variant == .bme280 ? "BME280" : "BMP280" }
    /// Whether raw values carry only the resolution the configuration gives (§3.4.3); false gives
    /// 20 bits always.
    public let limitsResolution: Bool
    private let clock: any SimulationClock
    private let state: Mutex<State>
    private let context: Context

    /// Status 0xF3 im_update stays set this long after a soft reset (datasheet start-up time 2 ms).
    public static let nvmCopyTime: Duration = .milliseconds(2)

    public init(
        variant: Variant = .bme280, clock: any SimulationClock, scenario: Scenario,
        calibration: BME280Calibration = .datasheetExample, limitsResolution: Bool = true
    ) {
        self.variant = variant
        self.clock = clock
        self.scenario = scenario
        self.calibration = calibration
        self.limitsResolution = limitsResolution
        self.state = Mutex(State())
        self.context = Context(
            variant: variant, calibration: calibration, scenario: scenario,
            limitsResolution: limitsResolution,
            image: Self.calibrationImage(calibration, variant: variant))
    }

    // MARK: Observation (tests, demo)

    /// The current mode (after any measurement due by now has completed).
    public var mode: Mode {
        let now = clock.now
        return withState(now) { $0.mode }
    }

    /// Measurements completed since creation.
    public var measurementCount: Int {
        let now = clock.now
        return withState(now) { $0.measurementCount }
    }

    /// The scenario time of the measurement the data registers hold, if any.
    public var lastMeasurementTime: Duration? {
        let now = clock.now
        return withState(now) { $0.lastMeasurementTime }
    }

    // MARK: SimulatedI2CChip

    public func read(register: UInt8) -> UInt8 {
        let now = clock.now
        return withState(now) { $0.read(register, now: now, context) }
    }

    public func readBlock(register: UInt8, count: Int) -> [UInt8] {
        let now = clock.now
        return withState(now) { s in
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var reg = register
            for _ in 0..<count {
                out.append(s.read(reg, now: now, context))
                reg &+= 1
            }
            return out
        }
    }

    public func write(register: UInt8, value: UInt8) {
        let now = clock.now
        withState(now) { $0.write(register, value, now: now, variant: variant) }
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) {
        let now = clock.now
        withState(now) { s in
            var reg = register
            for b in bytes {
                s.write(reg, b, now: now, variant: variant)
                reg &+= 1
            }
        }
    }

    public func powerOnReset() {
        state.withLock { $0 = State() }
    }

    // MARK: Internals

    /// Runs `body` on the state after completing whatever measurement is due by `now`.
    private func withState<R: Sendable>(_ now: Duration, _ body: (inout State) -> R) -> R {
        let context = self.context
        return state.withLock { s in
            s.settle(now: now, context)
            return body(&s)
        }
    }

    struct Context {
        var variant: Variant
        var calibration: BME280Calibration
        var scenario: Scenario
        var limitsResolution: Bool
        /// 256 bytes: the calibration NVM at 0x88...0xA1 and 0xE1...0xE7, zero elsewhere.
        var image: [UInt8]
    }

    struct State {
        /// 0xF2 as written (osrs_h bits 2:0), and the value latched by the last ctrl_meas write.
        var ctrlHum: UInt8 = 0
        var latchedOsrsH: UInt8 = 0
        /// 0xF4: osrs_t bits 7:5, osrs_p bits 4:2, mode bits 1:0.
        var ctrlMeas: UInt8 = 0
        /// 0xF5: t_sb bits 7:5, filter bits 4:2, spi3w_en bit 0.
        var config: UInt8 = 0
        var mode: Mode = .sleep
        /// Forced: start of the measurement. Normal: start of the first cycle.
        var start: Duration = .zero
        var measurementLength: Duration = .zero
        var standby: Duration = .zero
        /// Normal mode: index of the cycle whose result the data registers hold.
        var lastCycle = -1
        /// 0xF7...0xFE; reset values (datasheet table 18): 0x80 00 00 80 00 00 80 00.
        var data: [UInt8] = [0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00]
        var nvmBusyUntil: Duration = .zero
        var measurementCount = 0
        var lastMeasurementTime: Duration?
        /// Settings captured when the measurement (or normal-mode run) started.
        var osrsT: UInt8 = 0
        var osrsP: UInt8 = 0
        var osrsH: UInt8 = 0
        var filter: UInt8 = 0

        // Settling is the only place where time moves the state.
        mutating func settle(now: Duration, _ c: Context) {
            switch mode {
            case .sleep:
                return
            case .forced:
                let end = start + measurementLength
                guard now >= end else { return }
                measure(at: end, c)
                mode = .sleep
                ctrlMeas &= ~0x03  // §3.3.3: back to sleep after a forced measurement
            case .normal:
                let elapsed = (now - start).simNanoseconds
                let length = measurementLength.simNanoseconds
                guard elapsed >= length else { return }
                let period = length + standby.simNanoseconds
                let cycle = Int((elapsed - length) / period)
                guard cycle != lastCycle else { return }
                measurementCount += cycle - lastCycle - 1  // cycles completed unread, overwritten
                lastCycle = cycle
                measure(at: start + .nanoseconds(Int64(cycle) * period + length), c)
            }
        }

        func isMeasuring(now: Duration) -> Bool {
            switch mode {
            case .sleep: return false
            case .forced: return now < start + measurementLength
            case .normal:
                let elapsed = (now - start).simNanoseconds
                let period = measurementLength.simNanoseconds + standby.simNanoseconds
                return elapsed % period < measurementLength.simNanoseconds
            }
        }

        /// One measurement completed at `time`: the scenario's weather into the data registers.
        mutating func measure(at time: Duration, _ c: Context) {
            let w = c.scenario.weather(at: time)
            let cal = c.calibration
            let filterOn = filter != 0
            func bits(_ osrs: UInt8) -> Int {
                guard c.limitsResolution, !filterOn else { return 20 }
                return 16 + Int(min(osrs, 5)) - 1  // ×1 → 16 bit ... ×16 → 20 bit
            }
            func quantize(_ raw: Int32, bits: Int) -> Int32 {
                guard bits < 20 else { return raw }
                let step = Int32(1) << (20 - bits)
                return min(0xFFFFF & ~(step - 1), ((raw + step / 2) / step) * step)
            }
            // Temperature first: its t_fine feeds pressure and humidity, as in the driver.
            let adcT = quantize(cal.rawTemperature(celsius: w.temperatureC), bits: bits(osrsT))
            let tFine = cal.temperature(adcT: adcT).tFine
            let adcP = quantize(cal.rawPressure(pascal: w.pressurePa, tFine: tFine), bits: bits(osrsP))
            let adcH = cal.rawHumidity(percent: w.humidityPercent, tFine: tFine)

            let t: Int32 = osrsT == 0 ? 0x80000 : adcT
            let p: Int32 = osrsP == 0 ? 0x80000 : adcP
            let h: Int32 = (osrsH == 0 || !c.variant.hasHumidity) ? 0x8000 : adcH
            // 20-bit values: msb = [19:12], lsb = [11:4], xlsb[7:4] = [3:0].
            data[0] = UInt8((p >> 12) & 0xFF)
            data[1] = UInt8((p >> 4) & 0xFF)
            data[2] = UInt8((p & 0x0F) << 4)
            data[3] = UInt8((t >> 12) & 0xFF)
            data[4] = UInt8((t >> 4) & 0xFF)
            data[5] = UInt8((t & 0x0F) << 4)
            data[6] = UInt8((h >> 8) & 0xFF)
            data[7] = UInt8(h & 0xFF)
            measurementCount += 1
            lastMeasurementTime = time
        }

        func read(_ register: UInt8, now: Duration, _ c: Context) -> UInt8 {
            let variant = c.variant
            switch register {
            case 0x88...0xA1:
                return c.image[Int(register)]
            case 0xD0:
                return variant.chipID
            case 0xE1...0xE7:
                return c.image[Int(register)]
            case 0xF2:
                return variant.hasHumidity ? ctrlHum : 0x00
            case 0xF3:
                // bit 3 measuring, bit 0 im_update (§5.4.4)
                return (isMeasuring(now: now) ? 0x08 : 0) | (now < nvmBusyUntil ? 0x01 : 0)
            case 0xF4:
                return ctrlMeas
            case 0xF5:
                return config
            case 0xF7...0xFC:
                return data[Int(register - 0xF7)]
            case 0xFD...0xFE:
                return variant.hasHumidity ? data[Int(register - 0xF7)] : 0x00
            default:
                return 0x00
            }
        }

        mutating func write(_ register: UInt8, _ value: UInt8, now: Duration, variant: Variant) {
            switch register {
            case 0xE0:
                guard value == 0xB6 else { return }  // only 0xB6 resets (§5.4.2)
                self = State()
                nvmBusyUntil = now + SimulatedBME280.nvmCopyTime
            case 0xF2:
                if variant.hasHumidity { ctrlHum = value & 0x07 }
            case 0xF4:
                ctrlMeas = value
                latchedOsrsH = ctrlHum  // §5.4.3: ctrl_hum takes effect after a ctrl_meas write
                osrsT = (value >> 5) & 0x07
                osrsP = (value >> 2) & 0x07
                osrsH = variant.hasHumidity ? latchedOsrsH : 0
                filter = (config >> 2) & 0x07
                measurementLength = SimulatedBME280.measurementTime(osrsT: osrsT, osrsP: osrsP, osrsH: osrsH)
                standby = SimulatedBME280.standbyTime(code: config >> 5, variant: variant)
                start = now
                lastCycle = -1
                switch value & 0x03 {
                case 0x00: mode = .sleep
                case 0x03: mode = .normal
                default: mode = .forced
                }
            case 0xF5:
                guard mode != .normal else { return }  // §5.4.6: writes in normal mode may be ignored
                config = value & 0xFD  // bit 1 reserved
            default:
                return  // read-only or unmodelled
            }
        }
    }

    /// Maximum measurement time (datasheet §9.1, appendix B), µs:
    /// 1250 + 2300·osr_t + [2300·osr_p + 575] + [2300·osr_h + 575], bracketed terms only when enabled.
    /// ×1 everywhere: 9.3 ms; ×16 everywhere: 112.8 ms.
    public static func measurementTime(osrsT: UInt8, osrsP: UInt8, osrsH: UInt8) -> Duration {
        func factor(_ code: UInt8) -> Int64 { [0, 1, 2, 4, 8, 16, 16, 16][Int(code & 0x07)] }
        var us: Int64 = 1250 + 2300 * factor(osrsT)
        if osrsP & 0x07 != 0 { us += 2300 * factor(osrsP) + 575 }
        if osrsH & 0x07 != 0 { us += 2300 * factor(osrsH) + 575 }
        return .microseconds(us)
    }

    /// t_standby for config bits 7:5 (BME280 table 27; BMP280 table 11 differs in 110 and 111).
    public static func standbyTime(code: UInt8, variant: Variant) -> Duration {
        let bme: [Int64] = [500, 62_500, 125_000, 250_000, 500_000, 1_000_000, 10_000, 20_000]
        let bmp: [Int64] = [500, 62_500, 125_000, 250_000, 500_000, 1_000_000, 2_000_000, 4_000_000]
        return .microseconds((variant == .bme280 ? bme : bmp)[Int(code & 0x07)])
    }

    /// The calibration NVM image: 0x88...0xA1 always, 0xE1...0xE7 on the BME280 only.
    static func calibrationImage(_ cal: BME280Calibration, variant: Variant) -> [UInt8] {
        var regs = [UInt8](repeating: 0, count: 256)
        for (i, b) in cal.block0x88.enumerated() { regs[0x88 + i] = b }
        if variant.hasHumidity {
            for (i, b) in cal.block0xE1.enumerated() { regs[0xE1 + i] = b }
        } else {
            regs[0xA1] = 0  // the BMP280 has no dig_H1
        }
        return regs
    }
}
