import CFuzzerDriver
import Cloud
import Station
import Storage

/// The Device Shadow's answer as the station reads it (anyone with `iot:UpdateThingShadow` on the
/// thing writes its desired state): `ShadowClient.document(fromAnswer:)`, then `ShadowDesired.read`
/// of its desired state, then the configuration loader with that overlay on a valid file. Each
/// step either gives a value or an error that says something; the loader accepts only what the
/// schema allows (a threshold in its range).
let file = """
    upload:
      enabled: true
      credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com
      role_alias: station
      kinesis:
        stream: k1
    shadow:
      enabled: true
      endpoint: a1b2c3-ats.iot.eu-west-1.amazonaws.com

    """

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let document: ShadowClient.Document
    do { document = try ShadowClient.document(fromAnswer: bytes) } catch {
        if error.description.isEmpty { fatalError("an empty error") }
        return 0
    }
    if document.version < 0 { fatalError("version \(document.version) accepted") }
    let reading = ShadowDesired.read(document.desired, version: document.version)
    for p in reading.problems where p.message.isEmpty || p.key.isEmpty {
        fatalError("a problem without a key or a message: \(p)")
    }
    for path in reading.overlay.values.keys where path.isEmpty || path == "streaming" {
        fatalError("overlay path \(path.debugDescription)")
    }
    do {
        let c = try ConfigurationLoader.parse(
            file, source: "config.yaml", environment: [:], overlay: reading.overlay)
        if !(1.5...100).contains(c.impact.thresholdG) {
            fatalError("threshold \(c.impact.thresholdG) accepted")
        }
        _ = ShadowDesired.reportedSettings(c)
    } catch {
        if error.problems.isEmpty || error.problems.contains(where: { $0.message.isEmpty }) {
            fatalError("a refusal that says nothing: \(error)")
        }
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzShadow_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
