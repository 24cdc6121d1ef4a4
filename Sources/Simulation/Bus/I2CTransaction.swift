import HAL

/// One transfer seen by a `SimulatedI2CBus`, for tests that assert what a driver did.
public struct I2CTransaction: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case receiveByte, readByte, writeByte, readWord, readBlock, writeBlock
    }

    public var kind: Kind
    public var address: I2CAddress
    public var register: UInt8?
    /// Bytes read (on success) or written.
    public var bytes: [UInt8]
    /// The error the transfer failed with, if it did.
    public var error: I2CErrorKind?
    /// The bus clock's time, when the bus has a clock.
    public var timestamp: Duration?

    public init(
        kind: Kind, address: I2CAddress, register: UInt8?, bytes: [UInt8], error: I2CErrorKind? = nil,
        timestamp: Duration? = nil
    ) {
        self.kind = kind
        self.address = address
        self.register = register
        self.bytes = bytes
        self.error = error
        self.timestamp = timestamp
    }

    public var description: String {
        var s = "\(kind.rawValue) \(hex(address))"
        if let register { s += " reg \(hex(register))" }
        s += " [" + bytes.map { hex($0) }.joined(separator: " ") + "]"
        if let error { s += " error \(error)" }
        return s
    }
}
