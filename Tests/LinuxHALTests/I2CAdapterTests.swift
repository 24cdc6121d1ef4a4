import CI2C
import HAL
import Synchronization
import Testing

@testable import LinuxHAL

#if canImport(Glibc)
    import Glibc
#endif

/// A scripted `I2CSyscalls`: fixed results per call, and a record of what was called.
final class FakeSyscalls: I2CSyscalls {
    struct Script: Sendable {
        var open: Int32 = 5
        var functionality: Int32 = 0
        var funcs: UInt =
            CI2C_FUNC_SMBUS_READ_BYTE | CI2C_FUNC_SMBUS_READ_BYTE_DATA
            | CI2C_FUNC_SMBUS_WRITE_BYTE_DATA | CI2C_FUNC_SMBUS_READ_WORD_DATA
            | CI2C_FUNC_SMBUS_READ_I2C_BLOCK | CI2C_FUNC_SMBUS_WRITE_I2C_BLOCK
        var setAddress: Int32 = 0
        /// Result of every transfer (byte, word, block write); for block reads, see `blockRead`.
        var transfer: Int32 = 0
        /// Result of a block read: nil returns the requested count (filled with 0xA0, 0xA1...).
        var blockRead: Int32? = nil
        /// Results of the I2C_RDWR calls in turn (nil: every message went; once used up, all go).
        /// A call that goes fills each record's bytes with 0xB0 + the record's number in the read.
        var recordCalls: [Int32?] = []
    }
    struct Record: Sendable {
        var calls: [String] = []
        var recordCall = 0
        var closed: [Int32] = []
        var written: [UInt8] = []
    }
    let script: Script
    let record = Mutex(Record())

    init(_ script: Script = Script()) { self.script = script }

    var calls: [String] { record.withLock { $0.calls } }
    /// The data reads only: I2C_RDWR calls and block reads, in order.
    var reads: [String] { calls.filter { $0.hasPrefix("rdwr") || $0.hasPrefix("readBlock") } }
    var closed: [Int32] { record.withLock { $0.closed } }
    private func note(_ s: String) { record.withLock { $0.calls.append(s) } }

    func open(_ path: String) -> Int32 { note("open \(path)"); return script.open }
    func close(_ fd: Int32) { record.withLock { $0.closed.append(fd) } }
    func setAddress(_ fd: Int32, address: I2CAddress) -> Int32 {
        note("slave \(hex(address))"); return script.setAddress
    }
    func functionality(_ fd: Int32, _ funcs: inout UInt) -> Int32 {
        note("funcs")
        funcs = script.funcs
        return script.functionality
    }
    func receiveByte(_ fd: Int32) -> Int32 { note("receive"); return script.transfer }
    func readByteData(_ fd: Int32, register: UInt8) -> Int32 {
        note("readByte \(hex(register))"); return script.transfer
    }
    func writeByteData(_ fd: Int32, register: UInt8, value: UInt8) -> Int32 {
        note("writeByte \(hex(register)) \(hex(value))")
        return script.transfer
    }
    func readWordData(_ fd: Int32, register: UInt8) -> Int32 {
        note("readWord \(hex(register))"); return script.transfer
    }
    func readI2CBlockData(_ fd: Int32, register: UInt8, into buffer: inout [UInt8]) -> Int32 {
        note("readBlock \(hex(register)) \(buffer.count)")
        if script.transfer < 0 { return script.transfer }
        let n = script.blockRead ?? Int32(buffer.count)
        for i in 0..<min(Int(max(n, 0)), buffer.count) { buffer[i] = 0xA0 &+ UInt8(truncatingIfNeeded: i) }
        return n
    }
    func writeI2CBlockData(_ fd: Int32, register: UInt8, bytes: [UInt8]) -> Int32 {
        note("writeBlock \(hex(register)) \(bytes.count)")
        record.withLock { $0.written += bytes }
        return script.transfer
    }
    func readRecords(
        _ fd: Int32, address: I2CAddress, register: UInt8, length: Int, count: Int,
        into buffer: inout [UInt8], at offset: Int
    ) -> Int32 {
        note("rdwr \(hex(address)) \(hex(register)) \(count)×\(length) at \(offset)")
        let call = record.withLock { r in
            defer { r.recordCall += 1 }
            return r.recordCall
        }
        if call < script.recordCalls.count, let result = script.recordCalls[call] { return result }
        for k in 0..<count {
            for i in 0..<length { buffer[offset + k * length + i] = 0xB0 &+ UInt8(offset / length + k) }
        }
        return Int32(2 * count)
    }
}

