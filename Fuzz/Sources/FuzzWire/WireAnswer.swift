import Cloud
import Foundation

/// An HTTP answer laid out like the wire, so that seed corpora are real responses:
///
///     <status digits>\n
///     <Name>: <value>\n        zero or more header lines
///     \n
///     <body bytes>             anything, to the end
///
/// A first line that is not a number gives status = its first byte × 3 (0...765), so every status
/// class is reachable from arbitrary bytes. Missing parts are empty.
public struct WireAnswer {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]

    public init(_ bytes: ArraySlice<UInt8>) {
        var lines: [ArraySlice<UInt8>] = []
        var from = bytes.startIndex
        var bodyStart = bytes.endIndex
        // Status line and headers end at the first empty line; the rest is the body.
        while from < bytes.endIndex {
            let end = bytes[from...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[from..<end]
            if line.last == 0x0D { line = line.dropLast() }
            from = end + 1
            if line.isEmpty && !lines.isEmpty {
                bodyStart = min(from, bytes.endIndex)
                break
            }
            lines.append(line)
            bodyStart = min(from, bytes.endIndex)
        }
        let statusText = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        status = Int(statusText) ?? Int(lines.first?.first ?? 0) * 3
        headers = lines.dropFirst().map { line in
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return HTTPField(text, "") }
            return HTTPField(
                String(text[..<colon]),
                String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        body = Array(bytes[bodyStart...])
    }
}
