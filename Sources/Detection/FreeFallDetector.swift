/// A free fall: the magnitude |a| stayed below the free-fall threshold (an accelerometer falling
/// with its mount reads near 0 g, having no support to push against) for at least the minimum
/// time. Times on the samples' timeline (seconds).
public struct FreeFall: Sendable, Equatable {
    /// When |a| crossed below the threshold (interpolated between the last sample above and the
    /// first below; the first below when there is none before it).
    public var startT: Double
    /// When it crossed back above (interpolated the same way), or the last sample below before a
    /// gap in the data.
    public var endT: Double
    /// The lowest |a| during the fall, in g.
    public var minG: Double

    public init(startT: Double, endT: Double, minG: Double) {
        self.startT = startT
        self.endT = endT
        self.minG = minG
    }

    public var duration: Double { endT - startT }

    /// The height a body falls from rest in `duration`, without drag: g·t²/2, in metres. A fall
    /// that began with a throw upwards, or ended on a slope, was not from rest: an estimate.
    public var dropHeight: Double { Self.dropHeight(seconds: duration) }

    public static func dropHeight(seconds t: Double) -> Double { 9.80665 * t * t / 2 }

    /// How long after a fall ends an impact may start and still be that fall's landing. The fall
    /// ends when the landing begins to push back (|a| rising through the free-fall threshold); the
    /// magnitude reaches an impact threshold milliseconds later. Half a second leaves room for a
    /// tumble on the way down without pairing a fall with a knock long after it.
    public static let landingWindow = 0.5
}

/// Finds free falls in the samples: |a| below `thresholdG` for at least `minimum` seconds, with no
/// gap in the data (a time step above `gapMinimum`). Pure: the motion pipeline feeds it every
/// sample; tests too.
public struct FreeFallDetector: Sendable {
    public var thresholdG: Double
    public var minimum: Double
    public var gapMinimum: Double
    private var previous: (t: Double, g: Double)?
    private var fall: (startT: Double, minG: Double, lastT: Double)?

    public init(thresholdG: Double, minimum: Double, gapMinimum: Double) {
        self.thresholdG = thresholdG
        self.minimum = minimum
        self.gapMinimum = gapMinimum
    }

    /// One sample, in time order. Returns the fall this sample ended, if it lasted long enough.
    public mutating func process(t: Double, magnitude g: Double) -> FreeFall? {
        defer { previous = (t, g) }
        var ended: FreeFall?
        if let p = previous, t - p.t > gapMinimum, let f = fall {
            // A gap: what happened in it is unknown, so the fall ends at its last sample.
            ended = finished(startT: f.startT, endT: f.lastT, minG: f.minG)
            fall = nil
        }
        if g < thresholdG {
            if var f = fall {
                f.minG = min(f.minG, g)
                f.lastT = t
                fall = f
            } else {
                fall = (crossing(to: t, g), g, t)
            }
        } else if let f = fall {
            ended = finished(startT: f.startT, endT: crossing(to: t, g), minG: f.minG)
            fall = nil
        }
        return ended
    }

    /// Where |a| crossed the threshold between the previous sample and this one (linear), or this
    /// sample's time when there is no previous one or a gap lies between.
    private func crossing(to t: Double, _ g: Double) -> Double {
        guard let p = previous, t - p.t <= gapMinimum, p.g != g else { return t }
        let f = (thresholdG - p.g) / (g - p.g)
        return f.isFinite && f >= 0 && f <= 1 ? p.t + f * (t - p.t) : t
    }

    private func finished(startT: Double, endT: Double, minG: Double) -> FreeFall? {
        endT - startT >= minimum ? FreeFall(startT: startT, endT: endT, minG: minG) : nil
    }
}

/// Free falls and the impacts that end them: finds the falls in the samples and remembers the
/// recent ones, so that an impact, once captured, can be given the fall it ended. (A landing's
/// bounce may fall again before the impact's capture is finished, so more than the last is kept.)
public struct FallTracker: Sendable {
    private var detector: FreeFallDetector
    private var recent: [FreeFall] = []
    /// An impact is finished at most `maxCapture` after its start: a fall it ended is then at most
    /// this old.
    private let memory: Double

    public init(settings s: DetectorSettings) {
        detector = FreeFallDetector(
            thresholdG: s.freeFallG, minimum: s.freeFallMinimum, gapMinimum: s.gapMinimum)
        memory = s.maxCapture + FreeFall.landingWindow + 1
    }

    /// One sample, in time order; the fall it ended, if any.
    public mutating func process(t: Double, magnitude: Double) -> FreeFall? {
        guard let fall = detector.process(t: t, magnitude: magnitude) else { return nil }
        let memory = self.memory
        recent.removeAll { t - $0.endT > memory }
        recent.append(fall)
        return fall
    }

    /// The fall an impact that started at `startT` ended: the latest that ended no later than
    /// that and at most `FreeFall.landingWindow` before it.
    public func landing(before startT: Double) -> FreeFall? {
        recent.last { $0.endT <= startT && startT - $0.endT <= FreeFall.landingWindow }
    }
}
