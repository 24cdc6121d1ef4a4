import CI2C
import HAL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// MARK: - Syscall seam

/// The raw Linux I2C calls the adapter makes, one method per syscall/libi2c call, each returning
/// what the kernel returned: a non-negative result, or `-errno`. Tests inject a fake to drive every
/// error path without hardware; production uses `LibI2CSyscalls`.
public protocol I2CSyscalls: Sendable {
    /// `open(path, O_RDWR | O_CLOEXEC)`: the fd, or -errno.
    func open(_ path: String) -> Int32
    /// `close(fd)`.
    func close(_ fd: Int32)
    /// `ioctl(fd, I2C_SLAVE, address)`: 0, or -errno.
    func setAddress(_ fd: Int32, address: I2CAddress) -> Int32
    /// `ioctl(fd, I2C_FUNCS, &funcs)`: 0 and `funcs` set, or -errno.
    func functionality(_ fd: Int32, _ funcs: inout UInt) -> Int32
    /// `i2c_smbus_read_byte`: the byte (0...255), or -errno.
    func receiveByte(_ fd: Int32) -> Int32
    /// `i2c_smbus_read_byte_data`: the byte, or -errno.
    func readByteData(_ fd: Int32, register: UInt8) -> Int32
    /// `i2c_smbus_write_byte_data`: 0, or -errno.
    func writeByteData(_ fd: Int32, register: UInt8, value: UInt8) -> Int32
    /// `i2c_smbus_read_word_data`: the word (SMBus order: first byte low), or -errno.
    func readWordData(_ fd: Int32, register: UInt8) -> Int32
    /// `i2c_smbus_read_i2c_block_data` of `buffer.count` bytes into `buffer`: the number of bytes
    /// read, or -errno.
    func readI2CBlockData(_ fd: Int32, register: UInt8, into buffer: inout [UInt8]) -> Int32
    /// `i2c_smbus_write_i2c_block_data`: 0, or -errno.
    func writeI2CBlockData(_ fd: Int32, register: UInt8, bytes: [UInt8]) -> Int32
    /// One `ioctl(fd, I2C_RDWR)` of `count` (1...21) records, each a write of `register` and a
    /// read of `length` bytes, into `buffer` from `offset` on: the number of messages transferred
    /// (2 × count), or -errno.
    func readRecords(
        _ fd: Int32, address: I2CAddress, register: UInt8, length: Int, count: Int,
        into buffer: inout [UInt8], at offset: Int
    ) -> Int32
}

/// The real calls: libi2c (4.x returns -errno from every `i2c_smbus_*`, see `ci2c.h`) and the
/// CI2C shim for open and the ioctls.
public struct LibI2CSyscalls: I2CSyscalls {
    public init() {}

    public func open(_ path: String) -> Int32 { ci2c_open(path) }
    public func close(_ fd: Int32) { _ = ci2c_close(fd) }
    public func setAddress(_ fd: Int32, address: I2CAddress) -> Int32 {
        ci2c_set_address(fd, Int32(address), 0)
    }
    public func functionality(_ fd: Int32, _ funcs: inout UInt) -> Int32 {
        ci2c_functionality(fd, &funcs)
    }
    public func receiveByte(_ fd: Int32) -> Int32 { i2c_smbus_read_byte(fd) }
    public func readByteData(_ fd: Int32, register: UInt8) -> Int32 {
        i2c_smbus_read_byte_data(fd, register)
    }
    public func writeByteData(_ fd: Int32, register: UInt8, value: UInt8) -> Int32 {
        i2c_smbus_write_byte_data(fd, register, value)
    }
    public func readWordData(_ fd: Int32, register: UInt8) -> Int32 {
        i2c_smbus_read_word_data(fd, register)
    }
    public func readI2CBlockData(_ fd: Int32, register: UInt8, into buffer: inout [UInt8]) -> Int32 {
        let count = UInt8(clamping: buffer.count)
        return buffer.withUnsafeMutableBufferPointer { p in
            i2c_smbus_read_i2c_block_data(fd, register, count, p.baseAddress)
        }
    }
    public func writeI2CBlockData(_ fd: Int32, register: UInt8, bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { p in
            i2c_smbus_write_i2c_block_data(fd, register, UInt8(clamping: p.count), p.baseAddress)
        }
    }
    public func readRecords(
        _ fd: Int32, address: I2CAddress, register: UInt8, length: Int, count: Int,
        into buffer: inout [UInt8], at offset: Int
    ) -> Int32 {
        guard offset >= 0, count > 0, length > 0, offset + count * length <= buffer.count else {
            return -EINVAL
        }
        return buffer.withUnsafeMutableBufferPointer { p in
            ci2c_read_records(
                fd, UInt16(address), register, UInt16(clamping: length), Int32(count), p.baseAddress! + offset
            )
        }
    }
}

