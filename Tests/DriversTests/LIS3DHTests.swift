import Drivers
import HAL
import Testing

/// LIS3DH driver: byte-exact configuration (FIFO stream mode and polled), FIFO draining by the
/// level in FIFO_SRC_REG, timestamps from the ODR, conversion in both resolutions.
@Suite("LIS3DH driver")
struct LIS3DHTests {
    // Register addresses and values re-declared from the datasheet (DocID17530 §8).
    static let whoAmI: UInt8 = 0x0F, ctrlReg1: UInt8 = 0x20, ctrlReg4: UInt8 = 0x23, ctrlReg5: UInt8 = 0x24
    static let status: UInt8 = 0x27, fifoCtrl: UInt8 = 0x2E, fifoSrc: UInt8 = 0x2F
    static let outXLAutoIncrement: UInt8 = 0xA8  // OUT_X_L 0x28 | auto-increment bit 7

    /// Left-justified little-endian bytes of `bits`-bit values.
    static func st(_ x: Int16, _ y: Int16, _ z: Int16, bits: Int = 12) -> [UInt8] {
        [x, y, z].flatMap { v -> [UInt8] in
            let u = UInt16(bitPattern: v << Int16(16 - bits))
            return [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
    }

    static func fifoInit(
        ctrl4: UInt8, fifoCtrl stream: UInt8, ctrl1: UInt8, ctrl6: UInt8 = 0, ctrl3: UInt8 = 0
    ) -> [ScriptedI2CDevice.Step] {
        [
            .read(whoAmI, 0x33),
            .write(ctrlReg1, 0x00),  // power down while configuring
            .write(ctrlReg4, ctrl4),
            .write(ctrlReg5, 0x40),  // FIFO_EN
            .write(fifoCtrl, 0x00),  // bypass: empties the FIFO
            .write(fifoCtrl, stream),  // stream mode + FTH
            .write(0x25, ctrl6),  // CTRL_REG6: INT_POLARITY
            .write(0x22, ctrl3),  // CTRL_REG3: what drives INT1
            .write(ctrlReg1, ctrl1),
        ]
    }

    @Test(
        "an interrupt pin: I1_WTM (FIFO) or I1_ZYXDA on INT1, INT_POLARITY for active low",
        arguments: [(false, UInt8(0x00), UInt8(0x04)), (true, 0x02, 0x04)])
    func interruptRouting(activeLow: Bool, ctrl6: UInt8, ctrl3: UInt8) throws {
        let dev = ScriptedI2CDevice(
            address: 0x18,
            Self.fifoInit(ctrl4: 0xB8, fifoCtrl: 0x98, ctrl1: 0x97, ctrl6: ctrl6, ctrl3: ctrl3))
        _ = try LIS3DH(
            device: dev,
            settings: .init(
                rangeG: 16, odrHz: 1344, fifo: true, watermark: 24,
                interrupt: InterruptPin(activeLow: activeLow)))
        dev.assertDone()
    }

    @Test("FIFO: init writes FIFO_EN, bypass then stream + watermark, ODR last; drains FSS entries")
    func fifoDrain() throws {
        let dev = ScriptedI2CDevice(
            address: 0x18,
            Self.fifoInit(ctrl4: 0x88, fifoCtrl: 0x80 | 16, ctrl1: 0x57)  // BDU+HR ±2 g; 100 Hz, XYZ
                + [
                    .read(Self.fifoSrc, 0x20),  // EMPTY
                    .read(Self.fifoSrc, 0x03),  // three unread
                    // one auto-increment read of all three: the address rolls back from
                    // OUT_Z_H to OUT_X_L while the FIFO is on (AN3308 §9.6)
                    .block(
                        Self.outXLAutoIncrement,
                        Self.st(1000, 0, 0) + Self.st(0, -1000, 0) + Self.st(0, 0, 500)),
                ])
        let a = try LIS3DH(device: dev, settings: .init(rangeG: 2, odrHz: 100))
        #expect(a.usesFIFO)
        #expect(try a.read(now: .seconds(1)).isEmpty)
        let s = try a.read(now: .seconds(2))
        dev.assertDone()
        #expect(s.count == 3)
        // 1 mg/digit: 1000 counts = 1 g.
        #expect(s.map(\.x) == [1.0, 0, 0])
        #expect(s.map(\.y) == [0, -1.0, 0])
        #expect(s.map(\.z) == [0, 0, 0.5])
        // Newest at `now`, earlier ones one ODR period (10 ms) apart.
        // The newest within the last period before the read (its middle), the others 1/odr apart.
        #expect(s.map(\.time) == [.milliseconds(1975), .milliseconds(1985), .milliseconds(1995)])
        #expect(!s.contains { $0.saturated })
        #expect(a.overruns == 0)
    }

    @Test(
        "FIFO level from FIFO_SRC_REG: EMPTY is 0, FSS otherwise, OVRN_FIFO is 32",
        arguments: [
            // (FIFO_SRC_REG, entries to read, counted as full)
            (UInt8(0x20), 0, false), (0x01, 1, false), (0x0F, 15, false), (0x90, 16, false),
            (0x9F, 31, false), (0xDF, 32, true), (0x40, 32, true),
        ])
    func fifoLevel(source: UInt8, entries: Int, full: Bool) throws {
        let dev = FakeRegisterDevice(address: 0x18)
        dev[Self.whoAmI] = 0x33
        let a = try LIS3DH(device: dev, settings: .init(rangeG: 4, odrHz: 1344, watermark: 8))
        // ±4 g HR = 0x98; stream + FTH 8 = 0x88; 1.344 kHz (1001), XYZ = 0x97.
        #expect(
            dev.writes.map(\.description) == [
                "0x20←0x00", "0x23←0x98", "0x24←0x40", "0x2e←0x00", "0x2e←0x88", "0x25←0x00", "0x22←0x00",
                "0x20←0x97",
            ])
        dev[Self.fifoSrc] = source
        // The fake has neither the bit-7 rule nor the roll-back: five entries laid out from 0xA8
        // stand for what a 30-byte read of the FIFO returns.
        dev.load((0..<5).flatMap { _ in Self.st(500, 0, -500) }, at: Self.outXLAutoIncrement)
        let s = try a.read(now: .seconds(1))
        #expect(s.count == entries)
        // five entries (30 bytes) to a 32-byte block read
        #expect(dev.readRegisters.filter { $0 == Self.outXLAutoIncrement }.count == (entries + 4) / 5)
        #expect(s.allSatisfy { $0.x == 1.0 && $0.z == -1.0 })  // 2 mg/digit
        #expect(a.overruns == (full ? 1 : 0))
        if let first = s.first {
            // Period of 1344 Hz rounded to whole nanoseconds: 744 048 ns.
            #expect(first.time == .seconds(1) - .nanoseconds(372_024) - .nanoseconds(744_048) * (entries - 1))
        }
    }

    @Test("polled: FIFO disabled and bypassed at init, ZYXDA gates the 0xA8 burst")
    func polled() throws {
        let dev = ScriptedI2CDevice(
            address: 0x18,
            [
                .read(Self.whoAmI, 0x33),
                .write(Self.ctrlReg1, 0x00),
                .write(Self.ctrlReg4, 0x88),  // BDU, ±2 g, HR
                .write(Self.ctrlReg5, 0x00),  // FIFO_EN off
                .write(Self.fifoCtrl, 0x00),  // bypass
                .write(0x25, 0x00),  // CTRL_REG6: active high
                .write(0x22, 0x00),  // CTRL_REG3: nothing on INT1
                .write(Self.ctrlReg1, 0x57),  // 100 Hz, XYZ
                .read(Self.status, 0x00),
                .read(Self.status, 0x08),  // ZYXDA
                .block(Self.outXLAutoIncrement, Self.st(1000, -1000, 2047)),
            ])
        let a = try LIS3DH(device: dev, settings: .init(rangeG: 2, odrHz: 100, fifo: false))
        #expect(!a.usesFIFO)
        #expect(try a.read(now: .seconds(1)).isEmpty)
        let s = try #require(try a.read(now: .seconds(2)).first)
        dev.assertDone()
        #expect(s.x == 1.0)
        #expect(s.y == -1.0)
        #expect(s.saturated)  // z at the 12-bit limit
        #expect(s.time == .milliseconds(1995))
    }

    @Test(
        "sensitivity per range and mode (datasheet table 4)",
        arguments: [
            // (range, ODR, CTRL_REG4, CTRL_REG1, bits, g per digit)
            (2.0, 100.0, UInt8(0x88), UInt8(0x57), 12, 0.001), (4, 100, 0x98, 0x57, 12, 0.002),
            (8, 400, 0xA8, 0x77, 12, 0.004), (16, 1344, 0xB8, 0x97, 12, 0.012),
            (2, 5376, 0x80, 0x9F, 8, 0.016), (16, 5376, 0xB0, 0x9F, 8, 0.192),
            (8, 1600, 0xA0, 0x8F, 8, 0.064),
        ])
    func sensitivity(range: Double, odr: Double, ctrl4: UInt8, ctrl1: UInt8, bits: Int, gPerDigit: Double)
        throws
    {
        let dev = FakeRegisterDevice(address: 0x19)
        dev[Self.whoAmI] = 0x33
        let a = try LIS3DH(device: dev, settings: .init(rangeG: range, odrHz: odr, fifo: false))
        // CTRL_REG1 off, CTRL_REG4, CTRL_REG5 (no FIFO), bypass, CTRL_REG6, CTRL_REG3, CTRL_REG1.
        #expect(dev.writes.map(\.value) == [0x00, ctrl4, 0x00, 0x00, 0x00, 0x00, ctrl1])
        #expect(a.resolutionBits == bits)
        dev[Self.status] = 0x08
        // 50 digits stay inside ± full scale in every mode (50 × 192 mg = 9.6 g at ±16 g low power).
        dev.load(Self.st(50, -7, 0, bits: bits), at: Self.outXLAutoIncrement)
        let s = try #require(try a.read(now: .seconds(1)).first)
        #expect(abs(s.x - 50 * gPerDigit) < 1e-12)
        #expect(abs(s.y + 7 * gPerDigit) < 1e-12)
        #expect(!s.saturated)
    }

    @Test(
        "a sample at ± full scale is flagged saturated",
        arguments: [
            (2.0, Int16(2000), true), (2, 1998, false), (16, 1333, true), (16, -1333, true),
            (16, 1300, false),
        ])
    func saturation(range: Double, counts: Int16, saturated: Bool) throws {
        let dev = FakeRegisterDevice(address: 0x18)
        dev[Self.whoAmI] = 0x33
        let a = try LIS3DH(device: dev, settings: .init(rangeG: range, odrHz: 100, fifo: false))
        dev[Self.status] = 0x08
        dev.load(Self.st(0, counts, 0), at: Self.outXLAutoIncrement)
        #expect(try a.read(now: .seconds(1)).first?.saturated == saturated)
    }

    @Test("invalid settings are refused before anything is written")
    func invalid() {
        let dev = FakeRegisterDevice(address: 0x18)
        dev[Self.whoAmI] = 0x33
        for settings in [
            LIS3DH.Settings(watermark: 0), .init(watermark: 32), .init(rangeG: 6), .init(odrHz: 5000),
        ] {
            let e = driverError { try LIS3DH(device: dev, settings: settings) }
            if case .invalidSetting? = e?.kind {
            } else {
                Issue.record("expected invalidSetting for \(settings), got \(String(describing: e))")
            }
        }
        #expect(
            driverError { try LIS3DH(device: dev, settings: .init(odrHz: 5000)) }?.description
                == "/dev/i2c-1 address 0x18: invalid setting output data rate 5000.0 Hz (allowed: 1, 10, 25, 50, 100, 200, 400, 1344, 1600, 5376)"
        )
        #expect(dev.writes.isEmpty)
        // Polled mode does not look at the watermark.
        #expect(driverError { try LIS3DH(device: dev, settings: .init(fifo: false, watermark: 0)) } == nil)
    }

