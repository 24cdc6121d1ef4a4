/// Why a waveform blob could not be decoded; `offset` is the byte where decoding stopped.
public struct WaveformCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not a waveform blob: the first bytes are not "SSWF".
        case badMagic
        /// Written by a newer version of this program.
        case unsupportedVersion(UInt8)
        /// The blob ends in the middle of something.
        case truncated
        /// A variable-length integer is longer than 10 bytes or overflows 64 bits.
        case badVarint
        /// The header claims more samples than the bytes could hold.
        case implausibleCount(UInt64)
        /// A value does not fit (time or axis out of range after adding a delta).
        case overflow
        /// The checksum does not match: the bytes were changed after encoding.
        case checksumMismatch(expected: UInt32, actual: UInt32)
        /// Bytes after the checksum.
        case trailingBytes(Int)
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch kind {
        case .badMagic: what = "not a waveform blob (expected it to start with \"SSWF\")"
        case .unsupportedVersion(let v):
            what = "waveform format version \(v) is newer than this program understands (1)"
        case .truncated: what = "the waveform blob is cut short"
        case .badVarint: what = "a variable-length integer is malformed"
        case .implausibleCount(let n): what = "the header claims \(n) samples, more than the blob can hold"
        case .overflow: what = "a value is out of range"
        case .checksumMismatch(let e, let a):
            what =
                "checksum mismatch (stored 0x\(String(e, radix: 16)), computed 0x\(String(a, radix: 16))): the blob is damaged"
        case .trailingBytes(let n): what = "\(n) unexpected bytes after the end of the waveform"
        }
        return "\(what) (at byte \(offset))"
    }
}
