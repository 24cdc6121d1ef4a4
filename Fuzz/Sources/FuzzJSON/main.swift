import CFuzzerDriver
import Storage

/// `JSONValue.parse`, the reader of every AWS answer and of the shadow's document: any bytes give
/// a value or an error whose offset lies within them; a value read, written with `jsonText` and
/// read again is the same value (what the uploader relies on when it sends back what DynamoDB
/// left unprocessed).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let value: JSONValue
    do { value = try JSONValue.parse(bytes) } catch {
        if error.offset < 0 || error.offset > count || error.reason.isEmpty { fatalError("\(error)") }
        return 0
    }
    let text = value.jsonText
    guard let again = try? JSONValue.parse(Array(text.utf8)) else {
        fatalError("its own text not read: \(text)")
    }
    if again != value { fatalError("\(value) written as \(text) read as \(again)") }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzJSON_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
