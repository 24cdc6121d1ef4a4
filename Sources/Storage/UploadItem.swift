import Foundation

/// One stored row ready to leave the device: every column, keyed by column name, plus ISO-8601
/// UTC forms of the times (`time`, and for impacts `start_time`, `end_time`, `peak_time`), the
/// waveform as base64, booleans as JSON booleans and `payload` as the JSON object text.
public struct UploadItem: Sendable, Equatable {
    /// The row's stable id (never reused): the idempotency key with `kind` and the device.
    public var id: Int64
    public var kind: UploadKind
    public var time: Date
    public var json: [String: JSONValue]
    /// Column order as stored, then the added ISO fields: for stable JSON Lines and CSV headers.
    public var keys: [String]

    public init(id: Int64, kind: UploadKind, time: Date, json: [String: JSONValue], keys: [String]) {
        self.id = id
        self.kind = kind
        self.time = time
        self.json = json
        self.keys = keys
    }

    /// One JSON object on one line, keys in `keys` order, with `"kind"` first.
    public var jsonLine: String {
        var parts = ["\"kind\":" + JSONValue.quote(kind.rawValue)]
        parts.reserveCapacity(keys.count + 1)
        for k in keys { parts.append(JSONValue.quote(k) + ":" + (json[k] ?? .null).jsonText) }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
