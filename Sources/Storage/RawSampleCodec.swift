import Foundation

/// The packed form of a raw-sample batch (`raw_acceleration.data`), little-endian, 17 bytes per
/// sample:
///
/// | bytes | type    | field                                               |
/// |-------|---------|-----------------------------------------------------|
/// | 0–3   | Int32   | offset from the row's `time_us`, µs (±35 min)       |
/// | 4–7   | Float32 | x, g                                                |
/// | 8–11  | Float32 | y, g                                                |
/// | 12–15 | Float32 | z, g                                                |
/// | 16    | UInt8   | flags: bit 0 = saturated                            |
///
/// Float32 keeps 24 bits of mantissa: more than any supported accelerometer's 10–16-bit output,
/// over the ±400 g of the H3LIS331DL (Int16 milli-g would stop at ±32 g). 3200 Hz is 54 400 B/s.
public enum RawSampleCodec {
    public static let bytesPerSample = 17
    /// A batch longer than this is split over several rows so offsets fit an Int32.
    static let maxSpanMicros: Int64 = 30 * 60 * 1_000_000

    public static func encode(_ samples: [RawSampleRecord], base: Int64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(samples.count * bytesPerSample)
        func put<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
        }
        for s in samples {
            put(Int32(clamping: TimeCodec.micros(s.time) - base))
            put(Float(s.x).bitPattern)
            put(Float(s.y).bitPattern)
            put(Float(s.z).bitPattern)
            out.append(s.saturated ? 1 : 0)
        }
        return out
    }

    /// Decodes a blob; a truncated tail is ignored rather than trusted.
    public static func decode(_ bytes: [UInt8], base: Int64) -> [RawSampleRecord] {
        let n = bytes.count / bytesPerSample
        var out = [RawSampleRecord]()
        out.reserveCapacity(n)
        bytes.withUnsafeBytes { raw in
            func u32(_ at: Int) -> UInt32 {
                UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            }
            for i in 0..<n {
                let o = i * bytesPerSample
                let offset = Int64(Int32(bitPattern: u32(o)))
                out.append(
                    RawSampleRecord(
                        // A damaged row's base can be anything: saturate instead of trapping on overflow.
                        time: TimeCodec.date(
                            micros: base.addingReportingOverflow(offset).overflow
                                ? (offset < 0 ? Int64.min : Int64.max) : base + offset),
                        x: Double(Float(bitPattern: u32(o + 4))),
                        y: Double(Float(bitPattern: u32(o + 8))),
                        z: Double(Float(bitPattern: u32(o + 12))),
                        saturated: raw[o + 16] & 1 == 1))
            }
        }
        return out
    }

    /// Splits a batch into pieces whose offsets fit (in practice: one piece).
    static func chunks(_ samples: [RawSampleRecord]) -> [ArraySlice<RawSampleRecord>] {
        guard let first = samples.first else { return [] }
        var result: [ArraySlice<RawSampleRecord>] = []
        var start = 0
        var base = TimeCodec.micros(first.time)
        for (i, s) in samples.enumerated() where abs(TimeCodec.micros(s.time) - base) > maxSpanMicros {
            result.append(samples[start..<i])
            start = i
            base = TimeCodec.micros(s.time)
        }
        result.append(samples[start...])
        return result
    }
}
