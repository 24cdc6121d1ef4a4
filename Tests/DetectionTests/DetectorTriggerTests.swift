import Detection
import Foundation
import Testing

/// When the detector triggers, and how many events it makes: threshold, sustain, severe,
/// hysteresis, refractory time, gaps, the pending trigger and the end of the stream.
@Suite("Impact detector: triggering")
struct DetectorTriggerTests {
    // MARK: threshold

    struct ThresholdCase: Sendable, CustomTestStringConvertible {
        var name: String
        var gravity: SIMD3<Double>
        var direction: SIMD3<Double>
        /// |a| during the pulse.
        var magnitude: Double
        var events: Int
        var testDescription: String { "\(name): |a| = \(magnitude) g → \(events) event(s)" }

        /// The pulse amplitude (gravity removed) that makes |gravity + A·direction| = `magnitude`.
        var amplitude: Double {
            let u = direction / (direction * direction).sum().squareRoot()
            let b = (gravity * u).sum()
            let g2 = (gravity * gravity).sum()
            // |g + A u|² = g² + 2 A (g·u) + A² = m²
            return -b + (b * b - g2 + magnitude * magnitude).squareRoot()
        }
    }

    @Test(arguments: [
        ThresholdCase(
            name: "gravity +z, pulse +z", gravity: [0, 0, 1], direction: [0, 0, 1], magnitude: 3.99, events: 0
        ),
        ThresholdCase(
            name: "gravity +z, pulse +z", gravity: [0, 0, 1], direction: [0, 0, 1], magnitude: 4.0, events: 1),
        ThresholdCase(
            name: "gravity +z, pulse +z", gravity: [0, 0, 1], direction: [0, 0, 1], magnitude: 4.01, events: 1
        ),
        ThresholdCase(
            name: "gravity −x, pulse −x", gravity: [-1, 0, 0], direction: [-1, 0, 0], magnitude: 4.0,
            events: 1),
        ThresholdCase(
            name: "gravity −x, pulse −x", gravity: [-1, 0, 0], direction: [-1, 0, 0], magnitude: 3.99,
            events: 0),
        ThresholdCase(
            name: "tilted gravity, pulse across it", gravity: [0.6, 0, 0.8], direction: [0.8, 0, -0.6],
            magnitude: 3.99, events: 0),
        ThresholdCase(
            name: "tilted gravity, pulse across it", gravity: [0.6, 0, 0.8], direction: [0.8, 0, -0.6],
            magnitude: 4.01, events: 1),
        ThresholdCase(
            name: "gravity +y, pulse against it", gravity: [0, 1, 0], direction: [0, -1, 0], magnitude: 3.99,
            events: 0),
        ThresholdCase(
            name: "gravity +y, pulse against it", gravity: [0, 1, 0], direction: [0, -1, 0], magnitude: 4.01,
            events: 1),
    ])
    func thresholdIsInclusiveOnTheVectorMagnitude(_ c: ThresholdCase) {
        let trace = SyntheticTrace(
            rate: 1000, length: 2, gravity: c.gravity,
            pulses: [
                Pulse(.square, amplitude: c.amplitude, duration: 0.005, start: 1.0, direction: c.direction)
            ])
        let events = detect(trace.samples)
        #expect(events.count == c.events)
        if let e = events.first {
            #expect(abs(e.peakG - c.magnitude) < 1e-9)
            #expect(e.severity == .impact)
            #expect(abs(e.triggerT - 1.0) < 1e-9, "the first sample of the pulse triggers")
        }
    }

    @Test func aSingleSampleAboveTheThresholdIsAnImpact() {
        var samples = SyntheticTrace(rate: 3200, length: 2).samples
        samples[3200] = MotionSample(t: samples[3200].t, x: 0, y: 4.5, z: 1)
        let events = detect(samples)
        #expect(events.count == 1)
        #expect(events.first?.triggerT == samples[3200].t)
        #expect(abs((events.first?.peakG ?? 0) - (4.5 * 4.5 + 1).squareRoot()) < 1e-12)
    }

    @Test func quietRoadVibrationGivesNothing() {
        // 0.8 g of noise per axis around gravity: the magnitude stays far below 4 g.
        let samples = SyntheticTrace(rate: 1000, length: 20, gravity: [0.3, -0.2, 0.93], noise: 0.3, seed: 7)
            .samples
        #expect(samples.map(\.magnitude).max()! < 3.5)
        #expect(detect(samples).isEmpty)
    }

