import Drivers
import Foundation

/// What the motion sampler lost since it started, for `status`, the journal and the shadow. A
/// station that reports no drops has measured none, not merely not looked.
public struct SamplingDrops: Sendable, Equatable, Codable {
    /// Reads that found the chip's FIFO overrun (or, polled, a sample overwritten unread): samples
    /// were lost before that read; the chips do not say how many.
    public var overruns = 0
    /// Reads before which samples were found missing: the driver's sample clock left a gap in the
    /// times. With an overrun flag, every overrun; without one (MPU-6050 polled), a read that
    /// found more samples produced than the clock had accounted for.
    public var gaps = 0
    /// The samples those gaps should have held: from the sample clock, whole periods between the
    /// times the chip's samples must have had and the ones read (within one sample a gap).
    public var missedSamples = 0
    /// When the last loss was seen.
    public var last: Date?
    /// With an interrupt line: reads made because no edge came within the timeout (an edge
    /// lost), and waits on which the line could not be used (stuck asserted, or a GPIO error).
    /// Neither loses samples by itself; both say the wiring or the configuration needs a look.
    public var interruptTimeouts = 0
    public var interruptUnusable = 0

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
        case interruptTimeouts = "interrupt_timeouts"
        case interruptUnusable = "interrupt_unusable"
    }

    // `last` goes over the control socket and into `status --json` as ISO 8601 UTC text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        overruns = try c.decode(Int.self, forKey: .overruns)
        gaps = try c.decode(Int.self, forKey: .gaps)
        missedSamples = try c.decode(Int.self, forKey: .missedSamples)
        last = try c.decodeIfPresent(String.self, forKey: .last).flatMap { try? Date($0, strategy: .iso8601) }
        interruptTimeouts = try c.decodeIfPresent(Int.self, forKey: .interruptTimeouts) ?? 0
        interruptUnusable = try c.decodeIfPresent(Int.self, forKey: .interruptUnusable) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(overruns, forKey: .overruns)
        try c.encode(gaps, forKey: .gaps)
        try c.encode(missedSamples, forKey: .missedSamples)
        try c.encode(last?.formatted(.iso8601), forKey: .last)
        try c.encode(interruptTimeouts, forKey: .interruptTimeouts)
        try c.encode(interruptUnusable, forKey: .interruptUnusable)
    }

    /// "2 interrupt timeouts, 1 wait with the line unusable" (the parts that are not 0), or "".
    public var interruptText: String {
        var parts: [String] = []
        if interruptTimeouts > 0 {
            parts.append("\(interruptTimeouts) interrupt timeout\(interruptTimeouts == 1 ? "" : "s")")
        }
        if interruptUnusable > 0 {
            parts.append(
                "\(interruptUnusable) wait\(interruptUnusable == 1 ? "" : "s") with the line unusable")
        }
        return parts.joined(separator: ", ")
    }

    /// "2 overruns, 1 gap (~40 samples missed), last 2026-12-06T09:00:00Z" or "none", and the
    /// interrupt line's trouble after a semicolon when there was any.
    public var text: String {
        let interrupt = interruptText
        return lossText + (interrupt.isEmpty ? "" : "; \(interrupt)")
    }

    private var lossText: String {
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

/// Counts the motion sampler's losses from the driver's counts after each read. Pure: the
/// sampler feeds it, tests too.
public struct DropCounter: Sendable {
    public private(set) var drops = SamplingDrops()
    private var driverOverruns = 0
    private var driverMissed = 0

    public init() {}

    /// A new driver (after a fault): its counts start at 0 again, and the time until it came back
    /// is the fault's, not a loss.
    public mutating func reopened() {
        driverOverruns = 0
        driverMissed = 0
    }

    /// The driver's counts after a read: `overruns` (nil: the chip has no overrun flag) and
    /// `missedSamples`, both since it opened. Returns true when something new was lost.
    public mutating func observe(overruns: Int?, missedSamples: Int, at wall: Date) -> Bool {
        var lost = false
        if let overruns, overruns > driverOverruns {
            drops.overruns += overruns - driverOverruns
            lost = true
        }
        driverOverruns = overruns ?? 0
        if missedSamples > driverMissed {
            drops.gaps += 1
            drops.missedSamples += missedSamples - driverMissed
            lost = true
        }
        driverMissed = missedSamples
        if lost { drops.last = wall }
        return lost
    }

    /// The interrupt wait's totals since the sampler started.
    public mutating func interrupt(timeouts: Int, unusable: Int) {
        drops.interruptTimeouts = timeouts
        drops.interruptUnusable = unusable
    }
}
