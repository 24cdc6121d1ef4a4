import Drivers
import HAL
import TestSupport
import Testing

/// LIS3DH, H3LIS331DL/LIS331HH and MPU-6050: byte-exact init, conversion, data-ready polling.
@Suite("ST and InvenSense accelerometers")
struct OtherAccelerometerTests {
    // Register addresses re-declared from the datasheets.
    static let whoAmI: UInt8 = 0x0F, ctrlReg1: UInt8 = 0x20, ctrlReg4: UInt8 = 0x23, status: UInt8 = 0x27
    static let outXLAutoIncrement: UInt8 = 0xA8  // 0x28 | 0x80
    static let mpuPwrMgmt1: UInt8 = 0x6B, mpuWhoAmI: UInt8 = 0x75, mpuSmplrtDiv: UInt8 = 0x19
    static let mpuConfig: UInt8 = 0x1A, mpuAccelConfig: UInt8 = 0x1C, mpuIntEnable: UInt8 = 0x38
    static let mpuIntStatus: UInt8 = 0x3A, mpuAccelXOutH: UInt8 = 0x3B

    /// Left-justified little-endian bytes of 12-bit values.
    static func st12(_ x: Int16, _ y: Int16, _ z: Int16) -> [UInt8] {
        [x, y, z].flatMap { v -> [UInt8] in
            let u = UInt16(bitPattern: v << 4)
            return [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
    }

    // The LIS3DH's init sequences (polled and FIFO) and sensitivities: LIS3DHTests.swift.

    @Test(
        "H3LIS331DL: ±400 g at 195 mg/digit; LIS331HH: ±6 g at 3 mg/digit",
        arguments: [
            (ChipModel.h3lis331dl, 400.0, UInt8(0xB0), 0.195),
            (.h3lis331dl, 100, 0x80, 0.049),
            (.lis331hh, 6, 0x80, 0.003),
            (.lis331hh, 24, 0xB0, 0.012),
        ])
    func lis331(model: ChipModel, range: Double, ctrl4: UInt8, gPerDigit: Double) throws {
        let dev = ScriptedI2CDevice(
            address: 0x19,
            [
                .read(Self.whoAmI, 0x32),
                .write(Self.ctrlReg1, 0x00),
                .write(Self.ctrlReg4, ctrl4),  // BDU + FS
                .write(0x22, 0x00),  // CTRL_REG3: nothing on INT1
                .write(Self.ctrlReg1, 0x3F),  // PM normal (001), DR 1000 Hz (11), XYZ on: 001_11_111
                .read(Self.status, 0x0F),
                .block(Self.outXLAutoIncrement, Self.st12(100, -2048, 0)),
            ])
        let a = try LIS331(device: dev, model: model, settings: .init(rangeG: range, odrHz: 1000))
        let s = try #require(try a.read(now: .seconds(1)).first)
        dev.assertDone()
        #expect(abs(s.x - 100 * gPerDigit) < 1e-9)
        #expect(abs(s.y + 2048 * gPerDigit) < 1e-9)
        #expect(s.saturated)
        #expect(a.model == model)
    }

    @Test("LIS331: the other part's ranges are refused")
    func lis331Invalid() {
        let dev = FakeRegisterDevice(address: 0x19)
        dev[Self.whoAmI] = 0x32
        #expect(
            driverError { try LIS331(device: dev, model: .h3lis331dl, settings: .init(rangeG: 24)) } != nil)
        #expect(
            driverError { try LIS331(device: dev, model: .lis331hh, settings: .init(rangeG: 6, odrHz: 200)) }
                != nil)
        #expect(driverError { try LIS331(device: dev, model: .lis3dh, settings: .init(rangeG: 6)) } != nil)
        #expect(dev.writes.isEmpty)
    }

    @Test(
        "H3LIS331DL interrupt pin: CTRL_REG3 I1_CFG = 10 (data ready), IHL for active low, PP_OD for open drain",
        arguments: [(false, false, UInt8(0x02)), (true, false, 0x82), (true, true, 0xC2)])
    func lis331Interrupt(activeLow: Bool, openDrain: Bool, ctrl3: UInt8) throws {
        let dev = ScriptedI2CDevice(
            address: 0x19,
            [
                .read(Self.whoAmI, 0x32),
                .write(Self.ctrlReg1, 0x00),
                .write(Self.ctrlReg4, 0xB0),
                .write(0x22, ctrl3),
                .write(Self.ctrlReg1, 0x3F),
            ])
        _ = try LIS331(
            device: dev, model: .h3lis331dl,
            settings: .init(
                rangeG: 400, odrHz: 1000, interrupt: InterruptPin(activeLow: activeLow, openDrain: openDrain))
        )
        dev.assertDone()
    }

