import HAL
import Simulation
import Testing

/// LIS331HH / H3LIS331DL register addresses, re-declared from the datasheets (DocID024316 §7).
enum LIS331Reg {
    static let whoAmI: UInt8 = 0x0F
    static let ctrlReg1: UInt8 = 0x20
    static let ctrlReg4: UInt8 = 0x23
    static let status: UInt8 = 0x27
    static let outXL: UInt8 = 0x28
    static let outXH: UInt8 = 0x29
    static let fifoCtrl: UInt8 = 0x2E  // LIS3DH only: reserved here
    static let fifoSrc: UInt8 = 0x2F
    static let autoIncrement: UInt8 = 0x80
}

@Suite("Simulated LIS331HH / H3LIS331DL registers")
struct LIS331ModelTests {
    static func rig(_ variant: SimulatedLIS331.Variant, scenario: Scenario = .quiet()) throws -> Rig {
        try Rig({ SimulatedLIS331(variant: variant, clock: $0, scenario: scenario) }, at: 0x19)
    }

    func model(_ r: Rig) -> SimulatedLIS331 { r.bus.chip(at: 0x19) as! SimulatedLIS331 }

    func sample(_ r: Rig) throws -> [Int] {
        let b = try r.device.readBlock(register: LIS331Reg.outXL | LIS331Reg.autoIncrement, count: 6)
        return [le16(b, 0), le16(b, 2), le16(b, 4)]
    }

    @Test("WHO_AM_I 0x32 for both parts; reset values", arguments: SimulatedLIS331.Variant.allCases)
    func identity(variant: SimulatedLIS331.Variant) throws {
        let r = try Self.rig(variant)
        #expect(try r.device.readByte(register: LIS331Reg.whoAmI) == 0x32)
        #expect(try r.device.readByte(register: LIS331Reg.ctrlReg1) == 0x07)
        r.advance(ms: 1000)
        #expect(model(r).counters.generated == 0)  // PM 000: power down
        #expect(model(r).modelName == (variant == .lis331hh ? "LIS331HH" : "H3LIS331DL"))
    }

    @Test(
        "range and sensitivity per FS code (12-bit, left-justified)",
        arguments: [
            // (variant, CTRL_REG4, word for +1 g)
            (SimulatedLIS331.Variant.lis331hh, UInt8(0x80), Int16(5328)),  // ±6 g, 3 mg: 333.3 → 333 × 16
            (.lis331hh, 0x90, 2672),  // ±12 g, 6 mg: 166.7 → 167 × 16
            (.lis331hh, 0xB0, 1328),  // ±24 g, 12 mg: 83.3 → 83 × 16
            (.h3lis331dl, 0x80, 320),  // ±100 g, 49 mg: 20.4 → 20 × 16
            (.h3lis331dl, 0x90, 160),  // ±200 g, 98 mg: 10.2 → 10 × 16
            (.h3lis331dl, 0xB0, 80),  // ±400 g, 195 mg: 5.1 → 5 × 16
        ])
    func sensitivity(variant: SimulatedLIS331.Variant, ctrl4: UInt8, word: Int16) throws {
        let r = try Self.rig(variant)
        try r.device.writeByte(register: LIS331Reg.ctrlReg4, value: ctrl4)
        try r.device.writeByte(register: LIS331Reg.ctrlReg1, value: 0x3F)  // normal, 1000 Hz, XYZ
        r.advance(ms: 1)
        #expect(try sample(r) == [0, 0, Int(word)])
    }

    @Test(
        "clipped at ± full scale",
        arguments: [
            (SimulatedLIS331.Variant.lis331hh, UInt8(0x80), 10.0, 32000),  // 6 g / 3 mg = 2000 digits
            (.lis331hh, 0xB0, -40, -32000),  // 24 g / 12 mg = 2000
            (.h3lis331dl, 0x80, 150, 32640),  // 100 g / 49 mg = 2040.8 → 2040
            (.h3lis331dl, 0xB0, -500, -32752),  // 400 g / 195 mg = 2051 → the 12-bit code limit, −2047 × 16
        ])
    func clipping(variant: SimulatedLIS331.Variant, ctrl4: UInt8, g: Double, word: Int) throws {
        let r = try Self.rig(variant, scenario: LIS3DHModelTests.step(at: 0, g: g))
        try r.device.writeByte(register: LIS331Reg.ctrlReg4, value: ctrl4)
        try r.device.writeByte(register: LIS331Reg.ctrlReg1, value: 0x3F)
        r.advance(ms: 1)
        #expect(try sample(r)[0] == word)
    }

    @Test(
        "data rates: PM normal with DR, and the low-power rates",
        arguments: [
            // (CTRL_REG1, elapsed ms, samples)
            (UInt8(0x27), 100.0, 5), (0x2F, 100, 10), (0x37, 100, 40), (0x3F, 100, 100),
            (0x47, 10_000, 5), (0x67, 10_000, 10), (0x87, 10_000, 20), (0xA7, 1000, 5), (0xC7, 1000, 10),
            (0xE7, 1000, 0), (0x07, 1000, 0),
        ])
    func rates(ctrl1: UInt8, ms: Double, samples: Int) throws {
        let r = try Self.rig(.h3lis331dl)
        try r.device.writeByte(register: LIS331Reg.ctrlReg1, value: ctrl1)
        r.advance(ms: ms)
        #expect(model(r).counters.generated == samples)
    }

    @Test("no FIFO: the LIS3DH's FIFO registers are reserved here")
    func noFIFO() throws {
        let r = try Self.rig(.h3lis331dl)
        try r.device.writeByte(register: LIS331Reg.fifoCtrl, value: 0x80)
        try r.device.writeByte(register: LIS331Reg.ctrlReg1, value: 0x3F)
        r.advance(ms: 10)
        #expect(try r.device.readByte(register: LIS331Reg.fifoCtrl) == 0)
        #expect(try r.device.readByte(register: LIS331Reg.fifoSrc) == 0)
        // Only the newest sample is there to read; the other nine were overwritten.
        #expect(try r.device.readByte(register: LIS331Reg.status) == 0xFF)
        _ = try sample(r)
        #expect(try r.device.readByte(register: LIS331Reg.status) == 0x00)
        #expect(model(r).counters == .init(generated: 10, popped: 1, lost: 9))
    }

    @Test("auto-increment only with bit 7; BDU holds a half-read pair")
    func autoIncrementAndBDU() throws {
        let r = try Self.rig(.lis331hh, scenario: LIS3DHModelTests.step(at: 15, g: 2))
        try r.device.writeByte(register: LIS331Reg.ctrlReg4, value: 0x80)  // BDU, ±6 g
        try r.device.writeByte(register: LIS331Reg.ctrlReg1, value: 0x2F)  // 100 Hz
        #expect(try r.device.readBlock(register: LIS331Reg.ctrlReg4, count: 2) == [0x80, 0x80])
        r.advance(ms: 10)
        #expect(try r.device.readByte(register: LIS331Reg.outXL) == 0)
        r.advance(ms: 10)  // x = 2 g = 666.7 → 667 digits → word 10672 = 0x29B0
        #expect(try r.device.readByte(register: LIS331Reg.outXH) == 0x00)  // still the first sample
        #expect(try r.device.readByte(register: LIS331Reg.outXL) == 0xB0)
        #expect(try r.device.readByte(register: LIS331Reg.outXH) == 0x29)
    }
}
