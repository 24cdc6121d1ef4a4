/// Finds impacts in a stream of accelerometer samples and captures each one (see
/// docs/impact-detection.md). A pure value: time comes with the samples, nothing is read from a
/// clock, and the same samples always give the same events.
///
/// States: *armed* (waiting for the magnitude to reach the threshold, for `sustain` if set),
/// *capturing* (an event has triggered; every sample until `postWindow` after the trigger belongs
/// to it) and *refractory* (the event is out; re-arms once |a| < `rearmG` and `refractory` has
/// passed since the last sample at or above the threshold).
///
/// Every sample goes through a fixed-capacity ring, so the `preWindow` before the impact is there
/// when it triggers. Per sample the work is a magnitude, a few comparisons and a ring write; the
/// measures (ΔV, HIC15, time above threshold) are computed once per event when it completes.
public struct ImpactDetector: Sendable {
    public let settings: DetectorSettings

    private enum Phase: Sendable { case armed, capturing, refractory }

    private var phase = Phase.armed
    private var ring: SampleRing
    private var lastT = -Double.infinity
    /// Running mean of the sample period (s), for the gap rule; 0 until the second sample.
    private var period = 0.0
    /// Armed: the first sample of the current run at or above the threshold (time, ordinal).
    private var runStart: (t: Double, ordinal: Int)?
    /// Low-pass of the samples near 1 g: gravity when an event has no pre window to take it from.
    private var lowPass: SIMD3<Double>?

    // Capturing
    private var capture: [MotionSample] = []
    private var runStartIndex = 0
    private var triggerT = 0.0
    private var captureDeadline = 0.0
    private var captureLimit = 0.0
    private var lastWasAbove = false
    /// The largest |a|² since the run started.
    private var peakSquaredSoFar = 0.0
    // Refractory
    private var lastAboveT = -Double.infinity

    private let fullScaleLimit: Double
    // Thresholds squared, to compare with |a|² (see `MotionSample.magnitudeSquared`).
    private let threshold2: Double
    private let severe2: Double
    private let rearm2: Double
    /// |a|² range that counts as near 1 g for the gravity low-pass: (1 ∓ restLevelG)².
    private let nearOneG: ClosedRange<Double>

    /// Samples accepted so far.
    public private(set) var sampleCount = 0
    /// Samples refused: a non-finite value, or time going backwards.
    public private(set) var droppedCount = 0

    /// Settings are expected to be valid (`settings.validate()`); out-of-range values are clamped
    /// to something that cannot crash but may not detect anything useful.
    public init(settings: DetectorSettings = DetectorSettings()) {
        self.settings = settings
        let rate = settings.maxRateHz.isFinite ? min(max(settings.maxRateHz, 1), 100_000) : 3200
        let span = max(0, min(settings.preWindow + settings.sustain, 130))
        let wanted = span.isFinite ? rate * span + 64 : 64
        ring = SampleRing(capacity: Int(min(wanted, 16_777_216.0)))
        // Within 1 % of full scale counts: a ±16 g part's largest code reads 15.996 g.
        fullScaleLimit = settings.fullScaleG.map { $0 * 0.99 } ?? .infinity
        threshold2 = settings.thresholdG * settings.thresholdG
        severe2 = settings.severeG * settings.severeG
        rearm2 = settings.rearmG * settings.rearmG
        let low = max(0, 1 - settings.restLevelG), high = 1 + settings.restLevelG
        nearOneG = (low * low)...(high.isFinite ? high * high : .infinity)
    }

    /// An event has triggered and is still capturing its post window: when it triggered, the peak
    /// so far and its severity so far. The service latches the impact LED on this, before the
    /// waveform is complete.
    public var pendingTrigger: (t: Double, peakG: Double, severity: Severity)? {
        guard phase == .capturing else { return nil }
        return (triggerT, peakSquaredSoFar.squareRoot(), peakSquaredSoFar >= severe2 ? .severe : .impact)
    }

    /// The longest time step that is not a gap, given the rate seen so far.
    public var gapLimit: Double { max(settings.gapMinimum, settings.gapPeriods * period) }

