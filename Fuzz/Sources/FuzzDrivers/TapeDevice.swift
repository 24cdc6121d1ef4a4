import HAL

/// An I2C device whose every read answers with the next bytes of the fuzz input (a "tape"): chip
/// IDs, status bits, FIFO levels, calibration blocks and data frames are all whatever the input
/// says, as on a floating, noisy or counterfeit-populated bus. When the tape runs out every
/// transfer fails with `kind` (a device that vanished mid-run), so each truncation of an input is
/// also an error at that point. Writes are accepted and ignored (a register map is not modelled:
/// the driver must cope with any answer whatever it wrote).
final class TapeDevice: I2CDevice {
    let busPath = "/dev/i2c-fuzz"
    let address: I2CAddress
    private let tape: [UInt8]
    private var position = 0
    private let kind: I2CErrorKind
    /// Transfers so far; a bound so a driver that loops on a status bit is a finding (a hang), not
    /// a slow input.
    private(set) var transfers = 0

    init(tape: [UInt8], address: I2CAddress, exhausted kind: I2CErrorKind) {
        self.tape = tape
        self.address = address
        self.kind = kind
    }

    private func take(_ n: Int, register: UInt8?, operation: String) throws(I2CError) -> [UInt8] {
        transfers += 1
        if transfers > 100_000 {
            fatalError("driver made over 100000 transfers on one input: a polling loop without a bound")
        }
        guard position + n <= tape.count else {
            position = tape.count
            throw I2CError(
                kind: kind, busPath: busPath, address: address, register: register, operation: operation)
        }
        defer { position += n }
        return Array(tape[position..<(position + n)])
    }

    func receiveByte() throws(I2CError) -> UInt8 { try take(1, register: nil, operation: "receive byte")[0] }

    func readByte(register: UInt8) throws(I2CError) -> UInt8 {
        try take(1, register: register, operation: "byte read")[0]
    }

    func writeByte(register: UInt8, value: UInt8) throws(I2CError) {
        transfers += 1
    }

    func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        let b = try take(2, register: register, operation: "word read")
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        guard (1...I2CLimits.maxBlockLength).contains(count) else {
            // The real adapter refuses this too (I2C_SMBUS_BLOCK_MAX); a driver asking for it is a bug.
            fatalError("block read of \(count) bytes at \(hex(register)): over the SMBus limit of 32")
        }
        return try take(count, register: register, operation: "block read of \(count) bytes")
    }

    func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) {
        guard (1...I2CLimits.maxBlockLength).contains(bytes.count) else {
            fatalError("block write of \(bytes.count) bytes at \(hex(register)): over the SMBus limit of 32")
        }
        transfers += 1
    }
}
