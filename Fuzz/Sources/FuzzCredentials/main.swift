import CFuzzerDriver
import Cloud
import Foundation

/// The credentials provider's answer (AWS IoT `/role-aliases/<alias>/credentials`) as the station
/// receives it: status, headers and body all come from the network. The input is laid out like
/// the wire so the seed corpus is real responses:
///
///     <status digits>\n
///     <Name>: <value>\n        zero or more header lines
///     \n
///     <body bytes>             anything, to the end
///
/// A first line that is not a number gives status = its first byte × 3 (0...765), so every status
/// class is reachable from arbitrary bytes. Missing parts are empty.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var lines: [ArraySlice<UInt8>] = []
    var from = 0
    var bodyStart = bytes.count
    // Status line and headers end at the first empty line; the rest is the body.
    while from < bytes.count {
        let end = bytes[from...].firstIndex(of: 0x0A) ?? bytes.count
        var line = bytes[from..<end]
        if line.last == 0x0D { line = line.dropLast() }
        from = end + 1
        if line.isEmpty && !lines.isEmpty { bodyStart = min(from, bytes.count); break }
        lines.append(line)
        bodyStart = min(from, bytes.count)
    }
    let statusText = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    let status = Int(statusText) ?? Int(lines.first?.first ?? 0) * 3
    var headers: [HTTPField] = []
    for line in lines.dropFirst() {
        let text = String(decoding: line, as: UTF8.self)
        if let colon = text.firstIndex(of: ":") {
            headers.append(
                HTTPField(
                    String(text[..<colon]),
                    String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        } else {
            headers.append(HTTPField(text, ""))
        }
    }
    let body = Array(bytes[bodyStart...])
    let decoder = CredentialsResponseDecoder(
        endpoint: "c2abcdefghijkl.credentials.iot.eu-west-1.amazonaws.com",
        roleAlias: "sensorstation-role-alias", thingName: "station-0001")
    switch decoder.decode(status: status, headers: headers, body: body) {
    case .success(let decoded):
        // A success only from a 200 with every credential field present.
        if status != 200 { fatalError("credentials accepted from HTTP \(status)") }
        if decoded.credentials.accessKeyId.isEmpty || decoded.credentials.secretAccessKey.isEmpty
            || (decoded.credentials.sessionToken ?? "").isEmpty
        {
            fatalError("credentials with an empty field accepted")
        }
    case .failure(let error):
        if String(describing: error).isEmpty { fatalError("CredentialsError with an empty message") }
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzCredentials_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
