/// Sample times fitted to the chip's own clock.
///
/// An accelerometer produces samples on its own oscillator, one every period (the nominal ODR,
/// off by up to a few per cent), and the reader only learns of them when it reads. Stamping a
/// read's newest sample with the read time makes the stamps jitter with every delay between
/// taking the time and reading the chip: a read 10 ms late put a 20 ms step into a 100 Hz record
/// with nothing lost.
///
/// This clock models sample k as taken at `origin + k · period` and bounds `origin` with every
/// read (a set-membership estimate). A driver takes the time `before` it reads the chip's status
/// (FIFO level or data-ready) and again `after`; if the newest sample the read returned is k, then
/// - sample k existed when the status was read, so `origin ≤ after − k · period`;
/// - sample k + 1 did not, so `origin > before − (k + 1) · period`.
/// Both hold whatever the delays: a delayed read only widens its interval. The clock keeps the
/// intersection of the reads' intervals (widened between reads by what the period may be off:
/// 10 % before it is fitted, then twice the last fit's correction, at least 0.02 %) and stamps
/// with its middle. With reads at varying phases the intersection closes in on the chip's clock;
/// with a fixed phase it is one period wide, and the stamps are within half a period of the truth.
///
/// The period is fitted from how the middle moves: over a block of samples (a quarter second at
/// first, then a second), the drift of the middle divided by the samples is the period's error;
/// half of it is applied each block, within ±10 % of nominal.
///
/// Samples lost before a read (a FIFO overrun, a polled sample overwritten) leave a gap of as
/// many periods in the stamps: the newest sample's index, counted from what was read, is short
/// by the loss, so the read's interval lies that many periods too late.
/// - With an overrun flag, the flag says that samples were lost. A prompt read (its interval
///   about a period wide) says how many by the distance of its middle from the estimate; a
///   delayed one counts the fewest that fit (at least one), and the reads after it add what they
///   prove was missed.
/// - A read whose interval lies wholly after the intersection proves a loss, and the fewest
///   samples that explain it are counted. Without a flag this is the only way to see one: a
///   single lost sample is proved when the read's phase allows it; two or more always are. With a
///   flag, this counts only in the eight reads after a flagged one.
/// A read that contradicts the intersection otherwise (the period drifted more than allowed)
/// starts it again from that read.
///
/// With an interrupt line the reads come at a fixed phase (right after the chip asserts INT1), so
/// the reads' intervals stay about a period wide and the middle can be half a period off. The
/// line's edge says more: the kernel stamps it in its interrupt handler, a few microseconds after
/// the chip asserted INT1 on the sample that made the batch (`interruptBatch`). That sample existed at the
/// stamp, so `origin ≤ stamp − k · period` whatever the latency: an upper bound as hard as
/// `after`'s, and much closer to the truth. The intersection's top then follows the least latency
/// among the edges, and the clock stamps `edgeAllowance` / 2 below it (the middle of the last
/// `edgeAllowance` of the intersection): within a tenth of a period at 3200 Hz when the least
/// latency is under 20 µs. A late edge only gives a looser bound. An edge that contradicts the
/// reads starts the intersection again from it; if edges keep contradicting them (a chip that
/// asserts INT1 a sample earlier than its driver says), the clock stops using them
/// (`edgesIgnored`) and goes on as without a line.
///
/// Stamps are evenly spaced at the fitted period and strictly increasing.
public struct SampleClock: Sendable {
    /// The nominal period (1 / ODR).
    public let nominal: Duration
    /// How many samples the reader has not read when the chip asserts INT1 (the FIFO watermark's
    /// count; 1 for data ready): an edge marks the sample that made them. Nil: no interrupt line,
    /// and edges are not used.
    public let interruptBatch: Int?
    /// The fitted period in nanoseconds.
    public private(set) var periodNs: Double
    /// Samples found missing so far (a gap of that many periods left in the stamps).
    public private(set) var missing = 0

