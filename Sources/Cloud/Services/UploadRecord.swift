import Foundation
import Storage

/// One row that must leave the device: a stable id (the database's), its kind, its time, and
/// its JSON object. The destinations derive their keys from (kind, id), so a resend is harmless.
public struct UploadRecord: Sendable, Equatable {
    public var id: Int64
    /// `impact`, `weather`, `motion`, `event`.
    public var kind: String
    public var time: Date
    /// One JSON object, UTF-8, no newline.
    public var json: [UInt8]

    public init(id: Int64, kind: String, time: Date, json: [UInt8]) {
        self.id = id
        self.kind = kind
        self.time = time
        self.json = json
    }

    public init<T: Encodable>(id: Int64, kind: String, time: Date, payload: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(AWSDate.iso8601Milliseconds(date))
        }
        self.init(id: id, kind: kind, time: time, json: Array(try encoder.encode(payload)))
    }
}

extension UploadRecord {
    /// The record with `key: value` appended to its JSON object (unchanged when `value` is nil).
    /// The object is the one the log wrote, so appending before its closing brace is enough.
    public func adding(_ key: String, _ value: JSONValue?) -> UploadRecord {
        guard let value, json.last == UInt8(ascii: "}") else { return self }
        var out = json.dropLast()
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        out += Array("\(JSONValue.string(key).jsonText):\(value.jsonText)}".utf8)
        return UploadRecord(id: id, kind: kind, time: time, json: Array(out))
    }
}

extension AWSDate {
    /// `2026-11-23T06:54:46.123Z`: fixed width, so it sorts as text (DynamoDB sort keys).
    public static func iso8601Milliseconds(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let whole = Date(
            timeIntervalSince1970: Double(
                ms.quotientAndRemainder(dividingBy: 1000).quotient
                    - (ms % 1000 < 0 ? 1 : 0)))
        let rem = ((ms % 1000) + 1000) % 1000
        let base = iso8601(whole)
        let frac = String(rem)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - frac.count) + frac + "Z"
    }
}
