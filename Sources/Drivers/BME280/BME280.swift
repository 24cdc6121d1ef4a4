import HAL

/// Bosch BME280 (temperature, humidity, pressure) and BMP280 (no humidity) over I2C.
///
/// Follows the Linux bmp280 IIO driver's structure: the variant comes from a table by chip ID,
/// calibration is read once at init, and compensation is pure math (`BME280Compensation.swift`).
/// Not thread-safe: it owns its device handle and belongs to one task.
public final class BME280 {
    public let model: ChipModel
    public let settings: Settings
    /// The trimming parameters read at init.
    public let calibration: Calibration

    private let io: RegisterIO
    private let variant: BME280Variant
    private let sleep: (Duration) -> Void
    /// Shadow of ctrl_meas (0xF4) with mode bits = sleep; forced mode ORs in mode = 01 per read.
    private let ctrlMeasSleep: UInt8

    /// Bounded polls: NVM copy after reset (datasheet: t_startup 2 ms) and measurement end.
    static let pollInterval: Duration = .milliseconds(1)
    static let maxResetPolls = 20
    static let maxMeasuringPolls = 20

    /// Identifies the chip, resets it, reads the calibration and configures it.
    /// - Parameter sleep: blocks the caller for the given time (injected so tests do not wait).
    public init(
        device: any I2CDevice, settings: Settings = .init(), sleep: @escaping (Duration) -> Void
    ) throws(DriverError) {
        let io = RegisterIO(device: device)
        self.io = io
        self.sleep = sleep
        self.settings = settings

        // 1. Identify (§5.4.1) before writing anything.
        let id = try io.read(BME280Register.chipID)
        guard let variant = BME280Variant.all.first(where: { $0.chipID == id }) else {
            throw io.error(
                .wrongChip(expected: BME280Variant.all.map(\.chipID), found: id),
                register: BME280Register.chipID)
        }
        self.variant = variant
        self.model = variant.model
        try Self.validate(settings, variant: variant, io: io)

        // 2. Soft reset (§5.4.2): a known state whatever a previous run left; the chip is in sleep
        // mode afterwards. Then wait for the NVM trimming copy: status.im_update (bit 0) clears.
        try io.write(BME280Register.reset, BME280Register.resetCommand)
        sleep(.milliseconds(2))  // t_startup (§1 table 1): 2 ms max
        var polls = 0
        while try io.read(BME280Register.status) & BME280Register.statusImUpdate != 0 {
            polls += 1
            guard polls < Self.maxResetPolls else {
                throw io.error(
                    .notReady("NVM copy (status im_update) still set after \(polls) ms"),
                    register: BME280Register.status)
            }
            sleep(Self.pollInterval)
        }

        // 3. Calibration, once. Each block is a single I2C block read (≤ 32 bytes).
        let block1 = try io.readBlock(BME280Register.calibration1, count: BME280Register.calibration1Length)
        if let reason = Calibration.implausibility(block1) {
            throw io.error(
                .implausibleCalibration(registers: 0x88...0xA1, reason: reason),
                register: BME280Register.calibration1)
        }
        var block2: [UInt8]?
        if variant.hasHumidity {
            let bytes = try io.readBlock(
                BME280Register.calibration2, count: BME280Register.calibration2Length)
            if let reason = Calibration.implausibility(bytes) {
                throw io.error(
                    .implausibleCalibration(registers: 0xE1...0xE7, reason: reason),
                    register: BME280Register.calibration2)
            }
            block2 = bytes
        }
        guard let calibration = Calibration(block1: block1, block2: block2) else {
            // Unreachable: readBlock checked the lengths.
            throw io.error(.implausibleCalibration(registers: 0x88...0xA1, reason: "wrong length"))
        }
        if calibration.t1 == 0 || calibration.p1 == 0 {
            throw io.error(
                .implausibleCalibration(
                    registers: 0x88...0xA1,
                    reason: "dig_T1 = \(calibration.t1), dig_P1 = \(calibration.p1); real parts are never 0"),
                register: BME280Register.calibration1)
        }
        self.calibration = calibration

        // 4. Configure, in sleep mode (the chip is asleep after the reset).
        if variant.hasHumidity {
            // ctrl_hum must be written BEFORE ctrl_meas: it only takes effect after a ctrl_meas
            // write (§5.4.3).
            try io.write(BME280Register.ctrlHum, settings.humidityOversampling.rawValue)
        }
        // config is written while in sleep mode: in normal mode writes to it may be ignored (§5.4.6).
        let config =
            settings.standby.code << BME280Register.standbyShift
            | settings.iirFilter.rawValue << BME280Register.filterShift
        try io.write(BME280Register.config, config)
        ctrlMeasSleep =
            settings.temperatureOversampling.rawValue << BME280Register.osrsTShift
            | settings.pressureOversampling.rawValue << BME280Register.osrsPShift
            | BME280Register.modeSleep
        // Last: ctrl_meas, which latches ctrl_hum; in normal mode this starts measuring.
        try io.write(
            BME280Register.ctrlMeas,
            ctrlMeasSleep | (settings.mode == .normal ? BME280Register.modeNormal : BME280Register.modeSleep))
    }

