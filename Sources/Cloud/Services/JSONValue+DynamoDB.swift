import Foundation
import Storage

/// AWS request and response bodies are Storage's `JSONValue` (one JSON type for the whole
/// package); its DynamoDB form is here.
extension JSONValue {
    /// The DynamoDB attribute value (`{"S": …}`, `{"N": "…"}`, `{"BOOL": …}`, `{"NULL": true}`,
    /// `{"L": […]}`, `{"M": {…}}`). Non-finite doubles have no DynamoDB form and become NULL.
    public var dynamoDB: JSONValue {
        switch self {
        case .null: return .object(["NULL": .bool(true)])
        case .bool(let b): return .object(["BOOL": .bool(b)])
        case .int(let i): return .object(["N": .string(String(i))])
        case .double(let d):
            return d.isFinite ? .object(["N": .string(Self.shortest(d))]) : .object(["NULL": .bool(true)])
        case .string(let s): return .object(["S": .string(s)])
        case .array(let a): return .object(["L": .array(a.map(\.dynamoDB))])
        case .object(let o): return .object(["M": .object(o.mapValues(\.dynamoDB))])
        }
    }

    static func shortest(_ d: Double) -> String { "\(d)" }

    /// Appends `dynamoDB.jsonText` to `out` without building the attribute tree.
    public func writeDynamoDB(to out: inout String) {
        switch self {
        case .null: out += #"{"NULL":true}"#
        case .bool(let b): out += b ? #"{"BOOL":true}"# : #"{"BOOL":false}"#
        case .int(let i):
            out += #"{"N":""#
            out += String(i)
            out += #""}"#
        case .double(let d):
            guard d.isFinite else {
                out += #"{"NULL":true}"#
                return
            }
            out += #"{"N":""#
            out += Self.shortest(d)
            out += #""}"#
        case .string(let s):
            out += #"{"S":"#
            JSONValue.writeQuoted(s, to: &out)
            out += "}"
        case .array(let a):
            out += #"{"L":["#
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.writeDynamoDB(to: &out)
            }
            out += "]}"
        case .object(let o):
            out += #"{"M":"#
            Self.writeDynamoDBMap(o, to: &out)
            out += "}"
        }
    }

    /// An item (or an `M` value): the attributes' DynamoDB forms, keys sorted.
    public static func writeDynamoDBMap(_ fields: [String: JSONValue], to out: inout String) {
        out += "{"
        var first = true
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            if !first { out += "," }
            first = false
            writeQuoted(k, to: &out)
            out += ":"
            v.writeDynamoDB(to: &out)
        }
        out += "}"
    }
}
