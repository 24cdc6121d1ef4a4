import Foundation
import HAL
import LinuxSystem
import Storage

/// What `sensorstation calibrate` measured, kept beside the log (`calibration.json`): the
/// accelerometer's per-axis offset and scale, and which chip they belong to. The configuration
/// loader lays it over the file's `accelerometer.calibration` (the same keys, checked by the same
/// code, its problems naming this file), so the service, `read`, `config show` and a reload
/// (SIGHUP) all see one calibration. Values for another chip or address are not applied.
///
/// ```json
/// {"sensor": "adxl345", "address": "0x53", "method": "six_position",
///  "measured_at": "2026-12-06T19:30:00Z", "offset_g": [0.021, -0.013, 0.048],
///  "scale": [1.004, 0.998, 1.012], "residual_g": 0.004}
/// ```
public struct CalibrationFile: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        /// One position, lying still on a level face: offsets only (AN-1057's "no-turn").
        case level
        /// Each axis up and down: offset and scale per axis (AN-1057's six-point).
        case sixPosition = "six_position"
    }

    /// The chip's name as the configuration writes it (`adxl345`).
    public var sensor: String
    public var address: UInt8
    public var method: Method
    /// When it was measured (ISO 8601, UTC); informational.
    public var measuredAt: String
    /// Subtracted from the raw reading, g per axis.
    public var offsetG: SIMD3<Double>
    /// Then multiplied by this.
    public var scale: SIMD3<Double>
    /// The largest difference from 1 g left at the measured positions after the correction.
    public var residualG: Double?

    public init(
        sensor: String, address: UInt8, method: Method, measuredAt: String, offsetG: SIMD3<Double>,
        scale: SIMD3<Double>, residualG: Double? = nil
    ) {
        self.sensor = sensor
        self.address = address
        self.method = method
        self.measuredAt = measuredAt
        self.offsetG = offsetG
        self.scale = scale
        self.residualG = residualG
    }

    /// `calibration.json` in the directory of the log (where the service may write under its
    /// sandbox, next to the control socket and the kept shadow settings).
    public static func path(forDatabase database: String) -> String {
        let dir = (database as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/calibration.json"
    }

    /// The most a calibration file may be; anything larger is not one.
    static let maxLength = 16 * 1024

    /// The file at `path`; nil when there is none. Anything unreadable or malformed is a problem
    /// naming the file, the field and how to fix it.
    public static func read(_ path: String) throws(CalibrationFileError) -> CalibrationFile? {
        switch find(path) {
        case .none: return nil
        case .file(let f): return f
        case .forbidden(let reason), .damaged(let reason): throw CalibrationFileError("\(path): \(reason)")
        }
    }

    public enum Found: Sendable, Equatable {
        case none
        case file(CalibrationFile)
        /// This user may not read it, or its directory (the service's; only its group may).
        case forbidden(String)
        /// Unreadable for another reason, or not a calibration file.
        case damaged(String)
    }

    /// What is at `path`. Never throws: a damaged file must not lock out the commands that
    /// would replace or remove it (the loader leaves it unapplied and says why).
    public static func find(_ path: String) -> Found {
        let bytes: [UInt8]
        do { bytes = try Files.read(path, limit: maxLength) } catch {
            switch error {
            case .system(let e) where e.isNothingThere || e.errno == ENOTDIR: return .none
            case .system(let e) where e.isPermissionDenied: return .forbidden("\(e.reason)")
            case .system(let e): return .damaged("cannot read it: \(e.reason) (\(e.call))")
            case .tooLarge: return .damaged("larger than \(maxLength / 1024) KiB: not a calibration file")
            }
        }
        do { return .file(try decode(bytes)) } catch { return .damaged(error.description) }
    }

    /// Parses a calibration file's bytes (untrusted: fuzzed).
    public static func decode(_ bytes: [UInt8]) throws(CalibrationFileError) -> CalibrationFile {
        guard case .object(let o)? = try? JSONValue.parse(bytes) else {
            throw CalibrationFileError("not a JSON object: not a calibration file")
        }
        func text(_ key: String) throws(CalibrationFileError) -> String {
            guard case .string(let s)? = o[key] else {
                throw CalibrationFileError("\"\(key)\" is not a text")
            }
            return s
        }
        // Numbers as the file keeps them (a millionth of a g), and no larger than a chip could
        // ever be off: so a file decodes to what writing it back would give.
        func number(_ value: JSONValue?) -> Double? {
            let d: Double
            switch value {
            case .int(let i)?: d = Double(i)
            case .double(let v)?: d = v
            default: return nil
            }
            guard abs(d) <= 1000 else { return nil }
            return Self.rounded(d)
        }
        func vector(_ key: String) throws(CalibrationFileError) -> SIMD3<Double> {
            guard case .array(let a)? = o[key], a.count == 3, let x = number(a[0]), let y = number(a[1]),
                let z = number(a[2])
            else {
                throw CalibrationFileError("\"\(key)\" is not a list of three numbers (each within ±1000)")
            }
            return SIMD3(x, y, z)
        }
        let sensor = try text("sensor")
        let addressText = try text("address")
        guard addressText.hasPrefix("0x"), let address = UInt8(addressText.dropFirst(2), radix: 16) else {
            throw CalibrationFileError("\"address\" is not an I2C address like \"0x53\"")
        }
        let methodText = try text("method")
        guard let method = Method(rawValue: methodText) else {
            throw CalibrationFileError(
                "\"method\" is '\(methodText.prefix(40))'; expected \(Method.allCases.map(\.rawValue).joined(separator: " or "))"
            )
        }
        let residual: Double?
        switch o["residual_g"] {
        case nil, .null?: residual = nil
        case let v:
            guard let r = number(v) else {
                throw CalibrationFileError("\"residual_g\" is not a number within ±1000")
            }
            residual = r
        }
        return CalibrationFile(
            sensor: sensor, address: address, method: method,
            measuredAt: (try? text("measured_at")) ?? "", offsetG: try vector("offset_g"),
            scale: try vector("scale"), residualG: residual)
    }

    /// The file's text: one JSON object, fields in a fixed order.
    public var encoded: String {
        func value(_ d: Double) -> JSONValue { .double(Self.rounded(d)) }
        func list(_ v: SIMD3<Double>) -> JSONValue { .array([value(v.x), value(v.y), value(v.z)]) }
        var fields: [(String, JSONValue)] = [
            ("sensor", .string(sensor)), ("address", .string(hexAddress)),
            ("method", .string(method.rawValue)),
            ("measured_at", .string(measuredAt)), ("offset_g", list(offsetG)), ("scale", list(scale)),
        ]
        if let residualG { fields.append(("residual_g", value(residualG))) }
        return JSONValue.object(fields) + "\n"
    }

    /// To a millionth of a g: far below any chip's resolution, and the file stays readable.
    static func rounded(_ d: Double) -> Double { (d * 1e6).rounded() / 1e6 }

    public var hexAddress: String { hex(address) }

    /// Writes the file so that a power cut leaves the old one or the new one.
    public func write(to path: String) throws(SystemError) {
        try Files.writeAtomically(path, Array(encoded.utf8), mode: 0o644)
    }

    /// The configuration keys it sets, as an overlay naming the file.
    func overlay(path: String) -> ConfigurationOverlay {
        ConfigurationOverlay(
            source: "calibration file \(path)",
            values: [
                "accelerometer.calibration.offset_g": .vector(offsetG),
                "accelerometer.calibration.scale": .vector(scale),
            ])
    }
}

