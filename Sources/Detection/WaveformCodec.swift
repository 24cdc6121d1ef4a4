/// A compact, checksummed byte form of a captured waveform, for an SQLite blob.
///
/// Format version 1 (all integers little-endian; "varint" is unsigned LEB128, at most 10 bytes;
/// "zigzag" maps signed n to (n << 1) ^ (n >> 63)):
///
///     "SSWF"            magic, 4 bytes
///     version           1 byte, = 1
///     count             varint, number of samples
///     t0                Float64 bit pattern, 8 bytes (only when count > 0): time of the first sample
///     per sample:
///       varint  zigzag(Δµs) << 1 | saturated   time step in whole microseconds from the previous
///                                               sample's rounded offset (the first: from t0)
///       varint  zigzag(Δx), zigzag(Δy), zigzag(Δz)   change of each axis in units of 0.1 mg from
///                                               the previous sample (the first: from 0)
///     CRC-32            4 bytes, over everything before it
///
/// Precision: times are kept as round((t − t0) · 10⁶) µs, so each decoded time is within 0.5 µs
/// (plus Float64 rounding) of the original and errors never accumulate; axes within 0.05 mg
/// (axes are rounded to 0.1 mg steps — finer than any supported sensor's resolution, 1 mg at
/// best). Axes beyond ±100 000 g and time offsets beyond ±10⁶ s are clamped, non-finite values
/// are stored as 0 (the detector never passes them on). A sample with road noise takes about 8 bytes;
/// a 1.5 s capture at 3200 Hz with road noise about 37 kB instead of 160 kB of Float64s.
public enum WaveformCodec {
    static let magic: [UInt8] = Array("SSWF".utf8)
    public static let version: UInt8 = 1
    /// Axis unit: 0.1 mg, in g.
    static let axisUnit = 1e-4
    static let axisLimit = 1e9  // ±100 000 g in 0.1 mg units
    static let timeLimit = 1e12  // ±10⁶ s in µs