    static func validate(_ s: Settings, variant: BME280Variant, io: RegisterIO) throws(DriverError) {
        // Temperature is needed for t_fine, which pressure and humidity compensation use; the
        // station always wants pressure. So neither can be skipped.
        if s.temperatureOversampling == .skip {
            throw io.error(
                .invalidSetting(
                    "temperature oversampling skip", allowed: "x1, x2, x4, x8, x16 (t_fine needs temperature)"
                ))
        }
        if s.pressureOversampling == .skip {
            throw io.error(.invalidSetting("pressure oversampling skip", allowed: "x1, x2, x4, x8, x16"))
        }
        if !s.standby.valid(on: variant.model) {
            let allowed = BME280.Standby.allCases.filter { $0.valid(on: variant.model) }
                .map { "\($0)" }.joined(separator: ", ")
            throw io.error(
                .invalidSetting("standby \(s.standby) on \(variant.model.displayName)", allowed: allowed))
        }
    }

    /// One reading. Forced mode: starts a measurement, waits the datasheet's maximum measurement
    /// time, then reads. Normal mode: reads the latest measurement.
    public func read() throws(DriverError) -> WeatherReading {
        if settings.mode == .forced {
            // Writing mode = 01 starts one measurement; the chip returns to sleep afterwards (§3.3.3).
            try io.write(BME280Register.ctrlMeas, ctrlMeasSleep | BME280Register.modeForced)
            let us = settings.maxMeasurementMicroseconds(humidity: variant.hasHumidity)
            sleep(.microseconds(us))
            // The max time has passed, so "measuring" (status bit 3) should be clear; poll a bounded
            // number of times in case the oscillator is slow.
            var polls = 0
            while try io.read(BME280Register.status) & BME280Register.statusMeasuring != 0 {
                polls += 1
                guard polls < Self.maxMeasuringPolls else {
                    throw io.error(
                        .notReady(
                            "still measuring \(us / 1000 + polls) ms after a forced measurement started"),
                        register: BME280Register.status)
                }
                sleep(Self.pollInterval)
            }
        }
        // ONE burst read of all data registers: the chip shadows them during a burst, so pressure,
        // temperature and humidity belong to the same measurement (§4).
        let d = try io.readBlock(BME280Register.data, count: variant.dataLength)
        return try convert(d)
    }

    /// Raw data block (0xF7...) → reading. Pure apart from error context.
    func convert(_ d: [UInt8]) throws(DriverError) -> WeatherReading {
        let raw = Self.parseRaw(d)
        guard raw.temperature != BME280Register.skippedTP else {
            throw io.error(.notReady("no temperature measurement yet (raw 0x80000)"), register: 0xFA)
        }
        guard raw.pressure != BME280Register.skippedTP else {
            throw io.error(
                .notReady("no pressure measurement yet (raw 0x80000)"), register: BME280Register.data)
        }
        let (centi, tFine) = Self.compensateTemperature(adcT: raw.temperature, calibration: calibration)
        // Not lowerCamelCase: Q24.8, the datasheet's fixed-point name.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let q24_8 = Self.compensatePressure(adcP: raw.pressure, tFine: tFine, calibration: calibration)
        var humidity: Double?
        if variant.hasHumidity, settings.humidityOversampling != .skip, let h = raw.humidity {
            guard h != BME280Register.skippedH else {
                throw io.error(.notReady("no humidity measurement yet (raw 0x8000)"), register: 0xFD)
            }
            humidity = Double(Self.compensateHumidity(adcH: h, tFine: tFine, calibration: calibration)) / 1024
        }
        return WeatherReading(
            temperatureC: Double(centi) / 100, humidityPercent: humidity, pressurePa: Double(q24_8) / 256)
    }

    /// Splits a data burst from 0xF7: pressure and temperature are 20-bit (msb << 12 | lsb << 4 |
    /// xlsb[7:4]), humidity 16-bit (msb << 8 | lsb), all unsigned. Humidity is nil for a 6-byte burst.
    public static func parseRaw(_ d: [UInt8]) -> (pressure: Int32, temperature: Int32, humidity: Int32?) {
        func b(_ i: Int) -> Int32 { i < d.count ? Int32(d[i]) : 0 }
        let pressure = b(0) << 12 | b(1) << 4 | b(2) >> 4
        let temperature = b(3) << 12 | b(4) << 4 | b(5) >> 4
        let humidity: Int32? = d.count >= 8 ? b(6) << 8 | b(7) : nil
        return (pressure, temperature, humidity)
    }
}