// MARK: - errno mapping

/// Where in the life of a device handle an errno came from; the same errno means different
/// things in different places (EBUSY on `I2C_SLAVE` is a bound kernel driver, ENOENT on `open`
/// is a missing bus).
public enum I2CPhase: Sendable {
    case open
    case setAddress
    case transfer
}

extension I2CErrorKind {
    /// Maps a positive errno to a kind, following Documentation/i2c/fault-codes.rst.
    public init(errno e: Int32, phase: I2CPhase) {
        switch e {
        case ENXIO: self = .noDevice  // no ACK for the address byte
        case EREMOTEIO: self = .noAcknowledge  // NAK on a data byte (some adapters: address too)
        case ETIMEDOUT: self = .timeout  // bus held low / transfer timed out
        case EAGAIN: self = .arbitrationLost  // lost arbitration to another master
        case EACCES, EPERM: self = .permissionDenied
        case EOPNOTSUPP: self = .unsupported  // adapter cannot do this transfer type
        case EBUSY where phase == .setAddress: self = .busy  // a kernel driver owns the address
        case ENOENT where phase == .open, ENODEV where phase == .open: self = .busNotFound
        // ENODEV from a transfer: the address is not there. The kernel's i2c-stub (and some SMBus
        // controller drivers) say it this way instead of ENXIO.
        case ENODEV: self = .noDevice
        default: self = .other
        }
    }
}

// MARK: - Bus

/// A Linux I2C bus, `/dev/i2c-N` via i2c-dev. Each `device(at:)` opens its own fd (the kernel
/// keeps the selected address per fd), so devices never disturb each other's `I2C_SLAVE`.
/// The adapter's functionality (`I2C_FUNCS`) is asked once per bus, on the first device.
public final class LinuxI2CBus: I2CBus {
    public let path: String
    private let syscalls: any I2CSyscalls
    /// `I2C_FUNCS` bits, once known.
    private let funcs = Mutex<UInt?>(nil)

    /// `path` is a device path (`/dev/i2c-1`), a bus name (`i2c-1`) or a bare bus number (`1`).
    public init(path: String, syscalls: any I2CSyscalls = LibI2CSyscalls()) {
        self.path = LinuxI2CBus.normalise(path)
        self.syscalls = syscalls
    }

    /// `"1"` and `"i2c-1"` → `"/dev/i2c-1"`; anything else is taken as a path.
    public static func normalise(_ selector: String) -> String {
        if !selector.isEmpty, selector.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return "/dev/i2c-\(selector)"
        }
        if selector.hasPrefix("i2c-"), !selector.contains("/") { return "/dev/\(selector)" }
        return selector
    }

    public func device(at address: I2CAddress) throws(I2CError) -> any I2CDevice {
        try openDevice(at: address)
    }

    /// Same as `device(at:)`, with the concrete type.
    public func openDevice(at address: I2CAddress) throws(I2CError) -> LinuxI2CDevice {
        guard address <= 0x7F else {
            throw I2CError(
                kind: .invalidArgument, busPath: path, address: address,
                operation: "select address (7-bit addresses only)")
        }
        let fd = syscalls.open(path)
        guard fd >= 0 else {
            throw I2CError(
                kind: I2CErrorKind(errno: -fd, phase: .open), busPath: path, address: address,
                errno: -fd, operation: "open")
        }
        // Functionality is a property of the adapter, not the address: ask once per bus.
        let known = funcs.withLock { $0 }
        let functionality: UInt
        if let known {
            functionality = known
        } else {
            var bits: UInt = 0
            let r = syscalls.functionality(fd, &bits)
            guard r >= 0 else {
                syscalls.close(fd)
                throw I2CError(
                    kind: I2CErrorKind(errno: -r, phase: .transfer), busPath: path, address: address,
                    errno: -r, operation: "query adapter functionality (I2C_FUNCS)")
            }
            funcs.withLock { $0 = bits }
            functionality = bits
        }
        let r = syscalls.setAddress(fd, address: address)
        guard r >= 0 else {
            syscalls.close(fd)
            throw I2CError(
                kind: I2CErrorKind(errno: -r, phase: .setAddress), busPath: path, address: address,
                errno: -r, operation: "select address (I2C_SLAVE)")
        }
        return LinuxI2CDevice(
            busPath: path, address: address, fd: fd, functionality: functionality, syscalls: syscalls)
    }

    /// The adapter's `I2C_FUNCS` bits, if a device has been opened (nil before).
    public var functionality: UInt? { funcs.withLock { $0 } }
}