    @Test("a bus error during a FIFO drain names the register and device")
    func busErrorInDrain() throws {
        let dev = FakeRegisterDevice(address: 0x18)
        dev[Self.whoAmI] = 0x33
        let a = try LIS3DH(device: dev)
        dev[Self.fifoSrc] = 0x05
        dev.inject(.noAcknowledge, at: Self.outXLAutoIncrement)
        let e = driverError { try a.read(now: .seconds(1)) }
        #expect(e?.register == Self.outXLAutoIncrement)
        #expect(e?.address == 0x18)
        if case .bus(let bus)? = e?.kind {
            #expect(bus.kind == .noAcknowledge)
        } else {
            Issue.record("expected a bus error, got \(String(describing: e))")
        }
        // The next read works again.
        #expect(try a.read(now: .seconds(2)).count == 5)
    }

    @Test("timestamps continue across reads at the ODR; OVRN_FIFO leaves a gap of the samples lost")
    func timestamps() throws {
        let dev = FakeRegisterDevice(address: 0x18)
        dev[Self.whoAmI] = 0x33
        let a = try LIS3DH(device: dev, settings: .init(rangeG: 2, odrHz: 100))
        dev[Self.fifoSrc] = 0x02
        let first = try a.read(now: .milliseconds(1000)).map(\.time)
        #expect(first == [.milliseconds(985), .milliseconds(995)])
        let second = try a.read(now: .milliseconds(1020)).map(\.time)
        #expect(second == [.milliseconds(1005), .milliseconds(1015)])
        // 500 ms later the FIFO overran: its 32 are the newest; the 16 before them are missing.
        dev[Self.fifoSrc] = 0x40
        let third = try a.read(now: .milliseconds(1500)).map(\.time)
        #expect(third.first == .milliseconds(1185) && third.last == .milliseconds(1495))
        #expect(a.missedSamples == 16 && a.overruns == 1)
    }
}
