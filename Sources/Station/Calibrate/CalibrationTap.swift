import Drivers
import Foundation
import Synchronization

/// Statistics of the chip's raw samples (chip axes, g, before any calibration) over a stretch of
/// time: count, mean and spread per axis. Windows combine exactly (Chan et al.'s pairwise
/// update), so `calibrate` can measure in short windows for its progress bar and still judge
/// the whole step.
public struct CalibrationWindow: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: SIMD3<Double>
    /// Sum of squared deviations from the mean, per axis.
    public var m2: SIMD3<Double>
    /// Samples at the end of the range (their true value may be larger).
    public var saturated: Int

    public init(count: Int = 0, mean: SIMD3<Double> = .zero, m2: SIMD3<Double> = .zero, saturated: Int = 0) {
        self.count = count
        self.mean = mean
        self.m2 = m2
        self.saturated = saturated
    }

    public mutating func add(_ v: SIMD3<Double>, saturated s: Bool) {
        count += 1
        let delta = v - mean
        mean += delta / Double(count)
        m2 += delta * (v - mean)
        if s { saturated += 1 }
    }

    /// Both windows as one.
    public func combined(with o: CalibrationWindow) -> CalibrationWindow {
        guard count > 0 else { return o }
        guard o.count > 0 else { return self }
        let n = Double(count + o.count)
        let delta = o.mean - mean
        return CalibrationWindow(
            count: count + o.count, mean: mean + delta * (Double(o.count) / n),
            m2: m2 + o.m2 + delta * delta * (Double(count) * Double(o.count) / n),
            saturated: saturated + o.saturated)
    }

    /// Standard deviation per axis (population), g.
    public var standardDeviation: SIMD3<Double> {
        count > 0 ? (m2 / Double(count)).squareRoot() : .zero
    }
}

/// Where the motion sampler hands raw samples to a calibration measurement: the control
/// server arms it and waits; the sampler offers each read's samples (one atomic load when
/// nobody measures).
public final class CalibrationTap: Sendable {
    private let armed = Atomic<Bool>(false)
    private let state = Mutex<(wanted: Int, window: CalibrationWindow)>((0, CalibrationWindow()))

    public init() {}

    /// From the sampler's thread: the samples of one read, raw.
    public func offer(_ samples: [AccelerationSample]) {
        guard armed.load(ordering: .relaxed), !samples.isEmpty else { return }
        state.withLock { s in
            for sample in samples where s.window.count < s.wanted {
                s.window.add(SIMD3(sample.x, sample.y, sample.z), saturated: sample.saturated)
            }
            if s.window.count >= s.wanted { armed.store(false, ordering: .relaxed) }
        }
    }

    /// Collects the next `samples` raw samples; blocks the caller until they are there or
    /// `timeout` has passed (then returns what came, possibly nothing).
    public func measure(samples: Int, timeout: Duration) -> CalibrationWindow {
        state.withLock { $0 = (max(1, samples), CalibrationWindow()) }
        armed.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + timeout
        while armed.load(ordering: .relaxed), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        armed.store(false, ordering: .relaxed)
        return state.withLock { $0.window }
    }
}
