import HAL
import Simulation
import Testing

/// LIS3DH register addresses and values, re-declared from the datasheet (DocID17530 §8).
enum LIS {
    static let whoAmI: UInt8 = 0x0F
    static let ctrlReg1: UInt8 = 0x20
    static let ctrlReg2: UInt8 = 0x21
    static let ctrlReg4: UInt8 = 0x23
    static let ctrlReg5: UInt8 = 0x24
    static let status: UInt8 = 0x27
    static let outXL: UInt8 = 0x28
    static let outXH: UInt8 = 0x29
    static let outZH: UInt8 = 0x2D
    static let fifoCtrl: UInt8 = 0x2E
    static let fifoSrc: UInt8 = 0x2F
    static let autoIncrement: UInt8 = 0x80
    static let fifoEnable: UInt8 = 0x40
    static let bypass: UInt8 = 0x00, fifoMode: UInt8 = 0x40, stream: UInt8 = 0x80
}

@Suite("Simulated LIS3DH registers")
struct LIS3DHModelTests {
    static func rig(scenario: Scenario = .quiet()) throws -> Rig {
        try Rig({ SimulatedLIS3DH(clock: $0, scenario: scenario) }, at: 0x18)
    }

    func model(_ r: Rig) -> SimulatedLIS3DH { r.bus.chip(at: 0x18) as! SimulatedLIS3DH }

    /// Configures BDU + HR at `ctrl4`, the FIFO (`fifo` nil: FIFO_EN off), then the ODR.
    func start(_ r: Rig, ctrl1: UInt8 = 0x57, ctrl4: UInt8 = 0x88, fifo: UInt8? = LIS.stream | 16) throws {
        try r.device.writeByte(register: LIS.ctrlReg4, value: ctrl4)
        if let fifo {
            try r.device.writeByte(register: LIS.ctrlReg5, value: LIS.fifoEnable)
            try r.device.writeByte(register: LIS.fifoCtrl, value: fifo)
        }
        try r.device.writeByte(register: LIS.ctrlReg1, value: ctrl1)
    }

    /// One sample: a 6-byte auto-increment burst, as little-endian words.
    func sample(_ r: Rig) throws -> [Int] {
        let b = try r.device.readBlock(register: LIS.outXL | LIS.autoIncrement, count: 6)
        return [le16(b, 0), le16(b, 2), le16(b, 4)]
    }

    /// A square pulse of `g` along x from `at` ms for a second: marks which samples are which.
    static func step(at ms: Int, g: Double = 0.5) -> Scenario {
        .quiet(pulses: [
            ScheduledPulse(
                at: .milliseconds(ms), peakG: g, duration: .seconds(1), direction: Vector3(1, 0, 0),
                shape: .square)
        ])
    }

    @Test("WHO_AM_I and reset values")
    func identity() throws {
        let r = try Self.rig()
        #expect(try r.device.readByte(register: LIS.whoAmI) == 0x33)
        #expect(try r.device.readByte(register: LIS.ctrlReg1) == 0x07)  // power down, XYZ enabled
        #expect(try r.device.readByte(register: LIS.status) == 0x00)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x20)  // EMPTY
        r.advance(ms: 1000)
        #expect(model(r).counters.generated == 0)  // powered down: no data
    }

