/// Deterministic noise: a pure function of (seed, time, axis), so a sample is the same whichever
/// order or batch it is generated in.
enum Noise {
    /// SplitMix64 finaliser (Steele, Lea, Flood 2014).
    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Approximately standard normal (mean 0, σ 1): Irwin–Hall sum of four 16-bit uniforms,
    /// centred and scaled (σ of the sum of 4 U(0,1) is 1/√3); bounded to ±3.46.
    @inline(__always)
    static func gaussian(seed: UInt64, nanoseconds: Int64, axis: UInt64) -> Double {
        let h = mix(seed ^ mix(UInt64(bitPattern: nanoseconds) &+ axis &* 0xD6E8_FEB8_6659_FD93))
        let a =
            Double(h & 0xFFFF) + Double((h >> 16) & 0xFFFF) + Double((h >> 32) & 0xFFFF)
            + Double(h >> 48)
        let sum = a / 65_536  // 0...4, mean 2
        return (sum - 2) * 1.7320508075688772
    }
}

/// A small seeded generator (SplitMix64) for building scenarios.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        defer { state &+= 0x9E37_79B9_7F4A_7C15 }
        return Noise.mix(state)  // the finaliser of the incremented state
    }
}