    /// Adds one sample; returns the events it completed (usually none, at most one).
    public mutating func process(_ sample: MotionSample) -> [ImpactEvent] {
        var s = sample
        guard s.t.isFinite, s.x.isFinite, s.y.isFinite, s.z.isFinite, s.t >= lastT else {
            droppedCount += 1
            return []
        }
        if !s.saturated,
            abs(s.x) >= fullScaleLimit || abs(s.y) >= fullScaleLimit || abs(s.z) >= fullScaleLimit
        {
            s.saturated = true
        }
        let dt = s.t - lastT
        let gap = dt > gapLimit
        if !gap, dt > 0 {
            period = period == 0 ? dt : period + (dt - period) * (1.0 / 32)
        }
        lastT = s.t
        sampleCount += 1
        let m2 = s.magnitudeSquared
        let above = m2 >= threshold2

        var events: [ImpactEvent] = []
        if phase == .capturing {
            let inside = s.t <= captureDeadline || (lastWasAbove && !gap && s.t <= captureLimit)
            if !inside {
                events.append(closeEvent())
            }
        }
        ring.push(s)
        if nearOneG.contains(m2) {
            if let g = lowPass {
                // Time constant 1 s: follows a change of orientation, ignores vibration.
                lowPass = g + (s.vector - g) * min(1, gap ? 1 : dt)
            } else {
                lowPass = s.vector
            }
        }

        switch phase {
        case .armed:
            if gap { runStart = nil }
            if above {
                if runStart == nil { runStart = (s.t, sampleCount) }
                // 1 ns of slack: a run of exactly `sustain` must not fail on the last bit of a sum.
                if m2 >= severe2 || s.t - runStart!.t >= settings.sustain - 1e-9 {
                    trigger(s)
                }
            } else {
                runStart = nil
            }
        case .capturing:
            capture.append(s)
            if above { lastAboveT = s.t }
            lastWasAbove = above
            if m2 > peakSquaredSoFar { peakSquaredSoFar = m2 }
        case .refractory:
            if above {
                lastAboveT = s.t
            } else if m2 < rearm2, s.t - lastAboveT >= settings.refractory {
                phase = .armed
                runStart = nil
            }
        }
        return events
    }

    /// End of the stream: completes an event still capturing with the samples there are.
    public mutating func finish() -> [ImpactEvent] {
        phase == .capturing ? [closeEvent()] : []
    }

    private mutating func trigger(_ s: MotionSample) {
        guard let run = runStart else { return }
        phase = .capturing
        triggerT = s.t
        captureDeadline = s.t + settings.postWindow
        captureLimit = run.t + settings.maxCapture
        // 1 ns of slack, as for the sustain: the sample exactly `preWindow` before belongs to the window.
        capture = ring.samples(since: run.t - settings.preWindow - 1e-9)
        // The run's first sample, counted back from the newest (the ring may have lost it).
        runStartIndex = max(0, capture.count - 1 - (sampleCount - run.ordinal))
        let expected = (settings.postWindow + 0.1) / max(period, 1 / max(settings.maxRateHz, 1))
        if expected.isFinite { capture.reserveCapacity(capture.count + Int(min(expected, 1_000_000))) }
        peakSquaredSoFar = 0
        for c in capture[runStartIndex...] { peakSquaredSoFar = max(peakSquaredSoFar, c.magnitudeSquared) }
        lastAboveT = s.t
        lastWasAbove = true
        runStart = nil
    }

    private mutating func closeEvent() -> ImpactEvent {
        let w = capture
        capture = []
        phase = .refractory
        return ImpactDetector.makeEvent(
            waveform: w, runStartIndex: runStartIndex, triggerT: triggerT, settings: settings,
            gapLimit: gapLimit, fallbackGravity: lowPass)
    }

