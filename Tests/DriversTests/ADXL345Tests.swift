import Drivers
import HAL
import TestSupport
import Testing

@Suite("ADXL345 / ADXL375 driver")
struct ADXL345Tests {
    typealias Step = ScriptedI2CDevice.Step

    /// Little-endian two's complement bytes for DATAX0...DATAZ1.
    static func bytes(_ x: Int16, _ y: Int16, _ z: Int16) -> [UInt8] {
        [x, y, z].flatMap { v -> [UInt8] in
            let u = UInt16(bitPattern: v)
            return [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
    }

    static func initSteps(
        rate: UInt8 = 0x0A, format: UInt8 = 0x0B, fifo: UInt8? = 0x90, interrupt: UInt8? = nil
    ) -> [Step] {
        var steps: [Step] = [
            .read(ADXLReg.devID, 0xE5),
            .write(ADXLReg.powerCtl, 0x00),  // standby while configuring
            .write(ADXLReg.bwRate, rate),
            .write(ADXLReg.dataFormat, format),
            .write(0x2E, 0x00),  // INT_ENABLE: nothing yet
            .write(0x2F, 0x00),  // INT_MAP: every function to INT1
            .write(ADXLReg.fifoCtl, 0x00),  // bypass: clears the FIFO
        ]
        if let fifo { steps.append(.write(ADXLReg.fifoCtl, fifo)) }
        if let interrupt { steps.append(.write(0x2E, interrupt)) }  // INT_ENABLE after mapping
        steps.append(.write(ADXLReg.powerCtl, 0x08))  // measure last
        return steps
    }

    @Test("init: the exact writes, in order (defaults: ±16 g full-res, 100 Hz, stream FIFO, watermark 16)")
    func byteExactInit() throws {
        let dev = ScriptedI2CDevice(address: 0x53, Self.initSteps())
        let adxl = try ADXL345(device: dev, settings: .init())
        dev.assertDone()
        #expect(adxl.model == .adxl345)
        #expect(adxl.rangeG == 16)
        #expect(adxl.odrHz == 100)
        #expect(adxl.usesFIFO)
    }

    @Test(
        "an interrupt pin: watermark (FIFO) or DATA_READY (polled) enabled on INT1, INT_INVERT for active low",
        arguments: [
            (true, false, UInt8(0x0B), UInt8(0x02)),  // INT_ENABLE bit 1: watermark
            (true, true, 0x2B, 0x02),  // DATA_FORMAT bit 5: INT_INVERT
            (false, false, 0x0B, 0x80),  // INT_ENABLE bit 7: DATA_READY
        ])
    func interruptRouting(fifo: Bool, activeLow: Bool, format: UInt8, enable: UInt8) throws {
        let dev = ScriptedI2CDevice(
            address: 0x53, Self.initSteps(format: format, fifo: fifo ? 0x98 : nil, interrupt: enable))
        _ = try ADXL345(
            device: dev,
            settings: .init(fifo: fifo, watermark: 24, interrupt: InterruptPin(activeLow: activeLow)))
        dev.assertDone()
    }

    @Test(
        "init for other settings",
        arguments: [
            (2.0, 3200.0, false, 1, UInt8(0x0F), UInt8(0x08), UInt8?.none),
            (4.0, 0.1, true, 31, 0x00, 0x09, 0x9F),
            (8.0, 3.13, true, 1, 0x05, 0x0A, 0x81),
            (16.0, 800, true, 25, 0x0D, 0x0B, 0x99),
        ])
    func initVariants(
        range: Double, odr: Double, fifo: Bool, watermark: Int, rate: UInt8, format: UInt8, fifoCtl: UInt8?
    ) throws {
        let dev = ScriptedI2CDevice(address: 0x1D, Self.initSteps(rate: rate, format: format, fifo: fifoCtl))
        _ = try ADXL345(
            device: dev, settings: .init(rangeG: range, odrHz: odr, fifo: fifo, watermark: watermark))
        dev.assertDone()
    }

    @Test(
        "ODR: the datasheet's printed rates map to codes; odrHz is the exact 3200/2^n rate",
        arguments: [
            (0.1, 0.09765625), (0.2, 0.1953125), (0.39, 0.390625), (3.13, 3.125), (6.25, 6.25), (12.5, 12.5),
            (1600, 1600), (3200, 3200),
        ])
    func odr(printed: Double, exact: Double) throws {
        let adxl = try ADXL345(device: FakeRegisterDevice.adxl(), settings: .init(odrHz: printed))
        #expect(adxl.odrHz == exact)
    }

    struct Conversion: Sendable, CustomTestStringConvertible {
        var range: Double, raw: Int16, g: Double, saturated: Bool
        init(_ range: Double, _ raw: Int16, _ g: Double, _ saturated: Bool) {
            (self.range, self.raw, self.g, self.saturated) = (range, raw, g, saturated)
        }
        var testDescription: String { "±\(range) g raw \(raw)" }
    }

    static let conversions: [Conversion] = [
        Conversion(2, 256, 1.0, false),
        Conversion(2, -256, -1.0, false),
        Conversion(2, 509, 509.0 / 256, false),
        Conversion(2, 510, 510.0 / 256, true),  // one count below the 10-bit limit 511
        Conversion(2, 511, 511.0 / 256, true),
        Conversion(2, -512, -2.0, true),
        Conversion(4, 1023, 1023.0 / 256, true),
        Conversion(4, 1000, 1000.0 / 256, false),
        Conversion(8, -2048, -8.0, true),
        Conversion(8, 2045, 2045.0 / 256, false),
        Conversion(16, 256, 1.0, false),
        Conversion(16, -4096, -16.0, true),
        Conversion(16, 4095, 4095.0 / 256, true),
        Conversion(16, 4093, 4093.0 / 256, false),
        // Garbage beyond the chip's codes (a bus glitch; found by the fuzzer): clamped to full
        // scale and flagged, never reported as an acceleration the range cannot hold.
        Conversion(16, Int16.max, 4095.0 / 256, true),
        Conversion(16, Int16.min, -16.0, true),
        Conversion(2, 600, 511.0 / 256, true),
        Conversion(2, -1000, -2.0, true),
    ]

    @Test(
        "conversion: 256 LSB/g full resolution at every range, saturation at the code limits",
        arguments: conversions)
    func conversion(_ c: Conversion) throws {
        let (range, raw, g, saturated) = (c.range, c.raw, c.g, c.saturated)
        let dev = FakeRegisterDevice.adxl()
        let adxl = try ADXL345(device: dev, settings: .init(rangeG: range, fifo: false))
        dev[ADXLReg.intSource] = 0x80  // DATA_READY
        dev.load(Self.bytes(0, raw, 0), at: ADXLReg.dataX0)
        let samples = try adxl.read(now: .seconds(1))
        #expect(samples.count == 1)
        #expect(samples.first?.y == g)
        #expect(samples.first?.x == 0)
        #expect(samples.first?.saturated == saturated)
    }

    @Test("ADXL375: ±200 g fixed, 49 mg/LSB, same DEVID")
    func adxl375() throws {
        let dev = ScriptedI2CDevice(
            address: 0x53,
            Self.initSteps(format: 0x0B, fifo: nil) + [
                .read(ADXLReg.intSource, 0x83),
                .block(ADXLReg.dataX0, Self.bytes(100, -20, 4095)),
            ])
        let adxl = try ADXL345(device: dev, model: .adxl375, settings: .init(rangeG: 200, fifo: false))
        #expect(adxl.model == .adxl375)
        let s = try #require(try adxl.read(now: .seconds(2)).first)
        dev.assertDone()
        #expect(abs(s.x - 4.9) < 1e-12)
        #expect(abs(s.y + 0.98) < 1e-12)
        #expect(s.saturated)
        #expect(
            driverError {
                try ADXL345(device: FakeRegisterDevice.adxl(), model: .adxl375, settings: .init(rangeG: 16))
            } != nil)
    }

    @Test(
        "FIFO drain: entries = n → exactly n 6-byte reads, spaced 1/odr, newest at now",
        arguments: [0, 1, 5, 31, 32, 33])
    func fifoDrain(n: Int) throws {
        var steps = Self.initSteps(rate: 0x0C, format: 0x0B, fifo: 0x90)  // 400 Hz
        steps.append(.read(ADXLReg.fifoStatus, UInt8(n) | 0x80))  // bit 7 FIFO_TRIG must be masked off
        for i in 0..<n { steps.append(.block(ADXLReg.dataX0, Self.bytes(Int16(i), 0, 256))) }
        let dev = ScriptedI2CDevice(address: 0x53, steps)
        let adxl = try ADXL345(device: dev, settings: .init(odrHz: 400))
        let now = Duration.seconds(10)
        let samples = try adxl.read(now: now)
        dev.assertDone()
        #expect(samples.count == n)
        for (i, s) in samples.enumerated() {
            #expect(s.x == Double(i) / 256)  // oldest first
            #expect(s.z == 1.0)
            // The newest was taken within the last period: the middle of it; the rest 1/odr apart.
            #expect(s.time == now - .microseconds(1250) - .microseconds(2500) * (n - 1 - i))
        }
        #expect(adxl.overruns == (n >= 32 ? 1 : 0))
    }

    @Test(
        "the clock is read before and after FIFO_STATUS: a read delayed in between continues the stamps, no step"
    )
    func statusBracket() throws {
        let dev = FakeRegisterDevice.adxl()
        let adxl = try ADXL345(device: dev, settings: .init(odrHz: 100))  // 10 ms
        /// A clock that gives `times` in turn.
        func clock(_ times: [Int]) -> () -> Duration {
            var rest = times
            return { .milliseconds(rest.removeFirst()) }
        }
        dev[ADXLReg.fifoStatus] = 3
        let first = try adxl.read(clock: clock([1000, 1000]))
        #expect(first.map(\.time) == [.milliseconds(975), .milliseconds(985), .milliseconds(995)])
        dev[ADXLReg.fifoStatus] = 2
        let second = try adxl.read(clock: clock([1020, 1020]))
        #expect(second.map(\.time) == [.milliseconds(1005), .milliseconds(1015)])
        // The thread was held 15 ms between its clock and FIFO_STATUS, which found one sample more.
        dev[ADXLReg.fifoStatus] = 3
        let third = try adxl.read(clock: clock([1040, 1055]))
        #expect(third.map(\.time) == [.milliseconds(1025), .milliseconds(1035), .milliseconds(1045)])
        #expect(adxl.missedSamples == 0 && adxl.overruns == 0)
        // Full at the read (an overrun): the samples before these 32 are missing, and the gap
        // says how many (the 32 read end with the newest, taken in the last 10 ms before 1400).
        dev[ADXLReg.fifoStatus] = 32
        let fourth = try adxl.read(clock: clock([1400, 1400]))
        #expect(fourth.last?.time == .milliseconds(1395))
        #expect(fourth.first?.time == .milliseconds(1085))
        #expect(adxl.missedSamples == 3 && adxl.overruns == 1)
    }

    @Test("polled mode: reads INT_SOURCE, then 6 bytes only if DATA_READY")
    func polled() throws {
        let dev = ScriptedI2CDevice(
            address: 0x53,
            Self.initSteps(fifo: nil) + [
                .read(ADXLReg.intSource, 0x02),  // watermark only, no DATA_READY
                .read(ADXLReg.intSource, 0x80),
                .block(ADXLReg.dataX0, Self.bytes(-256, 512, 256)),
            ])
        let adxl = try ADXL345(device: dev, settings: .init(fifo: false))
        #expect(try adxl.read(now: .seconds(1)).isEmpty)
        let s = try adxl.read(now: .seconds(2))
        dev.assertDone()
        #expect(s == [AccelerationSample(time: .milliseconds(1995), x: -1, y: 2, z: 1, saturated: false)])
    }

    @Test("wrong DEVID, missing device, NAK in the FIFO drain")
    func errors() throws {
        let wrong = FakeRegisterDevice.adxl()
        wrong[ADXLReg.devID] = 0x33
        let e = driverError { try ADXL345(device: wrong) }
        #expect(e?.kind == .wrongChip(expected: [0xE5], found: 0x33))
        #expect(
            e?.description
                == "/dev/i2c-1 address 0x53 register 0x00: expected chip ID 0xe5 (ADXL345/ADXL375), found 0x33"
        )
        #expect(wrong.writes.isEmpty)

        let missing = FakeRegisterDevice.adxl()
        missing.present = false
        #expect(
            driverError { try ADXL345(device: missing) }?.description.hasPrefix(
                "/dev/i2c-1 address 0x53 register 0x00: ") == true)

