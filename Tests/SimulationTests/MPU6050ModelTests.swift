import HAL
import Simulation
import Testing

/// MPU-6050 register addresses and bits, re-declared from the register map (RM-MPU-6000A-00 rev 4.2).
enum MPU {
    static let smplrtDiv: UInt8 = 0x19
    static let config: UInt8 = 0x1A
    static let accelConfig: UInt8 = 0x1C
    static let fifoEn: UInt8 = 0x23
    static let intEnable: UInt8 = 0x38
    static let intStatus: UInt8 = 0x3A
    static let accelXOutH: UInt8 = 0x3B
    static let tempOutH: UInt8 = 0x41
    static let gyroXOutH: UInt8 = 0x43
    static let userCtrl: UInt8 = 0x6A
    static let pwrMgmt1: UInt8 = 0x6B
    static let pwrMgmt2: UInt8 = 0x6C
    static let fifoCountH: UInt8 = 0x72
    static let fifoRW: UInt8 = 0x74
    static let whoAmI: UInt8 = 0x75
    static let accelFIFO: UInt8 = 0x08, tempFIFO: UInt8 = 0x80
    static let userFIFOEnable: UInt8 = 0x40, fifoReset: UInt8 = 0x04
}

/// Big-endian signed 16-bit at `i`.
func be16(_ b: [UInt8], _ i: Int) -> Int {
    Int(Int16(bitPattern: UInt16(b[i]) << 8 | UInt16(b[i + 1])))
}

@Suite("Simulated MPU-6050 registers")
struct MPU6050ModelTests {
    static func rig(scenario: Scenario = .quiet()) throws -> Rig {
        try Rig({ SimulatedMPU6050(clock: $0, scenario: scenario) }, at: 0x68)
    }

    func model(_ r: Rig) -> SimulatedMPU6050 { r.bus.chip(at: 0x68) as! SimulatedMPU6050 }

    /// Awake on the PLL clock, DLPF `config`, divider `div`, ±2 g unless `afs`.
    func start(_ r: Rig, config: UInt8 = 1, div: UInt8 = 0, afs: UInt8 = 0) throws {
        try r.device.writeByte(register: MPU.config, value: config)
        try r.device.writeByte(register: MPU.smplrtDiv, value: div)
        try r.device.writeByte(register: MPU.accelConfig, value: afs << 3)
        try r.device.writeByte(register: MPU.pwrMgmt1, value: 0x01)
    }

    func accel(_ r: Rig) throws -> [Int] {
        let b = try r.device.readBlock(register: MPU.accelXOutH, count: 6)
        return [be16(b, 0), be16(b, 2), be16(b, 4)]
    }

    func fifoCount(_ r: Rig) throws -> Int {
        let b = try r.device.readBlock(register: MPU.fifoCountH, count: 2)
        return Int(b[0]) << 8 | Int(b[1])
    }

    @Test("WHO_AM_I 0x68; asleep at reset: no data until SLEEP is cleared")
    func sleepAtReset() throws {
        let r = try Self.rig()
        #expect(try r.device.readByte(register: MPU.whoAmI) == 0x68)
        #expect(try r.device.readByte(register: MPU.pwrMgmt1) == 0x40)
        try r.device.writeByte(register: MPU.intEnable, value: 0x01)
        r.advance(ms: 1000)
        #expect(model(r).counters.generated == 0)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0)
        #expect(try accel(r) == [0, 0, 0])
        try r.device.writeByte(register: MPU.pwrMgmt1, value: 0x01)
        r.advance(ms: 10)
        #expect(model(r).counters.generated == 80)  // DLPF off at reset: 8 kHz
        #expect(try accel(r) == [0, 0, 16384])
    }

    @Test(
        "sample rate = gyroscope rate / (1 + SMPLRT_DIV), 8 kHz with DLPF_CFG 0 or 7, else 1 kHz",
        arguments: [
            // (CONFIG, SMPLRT_DIV, elapsed ms, samples)
            (UInt8(1), UInt8(0), 10.0, 10), (1, 9, 100, 10), (6, 255, 1000, 3), (3, 3, 100, 25),
            (0, 0, 1, 8), (0, 7, 10, 10), (7, 1, 1, 4),
        ])
    func sampleRate(config: UInt8, div: UInt8, ms: Double, samples: Int) throws {
        let r = try Self.rig()
        try start(r, config: config, div: div)
        r.advance(ms: ms)
        #expect(model(r).counters.generated == samples)
    }

