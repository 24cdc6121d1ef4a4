import Drivers
import HAL
import TestSupport
import Testing

@Suite("BME280 driver (I/O)")
struct BME280DriverTests {
    typealias Step = ScriptedI2CDevice.Step

    @Test("init and one forced read: the exact transactions, in order")
    func byteExactInitAndForcedRead() throws {
        let (b1, b2) = encode(exampleCalibration)
        let data = dataBytes(adcP: 415148, adcT: 519888, adcH: 30000)
        let dev = ScriptedI2CDevice(
            address: 0x76,
            [
                .read(BMEReg.id, 0x60),  // identify before writing anything
                .write(BMEReg.reset, 0xB6),  // soft reset
                .read(BMEReg.status, 0x01),  // NVM copy still running (im_update)
                .read(BMEReg.status, 0x00),  // done
                .block(BMEReg.calib00, b1),  // 0x88...0xA1, one block
                .block(BMEReg.calib26, b2),  // 0xE1...0xE7, one block
                .write(BMEReg.ctrlHum, 0x01),  // osrs_h ×1, BEFORE ctrl_meas
                .write(BMEReg.config, 0xA0),  // t_sb 1000 ms (101), filter off, in sleep mode
                .write(BMEReg.ctrlMeas, 0x24),  // osrs_t ×1 (001), osrs_p ×1 (001), sleep (00)
                // read():
                .write(BMEReg.ctrlMeas, 0x25),  // same, mode forced (01)
                .read(BMEReg.status, 0x00),  // not measuring
                .block(BMEReg.pressMSB, data),  // one 8-byte burst 0xF7...0xFE
            ])
        let sleeper = SleepRecorder()
        let bme = try BME280(device: dev, sleep: sleeper.sleep)
        #expect(bme.model == .bme280)
        #expect(bme.calibration == exampleCalibration)
        let r = try bme.read()
        dev.assertDone()
        #expect(r.temperatureC == 25.08)
        #expect(r.pressurePa == 100653.25390625)
        let h = try #require(r.humidityPercent)
        var ref = ReferenceDouble(c: exampleCalibration)
        _ = ref.temperature(519888)
        #expect(abs(h - ref.humidity(30000)) < 0.1)
        // 2 ms start-up, 1 ms poll, then the §9.1 max measurement time at ×1/×1/×1: 9.3 ms.
        #expect(sleeper.sleeps == [.milliseconds(2), .milliseconds(1), .microseconds(9300)])
    }

