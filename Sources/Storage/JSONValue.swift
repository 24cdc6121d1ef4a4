import Foundation

/// Any JSON value, decoded without loss of kind (a boolean stays a boolean, an integer an
/// integer): what a stored column becomes in an upload or an export, and the AWS request and
/// response bodies (Cloud maps it onto DynamoDB attribute values).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The JSON text of this value (numbers in Swift's shortest round-trip form; non-finite
    /// doubles, which JSON cannot carry, as null; an object's keys sorted).
    public var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : "null"
        case .string(let s): return JSONValue.quote(s)
        case .array(let a): return JSONValue.array(a)
        case .object(let o): return JSONValue.object(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    /// A JSON object on one line with its keys in the given order (JSON readers keep no order, but
    /// people and diffs do).
    public static func object(_ fields: [(String, JSONValue)]) -> String {
        object(text: fields.map { ($0.0, $0.1.jsonText) })
    }

    /// The same, for values that are already JSON text (arrays, nested objects).
    public static func object(text fields: [(String, String)]) -> String {
        "{" + fields.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A JSON array of these values on one line.
    public static func array(_ values: [JSONValue]) -> String {
        "[" + values.map(\.jsonText).joined(separator: ",") + "]"
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
