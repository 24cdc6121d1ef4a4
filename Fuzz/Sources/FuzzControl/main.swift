import CFuzzerDriver
import Foundation
import Station

/// The control socket's request decoder: any local user in the service's group can write any bytes
/// to the socket. Either a `ControlProtocolError` with a reason, or a request that survives its
/// own encoding unchanged (the CLI sends `encoded()`, the service decodes it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    do {
        let request = try ControlRequest.decode(Array(bytes))
        let again = try ControlRequest.decode(request.encoded())
        if again != request { fatalError("\(request) re-decoded as \(again)") }
    } catch {
        if error.description.isEmpty { fatalError("empty ControlProtocolError") }
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzControl_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