    /// Times are nanoseconds after the first read's `before`.
    private var zero: Duration?
    /// Where sample 0's time may be: (low, high], and the estimate (its middle, or near its top after edges).
    private var low = 0.0
    private var high = 0.0
    private var origin = 0.0
    /// Index of the next sample a read returns.
    private var next: Int64 = 0
    private var lastStamp: Double?
    private var reads = 0
    private var lastNewest: Int64 = -1
    /// The current block: where it began (sample index, time) and how far the estimate moved.
    private var blockIndex: Int64 = 0
    private var blockStart = 0.0
    private var blockMove = 0.0
    private var blocks = 0
    /// How far off the period may still be (relative): the tolerance until fitted, then twice the
    /// last block's correction, at least 0.02 %.
    private var driftAllowance = Self.tolerance
    /// Reads after a flagged one that may still find samples it did not count.
    private var catchUpReads = 0
    /// How far the intersection's top was widened since an edge last bounded it (infinity: none
    /// has, or the reads started it again): while under `edgeAllowance`, the top is the edges'.
    private var sinceEdge = Double.infinity
    /// Edges found contradicting the reads, less those that did not (never below 0).
    private var edgeConflicts = 0
    /// Edges contradicted the reads too often: they are no longer used.
    public private(set) var edgesIgnored = false
    static let edgeConflictLimit = 4

    /// How far below the edges' bound the stamps go, twice over (they are put in the middle of
    /// this much): the least latency from the chip asserting INT1 to the kernel's timestamp on a
    /// Raspberry Pi's GPIO interrupt is a few microseconds.
    static let edgeAllowance = 20_000.0

    static let tolerance = 0.10
    /// Reads before a chip without an overrun flag can be found to have lost samples.
    static let warmupReads = 4
    static let catchUpReads = 8
    /// Quarter-second blocks first, so that a chip off its nominal rate is fitted within a second
    /// or two; then a second each.
    static let shortBlocks = 8

    /// One sample period at `hz` (to the nanosecond).
    public static func period(hz: Double) -> Duration {
        .nanoseconds(Int64((1e9 / max(hz, 0.001)).rounded()))
    }

    public init(period: Duration, interruptBatch: Int? = nil) {
        nominal = period
        self.interruptBatch = interruptBatch
        periodNs = Self.nanoseconds(period)
    }

