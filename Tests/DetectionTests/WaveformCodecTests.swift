import Detection
import TestSupport
import Testing

@Suite("Waveform codec")
struct WaveformCodecTests {
    @Test func crc32CheckValue() {
        // The published check value of CRC-32/ISO-HDLC (zlib, PNG): "123456789" → 0xCBF43926.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    static func capture() -> [MotionSample] {
        var samples = SyntheticTrace(
            rate: 3200, length: 1.5, gravity: [0.1, -0.2, 0.97],
            pulses: [Pulse(.halfSine, amplitude: 40, duration: 0.008, start: 0.5, direction: [1, 2, -1])],
            noise: 0.02, seed: 11, clipG: 32
        ).samples
        // On a realistic timeline far from zero (a monotonic clock hours after boot).
        for i in samples.indices { samples[i].t += 12_345.678_9 }
        return samples
    }

    @Test func roundTripKeepsTimeToAMicrosecondAndAxesToATenthOfAMilliG() throws {
        let original = Self.capture()
        let blob = WaveformCodec.encode(original)
        let decoded = try WaveformCodec.decode(blob)
        #expect(decoded.count == original.count)
        var worstT = 0.0, worstAxis = 0.0
        for (a, b) in zip(original, decoded) {
            worstT = max(worstT, abs(a.t - b.t))
            worstAxis = max(worstAxis, abs(a.x - b.x), abs(a.y - b.y), abs(a.z - b.z))
            #expect(a.saturated == b.saturated)
        }
        #expect(worstT <= 0.5e-6 + 1e-9)
        #expect(worstAxis <= 0.5e-4 + 1e-12)
        #expect(original.contains { $0.saturated }, "the test covers the flag")
        #expect(decoded.first?.t == original.first?.t, "t0 is stored exactly")
        // Compact: well under the 33 bytes of a Float64 sample.
        #expect(blob.count < original.count * 10)
    }

    @Test(arguments: [0, 1, 2, 1000])
    func smallAndEmptyWaveforms(_ n: Int) throws {
        let samples = (0..<n).map {
            MotionSample(t: Double($0) * 0.001 - 5, x: -200, y: 0.0001, z: 200, saturated: $0 % 2 == 0)
        }
        let decoded = try WaveformCodec.decode(WaveformCodec.encode(samples))
        #expect(decoded.count == n)
        for (a, b) in zip(samples, decoded) {
            #expect(
                abs(a.t - b.t) < 1e-6 && abs(a.x - b.x) < 1e-4 && abs(a.y - b.y) < 1e-4
                    && abs(a.z - b.z) < 1e-4)
            #expect(a.saturated == b.saturated)
        }
    }

    @Test func everyTruncationIsAnError() throws {
        let blob = WaveformCodec.encode(Array(Self.capture().prefix(40)))
        for n in 0..<blob.count {
            #expect(throws: WaveformCodecError.self) { try WaveformCodec.decode(Array(blob.prefix(n))) }
        }
    }

    @Test func everySingleByteChangeIsAnError() throws {
        let blob = WaveformCodec.encode(Array(Self.capture().prefix(40)))
        for i in blob.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = blob
                damaged[i] ^= flip
                #expect(throws: WaveformCodecError.self) { try WaveformCodec.decode(damaged) }
            }
        }
    }

    /// Builds a blob with a valid checksum around any body, to reach the parser behind it.
    static func sealed(_ body: [UInt8]) -> [UInt8] {
        let c = CRC32.checksum(body)
        return body + (0..<4).map { UInt8(truncatingIfNeeded: c >> (8 * UInt32($0))) }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var kind: WaveformCodecError.Kind
        var testDescription: String { name }
    }

    static let header: [UInt8] = Array("SSWF".utf8) + [1]

    @Test(arguments: [
        Malformed(name: "other magic", bytes: Array("PNG\r\n\u{1A}\n".utf8) + [0, 0, 0, 0], kind: .badMagic),
        Malformed(
            name: "newer version", bytes: Array("SSWF".utf8) + [2, 0, 0, 0, 0, 0],
            kind: .unsupportedVersion(2)),
        Malformed(
            name: "huge count",
            bytes: sealed(header + [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] + [UInt8](repeating: 0, count: 20)),
            kind: .implausibleCount(0xFFFF_FFFF)),
        Malformed(
            name: "11-byte varint", bytes: sealed(header + [UInt8](repeating: 0x80, count: 10) + [1]),
            kind: .badVarint),
        Malformed(
            name: "varint over 64 bits", bytes: sealed(header + [UInt8](repeating: 0xFF, count: 9) + [0x02]),
            kind: .badVarint),
        Malformed(
            name: "count 1, sample missing", bytes: sealed(header + [1] + [UInt8](repeating: 0, count: 8)),
            kind: .implausibleCount(1)),
        Malformed(name: "bytes after the samples", bytes: sealed(header + [0, 7]), kind: .trailingBytes(1)),
        Malformed(
            name: "time delta out of range",
            bytes: sealed(
                header + [1] + [UInt8](repeating: 0, count: 8) + [
                    0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0,
                ]),
            kind: .overflow),
        Malformed(
            name: "t0 not finite",
            bytes: sealed(header + [1] + [0, 0, 0, 0, 0, 0, 0xF0, 0x7F] + [0, 0, 0, 0]), kind: .overflow),
    ])
    func malformedBlobsSayWhatIsWrong(_ c: Malformed) {
        let error = #expect(throws: WaveformCodecError.self) { try WaveformCodec.decode(c.bytes) }
        #expect(error?.kind == c.kind)
    }

    @Test func randomBytesNeverCrash() {
        // A small fuzz run: random blobs, random corruptions of valid ones; every outcome must be
        // a value or an error (a crash would end the test process).
        var rng = SplitMix64(seed: 2024)
        let valid = WaveformCodec.encode(Array(Self.capture().prefix(64)))
        var decodedSome = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in
                    UInt8.random(in: 0...255, using: &rng)
                }
                if round % 4 == 0, bytes.count >= 5 { bytes.replaceSubrange(0..<5, with: Self.header) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(
                        in: 0...255, using: &rng)
                }
                // Re-seal half of them so the parser behind the checksum is exercised too.
                if round % 4 == 1 { bytes = Self.sealed(Array(bytes.dropLast(4))) }
            }
            if let s = try? WaveformCodec.decode(bytes) {
                decodedSome += 1
                #expect(s.allSatisfy { $0.t.isFinite && $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
            }
        }
        #expect(decodedSome > 0, "some re-sealed corruptions are still well-formed waveforms")
    }
}
