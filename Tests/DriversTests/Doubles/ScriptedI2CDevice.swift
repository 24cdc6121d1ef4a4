import HAL
import Testing

/// A scripted I2C device: the exact transactions a driver must perform, in order, with the
/// answers to give. Any other transaction is recorded as a test failure (and answered with an
/// `.other` error); `assertDone()` fails if expected transactions are left over.
final class ScriptedI2CDevice: I2CDevice {
    enum Operation: Equatable, CustomStringConvertible {
        case receiveByte
        case readByte(UInt8)
        case writeByte(UInt8, UInt8)
        case readWord(UInt8)
        case readBlock(UInt8, count: Int)
        case writeBlock(UInt8, [UInt8])

        var description: String {
            switch self {
            case .receiveByte: "receive byte"
            case .readByte(let r): "read byte \(hex(r))"
            case .writeByte(let r, let v): "write byte \(hex(r))←\(hex(v))"
            case .readWord(let r): "read word \(hex(r))"
            case .readBlock(let r, let n): "block read \(hex(r)) × \(n)"
            case .writeBlock(let r, let b): "block write \(hex(r)) \(b.map(hex))"
            }
        }
    }

    struct Step {
        var operation: Operation
        /// Bytes returned (reads), or the error to throw.
        var result: Outcome
    }

    enum Outcome {
        case bytes([UInt8])
        case error(I2CErrorKind)
    }

    let busPath: String
    let address: I2CAddress
    private var steps: [Step]
    private var index = 0
    private let sourceLocation: SourceLocation

    init(
        busPath: String = "/dev/i2c-1", address: I2CAddress, _ steps: [Step],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.busPath = busPath
        self.address = address
        self.steps = steps
        self.sourceLocation = sourceLocation
    }

    func append(_ more: [Step]) { steps += more }

    func assertDone(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            index == steps.count,
            "\(steps.count - index) expected transactions not performed, next: \(index < steps.count ? steps[index].operation.description : "-")",
            sourceLocation: sourceLocation)
    }

    private func perform(_ op: Operation, register: UInt8?) throws(I2CError) -> [UInt8] {
        guard index < steps.count else {
            Issue.record(
                "unexpected transaction \(op) after the script ended", sourceLocation: sourceLocation)
            throw I2CError(
                kind: .other, busPath: busPath, address: address, register: register,
                operation: "unscripted \(op)")
        }
        let step = steps[index]
        guard step.operation == op else {
            Issue.record(
                "transaction \(index): expected \(step.operation), got \(op)", sourceLocation: sourceLocation)
            throw I2CError(
                kind: .other, busPath: busPath, address: address, register: register,
                operation: "unscripted \(op)")
        }
        index += 1
        switch step.result {
        case .bytes(let bytes): return bytes
        case .error(let kind):
            throw I2CError(
                kind: kind, busPath: busPath, address: address, register: register, operation: op.description)
        }
    }

    func receiveByte() throws(I2CError) -> UInt8 { try perform(.receiveByte, register: nil).first ?? 0 }
    func readByte(register: UInt8) throws(I2CError) -> UInt8 {
        try perform(.readByte(register), register: register).first ?? 0
    }
    func writeByte(register: UInt8, value: UInt8) throws(I2CError) {
        _ = try perform(.writeByte(register, value), register: register)
    }
    func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        let b = try perform(.readWord(register), register: register)
        return UInt16(b.first ?? 0) | UInt16(b.count > 1 ? b[1] : 0) << 8
    }
    func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try perform(.readBlock(register, count: count), register: register)
    }
    func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) {
        _ = try perform(.writeBlock(register, bytes), register: register)
    }
}

extension ScriptedI2CDevice.Step {
    static func read(_ register: UInt8, _ value: UInt8) -> Self {
        .init(operation: .readByte(register), result: .bytes([value]))
    }
    static func write(_ register: UInt8, _ value: UInt8) -> Self {
        .init(operation: .writeByte(register, value), result: .bytes([]))
    }
    static func block(_ register: UInt8, _ bytes: [UInt8]) -> Self {
        .init(operation: .readBlock(register, count: bytes.count), result: .bytes(bytes))
    }
    static func fail(_ operation: ScriptedI2CDevice.Operation, _ kind: I2CErrorKind) -> Self {
        .init(operation: operation, result: .error(kind))
    }
}
