import Foundation

/// Any JSON value, decoded without loss of kind (a boolean stays a boolean, an integer an
/// integer), to map records onto DynamoDB attribute values.
public enum AWSJSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([AWSJSON])
    case object([String: AWSJSON])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AWSJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AWSJSON].self)) }
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

    /// The DynamoDB attribute value (`{"S": …}`, `{"N": "…"}`, `{"BOOL": …}`, `{"NULL": true}`,
    /// `{"L": […]}`, `{"M": {…}}`). Non-finite doubles have no DynamoDB form and become NULL.
    public var dynamoDB: AWSJSON {
        switch self {
        case .null: return .object(["NULL": .bool(true)])
        case .bool(let b): return .object(["BOOL": .bool(b)])
        case .int(let i): return .object(["N": .string(String(i))])
        case .double(let d): return d.isFinite ? .object(["N": .string(Self.shortest(d))]) : .object(["NULL": .bool(true)])
        case .string(let s): return .object(["S": .string(s)])
        case .array(let a): return .object(["L": .array(a.map(\.dynamoDB))])
        case .object(let o): return .object(["M": .object(o.mapValues(\.dynamoDB))])
        }
    }

    static func shortest(_ d: Double) -> String { "\(d)" }
}