// MARK: - Device

/// One device on a Linux I2C bus: an fd with the address selected. The fd is closed on deinit.
public final class LinuxI2CDevice: I2CDevice {
    public let busPath: String
    public let address: I2CAddress
    /// The adapter's `I2C_FUNCS` bits: transfers the adapter lacks fail with `.unsupported`
    /// before touching the wire.
    public let functionality: UInt
    private let fd: Int32
    private let syscalls: any I2CSyscalls
    /// Whether `readRecords` batches records into `I2C_RDWR` calls: the adapter takes plain I2C
    /// (`I2C_FUNC_I2C`) and has not refused the shape. The Raspberry Pi's i2c-bcm2835 takes a read
    /// only as the last message of a call ("only one read message supported, has to be last"):
    /// its EOPNOTSUPP, given before anything goes on the wire, switches this device to one block
    /// read per record for good.
    public private(set) var batchesRecords: Bool
    /// The `I2C_RDWR` calls `readRecords` and `readRolling` have made (tests).
    public private(set) var recordBatches = 0
    /// One record's bytes, when the records go one block read each.
    private var recordScratch: [UInt8] = []
    /// The shortest `readRolling` read the adapter refused (EOPNOTSUPP); longer ones go as block
    /// reads without asking.
    private var longestRefused = Int.max

    init(busPath: String, address: I2CAddress, fd: Int32, functionality: UInt, syscalls: any I2CSyscalls) {
        self.busPath = busPath
        self.address = address
        self.fd = fd
        self.functionality = functionality
        self.syscalls = syscalls
        self.batchesRecords = functionality & CI2C_FUNC_I2C != 0
    }

    /// Records per `I2C_RDWR`: two messages each.
    public static let recordsPerBatch = Int(CI2C_RDWR_MAX_MSGS) / 2

    deinit { syscalls.close(fd) }

    public func receiveByte() throws(I2CError) -> UInt8 {
        let op = "receive byte"
        try require(CI2C_FUNC_SMBUS_READ_BYTE, "I2C_FUNC_SMBUS_READ_BYTE", register: nil, op)
        return UInt8(truncatingIfNeeded: try check(syscalls.receiveByte(fd), register: nil, op))
    }

    public func readByte(register: UInt8) throws(I2CError) -> UInt8 {
        let op = "read byte"
        try require(CI2C_FUNC_SMBUS_READ_BYTE_DATA, "I2C_FUNC_SMBUS_READ_BYTE_DATA", register: register, op)
        return UInt8(
            truncatingIfNeeded: try check(
                syscalls.readByteData(fd, register: register), register: register, op))
    }

    public func writeByte(register: UInt8, value: UInt8) throws(I2CError) {
        func op() -> String { "write byte \(hex(value))" }
        try require(
            CI2C_FUNC_SMBUS_WRITE_BYTE_DATA, "I2C_FUNC_SMBUS_WRITE_BYTE_DATA", register: register, op())
        _ = try check(syscalls.writeByteData(fd, register: register, value: value), register: register, op())
    }

