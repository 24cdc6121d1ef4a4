import CFuzzerDriver
import Detection

/// The replay CSV reader (a trace from a spreadsheet, a logger, a colleague). Read twice: in one
/// chunk, and in chunks of 1...13 bytes so line ends, CRs, BOMs and over-long lines fall on every
/// chunk boundary. Both reads must agree exactly, and what is accepted must obey the documented
/// rules: finite values, time never going backwards.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let whole = read(TraceReader(bytes: bytes))
    let chunked = read(TraceReader(bytes: bytes, chunkSize: 1 + count % 13))
    guard whole.samples == chunked.samples, whole.error == chunked.error else {
        fatalError(
            "chunking changed the result: \(whole.samples.count) samples, \(String(describing: whole.error)) vs \(chunked.samples.count), \(String(describing: chunked.error))"
        )
    }
    var last = -Double.infinity
    for s in whole.samples {
        guard s.t.isFinite, s.x.isFinite, s.y.isFinite, s.z.isFinite else {
            fatalError("non-finite sample \(s)")
        }
        guard s.t >= last else { fatalError("time went backwards: \(s.t) after \(last)") }
        last = s.t
    }
    return 0
}

func read(_ reader: TraceReader) -> (samples: [MotionSample], error: TraceError?) {
    var samples: [MotionSample] = []
    do {
        while let s = try reader.next() { samples.append(s) }
        return (samples, nil)
    } catch {
        if error.line < 1 { fatalError("error without a line number: \(error)") }
        return (samples, error)
    }
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzTrace_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
