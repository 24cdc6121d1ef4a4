import Drivers
import Foundation
import Testing

@testable import Station

/// The motion sampler's loss counting, on sample times made by hand.
@Suite("Sampling drops: overruns and gaps")
struct SamplingDropsTests {
    static let period = Duration.microseconds(1000)  // 1000 Hz

    /// A counter fed one batch (sample times in ms) at a time; true when the batch lost something.
    final class Feed {
        var counter = DropCounter(period: SamplingDropsTests.period)
        var drops: SamplingDrops { counter.drops }

        func callAsFunction(_ times: [Double], overruns: Int? = nil, at date: Date = Date()) -> Bool {
            let samples = times.map {
                AccelerationSample(time: .microseconds(Int64($0 * 1000)), x: 0, y: 0, z: 1, saturated: false)
            }
            return counter.observe(samples, overruns: overruns, at: date)
        }
    }

    @Test("samples one period apart, and read jitter of up to one period, are no loss")
    func noLoss() {
        let feed = Feed()
        #expect(!feed([1, 2, 3, 4]))
        // The next batch stamped up to a period late (its newest at the read): 4 → 6 is jitter.
        #expect(!feed([6, 7, 8]))
        #expect(!feed([]))
        #expect(feed.drops == SamplingDrops())
        #expect(feed.drops.text == "none")
    }

    @Test("without an overrun flag, a gap counts once, with the samples it should have held")
    func gaps() {
        let feed = Feed()
        #expect(!feed([1, 2]))
        let when = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(feed([12, 13], at: when))  // 3...11 missing: 9
        #expect(feed.drops == SamplingDrops(overruns: 0, gaps: 1, missedSamples: 9, last: when))
        #expect(feed([16.6], at: when))  // 3.6 periods: ~3 missed
        #expect(feed.drops.gaps == 2 && feed.drops.missedSamples == 12)
        #expect(feed.drops.text == "0 overruns, 2 gaps (~12 samples missed), last 2027-01-15T08:00:00Z")
    }

    @Test("overruns are the driver's count since it opened; a reopened driver starts again at 0")
    func overruns() {
        let feed = Feed()
        #expect(!feed([1], overruns: 0))
        #expect(feed([2], overruns: 2))
        #expect(!feed([3], overruns: 2))
        #expect(feed.drops.overruns == 2)
        // After a fault the new driver counts from 0, and the outage is not a gap.
        feed.counter.reopened(period: Self.period)
        #expect(!feed([5000], overruns: 0))
        #expect(feed([5001], overruns: 1))
        #expect(feed.drops.overruns == 3 && feed.drops.gaps == 0)
        #expect(feed.drops.text.hasPrefix("3 overruns, 0 gaps, last "))
    }

    @Test(
        "with an overrun flag, the flag alone counts: a thread late to read leaves a gap in the stamps, not a loss"
    )
    func flagged() {
        let feed = Feed()
        #expect(!feed([1, 2], overruns: 0))
        #expect(!feed([12, 13], overruns: 0))
        #expect(feed.drops.isEmpty)
    }

    @Test("the control socket carries the counts, with the time as ISO 8601 text")
    func wire() throws {
        let d = SamplingDrops(
            overruns: 1, gaps: 2, missedSamples: 30, last: Date(timeIntervalSince1970: 1_800_000_000))
        let json = String(decoding: try JSONEncoder().encode(d), as: UTF8.self)
        #expect(json.contains(#""last":"2027-01-15T08:00:00Z""#))
        #expect(json.contains(#""missed_samples":30"#))
        #expect(try JSONDecoder().decode(SamplingDrops.self, from: Data(json.utf8)) == d)
    }
}
