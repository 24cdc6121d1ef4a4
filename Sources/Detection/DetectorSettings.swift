/// What the impact detector triggers on and what it captures. Magnitudes in g, times in seconds.
///
/// Defaults follow the impact issue: trigger at 4 g (the 4–6 g band is the one that matters),
/// severe at 9 g, re-arm below 3.5 g, one event per second at most, 0.5 s of waveform before the
/// trigger and 1 s after it.
public struct DetectorSettings: Sendable, Equatable {
    /// An impact starts when the magnitude |a| reaches this (≥, gravity included).
    public var thresholdG: Double
    /// …and stays at or above it this long without a gap (0: the first sample at or above the
    /// threshold triggers). Measured from the first sample at or above the threshold to the
    /// current one, so at 1 kHz a sustain of 0.1 s needs 101 consecutive samples.
    public var sustain: Double
    /// A sample at or above this triggers at once, whatever the sustain; an event whose peak
    /// reaches it is `severe`.
    public var severeG: Double
    /// Hysteresis: after an event the detector re-arms only once the magnitude is below this…
    public var rearmG: Double
    /// …and at least this long after the last sample at or above the threshold, so the ringing of
    /// one crash is one event. Above-threshold samples in this time start no new event.
    public var refractory: Double
    /// Waveform kept before the start of the impact (the first sample at or above the threshold).
    public var preWindow: Double
    /// Waveform kept after the trigger; the event completes when a sample past this arrives.
    public var postWindow: Double
    /// If the magnitude is still at or above the threshold when the post window ends, the capture
    /// goes on until it drops below, but never longer than this after the start of the impact
    /// (bounds memory: 10 s at 3200 Hz is 32 000 samples, 1.3 MB).
    public var maxCapture: Double
    /// "At rest" for ΔV: |a − gravity| below this, in g. The pulse is integrated from the last
    /// sample at rest before the impact to the first one after it, each extended outwards while
    /// |a − gravity| keeps falling (so the tails below this level count, down to the noise).
    public var restLevelG: Double
    /// A time step longer than max(`gapMinimum`, `gapPeriods` × the running mean sample period) is
    /// a gap: integrals (ΔV, HIC15, time above threshold) do not cross it, and a sustained run
    /// starts again after it.
    public var gapMinimum: Double
    public var gapPeriods: Double
    /// The highest sample rate to size the ring buffer of recent samples for, in Hz: it holds
    /// `maxRateHz × (preWindow + sustain)` samples. Faster data keeps a shorter pre window.
    public var maxRateHz: Double
    /// The sensor's full scale in g, if the samples do not carry a saturation flag: a sample with
    /// any axis within 1 % of it counts as saturated (a ±16 g part's largest reading is 15.996 g).
    public var fullScaleG: Double?
    /// Free fall: |a| below this (g)…
    public var freeFallG: Double
    /// …for at least this long (s). ADI's AN-1025 recommends 300–600 mg and 100–350 ms for the
    /// ADXL345's own free-fall detection; 0.1 s is a drop of 5 cm.
    public var freeFallMinimum: Double

    public init(
        thresholdG: Double = 4, sustain: Double = 0, severeG: Double = 9, rearmG: Double = 3.5,
        refractory: Double = 1, preWindow: Double = 0.5, postWindow: Double = 1.0, maxCapture: Double = 10,
        restLevelG: Double = 0.5, gapMinimum: Double = 0.05, gapPeriods: Double = 10,
        maxRateHz: Double = 3200,
        fullScaleG: Double? = nil, freeFallG: Double = 0.35, freeFallMinimum: Double = 0.1
    ) {
        self.thresholdG = thresholdG
        self.sustain = sustain
        self.severeG = severeG
        self.rearmG = rearmG
        self.refractory = refractory
        self.preWindow = preWindow
        self.postWindow = postWindow
        self.maxCapture = maxCapture
        self.restLevelG = restLevelG
        self.gapMinimum = gapMinimum
        self.gapPeriods = gapPeriods
        self.maxRateHz = maxRateHz
        self.fullScaleG = fullScaleG
        self.freeFallG = freeFallG
        self.freeFallMinimum = freeFallMinimum
    }

    /// Every problem with these settings, each naming the field, the value and what would be valid;
    /// empty when they are usable.
    public var problems: [DetectorSettingsError.Problem] {
        var p: [DetectorSettingsError.Problem] = []
        func check(_ ok: Bool, _ field: String, _ value: Double, _ expected: String) {
            if !ok { p.append(.init(field: field, value: value, expected: expected)) }
        }
        check(thresholdG.isFinite && thresholdG > 0, "thresholdG", thresholdG, "a finite number of g above 0")
        check(
            severeG.isFinite && severeG > thresholdG, "severeG", severeG,
            "a finite number of g above thresholdG (\(thresholdG))")
        check(
            rearmG.isFinite && rearmG >= 0 && rearmG < thresholdG, "rearmG", rearmG,
            "at least 0 g and below thresholdG (\(thresholdG)), so the detector can re-arm")
        check(sustain.isFinite && (0...60).contains(sustain), "sustain", sustain, "0…60 s")
        check(refractory.isFinite && (0...60).contains(refractory), "refractory", refractory, "0…60 s")
        check(preWindow.isFinite && (0...10).contains(preWindow), "preWindow", preWindow, "0…10 s")
        check(postWindow.isFinite && (0...30).contains(postWindow), "postWindow", postWindow, "0…30 s")
        check(
            maxCapture.isFinite && maxCapture >= postWindow && maxCapture <= 120, "maxCapture", maxCapture,
            "postWindow (\(postWindow)) … 120 s")
        check(restLevelG.isFinite && restLevelG > 0, "restLevelG", restLevelG, "a finite number of g above 0")
        check(
            gapMinimum.isFinite && gapMinimum > 0, "gapMinimum", gapMinimum,
            "a finite number of seconds above 0")
        check(gapPeriods.isFinite && gapPeriods >= 2, "gapPeriods", gapPeriods, "a finite number, at least 2")
        check(maxRateHz.isFinite && (1...100_000).contains(maxRateHz), "maxRateHz", maxRateHz, "1…100 000 Hz")
        check(
            freeFallG.isFinite && freeFallG > 0 && freeFallG < 1, "freeFallG", freeFallG,
            "above 0 and below 1 g (at rest the magnitude is 1 g)")
        check(
            freeFallMinimum.isFinite && (0.02...10).contains(freeFallMinimum), "freeFallMinimum",
            freeFallMinimum,
            "0.02…10 s")
        if let f = fullScaleG {
            check(f.isFinite && f > 0, "fullScaleG", f, "a finite number of g above 0, or none")
        }
        return p
    }

    /// Throws all problems at once when the settings are unusable.
    public func validate() throws(DetectorSettingsError) {
        let p = problems
        if !p.isEmpty { throw DetectorSettingsError(problems: p) }
    }
}