let busPath = "/dev/i2c-7"

func device(_ script: FakeSyscalls.Script = .init(), address: I2CAddress = 0x76) throws -> (
    LinuxI2CDevice, FakeSyscalls
) {
    let fake = FakeSyscalls(script)
    let bus = LinuxI2CBus(path: busPath, syscalls: fake)
    return (try bus.openDevice(at: address), fake)
}

/// Runs `body`, which must throw an `I2CError`, and returns it.
func i2cError(_ body: () throws -> Void) -> I2CError? {
    do {
        try body()
        return nil
    } catch let error as I2CError {
        return error
    } catch {
        Issue.record("expected an I2CError, got \(error)")
        return nil
    }
}

@Suite("I2C adapter: errno mapping through the syscall seam")
struct I2CErrnoTests {
    @Test(
        "a transfer errno maps to its kind, with bus, address, register and errno in the error",
        arguments: [
            (ENXIO, I2CErrorKind.noDevice),
            (ENODEV, .noDevice),  // i2c-stub's answer for an address it does not emulate
            (EREMOTEIO, .noAcknowledge),
            (ETIMEDOUT, .timeout),
            (EAGAIN, .arbitrationLost),
            (EACCES, .permissionDenied),
            (EPERM, .permissionDenied),
            (EOPNOTSUPP, .unsupported),
            (EIO, .other),
            (EBUSY, .other),  // EBUSY means "bound driver" only on I2C_SLAVE
            (ENOENT, .other),  // ENOENT means "no bus" only on open
        ])
    func transferErrno(errno e: Int32, kind: I2CErrorKind) throws {
        let (dev, _) = try device(.init(transfer: -e))
        let error = i2cError { _ = try dev.readByte(register: 0xD0) }
        #expect(
            error
                == I2CError(
                    kind: kind, busPath: busPath, address: 0x76, register: 0xD0, errno: e,
                    operation: "read byte"))
        let text = try #require(error).description
        #expect(text.hasPrefix("/dev/i2c-7 address 0x76 register 0xd0: read byte failed: "))
        #expect(text.hasSuffix("(errno \(e))"))
    }

    @Test(
        "every operation reports its own phrase and register",
        arguments: [
            ("receive byte", nil as UInt8?),
            ("read byte", 0x10),
            ("write byte 0x5a", 0x11),
            ("read word", 0x12),
            ("block read of 6 bytes", 0x13),
            ("block write of 2 bytes", 0x14),
        ])
    func operationPhrases(operation: String, register: UInt8?) throws {
        let (dev, _) = try device(.init(transfer: -ENXIO), address: 0x53)
        let error = i2cError {
            switch operation {
            case "receive byte": _ = try dev.receiveByte()
            case "read byte": _ = try dev.readByte(register: 0x10)
            case "write byte 0x5a": try dev.writeByte(register: 0x11, value: 0x5A)
            case "read word": _ = try dev.readWord(register: 0x12)
            case "block read of 6 bytes": _ = try dev.readBlock(register: 0x13, count: 6)
            default: try dev.writeBlock(register: 0x14, bytes: [1, 2])
            }
        }
        #expect(
            error
                == I2CError(
                    kind: .noDevice, busPath: busPath, address: 0x53, register: register, errno: ENXIO,
                    operation: operation))
    }

    @Test(
        "an I2C_SLAVE errno maps to its kind and the fd is closed",
        arguments: [(EBUSY, I2CErrorKind.busy), (EINVAL, .other), (EPERM, .permissionDenied)])
    func setAddressErrno(errno e: Int32, kind: I2CErrorKind) {
        let fake = FakeSyscalls(.init(open: 9, setAddress: -e))
        let bus = LinuxI2CBus(path: busPath, syscalls: fake)
        let error = i2cError { _ = try bus.device(at: 0x77) }
        #expect(
            error
                == I2CError(
                    kind: kind, busPath: busPath, address: 0x77, errno: e,
                    operation: "select address (I2C_SLAVE)"))
        #expect(fake.closed == [9])
    }

    @Test(
        "an open errno maps to its kind",
        arguments: [
            (ENOENT, I2CErrorKind.busNotFound),
            (ENODEV, .busNotFound),
            (EACCES, .permissionDenied),
            (EPERM, .permissionDenied),
            (EIO, .other),
        ])
    func openErrno(errno e: Int32, kind: I2CErrorKind) {
        let fake = FakeSyscalls(.init(open: -e))
        let bus = LinuxI2CBus(path: busPath, syscalls: fake)
        let error = i2cError { _ = try bus.device(at: 0x76) }
        #expect(error == I2CError(kind: kind, busPath: busPath, address: 0x76, errno: e, operation: "open"))
        #expect(fake.calls == ["open /dev/i2c-7"])
    }

    @Test("an I2C_FUNCS failure is reported and closes the fd")
    func functionalityFailure() {
        let fake = FakeSyscalls(.init(open: 4, functionality: -ENOTTY))
        let bus = LinuxI2CBus(path: busPath, syscalls: fake)
        let error = i2cError { _ = try bus.device(at: 0x76) }
        #expect(error?.kind == .other)
        #expect(error?.errno == ENOTTY)
        #expect(error?.operation == "query adapter functionality (I2C_FUNCS)")
        #expect(fake.closed == [4])
    }
}

