import Foundation

/// Folds acceleration samples into per-second summaries (what the log keeps always): sample count,
/// min/max/mean magnitude, RMS, per-axis means, saturated count. Impacts are the detector's job
/// (`Detection.ImpactDetector`).
public struct MotionAggregator: Sendable {
    private var windowStart: Duration?
    private var count = 0
    private var minG = Double.infinity
    private var maxG = -Double.infinity
    private var sum = 0.0
    private var sumSquares = 0.0
    private var sumX = 0.0, sumY = 0.0, sumZ = 0.0
    private var saturated = 0
    private var last = (x: 0.0, y: 0.0, z: 0.0)

    public init() {}

    /// Adds one sample (time on the sampler's monotonic timeline, axes in g) and returns the
    /// summary of the second that just ended, if this sample began a new one. `wallClock` turns a
    /// timeline instant into a date for the summary.
    public mutating func add(
        time t: Duration, x: Double, y: Double, z: Double, saturated sat: Bool,
        wallClock: (Duration) -> Date
    ) -> MotionSummary? {
        var out: MotionSummary?
        if let start = windowStart, t - start >= .seconds(1) {
            if count > 0 { out = summary(at: wallClock(start)) }
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
