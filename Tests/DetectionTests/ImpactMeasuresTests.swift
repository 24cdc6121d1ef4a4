import Detection
import Foundation
import Testing

/// What the detector measures about an impact, against values computed independently: closed
/// forms for half-sine and square pulses, numeric maximisation on the analytic integral for HIC.
@Suite("Impact detector: measures")
struct ImpactMeasuresTests {
    static let g0 = 9.80665

    // MARK: ΔV

    struct DeltaVCase: Sendable, CustomTestStringConvertible {
        var amplitude: Double
        var duration: Double
        var gravity: SIMD3<Double>
        var direction: SIMD3<Double>
        var rate: Double
        var testDescription: String {
            "A \(amplitude) g, T \(duration * 1000) ms, gravity \(gravity), pulse along \(direction), \(Int(rate)) Hz"
        }
    }

    @Test(arguments: [
        DeltaVCase(amplitude: 5, duration: 0.010, gravity: [0, 0, 1], direction: [0, 0, 1], rate: 3200),
        DeltaVCase(amplitude: 5, duration: 0.010, gravity: [0, 0, 1], direction: [1, 0, 0], rate: 3200),
        DeltaVCase(amplitude: 8, duration: 0.010, gravity: [0, 0, 1], direction: [0, 0, -1], rate: 3200),
        DeltaVCase(
            amplitude: 20, duration: 0.005, gravity: [0.6, 0, 0.8], direction: [1, 1, 1], rate: 3200),
        DeltaVCase(
            amplitude: 10, duration: 0.030, gravity: [0, -1, 0], direction: [0.3, 0.9, -0.2], rate: 1000),
        DeltaVCase(amplitude: 4, duration: 0.100, gravity: [0, 0, 1], direction: [0, 0, 1], rate: 400),
        DeltaVCase(amplitude: 60, duration: 0.006, gravity: [1, 0, 0], direction: [0, 1, 0], rate: 3200),
    ])
    func deltaVOfAHalfSineMatchesTheClosedForm(_ c: DeltaVCase) throws {
        let samples = SyntheticTrace(
            rate: c.rate, length: 3, gravity: c.gravity,
            pulses: [
                Pulse(
                    .halfSine, amplitude: c.amplitude, duration: c.duration, start: 1.2,
                    direction: c.direction)
            ],
            noise: 0.01, seed: 42
        ).samples
        let e = try #require(detect(samples).first)
        let expected = 2 * c.amplitude * Self.g0 * c.duration / Double.pi
        // Trapezoid error (πh/T)²/12 ≤ 0.3 % here, plus noise.
        #expect(relativeError(e.deltaV, expected) < 0.005, "ΔV \(e.deltaV) m/s, expected \(expected)")
    }

    @Test func deltaVCountsTheWholePulseNotJustTheTimeAboveThreshold() throws {
        // A weak pulse: 3.5 g along gravity peaks at 4.5 g, above 4 g only for its top 42 %.
        let samples = SyntheticTrace(
            rate: 3200, length: 3,
            pulses: [Pulse(.halfSine, amplitude: 3.5, duration: 0.05, start: 1.0)]
        ).samples
        let e = try #require(detect(samples).first)
        let expected = 2 * 3.5 * Self.g0 * 0.05 / Double.pi
        #expect(relativeError(e.deltaV, expected) < 0.01)
    }

    @Test func aGapInsideThePulseLeavesItsStretchOut() throws {
        // Not lowerCamelCase: T and A as in the closed forms.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let T = 0.02, A = 10.0, start = 1.0
        var trace = SyntheticTrace(
            rate: 3200, length: 3,
            pulses: [Pulse(.halfSine, amplitude: A, duration: T, start: start, direction: [0, 1, 0])])
        trace.gaps = [1.004...1.012]
        let samples = trace.samples
        // At 3200 Hz a gap is anything over 10 periods once the 50 ms floor is lowered.
        var settings = DetectorSettings()
        settings.gapMinimum = 0.003
        let e = try #require(detect(samples, settings).first)
        #expect(e.gapCount == 1)
        // The integral over the pulse minus the stretch between the samples that border the gap.
        let before = samples.last { $0.t < 1.004 }!.t, after = samples.first { $0.t > 1.012 }!.t
        let missing =
            A * T / Double.pi * (cos(Double.pi * (before - start) / T) - cos(Double.pi * (after - start) / T))
        let expected = (2 * A * T / Double.pi - missing) * Self.g0
        #expect(relativeError(e.deltaV, expected) < 0.01, "ΔV \(e.deltaV), expected \(expected)")
    }