    /// Times for the `count` samples (oldest first) a read returned. `before` was taken before
    /// the read looked at the chip's status, `after` once it had. A read that returned none still
    /// bounds the clock. `overran`: the chip flagged samples lost before these (true), flagged
    /// none (false), or has no such flag (nil).
    /// `edge`: when the edge of INT1 that woke this read was stamped (on the clock of `before` and
    /// `after`), if one did after the previous read ended (see `interruptBatch`).
    public mutating func times(
        count: Int, before: Duration, after: Duration, overran: Bool?, edge: Duration? = nil
    ) -> [Duration] {
        let count = max(count, 0)
        let zero = self.zero ?? before
        self.zero = zero
        let tb = Self.nanoseconds(before - zero)
        let ta = max(tb, Self.nanoseconds(after - zero))
        let p = periodNs
        var newest = next + Int64(count) - 1
        // The edge's sample existed at its stamp (indices before any loss this read finds: a FIFO
        // drops its oldest entries, and the edge came before that).
        let edgeHigh = edge.flatMap { time in
            interruptBatch.flatMap { batch in
                batch > 0 && !edgesIgnored
                    ? Self.nanoseconds(time - zero) - Double(next + Int64(batch) - 1) * p : nil
            }
        }
        var edgeConflict = false
        // This read's interval for the origin, if no sample was lost before it.
        var lo = tb - Double(newest + 1) * p
        var hi = ta - Double(newest) * p
        if reads == 0 {
            low = lo
            high = hi
            origin = (lo + hi) / 2
            blockStart = tb
            blockIndex = next
        } else {
            // What the period may be off by, over the samples since the last read.
            let drift = driftAllowance * p
            let widen = drift * Double(max(1, newest - lastNewest))
            low -= widen
            high += widen
            sinceEdge += widen
        }
        reads += 1
        if let edgeHigh {
            if edgeHigh > low {
                high = min(high, edgeHigh)
            } else {
                // The reads say the origin is later than the edge allows: start again from the edge
                // and this read (if it allows any origin below the edge, and flags no loss, which
                // would move its bound; else a period below the edge).
                low = overran != true && lo < edgeHigh ? lo : edgeHigh - p
                high = edgeHigh
                edgeConflict = true
            }
            sinceEdge = 0
        }
        // m lost samples put the read's interval m periods later than it should be (a read that
        // returned none too: the next sample it finds is m later). The counts that keep it
        // meeting the intersection:
        let fewest = Self.whole(((lo - high) / p).rounded(.down)) + 1
        let most = Self.whole(((hi - low) / p).rounded(.up)) - 1
        var lost = 0
        if overran == true {
            // The flag says some were lost. A read made promptly (its interval about a period
            // wide) says how many by its middle; a delayed one only bounds them, so the fewest
            // are counted, and the reads after it add what they prove was missed.
            // After an edge the intersection's top is hard and near the truth, and the fewest that
            // fit is the count (a read later than the interrupt's latency past a sample).
            let estimate =
                ta - tb <= p && edgeHigh == nil
                ? Self.whole((((lo + hi) / 2 - origin) / p).rounded()) : fewest
            lost = max(1, min(max(estimate, fewest), most))
            catchUpReads = Self.catchUpReads
        } else if reads > Self.warmupReads, fewest > 0, overran == nil || catchUpReads > 0 {
            // The read lies wholly after the intersection: the fewest that explain it.
            lost = fewest
        }
        if overran != true { catchUpReads = max(0, catchUpReads - 1) }
        if lost > 0 {
            missing += lost
            next += Int64(lost)
            newest += Int64(lost)
            lo -= Double(lost) * p
            hi -= Double(lost) * p
        }
        lastNewest = newest
        if max(low, lo) < min(high, hi) {
            low = max(low, lo)
            high = min(high, hi)
        } else {
            low = lo
            high = hi
            if edgeHigh != nil { edgeConflict = true }
            sinceEdge = .infinity
        }
        if edgeHigh != nil {
            edgeConflicts = edgeConflict ? edgeConflicts + 1 : max(0, edgeConflicts - 1)
            if edgeConflicts >= Self.edgeConflictLimit {
                edgesIgnored = true
                sinceEdge = .infinity
            }
        }
        let estimate =
            sinceEdge < Self.edgeAllowance
            ? (max(low, high - Self.edgeAllowance) + high) / 2 : (low + high) / 2
        let moved = estimate - origin
        origin += moved
        blockMove += moved
        // The period: the block's drift over its samples is its error.
        let blockLength = blocks < Self.shortBlocks ? max(0.25e9, 4 * p) : max(1e9, 8 * p)
        let samples = Double(newest + 1 - blockIndex)
        if tb - blockStart >= blockLength, samples >= 4 {
            let nominalNs = Self.nanoseconds(nominal)
            let fitted = min(
                max(p + blockMove / samples / 2, nominalNs * (1 - Self.tolerance)),
                nominalNs * (1 + Self.tolerance))
            // The next sample keeps its time (and its bounds); later ones follow the new period.
            let rebase = Double(newest + 1) * (p - fitted)
            origin += rebase
            low += rebase
            high += rebase
            periodNs = fitted
            driftAllowance = min(Self.tolerance, max(0.0002, 2 * abs(fitted - p) / p))
            blocks += 1
            blockStart = tb
            blockIndex = newest + 1
            blockMove = 0
        }
        var stamps: [Duration] = []
        stamps.reserveCapacity(count)
        for i in 0..<Int64(count) {
            var s = origin + Double(next + i) * periodNs
            if let last = lastStamp, s <= last { s = last + 1_000 }
            lastStamp = s
            stamps.append(zero + .nanoseconds(Int64(Self.whole(s.rounded()))))
        }
        next += Int64(count)
        return stamps
    }

    /// A whole number of periods or nanoseconds as an Int; clamped (a clock that jumped by
    /// centuries gives a nonsense count, never a trap).
    static func whole(_ x: Double) -> Int { x.isFinite ? Int(min(max(x, -4e18), 4e18)) : 0 }

    static func nanoseconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) * 1e9 + Double(c.attoseconds) / 1e9
    }
}