    public static func encode(_ samples: [MotionSample]) -> [UInt8] {
        var out = magic
        out.append(version)
        out.reserveCapacity(16 + samples.count * 8)
        putVarint(UInt64(samples.count), into: &out)
        guard let first = samples.first else {
            appendChecksum(&out)
            return out
        }
        let t0 = first.t.isFinite ? first.t : 0
        withUnsafeBytes(of: t0.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        var previousMicros: Int64 = 0
        var previous = (x: Int64(0), y: Int64(0), z: Int64(0))
        for s in samples {
            let micros = quantize((s.t - t0) * 1e6, limit: timeLimit)
            let step = zigzag(micros &- previousMicros)
            putVarint(step << 1 | (s.saturated ? 1 : 0), into: &out)
            previousMicros = micros
            let x = quantize(s.x / axisUnit, limit: axisLimit)
            let y = quantize(s.y / axisUnit, limit: axisLimit)
            let z = quantize(s.z / axisUnit, limit: axisLimit)
            putVarint(zigzag(x &- previous.x), into: &out)
            putVarint(zigzag(y &- previous.y), into: &out)
            putVarint(zigzag(z &- previous.z), into: &out)
            previous = (x, y, z)
        }
        appendChecksum(&out)
        return out
    }

    /// The samples of a blob made by `encode`. Any other bytes give an error, never a crash or an
    /// unbounded allocation.
    public static func decode(_ bytes: [UInt8]) throws(WaveformCodecError) -> [MotionSample] {
        guard bytes.count >= magic.count, Array(bytes[0..<4]) == magic else {
            throw WaveformCodecError(bytes.count < 4 ? .truncated : .badMagic, offset: 0)
        }
        guard bytes.count >= 5 else { throw WaveformCodecError(.truncated, offset: 4) }
        guard bytes[4] == version else { throw WaveformCodecError(.unsupportedVersion(bytes[4]), offset: 4) }
        // Check the checksum first: damaged bytes are reported as damage, not as whatever
        // nonsense they decode to.
        guard bytes.count >= 5 + 1 + 4 else { throw WaveformCodecError(.truncated, offset: bytes.count) }
        let bodyEnd = bytes.count - 4
        var stored: UInt32 = 0
        for i in 0..<4 { stored |= UInt32(bytes[bodyEnd + i]) << (8 * UInt32(i)) }
        let actual = CRC32.checksum(bytes[0..<bodyEnd])
        guard stored == actual else {
            throw WaveformCodecError(.checksumMismatch(expected: stored, actual: actual), offset: bodyEnd)
        }

        var reader = Reader(bytes: bytes, end: bodyEnd, offset: 5)
        let count = try reader.varint()
        if count == 0 {
            guard reader.offset == bodyEnd else {
                throw WaveformCodecError(.trailingBytes(bodyEnd - reader.offset), offset: reader.offset)
            }
            return []
        }
        // Each sample takes at least 4 bytes, so a count beyond that is a lie; checking it before
        // reserving keeps a forged header from allocating gigabytes.
        guard count <= UInt64(max(0, bodyEnd - reader.offset - 8) / 4) else {
            throw WaveformCodecError(.implausibleCount(count), offset: 5)
        }
        let t0 = Double(bitPattern: try reader.uint64())
        guard t0.isFinite else { throw WaveformCodecError(.overflow, offset: reader.offset - 8) }
        var samples: [MotionSample] = []
        samples.reserveCapacity(Int(count))
        var micros: Int64 = 0
        var axes = (x: Int64(0), y: Int64(0), z: Int64(0))
        for _ in 0..<count {
            let at = reader.offset
            let head = try reader.varint()
            micros = try add(micros, unzigzag(head >> 1), limit: Int64(timeLimit), at: at)
            axes.x = try add(axes.x, unzigzag(try reader.varint()), limit: Int64(axisLimit), at: at)
            axes.y = try add(axes.y, unzigzag(try reader.varint()), limit: Int64(axisLimit), at: at)
            axes.z = try add(axes.z, unzigzag(try reader.varint()), limit: Int64(axisLimit), at: at)
            samples.append(
                MotionSample(
                    t: t0 + Double(micros) * 1e-6, x: Double(axes.x) * axisUnit, y: Double(axes.y) * axisUnit,
                    z: Double(axes.z) * axisUnit, saturated: head & 1 == 1))
        }
        guard reader.offset == bodyEnd else {
            throw WaveformCodecError(.trailingBytes(bodyEnd - reader.offset), offset: reader.offset)
        }
        return samples
    }

    // MARK: pieces

    private static func appendChecksum(_ out: inout [UInt8]) {
        let c = CRC32.checksum(out)
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: c >> (8 * UInt32(i)))) }
    }

    private static func quantize(_ v: Double, limit: Double) -> Int64 {
        guard v.isFinite else { return 0 }
        return Int64(min(max(v.rounded(), -limit), limit))
    }

    @inline(__always) static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    private static func add(_ a: Int64, _ d: Int64, limit: Int64, at offset: Int) throws(WaveformCodecError)
        -> Int64
    {
        let (r, overflow) = a.addingReportingOverflow(d)
        guard !overflow, r >= -limit, r <= limit else { throw WaveformCodecError(.overflow, offset: offset) }
        return r
    }

    static func putVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private struct Reader {
        let bytes: [UInt8]
        let end: Int
        var offset: Int

        mutating func varint() throws(WaveformCodecError) -> UInt64 {
            let start = offset
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < end else { throw WaveformCodecError(.truncated, offset: offset) }
                let b = bytes[offset]
                offset += 1
                // The 10th byte may only carry the top bit of a 64-bit value.
                if shift == 63, b > 1 { throw WaveformCodecError(.badVarint, offset: start) }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { throw WaveformCodecError(.badVarint, offset: start) }
            }
        }

        mutating func uint64() throws(WaveformCodecError) -> UInt64 {
            guard end - offset >= 8 else { throw WaveformCodecError(.truncated, offset: offset) }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            return v
        }
    }
}