    // MARK: sustain

    struct SustainCase: Sendable, CustomTestStringConvertible {
        /// Consecutive samples at 5 g, 1 ms apart: they span (count − 1) ms.
        var count: Int
        var sustain: Double
        var events: Int
        var testDescription: String {
            "\(count) samples (\(count - 1) ms) at 5 g, sustain \(sustain) s → \(events)"
        }
    }

    @Test(arguments: [
        SustainCase(count: 100, sustain: 0.1, events: 0),
        SustainCase(count: 101, sustain: 0.1, events: 1),
        SustainCase(count: 150, sustain: 0.1, events: 1),
        SustainCase(count: 2000, sustain: 2.0, events: 0),
        SustainCase(count: 2001, sustain: 2.0, events: 1),
        SustainCase(count: 1, sustain: 0, events: 1),
    ])
    func sustainBoundaries(_ c: SustainCase) {
        let start = 3.0
        let trace = SyntheticTrace(
            rate: 1000, length: 8,
            pulses: [
                Pulse(.square, amplitude: 4, duration: Double(c.count) / 1000 - 0.0005, start: start - 0.0001)
            ])
        #expect(trace.samples.filter { $0.magnitude >= 4 }.count == c.count)
        var settings = DetectorSettings()
        settings.sustain = c.sustain
        let events = detect(trace.samples, settings)
        #expect(events.count == c.events)
        if let e = events.first {
            #expect(abs(e.triggerT - (start + c.sustain)) < 1e-9, "triggers when the sustain is complete")
            #expect(
                abs(e.startT - (start - 0.001 + 0.001 * 3 / 4)) < 1e-6,
                "starts at the threshold crossing (1 g → 5 g, 4 g is ¾ of the way)")
        }
    }

    @Test func aDipBelowTheThresholdRestartsTheSustain() {
        var samples = SyntheticTrace(
            rate: 1000, length: 4,
            pulses: [Pulse(.square, amplitude: 4, duration: 0.150, start: 1.0)]
        ).samples
        // One sample at 3.9 g in the middle: two runs of ~75 ms, neither reaches 100 ms.
        let i = samples.firstIndex { $0.t >= 1.075 }!
        samples[i].z = 3.9
        var settings = DetectorSettings()
        settings.sustain = 0.1
        #expect(detect(samples, settings).isEmpty)
    }

    @Test func severeTriggersAtOnceWhateverTheSustain() {
        var samples = SyntheticTrace(
            rate: 1000, length: 4,
            pulses: [Pulse(.square, amplitude: 4, duration: 0.020, start: 1.0)]
        ).samples
        let i = samples.firstIndex { $0.t >= 1.010 }!
        samples[i].z = 9.5
        var settings = DetectorSettings()
        settings.sustain = 3
        let events = detect(samples, settings)
        #expect(events.count == 1)
        #expect(events.first?.severity == .severe)
        #expect(events.first?.triggerT == samples[i].t)
        #expect(
            abs((events.first?.startT ?? 0) - 0.99975) < 1e-6,
            "the impact started with the run, before the severe sample")
        #expect(abs((events.first?.peakG ?? 0) - 9.5) < 1e-12)

        // The same run without the severe sample is too short for the sustain.
        samples[i].z = 5
        #expect(detect(samples, settings).isEmpty)
    }

    @Test(arguments: [(8.99, Severity.impact), (9.0, .severe), (25.0, .severe)])
    func severityFollowsThePeak(_ peak: Double, _ expected: Severity) {
        let samples = SyntheticTrace(
            rate: 1000, length: 3,
            pulses: [Pulse(.square, amplitude: peak - 1, duration: 0.004, start: 1.0)]
        ).samples
        let events = detect(samples)
        #expect(events.map(\.severity) == [expected])
    }

    // MARK: one crash, one event

    struct RefractoryCase: Sendable, CustomTestStringConvertible {
        var second: Double
        var refractory: Double
        var events: Int
        var testDescription: String {
            "pulses at 1.0 s and \(second) s, refractory \(refractory) s → \(events)"
        }
    }

    @Test(arguments: [
        // Inside the 1 s capture: one event with both pulses.
        RefractoryCase(second: 1.3, refractory: 1, events: 1),
        RefractoryCase(second: 1.3, refractory: 0, events: 1),
        // After the capture but within the refractory time after the first pulse: suppressed.
        RefractoryCase(second: 2.3, refractory: 2, events: 1),
        // After both: a second event.
        RefractoryCase(second: 2.3, refractory: 0.5, events: 2),
        RefractoryCase(second: 3.5, refractory: 1, events: 2),
    ])
    func twoImpactsCloserThanTheRefractoryTimeAreOneEvent(_ c: RefractoryCase) {
        let pulse = { (t: Double, a: Double) in Pulse(.halfSine, amplitude: a, duration: 0.010, start: t) }
        let samples = SyntheticTrace(
            rate: 1000, length: 6, gravity: [0, 0, -1],
            pulses: [pulse(1.0, 6), pulse(c.second, 8)].map {
                var p = $0; p.direction = [1, 0, 0]; return p
            },
            noise: 0.01
        ).samples
        var settings = DetectorSettings()
        settings.refractory = c.refractory
        let events = detect(samples, settings)
        #expect(events.count == c.events)
        let one = detect(
            SyntheticTrace(
                rate: 1000, length: 3, gravity: [0, 0, -1],
                pulses: [
                    {
                        var p = pulse(1.0, 6); p.direction = [1, 0, 0]; return p
                    }()
                ], noise: 0.01
            ).samples)[0]
        if c.events == 1, c.second < 2, let e = events.first {
            // Both pulses in one event: the time above adds up, the peak is the larger one.
            #expect(e.peakG > 7.9)
            #expect(e.durationAbove > 1.8 * one.durationAbove)
            #expect(e.endT > c.second)
        }
        if c.events == 2 {
            #expect(events[1].startT > c.second && events[1].startT < c.second + 0.01)
        }
    }

    @Test func hysteresisNeedsTheMagnitudeBelowTheRearmLevel() {
        // A magnitude swinging between 3.8 and 4.2 g (never below the 3.5 g re-arm level) for 3 s
        // is one event even without a refractory time; swinging down to 3.0 g re-arms every time.
        func swinging(low: Double) -> [MotionSample] {
            (0..<4000).map { k in
                let t = Double(k) / 1000
                let m = t < 0.5 || t > 3.5 ? 1.0 : (k % 20 < 10 ? 4.2 : low)
                return MotionSample(t: t, x: 0, y: 0, z: m)
            }
        }
        var settings = DetectorSettings()
        settings.refractory = 0
        settings.postWindow = 0.05
        settings.maxCapture = 0.05
        #expect(detect(swinging(low: 3.8), settings).count == 1)
        // Re-arms on each low half-cycle after the 50 ms capture: one event per 20 ms cycle that
        // starts after a capture ended, 3 s / 60 ms ≈ 50.
        let many = detect(swinging(low: 3.0), settings)
        #expect(many.count > 40 && many.count < 60)
    }

    // MARK: gaps

    @Test func aGapCannotMakeASustainedTrigger() {
        // 5 g from 1.0 to 1.3 s and from 1.9 to 2.2 s with nothing in between (a lost stretch):
        // 1.2 s from first to last, but no gap-free run of 0.5 s.
        let base = SyntheticTrace(
            rate: 1000, length: 4,
            pulses: [Pulse(.square, amplitude: 4, duration: 1.2, start: 1.0)])
        var settings = DetectorSettings()
        settings.sustain = 0.5
        var gapped = base
        gapped.gaps = [1.3001...1.8999]
        #expect(detect(gapped.samples, settings).isEmpty)
        // Without the gap the same run triggers: the gap is what prevents it.
        #expect(detect(base.samples, settings).count == 1)
    }

    @Test func aGapPastThePostWindowEndsTheEvent() {
        var samples = SyntheticTrace(
            rate: 1000, length: 1.2,
            pulses: [Pulse(.halfSine, amplitude: 6, duration: 0.01, start: 1.0)]
        ).samples
        samples.append(
            contentsOf: SyntheticTrace(rate: 1000, length: 1).samples.map {
                var s = $0; s.t += 5; return s
            })
        var d = ImpactDetector()
        var completedAt: Double?
        for s in samples {
            if !d.process(s).isEmpty { completedAt = s.t }
        }
        #expect(completedAt == 5.0, "the first sample after the gap completes the event")
        #expect(d.pendingTrigger == nil)
        #expect(d.finish().isEmpty)
    }

    // MARK: pending trigger and end of stream

    @Test func pendingTriggerIsThereFromTheTriggerSampleUntilTheEventCompletes() {
        let samples = SyntheticTrace(
            rate: 1000, length: 4,
            pulses: [Pulse(.halfSine, amplitude: 10, duration: 0.02, start: 1.0)]
        ).samples
        var d = ImpactDetector()
        var firstPending: (t: Double, peakG: Double, severity: Severity)?
        var lastPending: (t: Double, peakG: Double, severity: Severity)?
        var events: [(at: Double, event: ImpactEvent)] = []
        for s in samples {
            let out = d.process(s)
            if let p = d.pendingTrigger {
                if firstPending == nil {
                    firstPending = p
                    #expect(s.magnitude >= 4, "pending from the very sample that crossed the threshold")
                }
                lastPending = p
            }
            events += out.map { (s.t, $0) }
        }
        #expect(events.count == 1)
        let e = events[0].event
        #expect(firstPending?.t == e.triggerT)
        #expect(firstPending?.severity == .impact, "the first sample above 4 g is below 9 g")
        #expect(lastPending?.severity == .severe)
        #expect(lastPending?.peakG == e.peakG)
        #expect(
            events[0].at > e.triggerT + 1.0 && events[0].at < e.triggerT + 1.0015,
            "complete with the first sample after the 1 s post window")
        #expect(d.pendingTrigger == nil)
    }

    @Test func finishClosesAnEventWithWhatIsThere() {
        let samples = SyntheticTrace(
            rate: 1000, length: 1.2,
            pulses: [Pulse(.halfSine, amplitude: 6, duration: 0.01, start: 1.0)]
        ).samples
        var d = ImpactDetector()
        var events: [ImpactEvent] = []
        for s in samples { events += d.process(s) }
        #expect(events.isEmpty)
        #expect(d.pendingTrigger != nil)
        events = d.finish()
        #expect(events.count == 1)
        #expect(events.first?.waveform.last?.t == samples.last?.t)
        #expect(d.finish().isEmpty, "only once")
    }

    @Test func badSamplesAreDroppedNotFatal() {
        var d = ImpactDetector()
        let good = SyntheticTrace(
            rate: 1000, length: 3,
            pulses: [Pulse(.halfSine, amplitude: 6, duration: 0.01, start: 1.0)]
        ).samples
        var events: [ImpactEvent] = []
        for (i, s) in good.enumerated() {
            events += d.process(s)
            if i == 500 {
                events += d.process(MotionSample(t: .nan, x: 0, y: 0, z: 1))
                events += d.process(MotionSample(t: s.t, x: .infinity, y: 0, z: 1))
                events += d.process(MotionSample(t: s.t - 0.1, x: 0, y: 0, z: 50))
            }
        }
        events += d.finish()
        #expect(d.droppedCount == 3)
        #expect(d.sampleCount == good.count)
        #expect(events.count == 1)
        #expect(
            events.first.map { $0.peakG < 8 } == true, "the 50 g sample with time going backwards was dropped"
        )
    }

    @Test(arguments: [50.0, 100, 400, 1000, 1344, 3200])
    func everyRateFromFiftyHertzUp(_ rate: Double) {
        // A 100 ms half-sine, long enough to be seen at 50 Hz.
        let samples = SyntheticTrace(
            rate: rate, length: 4, gravity: [0, 0.7071, 0.7071],
            pulses: [Pulse(.halfSine, amplitude: 8, duration: 0.1, start: 1.5, direction: [1, 0, 0])],
            noise: 0.01
        ).samples
        let events = detect(samples)
        #expect(events.count == 1)
        if let e = events.first {
            let expected = 2 * 8 * 9.80665 * 0.1 / Double.pi
            #expect(relativeError(e.deltaV, expected) < (rate < 100 ? 0.05 : 0.01))
            #expect(e.gapCount == 0)
        }
    }
}
