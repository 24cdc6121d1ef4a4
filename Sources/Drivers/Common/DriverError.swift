import HAL

/// A driver failure. Always names the bus path, the device address and (when one register is to
/// blame) the register, e.g.
/// `/dev/i2c-1 address 0x76 register 0xd0: expected chip ID 0x60 (BME280) or 0x58 (BMP280), found 0xff`.
public struct DriverError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The transfer itself failed; the `I2CError` carries the kernel's fault code and errno.
        case bus(I2CError)
        /// The ID register held something else.
        case wrongChip(expected: [UInt8], found: UInt8)
        /// Calibration (trimming) data that no real chip has, e.g. all 0x00 or all 0xFF — the
        /// pattern of a floating or shorted bus.
        case implausibleCalibration(registers: ClosedRange<UInt8>, reason: String)
        /// The chip did not get ready in the allowed time, or it has no valid data yet.
        case notReady(String)
        /// A setting this chip cannot do.
        case invalidSetting(String, allowed: String)
    }

    public var kind: Kind
    public var busPath: String
    public var address: I2CAddress
    public var register: UInt8?

    public init(kind: Kind, busPath: String, address: I2CAddress, register: UInt8? = nil) {
        self.kind = kind
        self.busPath = busPath
        self.address = address
        self.register = register
    }

    /// Wraps a bus error, keeping its path, address and register.
    public init(_ error: I2CError, address fallback: I2CAddress) {
        self.init(
            kind: .bus(error), busPath: error.busPath, address: error.address ?? fallback,
            register: error.register)
    }

    public var description: String {
        if case .bus(let error) = kind {
            // I2CError already reads "/dev/i2c-1 address 0x76 register 0xf7: ... failed: ...".
            return error.description
        }
        var s = "\(busPath) address \(hex(address))"
        if let register { s += " register \(hex(register))" }
        s += ": "
        switch kind {
        case .bus: break
        case .wrongChip(let expected, let found):
            let names = expected.map { ChipIdentity.describe(id: $0, register: register ?? 0) }
            s += "expected chip ID \(names.joined(separator: " or ")), found \(hex(found))"
        case .implausibleCalibration(let registers, let reason):
            s +=
                "implausible calibration in \(hex(registers.lowerBound))...\(hex(registers.upperBound)): \(reason)"
        case .notReady(let what):
            s += "not ready: \(what)"
        case .invalidSetting(let what, let allowed):
            s += "invalid setting \(what) (allowed: \(allowed))"
        }
        return s
    }
}

/// Register access with errors already converted to `DriverError`; shared by every driver.
struct RegisterIO {
    let device: any I2CDevice

    var busPath: String { device.busPath }
    var address: I2CAddress { device.address }

    func error(_ kind: DriverError.Kind, register: UInt8? = nil) -> DriverError {
        DriverError(kind: kind, busPath: device.busPath, address: device.address, register: register)
    }

    func wrap(_ e: I2CError, register: UInt8) -> DriverError {
        var e = e
        // Adapters may leave the register out; the message must always name it.
        if e.register == nil { e.register = register }
        if e.address == nil { e.address = device.address }
        return DriverError(e, address: device.address)
    }

    func read(_ register: UInt8) throws(DriverError) -> UInt8 {
        do { return try device.readByte(register: register) } catch { throw wrap(error, register: register) }
    }

    func write(_ register: UInt8, _ value: UInt8) throws(DriverError) {
        do { try device.writeByte(register: register, value: value) } catch {
            throw wrap(error, register: register)
        }
    }

    /// `count` records of `length` bytes, each a block read at `register` (`rolling`: from a
    /// register pointer that rolls back to it after each record, as many a read as the adapter
    /// takes), into `buffer`.
    func readRecords(
        _ register: UInt8, length: Int, count: Int, rolling: Bool = false, into buffer: inout [UInt8]
    ) throws(DriverError) {
        do {
            if rolling {
                try device.readRolling(register: register, length: length, count: count, into: &buffer)
            } else {
                try device.readRecords(register: register, length: length, count: count, into: &buffer)
            }
        } catch {
            throw wrap(error, register: register)
        }
        guard buffer.count == count * length else {
            throw DriverError(
                I2CError(
                    kind: .shortTransfer, busPath: device.busPath, address: device.address,
                    register: register,
                    operation: "read of \(count) records of \(length) bytes (got \(buffer.count))"),
                address: device.address)
        }
    }

    /// One block read of `count` ≤ 32 bytes. A short answer is an error, never an index trap.
    func readBlock(_ register: UInt8, count: Int) throws(DriverError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try device.readBlock(register: register, count: count) } catch {
            throw wrap(error, register: register)
        }
        guard bytes.count == count else {
            throw DriverError(
                I2CError(
                    kind: .shortTransfer, busPath: device.busPath, address: device.address,
                    register: register, operation: "block read of \(count) bytes (got \(bytes.count))"),
                address: device.address)
        }
        return bytes
    }
}