    @Test(
        "AFS_SEL: 16384, 8192, 4096, 2048 LSB/g, big-endian",
        arguments: [
            // (AFS_SEL, LSB/g, x = 0.6 g, z = −0.8 g, rounded to nearest)
            (UInt8(0), 16384, 9830, -13107),  // 9830.4, −13107.2
            (1, 8192, 4915, -6554),  // 4915.2, −6553.6
            (2, 4096, 2458, -3277),  // 2457.6, −3276.8
            (3, 2048, 1229, -1638),  // 1228.8, −1638.4
        ])
    func scale(afs: UInt8, lsbPerG: Int, x: Int, z: Int) throws {
        let r = try Self.rig(scenario: .quiet(gravity: Vector3(0.6, 0, -0.8)))
        try start(r, afs: afs)
        r.advance(ms: 1)
        #expect(try accel(r) == [x, 0, z])
        #expect(model(r).accelerometerLSBPerG == Double(lsbPerG))
    }

    @Test("clipped at the 16-bit code range", arguments: [(3.0, 32767), (-3.0, -32768)])
    func clipping(g: Double, code: Int) throws {
        let r = try Self.rig(scenario: LIS3DHModelTests.step(at: 0, g: g))
        try start(r)
        r.advance(ms: 1)
        #expect(try accel(r)[0] == code)
    }

    @Test("temperature (T − 36.53) × 340 from the scenario; gyroscope at rest reads 0")
    func temperatureAndGyro() throws {
        let r = try Self.rig()  // quiet: 20 °C
        try start(r)
        r.advance(ms: 1)
        // (20 − 36.53) × 340 = −5620.2 → −5620 = 0xEA0C
        #expect(try r.device.readBlock(register: MPU.tempOutH, count: 2) == [0xEA, 0x0C])
        #expect(try r.device.readBlock(register: MPU.gyroXOutH, count: 6) == [0, 0, 0, 0, 0, 0])
        // Accelerometer standby (PWR_MGMT_2 STBY_ZA, bit 3): z reads 0.
        try r.device.writeByte(register: MPU.pwrMgmt2, value: 0x08)
        r.advance(ms: 1)
        #expect(try accel(r) == [0, 0, 0])
    }

