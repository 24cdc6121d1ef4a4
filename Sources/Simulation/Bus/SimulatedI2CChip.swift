/// A register-level model of one I2C chip, attached to a `SimulatedI2CBus`.
///
/// The bus serialises transfers (one at a time, like a real bus) and calls these methods; a chip
/// still guards its own state (models are read by tests and the demo while the bus is in use).
/// A multi-byte transfer is one call (`readBlock`/`writeBlock`) so the chip can apply its own
/// address-increment rule and side effects (FIFO pops, data shadowing) atomically with respect to
/// its clock.
public protocol SimulatedI2CChip: AnyObject, Sendable {
    /// A short name for logs and messages, e.g. "BME280".
    var modelName: String { get }
    /// SMBus "read byte data".
    func read(register: UInt8) -> UInt8
    /// SMBus "write byte data". Writes to read-only registers are ignored, as on the chip.
    func write(register: UInt8, value: UInt8)
    /// `count` bytes from `register` with the chip's auto-increment rule, in one transaction.
    func readBlock(register: UInt8, count: Int) -> [UInt8]
    /// `bytes` written from `register` with the chip's auto-increment rule, in one transaction.
    func writeBlock(register: UInt8, bytes: [UInt8])
    /// SMBus "receive byte" (no register phase): the byte at the chip's current address pointer.
    func receiveByte() -> UInt8
    /// The register the chip moves to after `register` in a multi-byte transfer.
    func nextRegister(after register: UInt8) -> UInt8
    /// The chip lost power and came back: every register to its reset value.
    func powerOnReset()
}

extension SimulatedI2CChip {
    public func nextRegister(after register: UInt8) -> UInt8 { register &+ 1 }

    /// Default: successive byte reads. Chips with side effects on read override this to hold
    /// their lock for the whole transaction.
    public func readBlock(register: UInt8, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var reg = register
        for _ in 0..<count {
            out.append(read(register: reg))
            reg = nextRegister(after: reg)
        }
        return out
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) {
        var reg = register
        for b in bytes {
            write(register: reg, value: b)
            reg = nextRegister(after: reg)
        }
    }

    public func receiveByte() -> UInt8 { read(register: 0x00) }

    public func powerOnReset() {}
}

/// A chip whose model handles whole transactions (`readBlock`/`writeBlock` hold its lock and
/// apply its address rule): a single byte is a transaction of one.
public protocol SimulatedTransactionalChip: SimulatedI2CChip {}

extension SimulatedTransactionalChip {
    public func read(register: UInt8) -> UInt8 { readBlock(register: register, count: 1)[0] }

    public func write(register: UInt8, value: UInt8) { writeBlock(register: register, bytes: [value]) }
}
