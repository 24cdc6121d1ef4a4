import Foundation

/// Folds acceleration samples into per-second summaries (what the log keeps always) and raises a
/// first-crossing impact notice when the vector magnitude reaches the threshold.
///
/// The full detector of the impact issue (sustain, hysteresis, waveform, ΔV, HIC15) replaces the
/// notice part; the summaries stay.
public struct MotionAggregator: Sendable {
    public struct Thresholds: Sendable, Equatable {
        public var impactG: Double
        public var severeG: Double
        public var rearmG: Double
        public var refractory: Duration

        public init(impactG: Double = 4, severeG: Double = 9, rearmG: Double = 3.5,
                    refractory: Duration = .seconds(1)) {
            self.impactG = impactG
            self.severeG = severeG
            self.rearmG = rearmG
            self.refractory = refractory
        }
    }

    public let thresholds: Thresholds
    private var windowStart: Duration?
    private var count = 0
    private var minG = Double.infinity
    private var maxG = -Double.infinity
    private var sum = 0.0
    private var sumSquares = 0.0
    private var sumX = 0.0, sumY = 0.0, sumZ = 0.0
    private var saturated = 0
    private var last = (x: 0.0, y: 0.0, z: 0.0)

    // Impact state: armed until a crossing, then re-armed once below `rearmG` after `refractory`.
    private var armed = true
    private var event: (start: Duration, peak: Double, saturated: Bool, severe: Bool)?
    private var lastAbove: Duration = .zero

    public init(thresholds: Thresholds = .init()) {
        self.thresholds = thresholds
    }

    public enum Output: Sendable, Equatable {
        /// A finished second: (the time it started on the sample timeline, its summary fields).
        case summary(start: Duration, MotionSummary)
        case impact(at: Duration, peakG: Double, severe: Bool, saturated: Bool)
    }

    /// Adds one sample (time on the sampler's monotonic timeline, axes in g). `wallClock` turns a
    /// timeline instant into a date for the summary.
    public mutating func add(time t: Duration, x: Double, y: Double, z: Double, saturated sat: Bool,
                             wallClock: (Duration) -> Date) -> [Output] {
        var out: [Output] = []
        if let start = windowStart, t - start >= .seconds(1) {
            if count > 0 { out.append(.summary(start: start, summary(at: wallClock(start)))) }
            reset(at: start + .seconds(Int64((t - start).seconds)))
        } else if windowStart == nil {
            reset(at: t)
        }
        let m = (x * x + y * y + z * z).squareRoot()
        count += 1
        minG = min(minG, m)
        maxG = max(maxG, m)
        sum += m
        sumSquares += m * m
        sumX += x
        sumY += y
        sumZ += z
        if sat { saturated += 1 }
        last = (x, y, z)

        if m >= thresholds.impactG {
            lastAbove = t
            if armed {
                armed = false
                event = (t, m, sat, m >= thresholds.severeG)
            } else if var e = event {
                e.peak = max(e.peak, m)
                e.saturated = e.saturated || sat
                e.severe = e.severe || m >= thresholds.severeG
                event = e
            }
        } else if !armed, m < thresholds.rearmG, t - lastAbove >= thresholds.refractory {
            armed = true
        }
        // Report the event once the magnitude has fallen back below the threshold, with its peak.
        if let e = event, m < thresholds.impactG {
            out.append(.impact(at: e.start, peakG: e.peak, severe: e.severe, saturated: e.saturated))
            event = nil
        }
        return out
    }

    private mutating func reset(at start: Duration) {
        windowStart = start
        count = 0
        minG = .infinity
        maxG = -.infinity
        sum = 0
        sumSquares = 0
        sumX = 0
        sumY = 0
        sumZ = 0
        saturated = 0
    }

    private func summary(at date: Date) -> MotionSummary {
        let n = Double(count)
        return MotionSummary(
            time: date, sampleCount: count, minG: minG, maxG: maxG, meanG: sum / n,
            rmsG: (sumSquares / n).squareRoot(), meanX: sumX / n, meanY: sumY / n, meanZ: sumZ / n,
            saturatedCount: saturated, lastX: last.x, lastY: last.y, lastZ: last.z)
    }
}
