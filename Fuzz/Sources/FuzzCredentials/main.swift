import CFuzzerDriver
import Cloud
import FuzzWire

/// The credentials provider's answer (AWS IoT `/role-aliases/<alias>/credentials`) as the station
/// receives it: status, headers and body all come from the network, laid out like the wire
/// (`WireAnswer`) so the seed corpus is real responses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let answer = WireAnswer(Array(UnsafeRawBufferPointer(start: start, count: count))[...])
    let (status, headers, body) = (answer.status, answer.headers, answer.body)
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