    @Test("sub-address auto-increment only with bit 7")
    func autoIncrement() throws {
        let r = try Self.rig()
        try r.device.writeBlock(register: LIS.ctrlReg1 | LIS.autoIncrement, bytes: [0x57, 0x09])
        #expect(try r.device.readBlock(register: LIS.ctrlReg1 | LIS.autoIncrement, count: 2) == [0x57, 0x09])
        #expect(try r.device.readBlock(register: LIS.ctrlReg1, count: 2) == [0x57, 0x57])
        try r.device.writeByte(register: LIS.ctrlReg4, value: 0x88)
        r.advance(ms: 10)  // 100 Hz: one sample, flat: z = +1 g = 1000 mg at 1 mg/digit
        #expect(
            try r.device.readBlock(register: LIS.outXL | LIS.autoIncrement, count: 6) == [
                0, 0, 0, 0, 0x80, 0x3E,
            ])  // 1000 << 4
        #expect(try r.device.readBlock(register: LIS.outZH, count: 3) == [0x3E, 0x3E, 0x3E])
    }

    @Test(
        "resolution and sensitivity follow LPen, HR and FS (datasheet table 4)",
        arguments: [
            // (CTRL_REG1, CTRL_REG4, expected left-justified word for +1 g)
            (UInt8(0x57), UInt8(0x08), Int16(16000)),  // HR ±2 g: 1000 × 16
            (0x57, 0x18, 8000),  // HR ±4 g: 500 × 16
            (0x57, 0x38, 1328),  // HR ±16 g: 12 mg/digit, 83.3 → 83 × 16
            (0x57, 0x00, 16000),  // normal ±2 g: 4 mg/digit, 250 × 64
            (0x57, 0x20, 4032),  // normal ±8 g: 16 mg/digit, 62.5 → 63 × 64
            (0x5F, 0x00, 16128),  // low power ±2 g: 16 mg/digit, 62.5 → 63 × 256
            (0x5F, 0x30, 1280),  // low power ±16 g: 192 mg/digit, 5.2 → 5 × 256
        ])
    func resolution(ctrl1: UInt8, ctrl4: UInt8, word: Int16) throws {
        let r = try Self.rig()
        try start(r, ctrl1: ctrl1, ctrl4: ctrl4, fifo: nil)
        r.advance(ms: 10)
        #expect(try sample(r) == [0, 0, Int(word)])
    }

    @Test(
        "clipped at ± full scale",
        arguments: [
            (UInt8(0x08), 30.0, 32000), (0x08, -30, -32000),  // ±2 g HR: 2000 digits
            (0x38, 30, 21328), (0x38, -30, -21328),  // ±16 g HR: 1333 digits
        ])
    func clipping(ctrl4: UInt8, g: Double, word: Int) throws {
        let r = try Self.rig(scenario: Self.step(at: 0, g: g))
        try start(r, ctrl4: ctrl4, fifo: nil)
        r.advance(ms: 10)
        #expect(try sample(r)[0] == word)
    }

    @Test(
        "the FIFO fills at the output data rate",
        arguments: [
            // (CTRL_REG1, elapsed ms, entries)
            (UInt8(0x97), 10.0, 13),  // 1.344 kHz: 13.44
            (0x9F, 5.0, 26),  // low-power 5.376 kHz: 26.88
            (0x8F, 10.0, 16),  // low-power 1.6 kHz
            (0x57, 250.0, 25), (0x17, 3500.0, 3), (0x77, 50, 20), (0x97, 0.5, 0),
        ])
    func fifoFill(ctrl1: UInt8, ms: Double, entries: Int) throws {
        let r = try Self.rig()
        try start(r, ctrl1: ctrl1)
        r.advance(ms: ms)
        #expect(try r.device.readByte(register: LIS.fifoSrc) & 0x1F == UInt8(entries))
        #expect(model(r).fifoCount == entries)
        #expect(model(r).counters == .init(generated: entries, popped: 0, lost: 0))
    }

    @Test(
        "FIFO_SRC_REG: WTM above FTH, OVRN_FIFO and FSS 31 when 32 are unread, EMPTY",
        arguments: [
            // (FTH, samples at 400 Hz, FIFO_SRC_REG)
            (UInt8(16), 0, UInt8(0x20)), (16, 1, 0x01), (16, 16, 0x10), (16, 17, 0x91), (16, 31, 0x9F),
            (16, 32, 0xDF), (31, 32, 0xDF), (31, 31, 0x1F), (0, 1, 0x81), (16, 40, 0xDF),
        ])
    func fifoSource(threshold: UInt8, samples: Int, source: UInt8) throws {
        let r = try Self.rig()
        try start(r, ctrl1: 0x77, fifo: LIS.stream | threshold)
        r.advance(ms: 2.5 * Double(samples))
        #expect(try r.device.readByte(register: LIS.fifoSrc) == source)
    }

    @Test("a read reaching OUT_Z_H pops one entry, oldest first; the address rolls back to OUT_X_L")
    func popOrder() throws {
        let r = try Self.rig(scenario: Self.step(at: 25))
        try start(r)
        r.advance(ms: 50)  // samples at 10...50 ms; x = 0.5 g = 500 digits from 30 ms
        #expect(try sample(r) == [0, 0, 16000])
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x04)
        for reg in LIS.outXL..<LIS.outZH { _ = try r.device.readByte(register: reg) }
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x04)  // no pop before OUT_Z_H
        _ = try r.device.readByte(register: LIS.outZH)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x03)
        // A 12-byte burst reads two entries (30 and 40 ms) thanks to the roll-back.
        let b = try r.device.readBlock(register: LIS.outXL | LIS.autoIncrement, count: 12)
        #expect([le16(b, 0), le16(b, 6)] == [8000, 8000])
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x01)
        #expect(model(r).counters == .init(generated: 5, popped: 4, lost: 0))
        _ = try sample(r)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x20)
        // Empty: the registers keep the last popped sample.
        #expect(try sample(r) == [8000, 0, 16000])
        #expect(model(r).counters == .init(generated: 5, popped: 5, lost: 0))
    }

    @Test("stream mode keeps the newest 32 and counts what it overwrote")
    func streamOverrun() throws {
        let r = try Self.rig(scenario: Self.step(at: 170))
        try start(r, ctrl1: 0x77)
        r.advance(ms: 200)  // 80 samples at 400 Hz; the newest 32 are 49...80 (122.5...200 ms)
        #expect(model(r).counters == .init(generated: 80, popped: 0, lost: 48))
        #expect(try sample(r)[0] == 0)  // sample 49 at 122.5 ms, before the step
        #expect(try sample(r)[0] == 0)
        r.advance(ms: 10)  // 4 more: 2 free slots, 2 overwritten
        #expect(model(r).counters == .init(generated: 84, popped: 2, lost: 50))
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0xDF)
        // Ten minutes unread at 5.376 kHz: cheap, and everything is accounted for.
        try r.device.writeByte(register: LIS.ctrlReg1, value: 0x9F)
        r.advance(ms: 600_000)
        let c = model(r).counters
        #expect(c.generated == 84 + 5376 * 600)
        #expect(c.generated == c.popped + c.lost + 32)
    }

    @Test("FIFO mode stops collecting when full; bypass empties it")
    func fifoModeFull() throws {
        let r = try Self.rig(scenario: Self.step(at: 5))
        try start(r, ctrl1: 0x77, fifo: LIS.fifoMode | 16)
        r.advance(ms: 200)
        #expect(model(r).counters == .init(generated: 80, popped: 0, lost: 48))
        #expect(try sample(r)[0] == 0)  // sample 1 at 2.5 ms, before the step
        #expect(try sample(r)[0] == 8000)  // sample 2 at 5 ms
        try r.device.writeByte(register: LIS.fifoCtrl, value: LIS.bypass)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x20)
        #expect(model(r).counters == .init(generated: 80, popped: 2, lost: 78))
    }

    @Test("FIFO_EN off: the FIFO mode bits do nothing")
    func fifoDisabled() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: LIS.fifoCtrl, value: LIS.stream)
        try r.device.writeByte(register: LIS.ctrlReg1, value: 0x77)
        r.advance(ms: 100)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x20)
        #expect(model(r).counters == .init(generated: 40, popped: 0, lost: 39))
    }

    @Test("STATUS_REG: ZYXDA on new data, ZYXOR when unread data is overwritten, both cleared by reading")
    func status() throws {
        let r = try Self.rig()
        try start(r, fifo: nil)
        r.advance(ms: 10)
        #expect(try r.device.readByte(register: LIS.status) == 0x0F)
        _ = try r.device.readByte(register: LIS.outXH)
        #expect(try r.device.readByte(register: LIS.status) == 0x0E)  // XDA cleared
        r.advance(ms: 10)
        #expect(try r.device.readByte(register: LIS.status) == 0xEF)  // Y and Z overwritten unread
        _ = try sample(r)
        #expect(try r.device.readByte(register: LIS.status) == 0x00)
        r.advance(ms: 30)
        #expect(try r.device.readByte(register: LIS.status) == 0xFF)
        #expect(model(r).counters == .init(generated: 5, popped: 1, lost: 3))
    }

    @Test("BDU holds a half-read sample until the other byte is read; without BDU it does not")
    func blockDataUpdate() throws {
        for bdu in [true, false] {
            let r = try Self.rig(scenario: Self.step(at: 15, g: 1.5))
            try start(r, ctrl4: bdu ? 0x88 : 0x08, fifo: nil)
            r.advance(ms: 10)  // x = 0
            let low = try r.device.readByte(register: LIS.outXL)
            r.advance(ms: 10)  // x = 1.5 g = 1500 digits → word 24000 = 0x5DC0
            let high = try r.device.readByte(register: LIS.outXH)
            #expect(low == 0x00)
            #expect(high == (bdu ? 0x00 : 0x5D))
            // The pair is complete: the registers show the newest sample.
            #expect(try r.device.readByte(register: LIS.outXL) == 0xC0)
        }
    }

    @Test("BLE swaps the bytes of each axis")
    func bigEndian() throws {
        let r = try Self.rig()
        try start(r, ctrl4: 0xC8, fifo: nil)  // BDU, BLE, HR, ±2 g
        r.advance(ms: 10)
        #expect(
            try r.device.readBlock(register: LIS.outXL | LIS.autoIncrement, count: 6) == [
                0, 0, 0, 0, 0x3E, 0x80,
            ])
    }

    @Test("an ODR change restarts the sample grid; power-down stops it")
    func rateChange() throws {
        let r = try Self.rig()
        try start(r, ctrl1: 0x57)
        r.advance(ms: 25)  // 2 at 100 Hz
        try r.device.writeByte(register: LIS.ctrlReg1, value: 0x77)
        r.advance(ms: 10)  // 4 at 400 Hz from the change
        #expect(model(r).counters.generated == 6)
        #expect(model(r).outputDataRate == 400)
        try r.device.writeByte(register: LIS.ctrlReg1, value: 0x07)
        r.advance(ms: 1000)
        #expect(model(r).counters.generated == 6)
        #expect(model(r).outputDataRate == nil)
    }

    @Test("power-on reset restores the reset values")
    func reset() throws {
        let r = try Self.rig()
        try start(r)
        r.advance(ms: 100)
        r.bus.setPresent(false, at: 0x18)
        r.bus.setPresent(true, at: 0x18, powerCycled: true)
        #expect(try r.device.readByte(register: LIS.ctrlReg1) == 0x07)
        #expect(try r.device.readByte(register: LIS.fifoSrc) == 0x20)
    }
}
