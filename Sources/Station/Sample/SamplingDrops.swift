import Drivers
import Foundation

/// What the motion sampler lost since it started, for `status`, the journal and the shadow. A
/// station that reports no drops has measured none, not merely not looked.
public struct SamplingDrops: Sendable, Equatable, Codable {
    /// Reads that found the chip's FIFO overrun (or, polled, a sample overwritten unread): samples
    /// were lost before that read; the chips do not say how many.
    public var overruns = 0
    /// Gaps in the samples' times, counted only for a chip without an overrun flag (MPU-6050
    /// polled): consecutive samples further apart than 2.5 periods. The stamping puts a batch's
    /// newest sample at the read, so a thread delayed between the clock and the read moves the
    /// stamps too: an estimate, where the chip's own flag is exact.
    public var gaps = 0
    /// The samples those gaps should have held (each gap's length in periods, less one).
    public var missedSamples = 0
    /// When the last loss was seen.
    public var last: Date?

    public init(overruns: Int = 0, gaps: Int = 0, missedSamples: Int = 0, last: Date? = nil) {
        self.overruns = overruns
        self.gaps = gaps
        self.missedSamples = missedSamples
        self.last = last
    }

    public var isEmpty: Bool { overruns == 0 && gaps == 0 }

    enum CodingKeys: String, CodingKey {
        case overruns, gaps
        case missedSamples = "missed_samples"
        case last
    }

    // `last` goes over the control socket and into `status --json` as ISO 8601 UTC text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        overruns = try c.decode(Int.self, forKey: .overruns)
        gaps = try c.decode(Int.self, forKey: .gaps)
        missedSamples = try c.decode(Int.self, forKey: .missedSamples)
        last = try c.decodeIfPresent(String.self, forKey: .last).flatMap { try? Date($0, strategy: .iso8601) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(overruns, forKey: .overruns)
        try c.encode(gaps, forKey: .gaps)
        try c.encode(missedSamples, forKey: .missedSamples)
        try c.encode(last?.formatted(.iso8601), forKey: .last)
    }

    /// "2 overruns, 1 gap (~40 samples missed), last 2026-12-06T09:00:00Z" or "none".
    public var text: String {
        guard !isEmpty else { return "none" }
        var parts: [String] = []
        parts.append("\(overruns) overrun\(overruns == 1 ? "" : "s")")
        parts.append(
            "\(gaps) gap\(gaps == 1 ? "" : "s")" + (gaps > 0 ? " (~\(missedSamples) samples missed)" : ""))
        var s = parts.joined(separator: ", ")
        if let last { s += ", last " + last.formatted(.iso8601) }
        return s
    }
}

/// Counts the motion sampler's losses from each read: the driver's overrun count and the samples'
/// times. Pure: the sampler feeds it, tests too.
public struct DropCounter: Sendable {
    public private(set) var drops = SamplingDrops()
    /// The sample period the gaps are measured in.
    public var period: Duration
    private var lastTime: Duration?
    private var driverOverruns = 0

    public init(period: Duration) { self.period = period }

    /// A new driver (after a fault): its overrun count starts at 0, and the time until it came
    /// back is the fault's, not a gap.
    public mutating func reopened(period: Duration) {
        self.period = period
        driverOverruns = 0
        lastTime = nil
    }

    /// One read's samples (oldest first) and the driver's overrun count after it (nil: the chip
    /// has no overrun flag, so the gaps in the times are looked at instead). Returns true when
    /// it lost something new.
    public mutating func observe(_ samples: [AccelerationSample], overruns: Int?, at wall: Date) -> Bool {
        var lost = false
        if let overruns, overruns > driverOverruns {
            drops.overruns += overruns - driverOverruns
            lost = true
        }
        driverOverruns = overruns ?? 0
        let limit = period * 5 / 2
        for s in samples {
            if overruns == nil, let p = lastTime, s.time - p > limit {
                drops.gaps += 1
                drops.missedSamples += max(1, Int(((s.time - p) / period).rounded()) - 1)
                lost = true
            }
            lastTime = s.time
        }
        if lost { drops.last = wall }
        return lost
    }
}
