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
}
