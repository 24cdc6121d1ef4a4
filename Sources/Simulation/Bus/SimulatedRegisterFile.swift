import Synchronization

/// A plain 256-byte register map with auto-increment: a stand-in for a chip that has no model
/// yet (it answers a probe with its ID register) and a building block for tests.
public final class SimulatedRegisterFile: SimulatedI2CChip {
    public let modelName: String
    private let initial: [UInt8]
    private let registers: Mutex<[UInt8]>
    /// Registers that ignore writes.
    private let readOnly: Set<UInt8>

    /// - Parameters:
    ///   - values: initial register contents by address; others are 0x00.
    ///   - readOnly: addresses whose writes are ignored.
    public init(name: String = "register file", values: [UInt8: UInt8] = [:], readOnly: Set<UInt8> = []) {
        var regs = [UInt8](repeating: 0, count: 256)
        for (a, v) in values { regs[Int(a)] = v }
        self.modelName = name
        self.initial = regs
        self.registers = Mutex(regs)
        self.readOnly = readOnly
    }

    public func read(register: UInt8) -> UInt8 {
        registers.withLock { $0[Int(register)] }
    }

    public func write(register: UInt8, value: UInt8) {
        guard !readOnly.contains(register) else { return }
        registers.withLock { $0[Int(register)] = value }
    }

    public func powerOnReset() {
        let initial = self.initial
        registers.withLock { $0 = initial }
    }
}
