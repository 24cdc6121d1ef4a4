import HAL

/// A handle on one address of a `SimulatedI2CBus`. Like a real handle it is cheap and does not
/// touch the bus until the first transfer.
public final class SimulatedI2CDevice: I2CDevice {
    public let bus: SimulatedI2CBus
    public let address: I2CAddress
    public var busPath: String { bus.path }

    init(bus: SimulatedI2CBus, address: I2CAddress) {
        self.bus = bus
        self.address = address
    }

    public func receiveByte() throws(I2CError) -> UInt8 {
        try bus.transfer(.receiveByte, address: address, register: nil, operation: "receive byte") { chip in
            let b = chip.receiveByte()
            return (b, [b])
        }
    }

    public func readByte(register: UInt8) throws(I2CError) -> UInt8 {
        try bus.transfer(.readByte, address: address, register: register, operation: "byte read") { chip in
            let b = chip.read(register: register)
            return (b, [b])
        }
    }

    public func writeByte(register: UInt8, value: UInt8) throws(I2CError) {
        try bus.transfer(
            .writeByte, address: address, register: register, written: [value], operation: "byte write"
        ) {
            chip in
            chip.write(register: register, value: value)
            return ((), [])
        }
    }

    /// SMBus read word: two bytes from `register` with the chip's auto-increment; the first byte
    /// on the wire is the low byte.
    public func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        try bus.transfer(.readWord, address: address, register: register, operation: "word read") { chip in
            let b = chip.readBlock(register: register, count: 2)
            return (UInt16(b[0]) | UInt16(b[1]) << 8, b)
        }
    }

    public func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        let operation = "block read of \(count) bytes"
        guard (1...I2CLimits.maxBlockLength).contains(count) else {
            throw bus.invalidArgument(address: address, register: register, operation: operation)
        }
        return try bus.transfer(.readBlock, address: address, register: register, operation: operation) {
            chip in
            let b = chip.readBlock(register: register, count: count)
            return (b, b)
        }
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) {
        let operation = "block write of \(bytes.count) bytes"
        guard (1...I2CLimits.maxBlockLength).contains(bytes.count) else {
            throw bus.invalidArgument(address: address, register: register, operation: operation)
        }
        try bus.transfer(
            .writeBlock, address: address, register: register, written: bytes, operation: operation
        ) {
            chip in
            chip.writeBlock(register: register, bytes: bytes)
            return ((), [])
        }
    }
}
