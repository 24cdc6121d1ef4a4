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
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the JSON text to `out`: one buffer for the whole value, where joining the parts'
    /// texts would build and copy a string per level.
    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): JSONValue.writeQuoted(s, to: &out)
        case .array(let a): JSONValue.writeArray(a, to: &out)
        case .object(let o):
            out += "{"
            var first = true
            for (k, v) in o.sorted(by: { $0.key < $1.key }) {
                if !first { out += "," }
                first = false
                JSONValue.writeQuoted(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    /// A JSON object on one line with its keys in the given order (JSON readers keep no order, but
    /// people and diffs do).
    public static func object(_ fields: [(String, JSONValue)]) -> String {
        var out = "{"
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out += "," }
            writeQuoted(k, to: &out)
            out += ":"
            v.write(to: &out)
        }
        return out + "}"
    }

    /// The same, for values that are already JSON text (arrays, nested objects).
    public static func object(text fields: [(String, String)]) -> String {
        var out = "{"
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out += "," }
            writeQuoted(k, to: &out)
            out += ":"
            out += v
        }
        return out + "}"
    }

    /// A JSON array of these values on one line.
    public static func array(_ values: [JSONValue]) -> String {
        var out = ""
        writeArray(values, to: &out)
        return out
    }

    static func writeArray(_ values: [JSONValue], to out: inout String) {
        out += "["
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            v.write(to: &out)
        }
        out += "]"
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    public static func quote(_ s: String) -> String {
        var out = ""
        writeQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal; most strings need no escape and are copied whole.
    public static func writeQuoted(_ s: String, to out: inout String) {
        out += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
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
        out += "\""
    }
}
