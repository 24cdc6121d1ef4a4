import HAL
import Synchronization

/// An I2C bus in memory: chip models at addresses, fault injection, chips that vanish and come
/// back, and an optional bounded transaction log.
///
/// Transfers are serialised by the bus lock (one transfer at a time, as on a real bus); the lock
/// order is always bus → chip.
public final class SimulatedI2CBus: I2CBus {
    public let path: String
    private let clock: (any SimulationClock)?
    private let state: Mutex<State>

    private struct Attachment {
        var chip: any SimulatedI2CChip
        var present: Bool
    }

    private struct Fault {
        var kind: I2CErrorKind
        var address: I2CAddress
        var register: UInt8?
        var remaining: Int
    }

    private struct State {
        var chips: [I2CAddress: Attachment] = [:]
        var faults: [Fault] = []
        var log: [I2CTransaction] = []
        var logStart = 0  // ring-buffer start once the log is full
        var logCapacity: Int
        var transferCount = 0
        var failureCount = 0

        mutating func record(_ t: I2CTransaction) {
            guard logCapacity > 0 else { return }
            if log.count < logCapacity {
                log.append(t)
            } else {
                log[logStart] = t
                logStart = (logStart + 1) % logCapacity
            }
        }
    }

    /// - Parameters:
    ///   - path: names the bus in errors, like `/dev/i2c-1` would.
    ///   - clock: timestamps for the transaction log (optional).
    ///   - logCapacity: how many transactions to keep (newest); 0 turns the log off.
    public init(path: String = "sim:i2c-1", clock: (any SimulationClock)? = nil, logCapacity: Int = 0) {
        self.path = path
        self.clock = clock
        self.state = Mutex(State(logCapacity: max(0, logCapacity)))
    }

    // MARK: Wiring

    /// Puts `chip` at `address` (replacing whatever was there), present.
    public func attach(_ chip: any SimulatedI2CChip, at address: I2CAddress) {
        state.withLock { $0.chips[address] = Attachment(chip: chip, present: true) }
    }

    /// Removes the chip at `address`; the address then answers `.noDevice`.
    public func detach(at address: I2CAddress) {
        _ = state.withLock { $0.chips.removeValue(forKey: address) }
    }

    /// The chip model at `address`, present or not.
    public func chip(at address: I2CAddress) -> (any SimulatedI2CChip)? {
        state.withLock { $0.chips[address]?.chip }
    }

    /// Addresses with a present chip, ascending (what a scan finds).
    public var presentAddresses: [I2CAddress] {
        state.withLock { s in s.chips.filter { $0.value.present }.keys.sorted() }
    }

    /// Makes the chip at `address` stop answering (`false`, e.g. a loose wire or lost power) or
    /// answer again (`true`). With `powerCycled`, a returning chip comes back with its reset
    /// values, as a chip that lost power does.
    public func setPresent(_ present: Bool, at address: I2CAddress, powerCycled: Bool = false) {
        let chipToReset: (any SimulatedI2CChip)? = state.withLock { s in
            guard var a = s.chips[address] else { return nil }
            let returning = present && !a.present
            a.present = present
            s.chips[address] = a
            return returning && powerCycled ? a.chip : nil
        }
        chipToReset?.powerOnReset()
    }

    public func isPresent(at address: I2CAddress) -> Bool {
        state.withLock { $0.chips[address]?.present ?? false }
    }

    // MARK: Faults

    /// The next `count` transfers to `address` (starting at `register`, if given) fail with `kind`,
    /// with the errno Linux reports for it. Faults queue in the order injected.
    public func injectFault(
        _ kind: I2CErrorKind, at address: I2CAddress, register: UInt8? = nil, count: Int = 1
    ) {
        guard count > 0 else { return }
        state.withLock {
            $0.faults.append(Fault(kind: kind, address: address, register: register, remaining: count))
        }
    }

