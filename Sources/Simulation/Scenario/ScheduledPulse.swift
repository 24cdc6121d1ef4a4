import Foundation

/// One acceleration event in a scenario: a bump, an impact or a crash, added on top of gravity.
public struct ScheduledPulse: Sendable, Equatable {
    public enum Shape: String, Sendable, Equatable {
        /// a(t) = peak · sin(π·t/T) for 0 ≤ t ≤ T (ΔV = 2·peak·g0·T/π).
        case halfSine
        /// a(t) = peak for 0 ≤ t < T.
        case square
    }

    /// Start, as time since the scenario start.
    public var at: Duration
    /// Peak acceleration in g, gravity excluded.
    public var peakG: Double
    public var duration: Duration
    /// Unit vector in the sensor frame (normalised on init).
    public var direction: Vector3
    public var shape: Shape

    public init(at: Duration, peakG: Double, duration: Duration, direction: Vector3, shape: Shape = .halfSine)
    {
        self.at = at
        self.peakG = peakG
        self.duration = duration
        self.direction = direction.normalized
        self.shape = shape
    }

    public var end: Duration { at + duration }

    /// The pulse's acceleration (g, gravity excluded) at `time`; zero outside the pulse.
    public func acceleration(at time: Duration) -> Vector3 {
        guard time >= at, time < at + duration, duration > .zero else { return .zero }
        let a: Double
        switch shape {
        case .square:
            a = peakG
        case .halfSine:
            let phase = (time - at).simSeconds / duration.simSeconds
            a = peakG * sin(Double.pi * phase)
        }
        return direction * a
    }
}