    @Test("normal mode, ×16/×2/×4, filter 16, standby 0.5 ms: register values, then plain burst reads")
    func normalModeSettings() throws {
        let dev = fakeBME280()
        let settings = BME280.Settings(
            temperatureOversampling: .x2, pressureOversampling: .x16, humidityOversampling: .x4,
            iirFilter: .coefficient16, standby: .ms0_5, mode: .normal)
        let bme = try BME280(device: dev, settings: settings, sleep: { _ in })
        #expect(
            dev.writes == [
                .init(register: BMEReg.reset, value: 0xB6),
                .init(register: BMEReg.ctrlHum, value: 0b011),  // ×4
                .init(register: BMEReg.config, value: 0b000_100_00),  // t_sb 0.5 ms, filter 16
                .init(register: BMEReg.ctrlMeas, value: 0b010_101_11),  // ×2, ×16, normal
            ])
        _ = try bme.read()
        #expect(dev.writes.count == 4)  // normal mode: no write per read
        #expect(dev.readRegisters.last == BMEReg.pressMSB)
    }

    @Test("BMP280: no ctrl_hum, no humidity trimming, 6-byte burst, humidity nil")
    func bmp280() throws {
        let dev = fakeBME280(id: 0x58)
        let bme = try BME280(device: dev, sleep: { _ in })
        #expect(bme.model == .bmp280)
        #expect(!dev.writes.contains { $0.register == BMEReg.ctrlHum })
        #expect(!dev.readRegisters.contains(BMEReg.calib26))
        let r = try bme.read()
        #expect(r.humidityPercent == nil)
        #expect(r.temperatureC == 25.08)
        #expect(r.pressurePa == 100653.25390625)
    }

    @Test("missing chip: the error names bus, address and register")
    func missingChip() {
        let dev = FakeRegisterDevice(address: 0x77)
        dev.present = false
        let e = driverError { try BME280(device: dev, sleep: { _ in }) }
        guard case .bus(let bus)? = e?.kind else {
            Issue.record("expected a bus error, got \(String(describing: e))")
            return
        }
        #expect(bus.kind == .noDevice)
        #expect(e?.register == 0xD0)
        #expect(e?.description.hasPrefix("/dev/i2c-1 address 0x77 register 0xd0: ") == true)
    }

    @Test("wrong chip ID: the message the CLI shows")
    func wrongChip() {
        let dev = fakeBME280(id: 0xFF)
        let e = driverError { try BME280(device: dev, sleep: { _ in }) }
        #expect(e?.kind == .wrongChip(expected: [0x60, 0x58], found: 0xFF))
        #expect(
            e?.description
                == "/dev/i2c-1 address 0x76 register 0xd0: expected chip ID 0x60 (BME280) or 0x58 (BMP280), found 0xff"
        )
        #expect(dev.writes.isEmpty)  // nothing written to a chip we do not know
    }

    @Test("NAK mid-transfer on the data burst after a good init")
    func nakOnData() throws {
        let dev = fakeBME280()
        let bme = try BME280(device: dev, sleep: { _ in })
        dev.inject(.noAcknowledge, at: 0xFA)  // inside the 0xF7...0xFE burst
        let e = driverError { try bme.read() }
        guard case .bus(let bus)? = e?.kind else {
            Issue.record("expected a bus error, got \(String(describing: e))")
            return
        }
        #expect(bus.kind == .noAcknowledge)
        #expect(e?.register == BMEReg.pressMSB)
        #expect(e?.description.contains("address 0x76 register 0xf7") == true)
        // The next read works again: the driver holds no broken state.
        #expect(try bme.read().temperatureC == 25.08)
    }

    @Test(
        "timeout during init",
        arguments: [BMEReg.id, BMEReg.status, BMEReg.calib00, BMEReg.calib26, BMEReg.ctrlMeas])
    func timeout(register: UInt8) {
        let dev = fakeBME280()
        dev.inject(.timeout, at: register)
        let e = driverError { try BME280(device: dev, sleep: { _ in }) }
        #expect(
            e?.kind
                == .bus(
                    I2CError(
                        kind: .timeout, busPath: "/dev/i2c-1", address: 0x76, register: register,
                        operation: e.flatMap { if case .bus(let b) = $0.kind { b.operation } else { nil } }
                            ?? "")))
        #expect(e?.register == register)
    }

    @Test(
        "floating or shorted bus: all-0xFF / all-0x00 trimming blocks are rejected",
        arguments: [(UInt8(0x88), 26, UInt8(0xFF)), (0x88, 26, 0x00), (0xE1, 7, 0xFF), (0xE1, 7, 0x00)])
    func implausibleCalibration(start: UInt8, count: Int, fill: UInt8) {
        let dev = fakeBME280()
        dev.load([UInt8](repeating: fill, count: count), at: start)
        let e = driverError { try BME280(device: dev, sleep: { _ in }) }
        guard case .implausibleCalibration(let range, _)? = e?.kind else {
            Issue.record("expected implausibleCalibration, got \(String(describing: e))")
            return
        }
        #expect(range.lowerBound == start)
        #expect(range.upperBound == (start == 0x88 ? 0xA1 : 0xE7))
        #expect(e?.description.contains(start == 0x88 ? "0x88...0xa1" : "0xe1...0xe7") == true)
        #expect(!dev.writes.contains { $0.register == BMEReg.ctrlMeas })  // never configured
    }

    @Test("NVM copy that never finishes: notReady after a bounded number of polls")
    func nvmNeverReady() {
        let dev = fakeBME280()
        dev[BMEReg.status] = 0x01
        let sleeper = SleepRecorder()
        let e = driverError { try BME280(device: dev, sleep: sleeper.sleep) }
        guard case .notReady? = e?.kind else {
            Issue.record("expected notReady, got \(String(describing: e))")
            return
        }
        #expect(e?.register == BMEReg.status)
        #expect(sleeper.sleeps.count <= 25)
        #expect(sleeper.total <= .milliseconds(25))
    }

    @Test("still measuring long after the max time: notReady, bounded")
    func stuckMeasuring() throws {
        let dev = fakeBME280()
        let bme = try BME280(device: dev, sleep: { _ in })
        dev[BMEReg.status] = 0x08
        let e = driverError { try bme.read() }
        guard case .notReady? = e?.kind else {
            Issue.record("expected notReady, got \(String(describing: e))")
            return
        }
    }

    @Test("skipped / not yet measured (raw 0x80000, 0x8000) is an error, not a reading")
    func skipped() throws {
        let dev = fakeBME280()
        let bme = try BME280(device: dev, sleep: { _ in })
        dev.load([0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00], at: BMEReg.pressMSB)
        let e = driverError { try bme.read() }
        guard case .notReady(let what)? = e?.kind else {
            Issue.record("expected notReady, got \(String(describing: e))")
            return
        }
        #expect(what.contains("0x80000"))
        dev.load(dataBytes(adcP: 415148, adcT: 519888, adcH: 0x8000), at: BMEReg.pressMSB)
        #expect(
            driverError { try bme.read() }.map { if case .notReady = $0.kind { true } else { false } } == true
        )
    }

    @Test("humidity oversampling skip: reading without humidity")
    func humiditySkipped() throws {
        let dev = fakeBME280(adcH: 0x8000)
        let bme = try BME280(device: dev, settings: .init(humidityOversampling: .skip), sleep: { _ in })
        #expect(dev.writes.first { $0.register == BMEReg.ctrlHum }?.value == 0)
        #expect(try bme.read().humidityPercent == nil)
    }

    @Test("invalid settings are refused before touching the chip's configuration")
    func invalidSettings() {
        let cases: [(UInt8, BME280.Settings)] = [
            (0x60, .init(temperatureOversampling: .skip)),
            (0x60, .init(pressureOversampling: .skip)),
            (0x60, .init(standby: .bmp280ms2000)),
            (0x58, .init(standby: .ms10)),
        ]
        for (id, settings) in cases {
            let dev = fakeBME280(id: id)
            let e = driverError { try BME280(device: dev, settings: settings, sleep: { _ in }) }
            guard case .invalidSetting? = e?.kind else {
                Issue.record("expected invalidSetting for \(settings), got \(String(describing: e))")
                continue
            }
            #expect(dev.writes.isEmpty)
        }
    }

    @Test("random register contents: init and read never trap (2 000 chips)")
    func randomChipsNeverTrap() {
        var rng = SplitMix64(seed: 0xF00D)
        var readings = 0
        for n in 0..<2000 {
            let dev = FakeRegisterDevice(address: 0x76)
            for r in 0...255 { dev.registers[r] = UInt8.random(in: 0...255, using: &rng) }
            dev[BMEReg.id] = n.isMultiple(of: 2) ? 0x60 : 0x58
            dev[BMEReg.status] &= 0xF6  // let init and the measurement finish
            do {
                let bme = try BME280(
                    device: dev, settings: .init(mode: n.isMultiple(of: 3) ? .normal : .forced),
                    sleep: { _ in })
                let r = try bme.read()
                #expect(r.temperatureC.isFinite && r.pressurePa.isFinite)
                readings += 1
            } catch {
                // An error value is fine; a trap is not.
            }
        }
        #expect(readings > 1000)
    }
}