    /// WHO_AM_I, DEVICE_RESET, wake on the PLL X gyro clock, DLPF 184 Hz (1 kHz), SMPLRT_DIV,
    /// ±16 g: every MPU-6050 set-up's start.
    static func mpuSetUp(divider: UInt8) -> [ScriptedI2CDevice.Step] {
        [
            .read(mpuWhoAmI, 0x68), .write(mpuPwrMgmt1, 0x80), .write(mpuPwrMgmt1, 0x01),
            .write(mpuConfig, 0x01),
            .write(mpuSmplrtDiv, divider), .write(mpuAccelConfig, 0x18),
        ]
    }

    @Test(
        "MPU-6050 interrupt pin: INT_PIN_CFG latched (until INT_STATUS is read), INT_LEVEL, INT_OPEN; before DATA_RDY_EN",
        arguments: [(false, false, UInt8(0x20)), (true, true, 0xE0)])
    func mpu6050Interrupt(activeLow: Bool, openDrain: Bool, pinConfig: UInt8) throws {
        let dev = ScriptedI2CDevice(
            address: 0x68,
            Self.mpuSetUp(divider: 0) + [
                .write(0x37, pinConfig),  // INT_PIN_CFG
                .write(Self.mpuIntEnable, 0x01),  // DATA_RDY_EN
            ])
        _ = try MPU6050(
            device: dev,
            settings: .init(
                rangeG: 16, odrHz: 1000, interrupt: InterruptPin(activeLow: activeLow, openDrain: openDrain)),
            sleep: { _ in })
        dev.assertDone()
    }

    @Test("MPU-6050: reset, wake, 1 kHz / (1 + div), ACCEL_CONFIG, big-endian data")
    func mpu6050() throws {
        let dev = ScriptedI2CDevice(
            address: 0x68,
            [
                .read(Self.mpuWhoAmI, 0x68),
                .write(Self.mpuPwrMgmt1, 0x80),  // DEVICE_RESET
                .write(Self.mpuPwrMgmt1, 0x01),  // wake, PLL X gyro clock
                .write(Self.mpuConfig, 0x01),  // DLPF 184 Hz → 1 kHz
                .write(Self.mpuSmplrtDiv, 3),  // 1000 / (1 + 3) = 250 Hz
                .write(Self.mpuAccelConfig, 0x18),  // AFS_SEL 3: ±16 g
                .write(Self.mpuIntEnable, 0x01),  // DATA_RDY_EN
                .read(Self.mpuIntStatus, 0x01),
                .block(Self.mpuAccelXOutH, [0x08, 0x00, 0xF8, 0x00, 0x7F, 0xFF]),  // 2048, -2048, 32767
            ])
        let sleeper = SleepRecorder()
        let a = try MPU6050(device: dev, settings: .init(rangeG: 16, odrHz: 250), sleep: sleeper.sleep)
        #expect(sleeper.sleeps == [.milliseconds(100)])
        let s = try #require(try a.read(now: .seconds(1)).first)
        dev.assertDone()
        #expect(s.x == 1.0)
        #expect(s.y == -1.0)
        #expect(s.saturated)
        #expect(a.odrHz == 250)
    }

