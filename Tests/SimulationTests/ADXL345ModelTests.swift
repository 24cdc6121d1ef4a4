import HAL
import Simulation
import Testing

@Suite("Simulated ADXL345/ADXL375 registers")
struct ADXL345ModelTests {
    static func rig(_ variant: SimulatedADXL345.Variant = .adxl345, scenario: Scenario = .quiet()) throws
        -> Rig
    {
        try Rig({ SimulatedADXL345(variant: variant, clock: $0, scenario: scenario) }, at: 0x53)
    }

    func model(_ r: Rig) -> SimulatedADXL345 { r.bus.chip(at: 0x53) as! SimulatedADXL345 }

    /// 3200 Hz, full resolution ±16 g, `fifo` mode, measuring.
    func start(_ r: Rig, fifo: UInt8 = ADXL.stream | 16, rate: UInt8 = 0x0F, format: UInt8 = 0x0B) throws {
        try r.device.writeByte(register: ADXL.bwRate, value: rate)
        try r.device.writeByte(register: ADXL.dataFormat, value: format)
        try r.device.writeByte(register: ADXL.fifoCtl, value: fifo)
        try r.device.writeByte(register: ADXL.powerCtl, value: ADXL.measure)
    }

    @Test("DEVID and reset values", arguments: SimulatedADXL345.Variant.allCases)
    func identity(variant: SimulatedADXL345.Variant) throws {
        let r = try Self.rig(variant)
        #expect(try r.device.readByte(register: ADXL.devID) == 0xE5)
        #expect(try r.device.readByte(register: ADXL.bwRate) == 0x0A)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x02)
        #expect(try r.device.readByte(register: ADXL.dataFormat) == (variant == .adxl375 ? 0x0B : 0x00))
    }