    /// The event record from a captured waveform whose impact starts at `runStartIndex`.
    static func makeEvent(
        waveform w: [MotionSample], runStartIndex k0: Int, triggerT: Double, settings: DetectorSettings,
        gapLimit: Double, fallbackGravity: SIMD3<Double>?
    ) -> ImpactEvent {
        let c = settings.thresholdG
        let c2 = c * c
        let m = w.map(\.magnitude)
        func isGap(_ i: Int) -> Bool { w[i].t - w[i - 1].t > gapLimit }
        // The same predicate as the trigger's: |a|² ≥ threshold².
        func isAbove(_ i: Int) -> Bool { w[i].magnitudeSquared >= c2 }
        // Where the magnitude crosses the threshold between two samples, as a fraction of the step
        // (clamped: at the last bit, sqrt and the squared comparison may disagree).
        func crossing(_ a: Double, _ b: Double) -> Double { a == b ? 0 : min(1, max(0, (c - a) / (b - a))) }

        var peak = k0
        var lastAbove = k0
        for i in k0..<w.count {
            if m[i] > m[peak] { peak = i }
            if isAbove(i) { lastAbove = i }
        }
        var startT = w[k0].t
        if k0 > 0, !isGap(k0), !isAbove(k0 - 1), isAbove(k0) {
            startT = w[k0 - 1].t + (w[k0].t - w[k0 - 1].t) * crossing(m[k0 - 1], m[k0])
        }
        var endT = w[lastAbove].t
        if lastAbove + 1 < w.count, !isGap(lastAbove + 1), isAbove(lastAbove) {
            endT =
                w[lastAbove].t + (w[lastAbove + 1].t - w[lastAbove].t)
                * crossing(m[lastAbove], m[lastAbove + 1])
        }
        let duration = ImpactMetrics.timeAbove(w[max(0, k0 - 1)...], threshold: c, gapLimit: gapLimit)

        // A landing: the impact ends a free fall (|a| below the free-fall threshold for at least
        // its minimum, ending within the landing window before the impact, no gap in it). Before
        // it the sensor read weightlessness, not gravity, and the pulse that matters (the
        // velocity the fall built, taken away) starts where the fall ends: so gravity is taken
        // from the rest after the impact, and the pulse starts at the fall's last sample.
        var fallEnd: Int?
        if k0 > 0, let last = (0..<k0).last(where: { m[$0] < settings.freeFallG }),
            w[k0].t - w[last].t <= FreeFall.landingWindow, !((last + 1)..<(k0 + 1)).contains(where: isGap)
        {
            var first = last
            while first > 0, m[first - 1] < settings.freeFallG, !isGap(first) { first -= 1 }
            if w[last].t - w[first].t >= settings.freeFallMinimum { fallEnd = last }
        }
        let after = w[min(w.count, lastAbove + 1)...]
        let gravity =
            (fallEnd != nil
                ? ImpactMetrics.gravity(
                    after.suffix(max(1, after.count / 2)), restLevelG: settings.restLevelG)
                : ImpactMetrics.gravity(w[..<k0], restLevelG: settings.restLevelG))
            ?? fallbackGravity ?? SIMD3(repeating: 0)
        let g = gravity
        let gMagnitude = (g * g).sum().squareRoot()
        let r2 = settings.restLevelG * settings.restLevelG
        func atRest(_ i: Int) -> Bool {
            let d = w[i].vector - g
            return (d * d).sum() < r2
        }
        func deviation(_ i: Int) -> Double {
            let d = w[i].vector - g
            return (d * d).sum()
        }
        // The pulse: from the last sample at rest before the impact to the first one after it,
        // each then moved outwards while |a − g| keeps falling, so the tails below the rest level
        // count too, down to the noise floor.
        var pulseStart = 0
        if let fallEnd {
            pulseStart = fallEnd
        } else if k0 > 0, let i = (0..<k0).last(where: atRest) {
            pulseStart = i
            while pulseStart > 0, !isGap(pulseStart), deviation(pulseStart - 1) < deviation(pulseStart) {
                pulseStart -= 1
            }
        }
        var pulseEnd = w.count - 1
        if let i = ((lastAbove + 1)..<w.count).first(where: atRest) {
            pulseEnd = i
            while pulseEnd + 1 < w.count, !isGap(pulseEnd + 1), deviation(pulseEnd + 1) < deviation(pulseEnd)
            { pulseEnd += 1 }
        } else if let i = ((lastAbove + 1)..<w.count).first(where: {
            abs(m[$0] - gMagnitude) < settings.restLevelG
        }) {
            // At rest in a new orientation (a helmet that ended on its side): |a| back to 1 g.
            pulseEnd = i
        }
        let deltaV = ImpactMetrics.deltaV(w[pulseStart...pulseEnd], gravity: g, gapLimit: gapLimit)
        let hic = ImpactMetrics.hic(w[...], gapLimit: gapLimit)

        var gaps = 0
        for i in w.indices.dropFirst() where isGap(i) { gaps += 1 }
        let p = w[peak]
        return ImpactEvent(
            triggerT: triggerT, startT: startT, endT: endT, peakT: p.t, peakG: m[peak], peakX: p.x,
            peakY: p.y,
            peakZ: p.z, durationAbove: duration,
            severity: p.magnitudeSquared >= settings.severeG * settings.severeG ? .severe : .impact,
            deltaV: deltaV, hic15: hic, saturated: w.contains(where: \.saturated), gravity: gravity,
            gapCount: gaps,
            waveform: w)
    }
}