    @Test(
        "MPU-6050 FIFO (register map §4.7, §4.29–4.31): reset while disabled, accelerometer only, FIFO_OFLOW_EN; a drain is one burst of FIFO_R_W; an overflow resets it"
    )
    func mpu6050FIFO() throws {
        let dev = ScriptedI2CDevice(
            address: 0x68,
            Self.mpuSetUp(divider: 0) + [  // 1 kHz
                .write(0x6A, 0x04),  // USER_CTRL: FIFO_RESET, FIFO_EN 0
                .write(0x23, 0x08),  // FIFO_EN: ACCEL_FIFO_EN
                .write(0x6A, 0x40),  // USER_CTRL: FIFO_EN
                .write(Self.mpuIntEnable, 0x10),  // FIFO_OFLOW_EN
                .read(Self.mpuIntStatus, 0x00),
                .block(0x72, [0x00, 0x0E]),  // 14 bytes: two samples and a part (left for later)
                .block(0x74, [0x08, 0x00, 0xF8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00]),
                .read(Self.mpuIntStatus, 0x10),  // FIFO_OFLOW_INT
                .block(0x72, [0x04, 0x00]),  // 1024: full
                .write(0x6A, 0x00),  // FIFO_EN off, then FIFO_RESET, then on again
                .write(0x6A, 0x04),
                .write(0x6A, 0x40),
                // 600 bytes (100 samples): more than half full, so INT_STATUS is read again
                // after the burst (30-byte block reads here); no overflow: the batch is good
                .read(Self.mpuIntStatus, 0x00),
                .block(0x72, [0x02, 0x58]),
            ] + Array(repeating: .block(0x74, Array(repeating: 0x00, count: 30)), count: 20) + [
                .read(Self.mpuIntStatus, 0x00),
                // again, and this time the chip overflowed under the burst: the batch is dropped
                .read(Self.mpuIntStatus, 0x00),
                .block(0x72, [0x02, 0x58]),
            ] + Array(repeating: .block(0x74, Array(repeating: 0x00, count: 30)), count: 20) + [
                .read(Self.mpuIntStatus, 0x10),
                .write(0x6A, 0x00),
                .write(0x6A, 0x04),
                .write(0x6A, 0x40),
            ])
        let a = try MPU6050(
            device: dev, settings: .init(rangeG: 16, odrHz: 1000, fifo: true), sleep: { _ in })
        #expect(a.usesFIFO && a.overruns == 0)
        let s = try a.read(now: .seconds(1))
        #expect(s.map(\.x) == [1.0, 0] && s.map(\.y) == [-1.0, 0] && s.map(\.z) == [0, 1.0])
        #expect(try a.read(now: .seconds(2)).isEmpty)
        #expect(a.overruns == 1 && a.missedSamples > 0)
        #expect(try a.read(now: .seconds(2.1)).count == 100)
        #expect(try a.read(now: .seconds(2.2)).isEmpty)
        dev.assertDone()
        #expect(a.overruns == 2)
        // The chip has no FIFO watermark interrupt: a line and the FIFO together are refused.
        let refused = driverError {
            try MPU6050(
                device: FakeRegisterDevice(address: 0x68),
                settings: .init(fifo: true, interrupt: InterruptPin(activeLow: false)), sleep: { _ in })
        }
        #expect(
            refused?.kind
                == .invalidSetting(
                    "an interrupt line with the FIFO (the MPU-6050 has no FIFO watermark interrupt)",
                    allowed: "the FIFO without a line, or a line (data ready) without the FIFO"))
    }

    @Test("MPU-6050: wrong ID and invalid rates", arguments: [0.0, 3.0, 300.0, 2000.0])
    func mpuInvalid(odr: Double) {
        let dev = FakeRegisterDevice(address: 0x68)
        dev[Self.mpuWhoAmI] = 0x68
        let e = driverError { try MPU6050(device: dev, settings: .init(odrHz: odr), sleep: { _ in }) }
        if case .invalidSetting? = e?.kind {
        } else {
            Issue.record("expected invalidSetting, got \(String(describing: e))")
        }
        dev[Self.mpuWhoAmI] = 0x70  // MPU-6500
        let w = driverError { try MPU6050(device: dev, sleep: { _ in }) }
        #expect(
            w?.description
                == "/dev/i2c-1 address 0x68 register 0x75: expected chip ID 0x68 (MPU-6050), found 0x70")
    }

    @Test("random bytes never trap")
    func randomNeverTraps() throws {
        var rng = SplitMix64(seed: 331)
        let st = FakeRegisterDevice(address: 0x19)
        st[Self.whoAmI] = 0x32
        let h3 = try LIS331(device: st)
        let mpuDev = FakeRegisterDevice(address: 0x68)
        mpuDev[Self.mpuWhoAmI] = 0x68
        let mpu = try MPU6050(device: mpuDev, sleep: { _ in })
        for i in 0..<2000 {
            for r in 0x27...0x2D { st.registers[r] = UInt8.random(in: 0...255, using: &rng) }
            for r in 0x3A...0x40 { mpuDev.registers[r] = UInt8.random(in: 0...255, using: &rng) }
            st.registers[0xA8...0xAD] = st.registers[0x28...0x2D]
            for s in try h3.read(now: .milliseconds(i)) + mpu.read(now: .milliseconds(i)) {
                #expect(s.magnitude.isFinite)
            }
        }
    }
}
