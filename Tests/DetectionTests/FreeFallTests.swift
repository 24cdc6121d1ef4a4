import Foundation
import Testing

@testable import Detection

/// Free falls in synthetic traces whose truth is physics: a body dropped from rest falls h = g·t²/2
/// (g = 9.80665 m/s²), so a 1 m drop lasts √(2 m / g) = 0.45160 s, and an accelerometer falling with
/// it reads 0 g throughout.
@Suite("Free fall")
struct FreeFallTests {
    static let oneMetre = (2.0 / 9.80665).squareRoot()  // 0.451600… s

    /// |a| at 1 kHz from 0 to `until` s: 1 g at rest, `low` g from `start` for `length` s.
    static func trace(start: Double, length: Double, low: Double = 0.02, until: Double = 3) -> [(
        Double, Double
    )] {
        (0..<Int(until * 1000)).map { k in
            let t = Double(k) / 1000 + 0.0003  // the fall's edges fall between samples
            return (t, t >= start && t < start + length ? low : 1)
        }
    }

    static func falls(_ trace: [(Double, Double)], minimum: Double = 0.1) -> [FreeFall] {
        var d = FreeFallDetector(thresholdG: 0.35, minimum: minimum, gapMinimum: 0.05)
        return trace.compactMap { d.process(t: $0.0, magnitude: $0.1) }
    }

    @Test("a 1 m drop: 0.4516 s below the threshold, within a sample at each edge; 1.00 m from rest")
    func oneMetreDrop() throws {
        let falls = Self.falls(Self.trace(start: 1.0, length: Self.oneMetre))
        let fall = try #require(falls.count == 1 ? falls.first : nil, "\(falls)")
        #expect(abs(fall.startT - 1.0) <= 0.001 && abs(fall.endT - (1.0 + Self.oneMetre)) <= 0.001, "\(fall)")
        #expect(abs(fall.duration - Self.oneMetre) <= 0.002)
        // dh = g·t·dt: 2 ms of timing is 9 mm of height.
        #expect(abs(fall.dropHeight - 1.0) <= 0.01, "\(fall.dropHeight) m")
        #expect(fall.minG == 0.02)
        // The datasheet-style check: 5 cm of drop lasts 0.101 s, the default minimum.
        #expect(abs(FreeFall.dropHeight(seconds: 0.100_97) - 0.05) < 0.0005)
    }

    @Test("a dip shorter than the minimum, or not low enough, is no fall")
    func notAFall() {
        #expect(Self.falls(Self.trace(start: 1.0, length: 0.08)).isEmpty)
        #expect(Self.falls(Self.trace(start: 1.0, length: 0.5, low: 0.4)).isEmpty)
        // The minimum is a setting: 50 ms finds the 80 ms dip.
        #expect(Self.falls(Self.trace(start: 1.0, length: 0.08), minimum: 0.05).count == 1)
    }

    @Test(
        "a gap in the data ends a fall at its last sample, and what follows is a fall of its own; one still going at the end is not reported"
    )
    func gaps() throws {
        var trace = Self.trace(start: 1.0, length: 0.5)
        trace.removeAll { $0.0 > 1.2 && $0.0 < 1.3 }  // 100 ms with no samples, inside the fall
        let falls = Self.falls(trace)
        try #require(falls.count == 2, "\(falls)")
        #expect(abs(falls[0].endT - 1.1993) < 1e-9 && abs(falls[1].startT - 1.3003) < 1e-9, "\(falls)")
        #expect(Self.falls(Self.trace(start: 2.5, length: 1.0)).isEmpty)
    }

    @Test(
        "an impact that starts within half a second of a fall's end is its landing; later, or before it ended, not"
    )
    func landing() throws {
        var tracker = FallTracker(settings: DetectorSettings())
        for (t, g) in Self.trace(start: 1.0, length: Self.oneMetre) {
            _ = tracker.process(t: t, magnitude: g)
        }
        let end = 1.0 + Self.oneMetre
        let landed = try #require(tracker.landing(before: end + 0.004))
        #expect(abs(landed.dropHeight - 1.0) <= 0.01)
        #expect(tracker.landing(before: end + 0.6) == nil)
        #expect(tracker.landing(before: 0.9) == nil)
    }

    @Test(
        "a physical 1 m drop and landing: ΔV is the landing's, √(2gh) = 4.43 m/s, measured against gravity at rest after it"
    )
    func landingDeltaV() throws {
        // At rest (1 g on z) until 1 s, falling (0 g) for 0.4516 s, then the landing takes the
        // 4.429 m/s away in a 20 ms half-sine: a = v·π/(2T) · sin(πt/T) upwards, read on top of
        // gravity; then at rest again. 3200 Hz.
        let g0 = 9.80665
        let v = (2 * g0 * 1.0).squareRoot()
        let landing = 1.0 + Self.oneMetre
        let span = 0.020
        var detector = ImpactDetector(settings: DetectorSettings())
        var tracker = FallTracker(settings: DetectorSettings())
        var events: [ImpactEvent] = []
        for k in 0..<(4 * 3200) {
            let t = Double(k) / 3200
            var z = 1.0
            if t >= 1 && t < landing { z = 0 }
            if t >= landing && t < landing + span {
                let peak: Double = v * Double.pi / (2 * span) / g0
                z = 1 + peak * sin(Double.pi * (t - landing) / span)
            }
            _ = tracker.process(t: t, magnitude: abs(z))
            events += detector.process(MotionSample(t: t, x: 0, y: 0, z: z))
        }
        events += detector.finish()
        let e = try #require(events.count == 1 ? events.first : nil, "\(events.count) events")
        #expect(abs(e.deltaV - v) / v < 0.01, "ΔV \(e.deltaV) m/s, expected \(v)")
        #expect(abs(e.gravity.z - 1) < 1e-9 && e.gravity.x == 0)
        let fall = try #require(tracker.landing(before: e.startT))
        #expect(abs(fall.dropHeight - 1) < 0.005)
    }

    @Test("the settings refuse a threshold at or above 1 g and a minimum outside 0.02…10 s")
    func settings() {
        #expect(DetectorSettings().problems.isEmpty)
        #expect(DetectorSettings(freeFallG: 1).problems.map(\.field) == ["freeFallG"])
        #expect(DetectorSettings(freeFallMinimum: 0.01).problems.map(\.field) == ["freeFallMinimum"])
    }
}