    /// Drops every pending injected fault.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Injected faults not yet consumed (sum of remaining counts).
    public var pendingFaultCount: Int {
        state.withLock { $0.faults.reduce(0) { $0 + $1.remaining } }
    }

    // MARK: Log and counters

    /// The logged transactions, oldest first (at most `logCapacity`).
    public var transactions: [I2CTransaction] {
        state.withLock { s in
            Array(s.log[s.logStart...] + s.log[..<s.logStart])
        }
    }

    public func clearTransactions() {
        state.withLock {
            $0.log.removeAll(keepingCapacity: true)
            $0.logStart = 0
        }
    }

    /// Transfers attempted (including failed ones) and transfers that failed.
    public var counters: (transfers: Int, failures: Int) {
        state.withLock { ($0.transferCount, $0.failureCount) }
    }

    // MARK: I2CBus

    public func device(at address: I2CAddress) throws(I2CError) -> any I2CDevice {
        // I2C_SLAVE rejects addresses above 7 bits with EINVAL.
        guard address <= 0x7F else {
            throw I2CError(
                kind: .invalidArgument, busPath: path, address: address, errno: 22,
                operation: "select address")
        }
        return SimulatedI2CDevice(bus: self, address: address)
    }

    // MARK: Transfers (used by SimulatedI2CDevice)

    /// Runs one transfer against the chip at `address` under the bus lock. `body` returns the bytes
    /// read (for the log) and the result.
    func transfer<R: Sendable>(
        _ kind: I2CTransaction.Kind, address: I2CAddress, register: UInt8?, written: [UInt8] = [],
        operation: String, _ body: (any SimulatedI2CChip) -> (R, [UInt8])
    ) throws(I2CError) -> R {
        let timestamp = clock?.now
        let path = self.path
        let outcome: Result<R, I2CError> = state.withLock { s in
            s.transferCount += 1
            var failure: I2CErrorKind?
            if let i = s.faults.firstIndex(where: {
                $0.address == address && ($0.register == nil || $0.register == register)
            }) {
                failure = s.faults[i].kind
                s.faults[i].remaining -= 1
                if s.faults[i].remaining <= 0 { s.faults.remove(at: i) }
            } else if s.chips[address]?.present != true {
                failure = .noDevice
            }
            if let failure {
                s.failureCount += 1
                s.record(
                    I2CTransaction(
                        kind: kind, address: address, register: register, bytes: written, error: failure,
                        timestamp: timestamp))
                return .failure(
                    I2CError(
                        kind: failure, busPath: path, address: address, register: register,
                        errno: Self.errno(for: failure), operation: operation))
            }
            let chip = s.chips[address]!.chip
            let (result, read) = body(chip)
            s.record(
                I2CTransaction(
                    kind: kind, address: address, register: register, bytes: kind.isWrite ? written : read,
                    timestamp: timestamp))
            return .success(result)
        }
        return try outcome.get()
    }

    /// An argument error raised before anything reaches the wire.
    func invalidArgument(address: I2CAddress, register: UInt8?, operation: String) -> I2CError {
        I2CError(
            kind: .invalidArgument, busPath: path, address: address, register: register, errno: 22,
            operation: operation)
    }

    /// The errno Linux adapters report for each kind (Documentation/i2c/fault-codes.rst).
    static func errno(for kind: I2CErrorKind) -> Int32? {
        switch kind {
        case .noDevice: 6  // ENXIO
        case .noAcknowledge: 121  // EREMOTEIO
        case .timeout: 110  // ETIMEDOUT
        case .arbitrationLost: 11  // EAGAIN
        case .busy: 16  // EBUSY
        case .busNotFound: 2  // ENOENT
        case .permissionDenied: 13  // EACCES
        case .unsupported: 95  // EOPNOTSUPP
        case .invalidArgument: 22  // EINVAL
        case .shortTransfer: nil
        case .other: 5  // EIO
        }
    }
}

extension I2CTransaction.Kind {
    fileprivate var isWrite: Bool { self == .writeByte || self == .writeBlock }
}
