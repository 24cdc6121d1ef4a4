import CFuzzerDriver
import Detection
import Foundation
import Storage

/// The SQLite blob decoders: a blob read back from a database that a power cut, a full SD card or
/// a bad sector may have damaged.
///
/// - `WaveformCodec.decode` (impact waveforms): the whole input. An error, or samples that encode
///   and decode again to the same count (the format round-trips what it accepts).
/// - `RawSampleCodec.decode` (raw acceleration batches): the row's `time_us` base is the first 8
///   input bytes (little-endian; a damaged row can hold any integer), the blob the rest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    do {
        let samples = try WaveformCodec.decode(bytes)
        let again = try WaveformCodec.decode(WaveformCodec.encode(samples))
        if again.count != samples.count {
            fatalError("re-encoding changed the count: \(samples.count) → \(again.count)")
        }
    } catch {
        if String(describing: error).isEmpty { fatalError("WaveformCodecError with an empty message") }
    }

    var base: Int64 = 0
    for i in 0..<min(8, count) { base |= Int64(bytes[i]) << (8 * Int64(i)) }
    let blob = count > 8 ? Array(bytes[8...]) : []
    let raw = RawSampleCodec.decode(blob, base: base)
    if raw.count != blob.count / RawSampleCodec.bytesPerSample {
        fatalError("\(blob.count) bytes decoded to \(raw.count) samples")
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzWaveform_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
