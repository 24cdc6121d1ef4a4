/// The I2C contract shared by the Linux adapter (`/dev/i2c-N`), the simulated bus and test doubles.
///
/// Operations are the SMBus subset that works on every adapter a station meets, including the
/// kernel's `i2c-stub` test chip (which has no plain `I2C_RDWR`): byte, word and I2C-block
/// (register auto-increment, at most 32 bytes) reads and writes. One batched read
/// (`readRecords`) uses plain I2C transfers where the adapter takes them, and block reads where not.
///
/// Errors are values (`I2CError`), never crashes; policy (retry, fault LED, re-probe) belongs to
/// the service.

/// A 7-bit I2C address, 0x03...0x77 for ordinary devices.
public typealias I2CAddress = UInt8

/// One I2C bus (`/dev/i2c-1`, or a simulated one).
public protocol I2CBus: AnyObject, Sendable {
    /// What names this bus in messages: the device path, e.g. `/dev/i2c-1`.
    var path: String { get }
    /// A handle for the device at `address`. Opening does not touch the wire; the first transfer
    /// tells whether anything answers.
    func device(at address: I2CAddress) throws(I2CError) -> any I2CDevice
}

/// One device on a bus. Not thread-safe: a handle belongs to one task at a time.
public protocol I2CDevice: AnyObject {
    var busPath: String { get }
    var address: I2CAddress { get }

    /// SMBus "receive byte" (no register): the cheapest way to ask whether anything answers.
    func receiveByte() throws(I2CError) -> UInt8
    /// SMBus "read byte data" from `register`.
    func readByte(register: UInt8) throws(I2CError) -> UInt8
    /// SMBus "write byte data".
    func writeByte(register: UInt8, value: UInt8) throws(I2CError)
    /// SMBus "read word data": two bytes, the first one on the wire in the low byte (SMBus order).
    func readWord(register: UInt8) throws(I2CError) -> UInt16
    /// I2C block read: `count` (1...32) bytes starting at `register`, using the chip's register
    /// auto-increment, in one transfer.
    func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8]
    /// I2C block write: `bytes` (1...32) starting at `register`, in one transfer.
    func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError)
    /// `count` records of `length` (1...32) bytes, each its own block read at `register`, into
    /// `buffer` (replaced by count × length bytes, record after record; its capacity is reused).
    /// For a FIFO that pops one entry per read of its data registers (ADXL345). An adapter that
    /// takes plain I2C transfers gets many records per system call (Linux: `I2C_RDWR`); the
    /// default is one `readBlock` per record.
    func readRecords(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8]) throws(I2CError)
    /// `count` records of `length` bytes from a chip whose register pointer rolls back to
    /// `register` after each record, so one read may hold many (the LIS3DH's FIFO with
    /// auto-increment, AN3308 §9.6), into `buffer` as `readRecords` does. An adapter that takes
    /// plain I2C reads all in one transfer (Linux: `I2C_RDWR` of a write and one read, a shape the
    /// Raspberry Pi's adapter takes too); the default is block reads of as many whole records as
    /// fit in 32 bytes.
    func readRolling(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8]) throws(I2CError)
}

extension I2CDevice {
    public func readRolling(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8])
        throws(I2CError)
    {
        try readRollingInBlocks(register: register, length: length, count: count, into: &buffer)
    }

    /// `readRolling` by block reads of as many whole records as fit in 32 bytes.
    public func readRollingInBlocks(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8])
        throws(I2CError)
    {
        buffer.removeAll(keepingCapacity: true)
        let perBlock = max(1, I2CLimits.maxBlockLength / max(length, 1))
        var left = max(count, 0)
        while left > 0 {
            let n = min(perBlock, left)
            buffer += try readBlock(register: register, count: n * length)
            left -= n
        }
    }

    public func readRecords(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8])
        throws(I2CError)
    {
        buffer.removeAll(keepingCapacity: true)
        for _ in 0..<max(count, 0) {
            buffer += try readBlock(register: register, count: length)
        }
    }

    /// Reads `count` bytes from `register` in as few block transfers of at most 32 bytes as
    /// possible, advancing the register address between them.
    public func readBlocks(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var reg = Int(register)
        while out.count < count {
            let n = min(I2CLimits.maxBlockLength, count - out.count)
            out += try readBlock(register: UInt8(truncatingIfNeeded: reg), count: n)
            reg += n
        }
        return out
    }
}

