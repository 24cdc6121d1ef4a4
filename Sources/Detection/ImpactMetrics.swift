/// The measures of an impact, as pure functions of samples (see docs/impact-detection.md and the
/// definitions in the project's impact-metrics reference). Accelerations in g, times in seconds.
///
/// A "gap" is a time step longer than `gapLimit`: no integral crosses it, because nothing is
/// known about the acceleration in between.
public enum ImpactMetrics {
    /// Standard gravity, m/s² per g (CGPM 1901, the value every accelerometer datasheet uses).
    public static let standardGravity = 9.80665

    /// The gravity vector from samples taken before an impact: the mean of those at rest, i.e.
    /// within `restLevelG` of the mean of all of them (so the start of the rise, or a bump in the
    /// pre window, does not tilt it); the plain mean when none is. nil for no samples.
    public static func gravity(_ samples: ArraySlice<MotionSample>, restLevelG: Double) -> SIMD3<Double>? {
        guard !samples.isEmpty else { return nil }
        var sum = SIMD3<Double>(repeating: 0)
        for s in samples { sum += s.vector }
        let mean = sum / Double(samples.count)
        var restSum = SIMD3<Double>(repeating: 0)
        var n = 0
        let r2 = restLevelG * restLevelG
        for s in samples {
            let d = s.vector - mean
            if (d * d).sum() < r2 {
                restSum += s.vector
                n += 1
            }
        }
        return n > 0 ? restSum / Double(n) : mean
    }

    /// |∫ (a − gravity) dt| over the samples, trapezoid rule, in m/s: the change of velocity of the
    /// sensor. Steps that are gaps are skipped.
    public static func deltaV(_ samples: ArraySlice<MotionSample>, gravity: SIMD3<Double>, gapLimit: Double)
        -> Double
    {
        guard samples.count > 1 else { return 0 }
        var v = SIMD3<Double>(repeating: 0)
        var prev = samples[samples.startIndex]
        for s in samples.dropFirst() {
            let dt = s.t - prev.t
            if dt <= gapLimit {
                v += ((prev.vector + s.vector) * 0.5 - gravity) * dt
            }
            prev = s
        }
        return (v * v).sum().squareRoot() * standardGravity
    }

    /// HIC15: the largest (t2 − t1) · [∫ |a| dt / (t2 − t1)]^2.5 over windows [t1, t2] of at most
    /// `window` seconds between two samples, |a| in g (gravity included), trapezoid integration.
    /// A prefix sum of the integral makes each window O(1), so all windows are O(n · samples per
    /// window); windows do not span gaps.
    ///
    /// Most of a capture is at rest, so windows are pruned exactly: no window starting at sample i
    /// can beat `window` · M^2.5, M the largest |a| within `window` after t_i (its mean is at most
    /// M). The windows around the peak are evaluated first, so that bound rules out nearly all
    /// others.
    ///
    /// Nil when no window fits: no two consecutive samples of one gap-free run are more than 0 and
    /// at most `window` apart (at 25 Hz samples are 40 ms apart). A 0 would read as "harmless".
    public static func hic(_ samples: ArraySlice<MotionSample>, gapLimit: Double, window: Double = 0.015)
        -> Double?
    {
        let n = samples.count
        guard n > 1 else { return nil }
        var t = [Double](repeating: 0, count: n)
        var m = [Double](repeating: 0, count: n)
        var prefix = [Double](repeating: 0, count: n)
        // segment[i]: index of the first sample of the gap-free run that sample i belongs to.
        var segment = [Int](repeating: 0, count: n)
        var peak = 0
        for (i, s) in samples.enumerated() {
            t[i] = s.t
            m[i] = s.magnitude
            if m[i] > m[peak] { peak = i }
            if i > 0 {
                let dt = s.t - t[i - 1]
                if dt <= gapLimit {
                    prefix[i] = prefix[i - 1] + (m[i - 1] + m[i]) * 0.5 * dt
                    segment[i] = segment[i - 1]
                } else {
                    prefix[i] = prefix[i - 1]
                    segment[i] = i
                }
            }
        }
        // A small tolerance so a window of exactly 15 ms between samples is not lost to rounding.
        let limit = window + 1e-12
        // Every window holds a step between consecutive samples that is itself a window.
        var fits = false
        for j in 1..<n where segment[j] == segment[j - 1] {
            let step: Double = t[j] - t[j - 1]
            if step > 0 && step <= limit { fits = true; break }
        }
        guard fits else { return nil }
        var best = 0.0
        func windows(from i: Int) {
            var j = i + 1
            while j < n, segment[j] == segment[i] {
                let d = t[j] - t[i]
                if d > limit { break }
                if d > 0 {
                    let mean = (prefix[j] - prefix[i]) / d
                    let h = d * mean * mean * mean.squareRoot()
                    if h > best { best = h }
                }
                j += 1
            }
        }
        // The windows that contain the peak first.
        var first = peak
        while first > 0, t[peak] - t[first - 1] <= limit { first -= 1 }
        for i in first...peak { windows(from: i) }
        // Then every other start whose bound could still beat them; the running maximum of |a|
        // over [t_i, t_i + window] is kept with a monotonic deque (indices of decreasing |a|).
        var deque = [Int](repeating: 0, count: n)
        var head = 0, tail = 0
        var next = 0
        for i in 0..<(n - 1) {
            while next < n, t[next] - t[i] <= limit {
                while tail > head, m[deque[tail - 1]] <= m[next] { tail -= 1 }
                deque[tail] = next
                tail += 1
                next += 1
            }
            while head < tail, deque[head] < i { head += 1 }
            let maximum = head < tail ? m[deque[head]] : m[i]
            if i >= first && i <= peak { continue }
            if limit * maximum * maximum * maximum.squareRoot() > best { windows(from: i) }
        }
        return best
    }

    /// Time during which the linearly interpolated magnitude is at or above `threshold` between
    /// consecutive samples, skipping gaps.
    public static func timeAbove(_ samples: ArraySlice<MotionSample>, threshold: Double, gapLimit: Double)
        -> Double
    {
        guard samples.count > 1 else { return 0 }
        var total = 0.0
        let c2 = threshold * threshold
        var prev = samples[samples.startIndex]
        for s in samples.dropFirst() {
            let dt = s.t - prev.t
            if dt <= gapLimit {
                total += aboveFraction(prev, s, threshold, c2) * dt
            }
            prev = s
        }
        return total
    }

    /// The part of a step from sample `a` to `b` (|a| linear in between) that is at or above `c`;
    /// "at or above" is |a|² ≥ c², as for the trigger.
    @inline(__always)
    static func aboveFraction(_ a: MotionSample, _ b: MotionSample, _ c: Double, _ c2: Double) -> Double {
        switch (a.magnitudeSquared >= c2, b.magnitudeSquared >= c2) {
        case (true, true): return 1
        case (false, false): return 0
        case (true, false):
            let ma = a.magnitude, mb = b.magnitude
            return ma == mb ? 0 : min(1, max(0, (ma - c) / (ma - mb)))
        case (false, true):
            let ma = a.magnitude, mb = b.magnitude
            return ma == mb ? 0 : min(1, max(0, (mb - c) / (mb - ma)))
        }
    }
}
