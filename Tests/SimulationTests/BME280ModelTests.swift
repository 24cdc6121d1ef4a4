import HAL
import Simulation
import Testing

@Suite("Simulated BME280/BMP280 registers")
struct BME280ModelTests {
    static func rig(
        _ variant: SimulatedBME280.Variant = .bme280,
        weather: WeatherModel = .constant(temperatureC: 21.5, pressurePa: 99_000, humidityPercent: 42)
    ) throws -> Rig {
        try Rig(
            { SimulatedBME280(variant: variant, clock: $0, scenario: .quiet(weather: weather)) }, at: 0x76)
    }

    func model(_ r: Rig) -> SimulatedBME280 { r.bus.chip(at: 0x76) as! SimulatedBME280 }

    @Test("chip ID", arguments: [(SimulatedBME280.Variant.bme280, UInt8(0x60)), (.bmp280, 0x58)])
    func chipID(variant: SimulatedBME280.Variant, id: UInt8) throws {
        let r = try Self.rig(variant)
        #expect(try r.device.readByte(register: BME.chipID) == id)
    }

    @Test("calibration bytes of the datasheet example at 0x88...0xA1 and 0xE1...0xE7")
    func calibrationBytes() throws {
        let r = try Self.rig()
        let b1 = try r.device.readBlock(register: BME.calib00, count: 26)
        // dig_T1 = 27504 = 0x6B70, dig_T2 = 26435 = 0x6743, dig_T3 = -1000 = 0xFC18 (little-endian)
        #expect(Array(b1[0..<6]) == [0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC])
        // dig_P1 = 36477 = 0x8E7D at 0x8E; dig_P9 = 6000 = 0x1770 at 0x9E
        #expect(Array(b1[6..<8]) == [0x7D, 0x8E])
        #expect(Array(b1[22..<24]) == [0x70, 0x17])
        #expect(b1[25] == 75)  // dig_H1 at 0xA1
        let b2 = try r.device.readBlock(register: BME.calib26, count: 7)
        // H2 = 362 = 0x016A; H3 = 0; H4 = 324 = 0x144 → 0xE4 = 0x14, 0xE5[3:0] = 0x4;
        // H5 = 50 = 0x032 → 0xE5[7:4] = 0x2, 0xE6 = 0x03; H6 = 30
        #expect(b2 == [0x6A, 0x01, 0x00, 0x14, 0x24, 0x03, 30])
        let ref = ReferenceBME280(block1: b1, block2: b2)
        #expect([ref.t1, ref.t2, ref.t3] == [27504, 26435, -1000])
        #expect(
            [ref.p1, ref.p2, ref.p3, ref.p4, ref.p5, ref.p6, ref.p7, ref.p8, ref.p9]
                == [36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000])
        #expect([ref.h1, ref.h2, ref.h3, ref.h4, ref.h5, ref.h6] == [75, 362, 0, 324, 50, 30])
    }

    @Test("BMP280 has no humidity calibration, ctrl_hum or humidity data")
    func bmp280HasNoHumidity() throws {
        let r = try Self.rig(.bmp280)
        #expect(try r.device.readBlock(register: BME.calib26, count: 7) == [0, 0, 0, 0, 0, 0, 0])
        try r.device.writeByte(register: BME.ctrlHum, value: 0x01)
        #expect(try r.device.readByte(register: BME.ctrlHum) == 0)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_01)
        r.advance(ms: 10)
        #expect(try r.device.readBlock(register: BME.humMSB, count: 2) == [0, 0])
    }

    @Test("datasheet worked example through the model's compensation")
    func datasheetExample() {
        let cal = BME280Calibration.datasheetExample
        let (t, tFine) = cal.temperature(adcT: 519_888)
        #expect(tFine == 128_422)
        #expect(abs(t - 25.08) < 0.005)
        // The datasheet prints 100653.27 Pa; its own double formula with the integer t_fine gives
        // 100653.258 (its tables are not exactly self-consistent, see reference/sensors.md).
        #expect(abs(cal.pressure(adcP: 415_148, tFine: tFine) - 100_653.27) < 0.02)
    }

    @Test("soft reset restores defaults and sets im_update for 2 ms")
    func softReset() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.ctrlHum, value: 0x03)
        try r.device.writeByte(register: BME.config, value: 0xA0)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b010_010_01)
        r.advance(ms: 50)
        #expect(try r.device.readByte(register: BME.tempMSB) != 0x80)
        try r.device.writeByte(register: BME.reset, value: 0x12)  // not the reset word: ignored
        #expect(try r.device.readByte(register: BME.ctrlHum) == 0x03)
        try r.device.writeByte(register: BME.reset, value: 0xB6)
        #expect(try r.device.readByte(register: BME.status) == 0x01)
        #expect(try r.device.readBlock(register: BME.ctrlHum, count: 4) == [0x00, 0x01, 0x00, 0x00])
        #expect(
            try r.device.readBlock(register: BME.pressMSB, count: 8) == [0x80, 0, 0, 0x80, 0, 0, 0x80, 0])
        r.advance(ms: 1.999)
        #expect(try r.device.readByte(register: BME.status) == 0x01)
        r.advance(ms: 0.001)
        #expect(try r.device.readByte(register: BME.status) == 0x00)
        #expect(try r.device.readByte(register: BME.reset) == 0x00)
    }

    @Test("ctrl_hum takes effect only at the next ctrl_meas write")
    func ctrlHumLatching() throws {
        let r = try Self.rig()
        // Forced, T ×1, P ×1, humidity not yet enabled.
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_01)
        try r.device.writeByte(register: BME.ctrlHum, value: 0x01)  // after ctrl_meas: not latched
        #expect(try r.device.readByte(register: BME.ctrlHum) == 0x01)  // reads back as written
        // Without humidity: 1.25 + 2.3 + 2.875 = 6.425 ms.
        r.advance(ms: 6.425)
        #expect(try r.device.readByte(register: BME.status) & 0x08 == 0)
        #expect(try r.device.readBlock(register: BME.humMSB, count: 2) == [0x80, 0x00])
        // The next ctrl_meas write latches osrs_h = ×1: 9.3 ms, humidity measured.
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_01)
        r.advance(ms: 9.299)
        #expect(try r.device.readByte(register: BME.status) & 0x08 == 0x08)
        r.advance(ms: 0.001)
        #expect(try r.device.readByte(register: BME.status) & 0x08 == 0)
        #expect(try r.device.readBlock(register: BME.humMSB, count: 2) != [0x80, 0x00])
    }

    @Test(
        "forced mode: measuring for the datasheet's maximum time, then sleep",
        arguments: [
            // (ctrl_hum, ctrl_meas, µs) — t = 1.25 + 2.3·T + (2.3·P + 0.575) + (2.3·H + 0.575) ms
            (UInt8(0x01), UInt8(0b001_001_01), 9_300),
            (0x05, 0b101_101_10, 112_800),
            (0x00, 0b010_000_01, 5_850),
            (0x03, 0b011_100_01, 1_250 + 9_200 + 18_975 + 9_775),
        ])
    func forcedMode(ctrlHum: UInt8, ctrlMeas: UInt8, micros: Int) throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.ctrlHum, value: ctrlHum)
        try r.device.writeByte(register: BME.ctrlMeas, value: ctrlMeas)
        #expect(try r.device.readByte(register: BME.status) == 0x08)
        #expect(try r.device.readByte(register: BME.ctrlMeas) == ctrlMeas)
        r.advance(ms: Double(micros - 1) / 1000)
        #expect(try r.device.readByte(register: BME.status) == 0x08)
        #expect(try r.device.readByte(register: BME.tempMSB) == 0x80)  // not yet updated
        r.advance(ms: 0.001)
        #expect(try r.device.readByte(register: BME.status) == 0x00)
        #expect(try r.device.readByte(register: BME.ctrlMeas) == ctrlMeas & 0xFC)  // mode = sleep
        #expect(model(r).mode == .sleep)
        #expect(model(r).measurementCount == 1)
        r.advance(ms: 500)
        #expect(model(r).measurementCount == 1)  // no further measurement in sleep mode
    }

    @Test("normal mode measures every t_measure + t_standby")
    func normalMode() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.ctrlHum, value: 0x01)
        try r.device.writeByte(register: BME.config, value: 0b110_000_00)  // t_sb = 10 ms
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_11)
        // Completions at 9.3, 28.6, 47.9, 67.2 ms.
        r.advance(ms: 9.2)
        #expect(model(r).measurementCount == 0)
        r.advance(ms: 0.1)
        #expect(model(r).measurementCount == 1)
        r.advance(ms: 19.2)  // 28.5 ms: standby over, measuring again
        #expect(try r.device.readByte(register: BME.status) & 0x08 == 0x08)
        #expect(model(r).measurementCount == 1)
        r.advance(ms: 38.7)  // 67.2 ms
        #expect(model(r).measurementCount == 4)
        #expect(model(r).lastMeasurementTime == .microseconds(67_200))
        #expect(try r.device.readByte(register: BME.ctrlMeas) & 0x03 == 0x03)  // stays in normal mode
    }

    @Test("config writes are ignored in normal mode (datasheet §5.4.6)")
    func configIgnoredInNormalMode() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.config, value: 0x20)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_11)
        try r.device.writeByte(register: BME.config, value: 0xE0)
        #expect(try r.device.readByte(register: BME.config) == 0x20)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_00)
        try r.device.writeByte(register: BME.config, value: 0xE0)
        #expect(try r.device.readByte(register: BME.config) == 0xE0)
    }

    @Test("skipped measurements read 0x80000 and 0x8000")
    func skipped() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.ctrlHum, value: 0x00)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_000_01)  // pressure skipped
        r.advance(ms: 10)
        let d = try r.device.readBlock(register: BME.pressMSB, count: 8)
        #expect(Array(d[0..<3]) == [0x80, 0x00, 0x00])
        #expect(Array(d[6..<8]) == [0x80, 0x00])
        #expect(d[3] != 0x80 || d[4] != 0)
    }

    @Test(
        "raw values compensate back to the scenario's weather",
        arguments: [
            (25.0, 100_653.27, 45.0), (-10.5, 90_000.0, 80.0), (40.0, 105_000.0, 10.0),
            (14.2, 101_325.0, 69.9),
            (0.0, 70_000.0, 99.0),
        ])
    func compensationRoundTrip(temperature: Double, pressure: Double, humidity: Double) throws {
        let r = try Self.rig(
            weather: .constant(temperatureC: temperature, pressurePa: pressure, humidityPercent: humidity))
        let ref = ReferenceBME280(
            block1: try r.device.readBlock(register: BME.calib00, count: 26),
            block2: try r.device.readBlock(register: BME.calib26, count: 7))
        try r.device.writeByte(register: BME.ctrlHum, value: 0x05)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b101_101_01)  // ×16 everywhere: 20 bit
        r.advance(ms: 113)
        let (adcP, adcT, adcH) = splitBME280(try r.device.readBlock(register: BME.pressMSB, count: 8))
        let (t, tFine) = ref.temperature(adcT)
        #expect(abs(t - temperature) < 0.01)
        #expect(abs(ref.pressure(adcP, tFine: tFine) - pressure) < 1)
        #expect(abs(ref.humidity(adcH, tFine: tFine) - humidity) < 0.1)
        // The datasheet's integer formulas (what most drivers use) agree within their resolution.
        let (centi, tFineInt) = ref.integerTemperature(Int32(adcT))
        #expect(abs(Double(centi) / 100 - temperature) <= 0.011)
        #expect(abs(Double(ref.integerPressure(Int32(adcP), tFine: tFineInt)) / 256 - pressure) < 1)
    }

    @Test("resolution follows oversampling and filter (datasheet §3.4.3)")
    func resolution() throws {
        let r = try Self.rig(
            weather: .constant(temperatureC: 23.456, pressurePa: 100_123.4, humidityPercent: 50))
        // ×1, no filter: 16 bit → xlsb nibbles are zero.
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_01)
        r.advance(ms: 10)
        let d = try r.device.readBlock(register: BME.pressMSB, count: 8)
        #expect(d[2] == 0 && d[5] == 0)
        // ×1 with the IIR filter on: 20 bit.
        try r.device.writeByte(register: BME.config, value: 0b000_100_00)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b001_001_01)
        r.advance(ms: 10)
        let f = try r.device.readBlock(register: BME.pressMSB, count: 8)
        let (_, adcT, _) = splitBME280(f)
        #expect(adcT == Int(BME280Calibration.datasheetExample.rawTemperature(celsius: 23.456)))
    }

    @Test("drifting weather: the registers hold the measurement at its completion time")
    func driftingWeather() throws {
        let weather = WeatherModel()
        let r = try Self.rig(weather: weather)
        let ref = ReferenceBME280(
            block1: try r.device.readBlock(register: BME.calib00, count: 26),
            block2: try r.device.readBlock(register: BME.calib26, count: 7))
        r.clock.set(to: .seconds(9 * 3600))
        try r.device.writeByte(register: BME.ctrlHum, value: 0x05)
        try r.device.writeByte(register: BME.ctrlMeas, value: 0b101_101_01)
        r.advance(ms: 200)
        let expected = weather.weather(at: .seconds(9 * 3600) + .microseconds(112_800))
        let (adcP, adcT, adcH) = splitBME280(try r.device.readBlock(register: BME.pressMSB, count: 8))
        let (t, tFine) = ref.temperature(adcT)
        #expect(abs(t - expected.temperatureC) < 0.01)
        #expect(abs(ref.pressure(adcP, tFine: tFine) - expected.pressurePa) < 1)
        #expect(abs(ref.humidity(adcH, tFine: tFine) - expected.humidityPercent) < 0.1)
    }

    @Test("writes to read-only registers are ignored")
    func readOnly() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: BME.chipID, value: 0x00)
        try r.device.writeByte(register: BME.calib00, value: 0x00)
        try r.device.writeByte(register: BME.tempMSB, value: 0x12)
        #expect(try r.device.readByte(register: BME.chipID) == 0x60)
        #expect(try r.device.readByte(register: BME.calib00) == 0x70)
        #expect(try r.device.readByte(register: BME.tempMSB) == 0x80)
        #expect(try r.device.readByte(register: 0x00) == 0x00)  // unmodelled
    }
}
