import CFuzzerDriver
import Station

/// The configuration loader over any text: YAML syntax, anchors and merge keys, every section's
/// types and ranges, relative paths. A thrown `ConfigurationError` is the expected answer to bad
/// text; its message is rendered too, because that is what a user reads. An empty environment, so
/// only the file decides.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        let configuration = try ConfigurationLoader.parse(text, source: "/fuzz/config.yaml", environment: [:])
        _ = String(describing: configuration)
    } catch {
        let message = String(describing: error)
        // Every rejection must say something: an empty message is a bug a user cannot act on.
        if message.isEmpty { fatalError("ConfigurationError with an empty message for \(count) bytes") }
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzConfiguration_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
