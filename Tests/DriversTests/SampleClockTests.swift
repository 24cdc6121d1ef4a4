import Testing

@testable import Drivers

/// The sample clock against a chip whose every sample time is known: it produces sample k at
/// `phase + k · truePeriod` (its oscillator off nominal by `error`), keeps the newest `depth` in
/// a FIFO (older ones lost, flagged), and a reader takes `now`, is delayed, then reads whatever
/// the chip has by then.
@Suite("Sample clock: times fitted to the chip's clock")
struct SampleClockTests {
    struct Chip {
        let nominal: Duration
        let truePeriodNs: Double
        let phaseNs: Double
        let depth: Int
        /// Samples produced before `t` (ns).
        func produced(by t: Double) -> Int {
            t < phaseNs ? 0 : Int(((t - phaseNs) / truePeriodNs).rounded(.down)) + 1
        }
        func time(of k: Int) -> Double { phaseNs + Double(k) * truePeriodNs }
    }

    /// A small deterministic generator (SplitMix64), so a failure repeats.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    struct Run {
        struct Stamp {
            var index: Int
            var stamp: Double
            /// The read's `after − before` was under a millisecond, and no loss in the 20 reads before.
            var settled: Bool
        }
        var stamps: [Stamp] = []
        var lost = 0
        var lossEvents = 0
        var clock: SampleClock
    }

    enum Stall { case none, beforeRead, beforeStatus, afterStatus }

    /// Reads every `interval` for `seconds` (a read late past the next one's time pushes that one
    /// back, as in the sampler). `delay` gives each read's delays (ns): before it begins (the
    /// loop late), between taking `before` and the chip latching its status, and from then to
    /// taking `after`. `flagged`: the chip reports its overruns (false: it cannot).
    static func run(
        _ chip: Chip, interval: Duration, seconds: Double, flagged: Bool,
        delay: (inout Random, Int) -> (late: Double, pre: Double, post: Double)
    ) -> Run {
        var random = Random(state: 42)
        var run = Run(clock: SampleClock(period: chip.nominal))
        var nextUnread = 0
        var previousEnd = 0.0
        var lastLoss = -100
        let step = SampleClock.nanoseconds(interval)
        var i = 0
        while Double(i) * step < seconds * 1e9 {
            let (late, pre, post) = delay(&random, i)
            // The reader's timeline starts at 1 s.
            let before = max(1e9 + Double(i) * step, previousEnd) + late
            let at = before + pre
            let after = at + post
            previousEnd = after
            let produced = chip.produced(by: at)
            let first = max(nextUnread, produced - chip.depth)
            let lost = first - nextUnread
            if lost > 0 {
                run.lost += lost
                run.lossEvents += 1
                lastLoss = i
            }
            let times = run.clock.times(
                count: produced - first, before: .nanoseconds(Int64(before)),
                after: .nanoseconds(Int64(after)),
                overran: flagged ? lost > 0 : nil)
            let settled = after - before < 1e6 && i - lastLoss > 20
            for (k, t) in zip(first..<produced, times) {
                run.stamps.append(.init(index: k, stamp: SampleClock.nanoseconds(t), settled: settled))
            }
            nextUnread = produced
            i += 1
        }
        return run
    }

    static func chip(hz: Double, error: Double, depth: Int = 32) -> Chip {
        let nominal = SampleClock.period(hz: hz)
        return Chip(
            nominal: nominal, truePeriodNs: SampleClock.nanoseconds(nominal) * (1 + error),
            phaseNs: 1e9 + 0.37 * SampleClock.nanoseconds(nominal), depth: depth)
    }

    /// The worst |stamp − truth| over samples taken after `settled` seconds, in periods; only
    /// those from settled reads if `settledReads`.
    static func worstError(_ run: Run, _ chip: Chip, after settled: Double, settledReads: Bool = false)
        -> Double
    {
        run.stamps.filter { chip.time(of: $0.index) >= 1e9 + settled * 1e9 && (!settledReads || $0.settled) }
            .map { abs($0.stamp - chip.time(of: $0.index)) / chip.truePeriodNs }.max() ?? .infinity
    }

    @Test(
        "delays between the clock and the read never move the stamps: even spacing, within half a period of the truth",
        arguments: [0.0, 0.02, -0.03, 0.0001, -0.08])
    func delaysDoNotMoveStamps(error: Double) {
        let chip = Self.chip(hz: 100, error: error)
        // Reads every 20 ms; one in ten is delayed by up to 15 ms before the status, one in ten after.
        let run = Self.run(chip, interval: .milliseconds(20), seconds: 60, flagged: true) { r, _ in
            (
                0, r.next() < 0.1 ? r.next() * 15e6 : r.next() * 0.2e6,
                r.next() < 0.1 ? r.next() * 15e6 : r.next() * 0.2e6
            )
        }
        #expect(run.lost == 0 && run.clock.missing == 0)
        #expect(run.stamps.count > 5_000)
        let worst = Self.worstError(run, chip, after: 20)
        #expect(worst <= 0.5, "worst \(worst) periods")
        // A chip off its nominal rate is read at every phase in turn, which pins its clock down:
        // within a tenth of a period (the figure for a chip 2 % off).
        if abs(error) >= 0.01 { #expect(worst <= 0.1, "worst \(worst) periods") }
        // Strictly increasing throughout, and after the fit settles evenly spaced at the true period.
        let intervals = zip(run.stamps, run.stamps.dropFirst()).map {
            ($1.stamp - $0.stamp) / chip.truePeriodNs
        }
        #expect(intervals.allSatisfy { $0 > 0 })
        // A read at a phase not seen before narrows the estimate (a step of up to half a period);
        // nothing else moves it.
        let settled = zip(run.stamps, intervals).filter { $0.0.stamp >= 21e9 }.map(\.1)
        #expect(
            settled.allSatisfy { $0 > 0.5 && $0 < 1.5 },
            "from \(settled.min() ?? 0) to \(settled.max() ?? 0) periods")
        let even = settled.filter { abs($0 - 1) < 0.02 }.count
        #expect(
            even * 100 >= settled.count * 99, "\(settled.count - even) of \(settled.count) off by 2 % or more"
        )
        #expect(abs(run.clock.periodNs / chip.truePeriodNs - 1) < 0.0005, "fitted \(run.clock.periodNs) ns")
    }

    @Test("a read delayed 10 ms at 100 Hz leaves no step in the stamps (the step the old stamping made)")
    func oneLateRead() {
        let chip = Self.chip(hz: 100, error: 0)
        let run = Self.run(chip, interval: .milliseconds(20), seconds: 30, flagged: true) { _, i in
            (0, i == 1000 ? 10e6 : 0, i == 1200 ? 10e6 : 0)
        }
        let intervals = zip(run.stamps, run.stamps.dropFirst()).map { ($1.stamp - $0.stamp) / 1e6 }
        #expect(
            intervals.dropFirst(100).allSatisfy { abs($0 - 10) < 0.1 },
            "\(intervals.filter { abs($0 - 10) >= 0.1 })")
    }

    @Test(
        "FIFO overruns (flagged): as many periods of gap as samples were lost, wherever the stall fell",
        arguments: [
            (0.0, Stall.beforeRead), (0.015, .beforeRead), (-0.02, .beforeStatus), (0.0, .afterStatus),
        ])
    func flaggedOverruns(error: Double, stall: Stall) {
        let chip = Self.chip(hz: 3200, error: error)
        // 5 ms reads; every 100th stalls 12–20 ms (the 32-entry FIFO lasts 10 ms).
        let run = Self.run(chip, interval: .milliseconds(5), seconds: 60, flagged: true) { r, i in
            let length = i % 100 == 99 ? 12e6 + r.next() * 8e6 : 0
            let (pre, post) = (r.next() * 0.1e6, r.next() * 0.2e6)
            switch stall {
            case .none: return (0, pre, post)
            case .beforeRead: return (length, pre, post)
            case .beforeStatus: return (0, pre + length, post)
            case .afterStatus: return (0, pre, post + length)
            }
        }
        #expect(run.lossEvents >= 100)
        #expect(run.lost > 2_000)
        // Within one sample an event; a stall inside the read (between `before` and the status)
        // leaves only bounds, and the fewest that fit are counted twice (that read, the next): two.
        let slack = stall == .beforeStatus ? 2 : 1
        #expect(
            abs(run.lost - run.clock.missing) <= slack * run.lossEvents,
            "missing \(run.clock.missing), lost \(run.lost)")
        // A count off by one leaves the estimate's interval at the edge of the truth until a read
        // contradicts it: within three quarters of a period, not half, on the reads after losses.
        let worst = Self.worstError(run, chip, after: 20, settledReads: true)
        #expect(worst <= 0.75, "worst \(worst) periods")
        #expect(abs(run.clock.periodNs / chip.truePeriodNs - 1) < 0.0005)
    }

    @Test(
        "polled at twice the rate without a flag (MPU-6050): overwritten samples are found from the times alone; jitter is no loss",
        arguments: [(0.0, Stall.beforeRead), (0.01, .beforeRead), (-0.01, .beforeStatus), (0.05, .none)])
    func unflaggedPolling(error: Double, stall: Stall) {
        let chip = Self.chip(hz: 200, error: error, depth: 1)
        // A read every half period, jitter to 0.2 ms; every 300th read stalls 7–12 ms (1–2 samples overwritten).
        let run = Self.run(chip, interval: .microseconds(2500), seconds: 60, flagged: false) { r, i in
            let length = i % 300 == 299 ? 7e6 + r.next() * 5e6 : 0
            let (pre, post) = (r.next() * 0.1e6, r.next() * 0.1e6)
            switch stall {
            case .none: return (0, pre, post)
            case .beforeRead: return (length, pre, post)
            case .beforeStatus: return (0, pre + length, post)
            case .afterStatus: return (0, pre, post + length)
            }
        }
        if stall == .none {
            #expect(run.lost == 0 && run.clock.missing == 0)
        } else {
            #expect(run.lossEvents >= 60)
            #expect(
                abs(run.clock.missing - run.lost) <= run.lossEvents / 10,
                "missing \(run.clock.missing), lost \(run.lost)")
        }
        let worst = Self.worstError(run, chip, after: 20, settledReads: true)
        #expect(worst <= 0.5, "worst \(worst) periods")
    }

    // MARK: Woken by the interrupt

    /// How many of the intervals between stamps taken after 21 s are off the chip's true period
    /// by 2 % or more, and how many there are.
    static func unevenIntervals(_ run: Run, _ chip: Chip) -> (uneven: Int, count: Int) {
        let intervals = zip(run.stamps, run.stamps.dropFirst()).filter { $0.0.stamp >= 21e9 }.map {
            ($1.stamp - $0.stamp) / chip.truePeriodNs
        }
        return (intervals.filter { abs($0 - 1) >= 0.02 }.count, intervals.count)
    }

    /// Reads woken by the chip's INT1: it asserts on the sample that makes `unread` unread ones
    /// (the reader's next counted on), the kernel stamps the edge `latency` after that sample, the
    /// reader wakes `wake` after the stamp and takes `before`, the chip latches its status `pre`
    /// later, `after` is taken `post` after that, and the drain takes 20 µs a sample. A reader
    /// still behind at the end of a drain (a batch already waiting) reads again at once, with no
    /// edge. `edges`: the clock is told the stamps (false: the same reads without them).
    static func runOnInterrupt(
        _ chip: Chip, unread: Int, seconds: Double, edges: Bool, claimedUnread: Int? = nil,
        delay: (inout Random, Int) -> (latency: Double, wake: Double, pre: Double, post: Double)
    ) -> Run {
        var random = Random(state: 7)
        // The driver's idea of the batch that asserts INT1 (`claimedUnread`: a wrong one).
        var run = Run(clock: SampleClock(period: chip.nominal, interruptBatch: claimedUnread ?? unread))
        var nextUnread = 0
        var readEnd = 1e9
        var i = 0
        var lastLoss = -100
        while readEnd < 1e9 + seconds * 1e9 {
            let (latency, wake, pre, post) = delay(&random, i)
            let asserting = chip.time(of: nextUnread + unread - 1)
            var edge: Duration?
            var before = readEnd
            if asserting > readEnd {
                edge = .nanoseconds(Int64(asserting + latency))
                before = asserting + latency + wake
            }
            let at = before + pre
            let after = at + post
            let produced = chip.produced(by: at)
            let first = max(nextUnread, produced - chip.depth)
            if first > nextUnread {
                run.lost += first - nextUnread
                run.lossEvents += 1
                lastLoss = i
            }
            let times = run.clock.times(
                count: produced - first, before: .nanoseconds(Int64(before)),
                after: .nanoseconds(Int64(after)),
                overran: first > nextUnread, edge: edges ? edge : nil)
            for (k, t) in zip(first..<produced, times) {
                run.stamps.append(
                    .init(index: k, stamp: SampleClock.nanoseconds(t), settled: i - lastLoss > 20))
            }
            i += 1
            nextUnread = produced
            readEnd = after + Double(produced - first) * 20e3
        }
        return run
    }

    @Test(
        "woken by the interrupt at a fixed phase, the edges' stamps put every sample within a tenth of a period of the truth (ODR off nominal, jitter on the interrupt, some edges held off)",
        arguments: [
            (3200.0, 16, 0.02, false), (3200, 16, -0.03, true), (800, 24, 0.0, false), (400, 16, 0.02, true),
            (100, 1, 0.02, false), (100, 1, 0.0, true), (1000, 1, -0.01, false),
        ])
    func interruptEdges(hz: Double, unread: Int, error: Double, heldOff: Bool) {
        let chip = Self.chip(hz: hz, error: error)
        // The kernel's stamp 2–40 µs after the chip asserts (one edge in 50 held off up to 2 ms
        // when `heldOff`); the sampler awake 30–300 µs after it; the status read within 50 µs.
        let delay: (inout Random, Int) -> (latency: Double, wake: Double, pre: Double, post: Double) = {
            r, _ in
            let late = heldOff && r.next() < 0.02 ? r.next() * 2e6 : 0
            return (2e3 + r.next() * 38e3 + late, 30e3 + r.next() * 270e3, r.next() * 50e3, r.next() * 50e3)
        }
        let run = Self.runOnInterrupt(chip, unread: unread, seconds: 60, edges: true, delay: delay)
        #expect(run.lost == 0 && run.clock.missing == 0, "lost \(run.lost), missing \(run.clock.missing)")
        #expect(run.stamps.count >= Int(hz * 58))
        let worst = Self.worstError(run, chip, after: 20)
        #expect(worst <= 0.1, "worst \(worst) periods")
        #expect(abs(run.clock.periodNs / chip.truePeriodNs - 1) < 0.0005, "fitted \(run.clock.periodNs) ns")
        let (uneven, intervals) = Self.unevenIntervals(run, chip)
        #expect(uneven * 100 <= intervals, "\(uneven) of \(intervals) intervals off by 2 % or more")
        // The same reads without the stamps: at a rate where the wake-up's jitter is a small part
        // of a period, the reads' phase hardly moves and the middle of their intersection stays
        // up to half a period off, which is what the edges mend.
        let blind = Self.runOnInterrupt(chip, unread: unread, seconds: 60, edges: false, delay: delay)
        let blindWorst = Self.worstError(blind, chip, after: 20)
        if hz <= 400 { #expect(blindWorst > 0.2, "without the edges: worst \(blindWorst) periods") }
        print(
            "sample times at \(Int(hz)) Hz, \(unread) a batch, ODR off \(error * 100) %: worst \(worst) periods with the edges, \(blindWorst) without"
        )
    }

    @Test(
        "a driver wrong about when its chip asserts: one sample too early, the reads contradict the edges and they are ignored; one too late, a looser bound; within half a period either way",
        arguments: [(400.0, 16, 1), (400, 16, -1), (100, 1, 1), (3200, 16, 1), (3200, 16, -1)])
    func edgesOffByOne(hz: Double, unread: Int, off: Int) {
        let chip = Self.chip(hz: hz, error: 0.02)
        let delay: (inout Random, Int) -> (latency: Double, wake: Double, pre: Double, post: Double) = {
            r, _ in
            (2e3 + r.next() * 38e3, 30e3 + r.next() * 270e3, r.next() * 50e3, r.next() * 50e3)
        }
        let run = Self.runOnInterrupt(
            chip, unread: unread, seconds: 60, edges: true, claimedUnread: unread + off, delay: delay)
        let blind = Self.runOnInterrupt(chip, unread: unread, seconds: 60, edges: false, delay: delay)
        let worst = Self.worstError(run, chip, after: 20)
        let blindWorst = Self.worstError(blind, chip, after: 20)
        print(
            "sample times at \(Int(hz)) Hz, edges \(off) off: worst \(worst) periods (\(blindWorst) without edges)"
        )
        #expect(run.clock.missing == 0, "missing \(run.clock.missing)")
        // One too many: the edges' bound lies below the truth and the reads contradict it.
        #expect(run.clock.edgesIgnored == (off > 0))
        #expect(
            worst <= max(0.5, blindWorst + 0.05), "worst \(worst) periods, \(blindWorst) without the edges")
        let (uneven, intervals) = Self.unevenIntervals(run, chip)
        #expect(uneven * 100 <= intervals, "\(uneven) of \(intervals) intervals off by 2 % or more")
    }

    @Test(
        "woken by the interrupt, with stalls that overrun the FIFO: the edges count the samples lost to within one in fifty overruns, and the settled stamps stay within a tenth of a period",
        arguments: [0.02, -0.01])
    func interruptEdgesWithOverruns(error: Double) {
        let chip = Self.chip(hz: 3200, error: error)
        // Every 100th wake stalls 12–20 ms: the 32-entry FIFO (16 a batch) overruns.
        let run = Self.runOnInterrupt(chip, unread: 16, seconds: 60, edges: true) { r, i in
            let stall = i % 100 == 99 ? 12e6 + r.next() * 8e6 : 0
            return (2e3 + r.next() * 38e3, 30e3 + r.next() * 270e3 + stall, r.next() * 50e3, r.next() * 50e3)
        }
        #expect(run.lossEvents >= 50)
        #expect(
            abs(run.clock.missing - run.lost) * 50 <= run.lossEvents,
            "missing \(run.clock.missing), lost \(run.lost) in \(run.lossEvents) overruns")
        #expect(!run.clock.edgesIgnored)
        let worst = Self.worstError(run, chip, after: 20, settledReads: true)
        #expect(worst <= 0.1, "worst \(worst) periods")
        print(
            "sample times at 3200 Hz with overruns: missing \(run.clock.missing) of \(run.lost) lost in \(run.lossEvents) overruns; settled worst \(worst) periods"
        )
    }
}
