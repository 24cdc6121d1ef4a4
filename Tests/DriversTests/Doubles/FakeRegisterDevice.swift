import HAL

/// A fake I2C chip: a 256-byte register map with register auto-increment on block transfers
/// (wrapping after 0xFF). Records every write in order. Can make the device absent (every transfer
/// fails with ENXIO, as the kernel reports a missing device) or inject one error at a register.
/// It has no chip behaviour: status bits, FIFOs and reset are whatever the test puts in `registers`.
final class FakeRegisterDevice: I2CDevice {
    struct Write: Equatable, CustomStringConvertible {
        var register: UInt8
        var value: UInt8
        var description: String { "\(hex(register))←\(hex(value))" }
    }

    let busPath: String
    let address: I2CAddress
    var registers = [UInt8](repeating: 0, count: 256)
    /// Every byte written, in order (block writes as consecutive bytes).
    private(set) var writes: [Write] = []
    /// Registers addressed by reads, in order (a block read records its first register).
    private(set) var readRegisters: [UInt8] = []
    /// False: nothing answers (every transfer throws `.noDevice`, with no register, like ENXIO).
    var present = true
    /// Every transfer (also receive byte) throws this kind, e.g. `.busy` for an address a kernel
    /// driver owns.
    var failAll: I2CErrorKind?
    /// Transfers touching `register` throw `kind`; `remaining` times (then the injection is spent).
    var injected: (register: UInt8, kind: I2CErrorKind, remaining: Int)?
    /// Called after each byte written, so a test can emulate a side effect.
    var onWrite: ((UInt8, UInt8) -> Void)?

    init(busPath: String = "/dev/i2c-1", address: I2CAddress) {
        self.busPath = busPath
        self.address = address
    }

    /// Fails the next `times` transfers that touch `register` with `kind`.
    func inject(_ kind: I2CErrorKind, at register: UInt8, times: Int = 1) {
        injected = (register, kind, times)
    }

    subscript(_ register: UInt8) -> UInt8 {
        get { registers[Int(register)] }
        set { registers[Int(register)] = newValue }
    }

    func load(_ bytes: [UInt8], at register: UInt8) {
        for (i, b) in bytes.enumerated() { registers[(Int(register) + i) & 0xFF] = b }
    }

    private func check(_ register: UInt8?, count: Int, operation: String) throws(I2CError) {
        guard present else {
            throw I2CError(
                kind: .noDevice, busPath: busPath, address: address, errno: 6, operation: operation)
        }
        if let failAll {
            throw I2CError(
                kind: failAll, busPath: busPath, address: address, register: register, operation: operation)
        }
        guard let register, let inj = injected, inj.remaining > 0 else { return }
        let touched = (0..<max(count, 1)).map { UInt8(truncatingIfNeeded: Int(register) + $0) }
        if touched.contains(inj.register) {
            injected?.remaining -= 1
            throw I2CError(
                kind: inj.kind, busPath: busPath, address: address, register: register, operation: operation)
        }
    }

    func receiveByte() throws(I2CError) -> UInt8 {
        try check(nil, count: 0, operation: "receive byte")
        return 0
    }

    func readByte(register: UInt8) throws(I2CError) -> UInt8 {
        try check(register, count: 1, operation: "read byte")
        readRegisters.append(register)
        return self[register]
    }

    func writeByte(register: UInt8, value: UInt8) throws(I2CError) {
        try check(register, count: 1, operation: "write byte")
        self[register] = value
        writes.append(Write(register: register, value: value))
        onWrite?(register, value)
    }

    func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        try check(register, count: 2, operation: "read word")
        readRegisters.append(register)
        return UInt16(self[register]) | UInt16(self[register &+ 1]) << 8
    }

    func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        guard (1...I2CLimits.maxBlockLength).contains(count) else {
            throw I2CError(
                kind: .invalidArgument, busPath: busPath, address: address, register: register,
                operation: "block read of \(count) bytes")
        }
        try check(register, count: count, operation: "block read of \(count) bytes")
        readRegisters.append(register)
        return (0..<count).map { registers[(Int(register) + $0) & 0xFF] }
    }

    func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) {
        guard (1...I2CLimits.maxBlockLength).contains(bytes.count) else {
            throw I2CError(
                kind: .invalidArgument, busPath: busPath, address: address, register: register,
                operation: "block write")
        }
        try check(register, count: bytes.count, operation: "block write of \(bytes.count) bytes")
        for (i, b) in bytes.enumerated() {
            let r = UInt8(truncatingIfNeeded: Int(register) + i)
            self[r] = b
            writes.append(Write(register: r, value: b))
            onWrite?(r, b)
        }
    }
}