    public func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        let op = "read word"
        try require(CI2C_FUNC_SMBUS_READ_WORD_DATA, "I2C_FUNC_SMBUS_READ_WORD_DATA", register: register, op)
        return UInt16(
            truncatingIfNeeded: try check(
                syscalls.readWordData(fd, register: register), register: register, op))
    }

    public func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        func op() -> String { "block read of \(count) bytes" }
        guard (1...I2CLimits.maxBlockLength).contains(count) else {
            throw I2CError(
                kind: .invalidArgument, busPath: busPath, address: address, register: register,
                operation: op() + " (1...\(I2CLimits.maxBlockLength) allowed)")
        }
        try require(CI2C_FUNC_SMBUS_READ_I2C_BLOCK, "I2C_FUNC_SMBUS_READ_I2C_BLOCK", register: register, op())
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try check(
            syscalls.readI2CBlockData(fd, register: register, into: &buffer), register: register, op())
        // The kernel reports how many bytes the adapter delivered; fewer than asked means the
        // rest of `buffer` is stale zeros, never data.
        guard n == count else {
            throw I2CError(
                kind: .shortTransfer, busPath: busPath, address: address, register: register,
                operation: op() + " (got \(n))")
        }
        return buffer
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) {
        func op() -> String { "block write of \(bytes.count) bytes" }
        guard (1...I2CLimits.maxBlockLength).contains(bytes.count) else {
            throw I2CError(
                kind: .invalidArgument, busPath: busPath, address: address, register: register,
                operation: op() + " (1...\(I2CLimits.maxBlockLength) allowed)")
        }
        try require(
            CI2C_FUNC_SMBUS_WRITE_I2C_BLOCK, "I2C_FUNC_SMBUS_WRITE_I2C_BLOCK", register: register, op())
        _ = try check(
            syscalls.writeI2CBlockData(fd, register: register, bytes: bytes), register: register, op())
    }

    public func readRecords(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8])
        throws(I2CError)
    {
        func op() -> String { "read of \(count) records of \(length) bytes" }
        guard (1...I2CLimits.maxBlockLength).contains(length), count >= 0 else {
            throw I2CError(
                kind: .invalidArgument, busPath: busPath, address: address, register: register,
                operation: op() + " (1...\(I2CLimits.maxBlockLength) bytes a record allowed)")
        }
        // Sized without a new allocation once the buffer has held a full read.
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: count * length))
        var done = 0
        while done < count, batchesRecords {
            let n = min(Self.recordsPerBatch, count - done)
            let r = syscalls.readRecords(
                fd, address: address, register: register, length: length, count: n, into: &buffer,
                at: done * length)
            recordBatches += 1
            if r == -EOPNOTSUPP {
                batchesRecords = false  // the adapter takes no read before the last message
                break
            }
            let messages = try check(r, register: register, op())
            guard messages == 2 * n else {
                throw I2CError(
                    kind: .shortTransfer, busPath: busPath, address: address, register: register,
                    operation: op() + " (the adapter transferred \(messages) of \(2 * n) messages)")
            }
            done += n
        }
        guard done < count else { return }
        try require(CI2C_FUNC_SMBUS_READ_I2C_BLOCK, "I2C_FUNC_SMBUS_READ_I2C_BLOCK", register: register, op())
        if recordScratch.count != length { recordScratch = [UInt8](repeating: 0, count: length) }
        while done < count {
            let got = try check(
                syscalls.readI2CBlockData(fd, register: register, into: &recordScratch), register: register,
                op())
            guard got == length else {
                throw I2CError(
                    kind: .shortTransfer, busPath: busPath, address: address, register: register,
                    operation: op() + " (record \(done + 1): got \(got) bytes)")
            }
            buffer.replaceSubrange(done * length..<(done + 1) * length, with: recordScratch)
            done += 1
        }
    }

    public func readRolling(register: UInt8, length: Int, count: Int, into buffer: inout [UInt8])
        throws(I2CError)
    {
        let total = count * length
        // i2c-dev takes messages of at most 8192 bytes; an adapter that refused a read this long
        // (a maximum read length among its quirks) is not asked again.
        guard functionality & CI2C_FUNC_I2C != 0, length > 0,
            (1...min(8192, longestRefused - 1)).contains(total)
        else {
            return try readRollingInBlocks(register: register, length: length, count: count, into: &buffer)
        }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: total))
        let r = syscalls.readRecords(
            fd, address: address, register: register, length: total, count: 1, into: &buffer, at: 0)
        recordBatches += 1
        if r == -EOPNOTSUPP {  // refused before the wire: the same records by block reads
            longestRefused = min(longestRefused, total)
            return try readRollingInBlocks(register: register, length: length, count: count, into: &buffer)
        }
        let messages = try check(r, register: register, "read of \(total) bytes")
        guard messages == 2 else {
            throw I2CError(
                kind: .shortTransfer, busPath: busPath, address: address, register: register,
                operation: "read of \(total) bytes (the adapter transferred \(messages) of 2 messages)")
        }
    }

    // MARK: helpers

    // The operation's words are an autoclosure: formatted only when something failed, never on
    // the sampling path (a drain at 3200 Hz makes hundreds of transfers a second).
    private func require(_ bit: UInt, _ name: String, register: UInt8?, _ op: @autoclosure () -> String)
        throws(I2CError)
    {
        guard functionality & bit != 0 else {
            throw I2CError(
                kind: .unsupported, busPath: busPath, address: address, register: register,
                operation: op() + " (adapter lacks \(name))")
        }
    }

    /// A raw libi2c result: non-negative passes through, -errno becomes an `I2CError`.
    private func check(_ result: Int32, register: UInt8?, _ op: @autoclosure () -> String) throws(I2CError)
        -> Int32
    {
        guard result >= 0 else {
            throw I2CError(
                kind: I2CErrorKind(errno: -result, phase: .transfer), busPath: busPath, address: address,
                register: register, errno: -result, operation: op())
        }
        return result
    }
}