    @Test("block reads auto-increment")
    func autoIncrement() throws {
        let r = try Self.rig()
        try r.device.writeBlock(register: ADXL.bwRate, bytes: [0x0D, 0x00, 0x80, 0x02])
        try r.device.writeByte(register: ADXL.dataFormat, value: 0x0B)
        #expect(
            try r.device.readBlock(register: ADXL.bwRate, count: 6) == [0x0D, 0x00, 0x80, 0x02, 0x02, 0x0B])
        try r.device.writeByte(register: ADXL.powerCtl, value: ADXL.measure)
        r.advance(ms: 2)  // 800 Hz: one sample
        // At rest, flat: (0, 0, +1 g) = (0, 0, 256) little-endian.
        #expect(try r.device.readBlock(register: ADXL.dataX0, count: 6) == [0, 0, 0, 0, 0x00, 0x01])
    }

    @Test(
        "the FIFO fills at the output data rate",
        arguments: [
            // (BW_RATE code, elapsed ms, entries)
            (UInt8(0x0F), 10.0, 32), (0x0F, 5.0, 16), (0x0F, 3.1, 9), (0x0A, 100.0, 10), (0x0D, 20.0, 16),
            (0x06, 1000.0, 6), (0x0F, 0.3, 0),
        ])
    func fifoFill(rate: UInt8, ms: Double, entries: Int) throws {
        let r = try Self.rig()
        try start(r, rate: rate)
        r.advance(ms: ms)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) & 0x3F == UInt8(entries))
        #expect(model(r).counters.generated == entries)
    }

    @Test("standby produces no data")
    func standby() throws {
        let r = try Self.rig()
        try r.device.writeByte(register: ADXL.bwRate, value: 0x0F)
        try r.device.writeByte(register: ADXL.fifoCtl, value: ADXL.stream)
        r.advance(ms: 1000)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 0)
        #expect(try r.device.readByte(register: ADXL.intSource) & 0x80 == 0)
        try r.device.writeByte(register: ADXL.powerCtl, value: ADXL.measure)
        r.advance(ms: 1)
        try r.device.writeByte(register: ADXL.powerCtl, value: 0x00)
        r.advance(ms: 1000)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 3)
        #expect(model(r).counters == .init(generated: 3, popped: 0, lost: 0))
    }

    @Test("reading DATAZ1 pops one entry")
    func popOnRead() throws {
        let r = try Self.rig()
        try start(r)
        r.advance(ms: 5)  // 16 entries
        _ = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 15)
        for reg in ADXL.dataX0..<ADXL.dataZ1 { _ = try r.device.readByte(register: reg) }
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 15)
        _ = try r.device.readByte(register: ADXL.dataZ1)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 14)
        _ = try r.device.readWord(register: 0x36)  // a 2-byte read reaching 0x37 pops too
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 13)
        _ = try r.device.readBlock(register: ADXL.dataX0, count: 4)  // stops before 0x37: no pop
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 13)
        #expect(model(r).counters == .init(generated: 16, popped: 3, lost: 0))
    }

    @Test("stream mode keeps the newest 32 and counts overruns")
    func streamOverrun() throws {
        let r = try Self.rig()
        try start(r, fifo: ADXL.stream | 31)
        r.advance(ms: 20)  // 64 samples
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 32)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x83)  // ready, watermark, overrun
        #expect(model(r).counters == .init(generated: 64, popped: 0, lost: 32))
        _ = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        _ = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x80)  // 30 < watermark 31
        r.advance(ms: 1)  // samples 65...67 at 20.3125, 20.625, 20.9375 ms
        #expect(model(r).counters == .init(generated: 67, popped: 2, lost: 33))
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 32)
        // Ten minutes unread at 3200 Hz: cheap, and every sample is accounted for.
        r.advance(ms: 600_000)
        let c = model(r).counters
        #expect(c.generated == 67 + 1_920_000)
        #expect(c.generated == c.popped + c.lost + 32)
    }

    @Test("FIFO mode stops collecting when full")
    func fifoModeFull() throws {
        let r = try Self.rig(
            scenario: .quiet(pulses: [
                ScheduledPulse(
                    at: .milliseconds(5), peakG: 2, duration: .seconds(1), direction: Vector3(1, 0, 0),
                    shape: .square)
            ]))
        try start(r, fifo: ADXL.fifoMode | 8)
        r.advance(ms: 20)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 32)
        #expect(model(r).counters == .init(generated: 64, popped: 0, lost: 32))
        // The oldest samples are kept: the first 16 (before the pulse at 5 ms) read x = 0.
        let first = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(le16(first, 0) == 0)
        // Entering bypass clears the FIFO.
        try r.device.writeByte(register: ADXL.fifoCtl, value: ADXL.bypass)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 0)
        #expect(model(r).counters == .init(generated: 64, popped: 1, lost: 63))
    }

    @Test("bypass mode: newest sample, DATA_READY and overrun")
    func bypass() throws {
        let r = try Self.rig()
        try start(r, fifo: ADXL.bypass)
        #expect(try r.device.readByte(register: ADXL.intSource) & 0x80 == 0)
        r.advance(ms: 0.3125)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x82)
        r.advance(ms: 10)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x83)
        _ = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(try r.device.readByte(register: ADXL.intSource) == 0x02)
        #expect(try r.device.readByte(register: ADXL.fifoStatus) == 0)
        #expect(model(r).counters == .init(generated: 33, popped: 1, lost: 32))
    }

    @Test(
        "scaling, justification and clipping",
        arguments: [
            // (DATA_FORMAT, x acceleration in g, expected X register value)
            (UInt8(0x0B), 1.0, 256), (0x0B, 15.0, 3840), (0x0B, 20.0, 4095), (0x0B, -20.0, -4096),
            (0x08, 1.5, 384), (0x08, 3.0, 511), (0x08, -3.0, -512), (0x09, 3.0, 768), (0x0A, -9.0, -2048),
            (0x00, 1.0, 256), (0x01, 1.0, 128), (0x02, 1.0, 64), (0x03, 1.0, 32), (0x03, 20.0, 511),
            (0x03, -20.0, -512), (0x0F, 1.0, 2048), (0x04, 1.0, 16384), (0x0B, 0.0039, 1),
        ])
    func scaling(format: UInt8, g: Double, expected: Int) throws {
        let pulse = ScheduledPulse(
            at: .zero, peakG: abs(g), duration: .seconds(10), direction: Vector3(g < 0 ? -1 : 1, 0, 0),
            shape: .square)
        let r = try Self.rig(scenario: .quiet(pulses: [pulse]))
        try start(r, fifo: ADXL.bypass, rate: 0x0A, format: format)
        r.advance(ms: 10)
        let d = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(le16(d, 0) == expected)
    }

    @Test(
        "ADXL375: ±200 g at 49 mg/LSB whatever DATA_FORMAT says",
        arguments: [(10.0, 204), (150.0, 3061), (250.0, 4095), (-250.0, -4096)])
    func adxl375(g: Double, expected: Int) throws {
        let pulse = ScheduledPulse(
            at: .zero, peakG: abs(g), duration: .seconds(10), direction: Vector3(g < 0 ? -1 : 1, 0, 0),
            shape: .square)
        let r = try Self.rig(.adxl375, scenario: .quiet(gravity: Vector3(0, 1, 0), pulses: [pulse]))
        try start(r, fifo: ADXL.bypass, rate: 0x0A, format: 0x00)
        #expect(try r.device.readByte(register: ADXL.dataFormat) == 0x0B)
        r.advance(ms: 10)
        let d = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        #expect(le16(d, 0) == expected)
        #expect(le16(d, 2) == 20)  // 1 g / 0.049 = 20.4
    }

    @Test("offset registers add 15.6 mg/LSB")
    func offsets() throws {
        let r = try Self.rig()
        try r.device.writeBlock(register: ADXL.ofsX, bytes: [0x10, 0xF0, 0x00])  // +16, −16
        try start(r, fifo: ADXL.bypass, rate: 0x0A)
        r.advance(ms: 10)
        let d = try r.device.readBlock(register: ADXL.dataX0, count: 6)
        // 16 × 15.6 mg = 0.2496 g → 63.9 → 64 counts
        #expect([le16(d, 0), le16(d, 2), le16(d, 4)] == [64, -64, 256])
    }

    @Test("an injected impact shows in the samples at its time")
    func injectedImpact() throws {
        let clock = ManualSimulationClock()
        let station = SimulatedStation(clock: clock, scenario: .quiet())
        let dev = try station.bus.device(at: 0x53)
        try dev.writeByte(register: ADXL.bwRate, value: 0x0F)
        try dev.writeByte(register: ADXL.dataFormat, value: 0x0B)
        try dev.writeByte(register: ADXL.fifoCtl, value: ADXL.stream)
        try dev.writeByte(register: ADXL.powerCtl, value: ADXL.measure)
        clock.advance(by: .milliseconds(1))
        _ = station.injectImpact(peakG: 7, duration: .milliseconds(8), direction: Vector3(1, 0, 0))
        clock.advance(by: .milliseconds(9))
        var peak = 0
        while try dev.readByte(register: ADXL.fifoStatus) > 0 {
            peak = max(peak, le16(try dev.readBlock(register: ADXL.dataX0, count: 6), 0))
        }
        // Half-sine 7 g, 8 ms from 1 ms, sampled every 312.5 µs: the sample at 5 ms is its peak.
        #expect((1780...1792).contains(peak))
    }

    @Test("samples are a function of time, not of the read pattern")
    func deterministic() throws {
        let scenario = Scenario.demo(seed: 7)
        func run(chunks: Int) throws -> [[UInt8]] {
            let r = try Self.rig(scenario: scenario)
            try start(r)
            var out: [[UInt8]] = []
            for _ in 0..<chunks {
                r.advance(ms: 40.0 / Double(chunks))
                while try r.device.readByte(register: ADXL.fifoStatus) > 0 {
                    out.append(try r.device.readBlock(register: ADXL.dataX0, count: 6))
                }
            }
            return out
        }
        let a = try run(chunks: 4)
        #expect(a.count == 128)
        #expect(a == (try run(chunks: 16)))
    }
}