public enum I2CLimits {
    /// SMBus/I2C block transfers carry at most 32 data bytes (`I2C_SMBUS_BLOCK_MAX`).
    public static let maxBlockLength = 32
    /// The addresses a scan visits, as `i2cdetect` does by default.
    public static let scanRange: ClosedRange<I2CAddress> = 0x03...0x77
}

/// What went wrong on the wire, from the kernel's I2C fault codes
/// (Documentation/i2c/fault-codes.rst).
public enum I2CErrorKind: Equatable, Sendable {
    /// ENXIO: no device acknowledged the address.
    case noDevice
    /// EREMOTEIO: the device did not acknowledge a data byte (some adapters report an address
    /// NAK this way too).
    case noAcknowledge
    /// ETIMEDOUT: the bus is stuck or the transfer timed out.
    case timeout
    /// EAGAIN: arbitration lost to another master.
    case arbitrationLost
    /// EBUSY on address selection: a kernel driver owns this address.
    case busy
    /// The bus device node does not exist (ENOENT/ENODEV on open).
    case busNotFound
    /// EACCES/EPERM on open: the user is not allowed to open the bus (group `i2c`).
    case permissionDenied
    /// The adapter lacks the needed transfer type (EOPNOTSUPP, or missing functionality bits).
    case unsupported
    /// The caller asked for something invalid (e.g. a block longer than 32 bytes).
    case invalidArgument
    /// The device answered, but with fewer bytes than asked.
    case shortTransfer
    /// Any other errno (EIO and friends).
    case other
}

/// A bus error with its context: which bus, which address, which register, which errno.
public struct I2CError: Error, Equatable, Sendable, CustomStringConvertible {
    public var kind: I2CErrorKind
    public var busPath: String
    public var address: I2CAddress?
    public var register: UInt8?
    /// The errno the kernel returned, when there was one.
    public var errno: Int32?
    /// A short phrase naming the operation, e.g. "block read of 6 bytes".
    public var operation: String

    public init(
        kind: I2CErrorKind, busPath: String, address: I2CAddress? = nil, register: UInt8? = nil,
        errno: Int32? = nil, operation: String
    ) {
        self.kind = kind
        self.busPath = busPath
        self.address = address
        self.register = register
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        var s = "\(busPath)"
        if let address { s += " address \(hex(address))" }
        if let register { s += " register \(hex(register))" }
        s += ": \(operation) failed: \(explanation)"
        if let errno { s += " (errno \(errno))" }
        return s
    }

    /// A sentence a person can act on.
    public var explanation: String {
        switch kind {
        case .noDevice: "nothing answers at this address (check wiring, power and the address jumper)"
        case .noAcknowledge: "the device did not acknowledge (NAK)"
        case .timeout: "the bus timed out (a stuck bus or clock stretching; check pull-ups and wiring)"
        case .arbitrationLost: "arbitration lost (another master or noise on the bus)"
        case .busy: "the address is in use by a kernel driver (unbind it or remove the overlay)"
        case .busNotFound: "the bus does not exist (enable I2C: dtparam=i2c_arm=on, and load i2c-dev)"
        case .permissionDenied: "permission denied (add the user to group i2c)"
        case .unsupported: "the adapter does not support this transfer"
        case .invalidArgument: "invalid request"
        case .shortTransfer: "the device returned fewer bytes than asked"
        case .other: "I/O error"
        }
    }
}

/// `0x76` style formatting used in every message and JSON field.
public func hex(_ value: UInt8) -> String {
    let digits = String(value, radix: 16)
    return "0x" + (digits.count < 2 ? "0" + digits : digits)
}