@Suite("I2C adapter: transfers")
struct I2CTransferTests {
    @Test("results pass through: byte, word (low byte first on the wire), block")
    func values() throws {
        let (dev, fake) = try device(.init(transfer: 0x1234))
        #expect(try dev.readByte(register: 0xD0) == 0x34)
        #expect(try dev.readWord(register: 0x88) == 0x1234)
        #expect(try dev.receiveByte() == 0x34)
        let (dev2, _) = try device()
        #expect(try dev2.readBlock(register: 0xF7, count: 3) == [0xA0, 0xA1, 0xA2])
        #expect(
            fake.calls == [
                "open /dev/i2c-7", "funcs", "slave 0x76", "readByte 0xd0", "readWord 0x88", "receive",
            ])
    }

    @Test("writes send the register, value and bytes")
    func writes() throws {
        let (dev, fake) = try device()
        try dev.writeByte(register: 0xF4, value: 0x27)
        try dev.writeBlock(register: 0x1E, bytes: [0x01, 0x02, 0x03])
        #expect(fake.calls.suffix(2) == ["writeByte 0xf4 0x27", "writeBlock 0x1e 3"])
        #expect(fake.record.withLock { $0.written } == [0x01, 0x02, 0x03])
    }

    @Test("block lengths outside 1...32 are refused before any syscall", arguments: [0, -1, 33, 64])
    func blockLength(count: Int) throws {
        let (dev, fake) = try device()
        let read = i2cError { _ = try dev.readBlock(register: 0x32, count: count) }
        #expect(read?.kind == .invalidArgument)
        #expect(read?.register == 0x32)
        #expect(read?.operation == "block read of \(count) bytes (1...32 allowed)")
        let write = i2cError {
            try dev.writeBlock(register: 0x32, bytes: [UInt8](repeating: 7, count: max(count, 0)))
        }
        #expect(write?.kind == .invalidArgument)
        #expect(write?.operation == "block write of \(max(count, 0)) bytes (1...32 allowed)")
        #expect(fake.calls == ["open /dev/i2c-7", "funcs", "slave 0x76"])
    }

    @Test("the edges of the block range are allowed", arguments: [1, 32])
    func blockLengthEdges(count: Int) throws {
        let (dev, _) = try device()
        #expect(try dev.readBlock(register: 0, count: count).count == count)
    }

    @Test("a short block read is a shortTransfer, never padded data")
    func shortTransfer() throws {
        let (dev, _) = try device(.init(blockRead: 4))
        let error = i2cError { _ = try dev.readBlock(register: 0xF7, count: 6) }
        #expect(
            error
                == I2CError(
                    kind: .shortTransfer, busPath: busPath, address: 0x76, register: 0xF7,
                    operation: "block read of 6 bytes (got 4)"))
    }

    @Test("readBlocks splits long reads into 32-byte transfers, advancing the register")
    func readBlocksSplits() throws {
        let (dev, fake) = try device()
        let bytes = try dev.readBlocks(register: 0x88, count: 40)
        #expect(bytes.count == 40)
        #expect(fake.calls.suffix(2) == ["readBlock 0x88 32", "readBlock 0xa8 8"])
    }

    @Test("an adapter without I2C block reads reports unsupported, without a syscall")
    func missingBlockFunctionality() throws {
        let (dev, fake) = try device(.init(funcs: CI2C_FUNC_SMBUS_READ_BYTE_DATA))
        let error = i2cError { _ = try dev.readBlock(register: 0xD0, count: 2) }
        #expect(error?.kind == .unsupported)
        #expect(error?.operation == "block read of 2 bytes (adapter lacks I2C_FUNC_SMBUS_READ_I2C_BLOCK)")
        #expect(try dev.readByte(register: 0xD0) == 0)
        #expect(!fake.calls.contains { $0.hasPrefix("readBlock") })
    }

    @Test(
        "records go 21 to an I2C_RDWR call (the kernel's 42 messages), each a register write and a read"
    )
    func recordsBatched() throws {
        let (dev, fake) = try device(.init(funcs: FakeSyscalls.Script().funcs | CI2C_FUNC_I2C), address: 0x53)
        var buffer: [UInt8] = []
        try dev.readRecords(register: 0x32, length: 6, count: 45, into: &buffer)
        #expect(
            fake.reads == [
                "rdwr 0x53 0x32 21×6 at 0", "rdwr 0x53 0x32 21×6 at 126", "rdwr 0x53 0x32 3×6 at 252",
            ])
        #expect(buffer.count == 270)
        #expect((0..<45).allSatisfy { k in buffer[k * 6..<k * 6 + 6].allSatisfy { $0 == 0xB0 + UInt8(k) } })
        #expect(dev.batchesRecords && dev.recordBatches == 3)
        // The same buffer again, smaller: replaced, not appended to.
        try dev.readRecords(register: 0x32, length: 6, count: 2, into: &buffer)
        #expect(buffer == [UInt8](repeating: 0xB0, count: 6) + [UInt8](repeating: 0xB1, count: 6))
        try dev.readRecords(register: 0x32, length: 6, count: 0, into: &buffer)
        #expect(buffer.isEmpty && dev.recordBatches == 4)
    }

    @Test("an adapter without plain I2C (I2C_FUNC_I2C) reads the records one block read each")
    func recordsWithoutI2C() throws {
        let (dev, fake) = try device(address: 0x53)
        var buffer: [UInt8] = [9]
        try dev.readRecords(register: 0x32, length: 2, count: 3, into: &buffer)
        #expect(
            fake.reads
                == Array(repeating: "readBlock 0x32 2", count: 3))
        #expect(buffer == [0xA0, 0xA1, 0xA0, 0xA1, 0xA0, 0xA1])
        #expect(!dev.batchesRecords)
    }

    @Test(
        "an adapter refusing a read before the last message (i2c-bcm2835: EOPNOTSUPP) gets one block read a record, from then on"
    )
    func recordsRefusedShape() throws {
        let (dev, fake) = try device(
            .init(funcs: FakeSyscalls.Script().funcs | CI2C_FUNC_I2C, recordCalls: [-EOPNOTSUPP]),
            address: 0x53)
        var buffer: [UInt8] = []
        try dev.readRecords(register: 0x32, length: 6, count: 2, into: &buffer)
        try dev.readRecords(register: 0x32, length: 6, count: 1, into: &buffer)
        #expect(
            fake.reads == [
                "rdwr 0x53 0x32 2×6 at 0", "readBlock 0x32 6", "readBlock 0x32 6", "readBlock 0x32 6",
            ])
        #expect(buffer == [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5])
        #expect(!dev.batchesRecords && dev.recordBatches == 1)
    }

    @Test(
        "rolling records (LIS3DH FIFO): one I2C_RDWR of a write and one long read; else 32-byte block reads of whole records"
    )
    func rollingRecords() throws {
        let (dev, fake) = try device(.init(funcs: FakeSyscalls.Script().funcs | CI2C_FUNC_I2C), address: 0x18)
        var buffer: [UInt8] = []
        try dev.readRolling(register: 0xA8, length: 6, count: 32, into: &buffer)
        #expect(
            fake.reads == [
                "rdwr 0x18 0xa8 1×192 at 0"
            ])
        #expect(buffer == [UInt8](repeating: 0xB0, count: 192))
        let (smbus, fake2) = try device(address: 0x18)
        try smbus.readRolling(register: 0xA8, length: 6, count: 32, into: &buffer)
        #expect(
            fake2.reads
                == Array(repeating: "readBlock 0xa8 30", count: 6) + ["readBlock 0xa8 12"])
        #expect(buffer.count == 192)
        // refused (EOPNOTSUPP): the same read by blocks
        let (refusing, fake3) = try device(
            .init(funcs: FakeSyscalls.Script().funcs | CI2C_FUNC_I2C, recordCalls: [-EOPNOTSUPP]),
            address: 0x18)
        try refusing.readRolling(register: 0xA8, length: 6, count: 6, into: &buffer)
        #expect(
            fake3.reads == [
                "rdwr 0x18 0xa8 1×36 at 0", "readBlock 0xa8 30", "readBlock 0xa8 6",
            ])
        #expect(buffer.count == 36)
        // a read as long is not asked again (the adapter's quirk would log each refusal); a
        // shorter one is
        try refusing.readRolling(register: 0xA8, length: 6, count: 6, into: &buffer)
        try refusing.readRolling(register: 0xA8, length: 6, count: 2, into: &buffer)
        #expect(
            fake3.reads.suffix(3) == [
                "readBlock 0xa8 30", "readBlock 0xa8 6", "rdwr 0x18 0xa8 1×12 at 0",
            ])
    }

    @Test("a failed or short I2C_RDWR is an error naming the register and the read")
    func recordsFailed() throws {
        let funcs = FakeSyscalls.Script().funcs | CI2C_FUNC_I2C
        let (dev, _) = try device(.init(funcs: funcs, recordCalls: [-EREMOTEIO]), address: 0x53)
        var buffer: [UInt8] = []
        let nak = i2cError { try dev.readRecords(register: 0x32, length: 6, count: 4, into: &buffer) }
        #expect(
            nak
                == I2CError(
                    kind: .noAcknowledge, busPath: busPath, address: 0x53, register: 0x32, errno: EREMOTEIO,
                    operation: "read of 4 records of 6 bytes"))
        #expect(dev.batchesRecords)  // a NAK is the device's, not the adapter's refusal
        let (dev2, _) = try device(.init(funcs: funcs, recordCalls: [nil, 7]), address: 0x53)
        let short = i2cError { try dev2.readRecords(register: 0x32, length: 6, count: 25, into: &buffer) }
        #expect(short?.kind == .shortTransfer)
        #expect(short?.operation == "read of 25 records of 6 bytes (the adapter transferred 7 of 8 messages)")
        let bad = i2cError { try dev2.readRecords(register: 0x32, length: 33, count: 1, into: &buffer) }
        #expect(bad?.kind == .invalidArgument)
    }

    @Test("I2C_FUNCS is asked once per bus; each device has its own fd, closed on deinit")
    func functionalityOnceAndClose() throws {
        let fake = FakeSyscalls(.init(open: 11))
        let bus = LinuxI2CBus(path: busPath, syscalls: fake)
        do {
            let a = try bus.device(at: 0x76)
            let b = try bus.device(at: 0x53)
            #expect(a.address == 0x76 && b.address == 0x53)
            #expect(fake.closed.isEmpty)
        }
        #expect(fake.calls == ["open /dev/i2c-7", "funcs", "slave 0x76", "open /dev/i2c-7", "slave 0x53"])
        #expect(fake.closed == [11, 11])
        #expect(bus.functionality == fake.script.funcs)
    }

    @Test("an address above 0x7f is refused")
    func tenBitAddress() {
        let fake = FakeSyscalls()
        let error = i2cError { _ = try LinuxI2CBus(path: busPath, syscalls: fake).device(at: 0x80) }
        #expect(error?.kind == .invalidArgument)
        #expect(fake.calls.isEmpty)
    }
}