    @Test func jitteredTimestampsStillIntegrate() throws {
        let samples = SyntheticTrace(
            rate: 1000, length: 3, gravity: [0, 0, 1],
            pulses: [Pulse(.halfSine, amplitude: 12, duration: 0.02, start: 1.0, direction: [1, 0, 0])],
            noise: 0.02, seed: 9, jitter: 0.3
        ).samples
        let e = try #require(detect(samples).first)
        #expect(relativeError(e.deltaV, 2 * 12 * Self.g0 * 0.02 / Double.pi) < 0.02)
    }

    // MARK: HIC15

    /// HIC15 by brute force on the analytic integral F of |a| = gravity + A·sin(π(t − s)/T) (the
    /// pulse along gravity, or no gravity at all): the maximum of ΔF^2.5 / Δt^1.5 over a grid of
    /// window starts and lengths ≤ 15 ms, step `step`. Independent of the detector's sampling.
    // Not lowerCamelCase: A, T and F as in the closed forms.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    static func referenceHIC(
        amplitude A: Double, duration T: Double, gravity g: Double, step: Double = 0.00002
    ) -> Double {
        func F(_ t: Double) -> Double {
            let u = min(max(t, 0), T)
            return g * t + A * T / Double.pi * (1 - cos(Double.pi * u / T))
        }
        var best = 0.0
        var t1 = -0.015
        while t1 < T {
            var d = step
            while d <= 0.015 + 1e-15 {
                let i = F(t1 + d) - F(t1)
                best = max(best, pow(i, 2.5) / pow(d, 1.5))
                d += step
            }
            t1 += step
        }
        return best
    }

    struct HICCase: Sendable, CustomTestStringConvertible {
        var amplitude: Double
        var duration: Double
        var gravity: Double
        var testDescription: String {
            "half-sine \(amplitude) g, \(duration * 1000) ms, gravity \(gravity) g along it"
        }
    }

    @Test(arguments: [
        HICCase(amplitude: 50, duration: 0.006, gravity: 0),
        HICCase(amplitude: 80, duration: 0.010, gravity: 0),
        HICCase(amplitude: 80, duration: 0.010, gravity: 1),
        HICCase(amplitude: 100, duration: 0.015, gravity: 1),
        HICCase(amplitude: 60, duration: 0.030, gravity: 0),
        HICCase(amplitude: 30, duration: 0.050, gravity: 1),
    ])
    func hic15OfAHalfSineMatchesNumericMaximisation(_ c: HICCase) throws {
        // Gravity 0 is a sensor in free fall (a drop-tower test); 1 g lies along the pulse so |a|
        // is exactly gravity + pulse.
        let samples = SyntheticTrace(
            rate: 3200, length: 2.5, gravity: [0, 0, c.gravity],
            pulses: [Pulse(.halfSine, amplitude: c.amplitude, duration: c.duration, start: 1.0)]
        ).samples
        let e = try #require(detect(samples).first)
        let expected = Self.referenceHIC(amplitude: c.amplitude, duration: c.duration, gravity: c.gravity)
        let hic = try #require(e.hic15)
        #expect(relativeError(hic, expected) < 0.01, "HIC15 \(hic), expected \(expected)")
    }

    @Test(arguments: [(20.0, 0.020, 0.0), (50, 0.040, 0), (50, 0.015, 0), (30, 0.025, 1), (80, 0.020, 1)])
    func hic15OfALongSquarePulseIsTheClosedForm(_ a: Double, _ duration: Double, _ gravity: Double) throws {
        // |a| = A + gravity on a 15 ms window inside the flat top: HIC15 = 0.015 · (A + g)^2.5.
        // At 3200 Hz, 15 ms is exactly 48 sample periods.
        let samples = SyntheticTrace(
            rate: 3200, length: 2.5, gravity: [0, 0, gravity],
            pulses: [Pulse(.square, amplitude: a, duration: duration + 0.0001, start: 1.0 - 0.00005)]
        ).samples
        let e = try #require(detect(samples).first)
        let expected = 0.015 * pow(a + gravity, 2.5)
        let hic = try #require(e.hic15)
        #expect(relativeError(hic, expected) < 1e-9, "HIC15 \(hic), expected \(expected)")
    }

    @Test func hicAtRestIsTinyAndNoWindowSpansAGap() throws {
        // 1 g at rest for 15 ms: 0.015 · 1^2.5.
        let rest = SyntheticTrace(rate: 1000, length: 1).samples
        #expect(abs(try #require(ImpactMetrics.hic(rest[...], gapLimit: 0.05)) - 0.015) < 1e-12)
        // Two samples of 100 g 10 ms apart: one window of 10 ms; with a gap limit below 10 ms the
        // step is a gap, so no window at all.
        let apart = [MotionSample(t: 0, x: 100, y: 0, z: 0), MotionSample(t: 0.010, x: 100, y: 0, z: 0)]
        #expect(
            abs(try #require(ImpactMetrics.hic(apart[...], gapLimit: 0.05)) - 0.010 * pow(100, 2.5)) < 1e-6)
        #expect(ImpactMetrics.hic(apart[...], gapLimit: 0.005) == nil)
        // Repeated timestamps are no window either.
        let same = [MotionSample(t: 0, x: 9, y: 0, z: 0), MotionSample(t: 0, x: 9, y: 0, z: 0)]
        #expect(ImpactMetrics.hic(same[...], gapLimit: 0.05) == nil)
    }

    /// The case from issue 21: an 8 g impact lasting 1.15 s read at 25 Hz. Samples are 40 ms apart,
    /// so no 15 ms window exists and HIC15 is not computable (it used to read 0.0, "harmless").
    /// At 50 Hz (20 ms) it still is not; at 100 Hz a 10 ms window is, and the flat top gives
    /// 0.010 · 9^2.5 over it (8 g along 1 g of gravity), the largest window that fits.
    @Test(arguments: [(25.0, nil as Double?), (50, nil), (100, 0.010 * pow(9, 2.5))])
    func hic15IsNotComputableWhenSamplesAreMoreThan15msApart(_ rate: Double, _ expected: Double?) throws {
        let samples = SyntheticTrace(
            rate: rate, length: 4, gravity: [0, 0, 1],
            pulses: [Pulse(.square, amplitude: 8, duration: 1.15, start: 1.0)]
        ).samples
        let e = try #require(detect(samples).first)
        #expect(e.peakG > 8.9)
        if let expected {
            #expect(relativeError(try #require(e.hic15), expected) < 1e-9)
        } else {
            #expect(e.hic15 == nil)
        }
    }

    // MARK: time above threshold, start, end, peak

    @Test(arguments: [(6.0, 0.010), (4.0, 0.020), (20, 0.005)])
    func timeAboveThresholdOfAHalfSine(_ a: Double, _ duration: Double) throws {
        // Along gravity: |a| = 1 + A·sin(π t/T) ≥ 4 for a fraction 1 − 2·asin(3/A)/π of T.
        let start = 1.0
        let samples = SyntheticTrace(
            rate: 3200, length: 3,
            pulses: [Pulse(.halfSine, amplitude: a, duration: duration, start: start)]
        ).samples
        let e = try #require(detect(samples).first)
        let phase = asin(3 / a) / Double.pi * duration
        let expected = duration - 2 * phase
        // Linear interpolation of the crossings: well within a tenth of a 0.3125 ms sample period.
        #expect(abs(e.durationAbove - expected) < 0.00003, "\(e.durationAbove) s, expected \(expected)")
        #expect(abs(e.startT - (start + phase)) < 0.00003)
        #expect(abs(e.endT - (start + duration - phase)) < 0.00003)
        #expect(abs(e.peakT - (start + duration / 2)) <= 0.5 / 3200 + 1e-9)
        #expect(e.peakG <= 1 + a && e.peakG > 1 + a * cos(Double.pi / 3200 / duration))
        #expect(e.peakX == 0 && e.peakY == 0 && e.peakZ == e.peakG)
    }

    @Test func peakAxesAreThoseOfThePeakSample() throws {
        let samples = SyntheticTrace(
            rate: 1000, length: 3, gravity: [0, -1, 0],
            pulses: [Pulse(.square, amplitude: 12, duration: 0.003, start: 1.0, direction: [3, 0, 4])]
        ).samples
        let e = try #require(detect(samples).first)
        #expect(abs(e.peakX - 12 * 0.6) < 1e-12)
        #expect(abs(e.peakY - -1) < 1e-12)
        #expect(abs(e.peakZ - 12 * 0.8) < 1e-12)
        #expect(abs(e.peakG - (144 + 1).squareRoot()) < 1e-12)
    }

    // MARK: gravity, saturation, waveform

    @Test(arguments: [SIMD3<Double>(0, 0, 1), [0, 0, -1], [0.6, 0, 0.8], [-0.5, 0.5, 0.7071]])
    func gravityIsEstimatedBeforeTheImpact(_ gravity: SIMD3<Double>) throws {
        let samples = SyntheticTrace(
            rate: 1000, length: 3, gravity: gravity,
            pulses: [Pulse(.halfSine, amplitude: 15, duration: 0.01, start: 1.5, direction: [1, -2, 0.5])],
            noise: 0.05, seed: 3
        ).samples
        let e = try #require(detect(samples).first)
        let error = e.gravity - gravity
        // The mean of ~500 samples with σ = 0.05 g: standard error 0.002 g per axis.
        #expect((error * error).sum().squareRoot() < 0.01)
    }

    @Test func aPulseThatClipsIsSaturatedAndItsPeakALowerBound() throws {
        let trace = SyntheticTrace(
            rate: 3200, length: 3, gravity: [0, 0, 1],
            pulses: [Pulse(.halfSine, amplitude: 30, duration: 0.01, start: 1.0, direction: [1, 0, 0])],
            clipG: 16)
        let flagged = try #require(detect(trace.samples).first)
        #expect(flagged.saturated)
        #expect(flagged.peakG < (30.0 * 30 + 1).squareRoot())
        #expect(flagged.peakG <= (16.0 * 16 + 1).squareRoot() + 1e-12)

        // Without the driver's flag, the full scale in the settings finds it…
        let unflagged = trace.samples.map {
            var s = $0; s.saturated = false; return s
        }
        var settings = DetectorSettings()
        settings.fullScaleG = 16
        #expect(try #require(detect(unflagged, settings).first).saturated)
        // …and a ±16 g part reads at most 15.996 g: within 1 % of full scale counts.
        let adxl = unflagged.map {
            var s = $0; s.x = min(s.x, 15.996); return s
        }
        #expect(try #require(detect(adxl, settings).first).saturated)
        // Without either, nothing says it clipped.
        #expect(try #require(detect(unflagged).first).saturated == false)
        // A pulse that stays below full scale is not saturated.
        let small = SyntheticTrace(
            rate: 3200, length: 3,
            pulses: [Pulse(.halfSine, amplitude: 10, duration: 0.01, start: 1.0, direction: [1, 0, 0])],
            clipG: 16)
        #expect(try #require(detect(small.samples, settings).first).saturated == false)
    }

    @Test(arguments: [(0.5, 1.0), (0.2, 0.3), (0, 0.05)])
    func waveformRunsFromPreBeforeTheStartToPostAfterTheTrigger(_ pre: Double, _ post: Double) throws {
        let rate = 3200.0
        let samples = SyntheticTrace(
            rate: rate, length: 4,
            pulses: [Pulse(.halfSine, amplitude: 10, duration: 0.01, start: 2.0)]
        ).samples
        var settings = DetectorSettings()
        settings.preWindow = pre
        settings.postWindow = post
        let e = try #require(detect(samples, settings).first)
        let first = try #require(e.waveform.first), last = try #require(e.waveform.last)
        let firstAbove = try #require(samples.first { $0.magnitude >= 4 })
        #expect(first.t >= firstAbove.t - pre - 1e-9 && first.t < firstAbove.t - pre + 1 / rate)
        #expect(last.t <= e.triggerT + post + 1e-9 && last.t > e.triggerT + post - 1 / rate)
        // Exactly the input samples, in order, none missing.
        let i = try #require(samples.firstIndex(of: first))
        #expect(Array(samples[i..<(i + e.waveform.count)]) == e.waveform)
    }

    @Test func aLongSustainedImpactIsCapturedUntilItEnds() throws {
        // 5 g for 4 s with sustain 2 s: trigger at 2 s into it, capture past the 1 s post window
        // while still above, until the magnitude drops.
        let samples = SyntheticTrace(
            rate: 400, length: 8,
            pulses: [Pulse(.square, amplitude: 4, duration: 4.0, start: 1.0)]
        ).samples
        var settings = DetectorSettings()
        settings.sustain = 2
        let e = try #require(detect(samples, settings).first)
        #expect(abs(e.triggerT - 3.0) < 1e-9)
        #expect(abs(e.durationAbove - 4.0) < 0.0025)
        #expect(abs(e.endT - 5.0) < 0.0025)
        #expect(e.waveform.last!.t < 5.01, "ends once the magnitude is back below the threshold")
        #expect(e.waveform.first!.t < 0.51)
    }
}