    @Test("INT_STATUS: DATA_RDY_INT only while enabled, cleared by reading")
    func dataReady() throws {
        let r = try Self.rig()
        try start(r)
        r.advance(ms: 1)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0x00)  // not enabled
        try r.device.writeByte(register: MPU.intEnable, value: 0x01)
        r.advance(ms: 0.5)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0x00)  // no new sample yet
        r.advance(ms: 0.5)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0x01)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0x00)
    }

    @Test("FIFO: 6 bytes per sample with ACCEL_FIFO_EN, count big-endian, bursts stay at FIFO_R_W")
    func fifo() throws {
        let r = try Self.rig(scenario: LIS3DHModelTests.step(at: 3, g: 0.5))
        try start(r)
        try r.device.writeByte(register: MPU.fifoEn, value: MPU.accelFIFO)
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable)
        r.advance(ms: 10)
        #expect(try fifoCount(r) == 60)
        #expect(try r.device.readBlock(register: MPU.fifoCountH, count: 2) == [0x00, 0x3C])
        // Samples at 1, 2 ms: x = 0; from 3 ms: x = 0.5 g = 8192.
        let b = try r.device.readBlock(register: MPU.fifoRW, count: 18)
        #expect([be16(b, 0), be16(b, 6), be16(b, 12)] == [0, 0, 8192])
        #expect([be16(b, 4), be16(b, 10), be16(b, 16)] == [16384, 16384, 16384])
        #expect(try fifoCount(r) == 42)
        #expect(model(r).counters == .init(generated: 10, popped: 3, lost: 0))
        // Drained: an empty FIFO repeats the last byte read.
        _ = try r.device.readBlock(register: MPU.fifoRW, count: 32)
        _ = try r.device.readBlock(register: MPU.fifoRW, count: 10)
        #expect(try fifoCount(r) == 0)
        // z low byte of 16384
        #expect(try r.device.readBlock(register: MPU.fifoRW, count: 2) == [0x00, 0x00])
        #expect(model(r).counters == .init(generated: 10, popped: 10, lost: 0))
    }

    @Test("FIFO frames follow register order: accelerometer, then temperature")
    func fifoFrameOrder() throws {
        let r = try Self.rig()
        try start(r)
        try r.device.writeByte(register: MPU.fifoEn, value: MPU.accelFIFO | MPU.tempFIFO)
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable)
        r.advance(ms: 2)
        #expect(try fifoCount(r) == 16)
        #expect(
            try r.device.readBlock(register: MPU.fifoRW, count: 8) == [0, 0, 0, 0, 0x40, 0x00, 0xEA, 0x0C])
    }

    @Test("overflow overwrites the oldest bytes, sets FIFO_OFLOW_INT and counts whole lost samples")
    func overflow() throws {
        let r = try Self.rig()
        try start(r)
        try r.device.writeByte(register: MPU.intEnable, value: 0x10)
        try r.device.writeByte(register: MPU.fifoEn, value: MPU.accelFIFO)
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable)
        r.advance(ms: 200)  // 200 samples = 1200 bytes into 1024: the oldest 176 bytes are gone
        #expect(try fifoCount(r) == 1024)
        #expect(try r.device.readByte(register: MPU.intStatus) == 0x10)
        // 176 = 29 whole samples + the first 2 bytes of the 30th: 170 samples begin inside.
        #expect(model(r).counters == .init(generated: 200, popped: 0, lost: 30))
        // The FIFO now starts mid-sample, at the 30th sample's Y high byte.
        #expect(try r.device.readBlock(register: MPU.fifoRW, count: 6) == [0, 0, 0x40, 0x00, 0, 0])
        #expect(model(r).counters == .init(generated: 200, popped: 1, lost: 30))
        // FIFO_RESET empties it (the 169 whole samples left are lost).
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable | MPU.fifoReset)
        #expect(try fifoCount(r) == 0)
        #expect(model(r).counters == .init(generated: 200, popped: 1, lost: 199))
        #expect(try r.device.readByte(register: MPU.userCtrl) == MPU.userFIFOEnable)
        // An hour unread at 8 kHz: cheap, and everything is accounted for.
        try r.device.writeByte(register: MPU.config, value: 0)
        r.advance(ms: 3_600_000)
        let c = model(r).counters
        #expect(c.generated == 200 + 8000 * 3600)
        #expect(c.generated == c.popped + c.lost + 1024 / 6)
    }

    @Test("above 1 kHz the accelerometer value repeats (it outputs at 1 kHz)")
    func eightKilohertz() throws {
        let r = try Self.rig(
            scenario: LIS3DHModelTests.step(at: 0, g: 0.25).addingStep(at: .microseconds(300)))
        try start(r, config: 0)  // DLPF off: 8 kHz
        try r.device.writeByte(register: MPU.fifoEn, value: MPU.accelFIFO)
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable)
        r.advance(ms: 1)
        let b =
            try r.device.readBlock(register: MPU.fifoRW, count: 24)
            + r.device.readBlock(register: MPU.fifoRW, count: 24)
        // Samples at 0.125...0.875 ms show the accelerometer's 0 ms value; the one at 1 ms the new one.
        #expect((0..<8).map { be16(b, 6 * $0) } == [4096, 4096, 4096, 4096, 4096, 4096, 4096, 12288])
    }

    @Test("DEVICE_RESET restores SLEEP and the reset values and empties the FIFO")
    func deviceReset() throws {
        let r = try Self.rig()
        try start(r, afs: 3)
        try r.device.writeByte(register: MPU.fifoEn, value: MPU.accelFIFO)
        try r.device.writeByte(register: MPU.userCtrl, value: MPU.userFIFOEnable)
        r.advance(ms: 5)
        try r.device.writeByte(register: MPU.pwrMgmt1, value: 0x80)
        #expect(try r.device.readByte(register: MPU.pwrMgmt1) == 0x40)
        #expect(try r.device.readByte(register: MPU.accelConfig) == 0)
        #expect(try fifoCount(r) == 0)
        #expect(model(r).isSleeping)
        #expect(model(r).counters == .init(generated: 5, popped: 0, lost: 5))
    }
}

extension Scenario {
    /// This scenario plus a further 0.5 g square step along x at `time` (for a second).
    func addingStep(at time: Duration) -> Scenario {
        var s = self
        s.add(
            ScheduledPulse(
                at: time, peakG: 0.5, duration: .seconds(1), direction: Vector3(1, 0, 0), shape: .square))
        return s
    }
}