        let dev = FakeRegisterDevice.adxl()
        let adxl = try ADXL345(device: dev)
        dev[ADXLReg.fifoStatus] = 4
        dev.inject(.noAcknowledge, at: ADXLReg.dataX0)
        let nak = driverError { try adxl.read(now: .seconds(1)) }
        #expect(nak?.register == ADXLReg.dataX0)
        if case .bus(let b)? = nak?.kind {
            #expect(b.kind == .noAcknowledge)
        } else {
            Issue.record("expected bus error")
        }
    }

    @Test(
        "invalid settings",
        arguments: [
            ADXL345.Settings(rangeG: 3), .init(rangeG: 200), .init(odrHz: 123), .init(odrHz: 0),
            .init(fifo: true, watermark: 0), .init(fifo: true, watermark: 32),
        ])
    func invalid(settings: ADXL345.Settings) {
        let dev = FakeRegisterDevice.adxl()
        let e = driverError { try ADXL345(device: dev, settings: settings) }
        if case .invalidSetting? = e?.kind {
        } else {
            Issue.record("expected invalidSetting, got \(String(describing: e))")
        }
        #expect(dev.writes.isEmpty)
    }

    @Test("random data bytes and FIFO levels never trap")
    func randomNeverTraps() throws {
        var rng = SplitMix64(seed: 345)
        let dev = FakeRegisterDevice.adxl()
        let adxl = try ADXL345(device: dev, settings: .init(rangeG: 16, odrHz: 3200))
        var now = Duration.zero
        var last: Duration?
        for _ in 0..<2000 {
            for r in 0x30...0x39 { dev.registers[r] = UInt8.random(in: 0...255, using: &rng) }
            now += .microseconds(Int64.random(in: 0...20_000, using: &rng))
            let samples = try adxl.read(now: now)
            #expect(samples.count <= 33)
            for s in samples {
                #expect(abs(s.x) <= 128 && abs(s.y) <= 128 && abs(s.z) <= 128)
                if let last { #expect(s.time > last) }
                last = s.time
            }
        }
    }
}

extension FakeRegisterDevice {
    /// A register-map ADXL345 at 0x53 (DEVID 0xE5).
    static func adxl(address: I2CAddress = 0x53) -> FakeRegisterDevice {
        let dev = FakeRegisterDevice(address: address)
        dev[0x00] = 0xE5
        return dev
    }
}