public struct CalibrationFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where the running calibration came from, for `status`, `config show` and the log.
public enum CalibrationSource: Sendable, Equatable {
    /// `calibration.json` beside the log.
    case file(path: String, method: CalibrationFile.Method, measuredAt: String)
    /// A calibration file not applied (another chip's, damaged, or values out of range): the
    /// configuration's values are used.
    case ignored(path: String, reason: String)
    /// This user cannot read the service's directory: whether it keeps a calibration is not
    /// known here (the service itself can).
    case unknown(path: String, reason: String)

    public var text: String {
        switch self {
        case .file(let path, let method, let at):
            "\(path) (\(method == .level ? "level" : "six-position")\(at.isEmpty ? "" : ", measured \(at)"))"
        case .ignored(let path, let reason):
            "\(path) not applied, the configuration's values are used: \(reason); run sensorstation calibrate again, or remove the file"
        case .unknown(let path, let reason):
            "cannot tell whether the service keeps a calibration (\(path): \(reason); \(ControlClient.joinGroupHint)); the configuration's values are shown"
        }
    }

    /// Whether the calibration file is what applies.
    public var isApplied: Bool { if case .file = self { true } else { false } }
}

extension JSONValue {
    /// `[x, y, z]`.
    public static func vector(_ v: SIMD3<Double>) -> JSONValue {
        .array([.double(v.x), .double(v.y), .double(v.z)])
    }
}
