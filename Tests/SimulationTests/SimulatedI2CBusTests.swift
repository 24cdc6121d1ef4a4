import HAL
import Simulation
import Testing

@Suite("Simulated I2C bus")
struct SimulatedI2CBusTests {
    func busWithRegisterFile(logCapacity: Int = 0) -> (SimulatedI2CBus, SimulatedRegisterFile) {
        let bus = SimulatedI2CBus(path: "sim:i2c-7", logCapacity: logCapacity)
        let chip = SimulatedRegisterFile(
            name: "test chip", values: [0x0F: 0x33, 0x10: 0xAA, 0x11: 0x55], readOnly: [0x0F])
        bus.attach(chip, at: 0x19)
        return (bus, chip)
    }

    @Test("an absent address answers ENXIO with bus, address and register")
    func absentAddress() throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x42)  // opening does not touch the wire
        #expect(
            throws: I2CError(
                kind: .noDevice, busPath: "sim:i2c-7", address: 0x42, register: 0xD0, errno: 6,
                operation: "byte read"
            )
        ) {
            try dev.readByte(register: 0xD0)
        }
        let error = #expect(throws: I2CError.self) { try dev.receiveByte() }
        #expect(error?.kind == .noDevice)
        #expect(error?.errno == 6)
        #expect(error?.register == nil)
    }

    @Test("block lengths outside 1...32 are invalid arguments", arguments: [0, 33, 100])
    func blockLength(count: Int) throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x19)
        let read = #expect(throws: I2CError.self) { try dev.readBlock(register: 0x10, count: count) }
        #expect(read?.kind == .invalidArgument)
        #expect(read?.errno == 22)
        #expect(read?.register == 0x10)
        let write = #expect(throws: I2CError.self) {
            try dev.writeBlock(register: 0x10, bytes: [UInt8](repeating: 0, count: count))
        }
        #expect(write?.kind == .invalidArgument)
    }

    @Test("addresses above 7 bits are rejected")
    func badAddress() {
        let (bus, _) = busWithRegisterFile()
        #expect(throws: I2CError.self) { try bus.device(at: 0x80) }
    }

    @Test("byte, word and block transfers use auto-increment; the first byte of a word is the low byte")
    func transfers() throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x19)
        #expect(try dev.readByte(register: 0x0F) == 0x33)
        #expect(try dev.readWord(register: 0x10) == 0x55AA)
        try dev.writeBlock(register: 0x20, bytes: [1, 2, 3])
        #expect(try dev.readBlock(register: 0x1F, count: 5) == [0, 1, 2, 3, 0])
        try dev.writeByte(register: 0x0F, value: 0)  // read-only
        #expect(try dev.readByte(register: 0x0F) == 0x33)
        #expect(try dev.readBlocks(register: 0x00, count: 70).count == 70)
    }

    @Test(
        "injected faults fail the next transfers with the kernel's errno",
        arguments: [
            (I2CErrorKind.noAcknowledge, Int32?(121)), (.timeout, 110), (.arbitrationLost, 11), (.other, 5),
            (.busy, 16),
        ])
    func faults(kind: I2CErrorKind, errno: Int32?) throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x19)
        bus.injectFault(kind, at: 0x19, count: 2)
        for _ in 0..<2 {
            #expect(
                throws: I2CError(
                    kind: kind, busPath: "sim:i2c-7", address: 0x19, register: 0x10, errno: errno,
                    operation: "block read of 6 bytes"
                )
            ) {
                try dev.readBlock(register: 0x10, count: 6)
            }
        }
        #expect(try dev.readByte(register: 0x10) == 0xAA)
        #expect(bus.counters.transfers == 3)
        #expect(bus.counters.failures == 2)
    }

    @Test("a fault can target one register")
    func registerFault() throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x19)
        bus.injectFault(.noAcknowledge, at: 0x19, register: 0x11)
        #expect(try dev.readByte(register: 0x10) == 0xAA)
        #expect(bus.pendingFaultCount == 1)
        #expect(throws: I2CError.self) { try dev.readByte(register: 0x11) }
        #expect(try dev.readByte(register: 0x11) == 0x55)
    }

    @Test("a chip that disappears answers ENXIO and comes back, reset if power-cycled")
    func presence() throws {
        let (bus, _) = busWithRegisterFile()
        let dev = try bus.device(at: 0x19)
        try dev.writeByte(register: 0x10, value: 0x01)
        bus.setPresent(false, at: 0x19)
        #expect(bus.presentAddresses == [])
        let e = #expect(throws: I2CError.self) { try dev.readByte(register: 0x10) }
        #expect(e?.kind == .noDevice)
        bus.setPresent(true, at: 0x19)
        #expect(try dev.readByte(register: 0x10) == 0x01)  // loose wire: state kept
        bus.setPresent(false, at: 0x19)
        bus.setPresent(true, at: 0x19, powerCycled: true)
        #expect(try dev.readByte(register: 0x10) == 0xAA)  // power loss: reset values
        bus.detach(at: 0x19)
        #expect(throws: I2CError.self) { try dev.readByte(register: 0x10) }
    }

    @Test("the transaction log keeps the newest transfers")
    func log() throws {
        let clock = ManualSimulationClock()
        let bus = SimulatedI2CBus(path: "sim:i2c-1", clock: clock, logCapacity: 3)
        bus.attach(SimulatedRegisterFile(values: [0x00: 0x42]), at: 0x50)
        let dev = try bus.device(at: 0x50)
        _ = try dev.readByte(register: 0x00)
        clock.advance(by: .milliseconds(1))
        try dev.writeByte(register: 0x01, value: 7)
        _ = try dev.readBlock(register: 0x00, count: 2)
        _ = try? (try bus.device(at: 0x51)).readByte(register: 0x05)
        #expect(
            bus.transactions == [
                I2CTransaction(
                    kind: .writeByte, address: 0x50, register: 0x01, bytes: [7], timestamp: .milliseconds(1)),
                I2CTransaction(
                    kind: .readBlock, address: 0x50, register: 0x00, bytes: [0x42, 7],
                    timestamp: .milliseconds(1)),
                I2CTransaction(
                    kind: .readByte, address: 0x51, register: 0x05, bytes: [], error: .noDevice,
                    timestamp: .milliseconds(1)),
            ])
        bus.clearTransactions()
        #expect(bus.transactions.isEmpty)
    }
}