@Suite("I2C adapter: real system calls on this host")
struct I2CHostTests {
    @Test("opening a bus that does not exist is busNotFound with ENOENT")
    func missingBus() {
        let bus = LinuxI2CBus(path: "/dev/i2c-does-not-exist")
        let error = i2cError { _ = try bus.device(at: 0x76) }
        #expect(
            error
                == I2CError(
                    kind: .busNotFound, busPath: "/dev/i2c-does-not-exist", address: 0x76, errno: ENOENT,
                    operation: "open"))
        #expect(error?.description.contains("dtparam=i2c_arm=on") == true)
    }

    @Test(
        "bus selectors: number, name or path",
        arguments: [
            ("1", "/dev/i2c-1"), ("i2c-3", "/dev/i2c-3"), ("/dev/i2c-1", "/dev/i2c-1"), ("22", "/dev/i2c-22"),
        ])
    func selectors(selector: String, path: String) {
        #expect(LinuxI2CBus(path: selector).path == path)
    }

    @Test("libi2c returns -errno: a read on a closed fd gives -EBADF")
    func libi2cReturnsNegativeErrno() {
        #expect(LibI2CSyscalls().readByteData(-1, register: 0) == -EBADF)
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(LibI2CSyscalls().readI2CBlockData(-1, register: 0, into: &buffer) == -EBADF)
        #expect(LibI2CSyscalls().setAddress(-1, address: 0x76) == -EBADF)
        var records = [UInt8](repeating: 0, count: 22 * 6)
        let rdwr = LibI2CSyscalls()
        #expect(
            rdwr.readRecords(-1, address: 0x53, register: 0x32, length: 6, count: 21, into: &records, at: 0)
                == -EBADF)
        // More than the kernel's 42 messages, or past the buffer: refused before the call
        #expect(
            rdwr.readRecords(-1, address: 0x53, register: 0x32, length: 6, count: 22, into: &records, at: 0)
                == -EINVAL)
        #expect(
            rdwr.readRecords(-1, address: 0x53, register: 0x32, length: 6, count: 21, into: &records, at: 7)
                == -EINVAL)
    }
}
