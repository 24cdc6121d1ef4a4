import Drivers
import Foundation
import Testing

@testable import Station

/// The motion sampler's loss counting, on driver counts made by hand.
@Suite("Sampling drops: overruns and gaps")
struct SamplingDropsTests {
    final class Feed {
        var counter = DropCounter()
        func callAsFunction(overruns: Int?, missedSamples: Int, at date: Date) -> Bool {
            counter.observe(overruns: overruns, missedSamples: missedSamples, at: date)
        }
    }

    @Test("reads that lose nothing leave the counts at none")
    func noLoss() {
        let counter = Feed()
        #expect(!counter(overruns: 0, missedSamples: 0, at: Date()))
        #expect(!counter(overruns: nil, missedSamples: 0, at: Date()))
        #expect(counter.counter.drops == SamplingDrops())
        #expect(counter.counter.drops.text == "none")
    }

    @Test("without an overrun flag, each read that found samples missing is a gap, with how many")
    func gaps() {
        let counter = Feed()
        let when = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(!counter(overruns: nil, missedSamples: 0, at: when))
        #expect(counter(overruns: nil, missedSamples: 9, at: when))
        #expect(counter.counter.drops == SamplingDrops(overruns: 0, gaps: 1, missedSamples: 9, last: when))
        #expect(!counter(overruns: nil, missedSamples: 9, at: when))
        #expect(counter(overruns: nil, missedSamples: 12, at: when))
        #expect(counter.counter.drops.gaps == 2 && counter.counter.drops.missedSamples == 12)
        #expect(
            counter.counter.drops.text == "0 overruns, 2 gaps (~12 samples missed), last 2027-01-15T08:00:00Z"
        )
    }

    @Test("the counts are the driver's since it opened; a reopened driver starts again at 0")
    func overruns() {
        let counter = Feed()
        #expect(!counter(overruns: 0, missedSamples: 0, at: Date()))
        #expect(counter(overruns: 2, missedSamples: 5, at: Date()))
        #expect(!counter(overruns: 2, missedSamples: 5, at: Date()))
        #expect(counter.counter.drops.overruns == 2 && counter.counter.drops.missedSamples == 5)
        // After a fault the new driver counts from 0, and the outage is not a loss.
        counter.counter.reopened()
        #expect(!counter(overruns: 0, missedSamples: 0, at: Date()))
        #expect(counter(overruns: 1, missedSamples: 3, at: Date()))
        #expect(
            counter.counter.drops.overruns == 3 && counter.counter.drops.gaps == 2
                && counter.counter.drops.missedSamples == 8)
        #expect(counter.counter.drops.text.hasPrefix("3 overruns, 2 gaps (~8 samples missed), last "))
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
