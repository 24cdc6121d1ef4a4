/// A peak's components in the station's mounting: along `up` (signed) and across it.
public struct MountedComponents: Sendable, Equatable {
    /// g along up: positive pushes the station up (the ground on a landing), negative down.
    public var verticalG: Double
    /// g across up (the size of the rest), so that vertical² + horizontal² = |peak|².
    public var horizontalG: Double

    /// `peak` (chip axes, g) split along `up` (a unit vector in chip axes); nil when `up` is
    /// zero (the mounting is not known).
    public init?(peak: SIMD3<Double>, up: SIMD3<Double>) {
        guard up != .zero else { return nil }
        let v = (peak * up).sum()
        verticalG = v
        horizontalG = max(0, (peak * peak).sum() - v * v).squareRoot()
    }
}

/// One impact as the detector captured it. Times are on the samples' timeline (seconds),
/// accelerations in g, ΔV in m/s.
public struct ImpactEvent: Sendable, Equatable {
    /// When the detector triggered: the first sample at or above the threshold, or with a sustain
    /// time the sample that completed it, or a sample at or above `severeG`.
    public var triggerT: Double
    /// When the magnitude crossed the threshold upwards (linear interpolation between the last
    /// sample below and the first at or above; that sample's time when there is none before it).
    public var startT: Double
    /// When it last crossed the threshold downwards within the event (interpolated the same way;
    /// the last captured sample if the capture ended above the threshold).
    public var endT: Double
    /// The sample with the largest magnitude in the event: its time, |a| and its axes.
    public var peakT: Double
    public var peakG: Double
    public var peakX: Double
    public var peakY: Double
    public var peakZ: Double
    /// Time the magnitude was at or above the threshold (seconds), summed over the event when it
    /// dips and returns; threshold crossings interpolated linearly; nothing counted across a gap.
    public var durationAbove: Double
    public var severity: Severity
    /// |∫ (a − gravity) dt| over the pulse, from its rise out of rest to its return to rest,
    /// trapezoid rule, × 9.80665 m/s² per g. A landing (the impact ends a free fall) is measured
    /// from the fall's end against gravity at rest after it: the velocity the fall built, taken
    /// away (√(2gh) for a drop from h).
    public var deltaV: Double
    /// Head injury criterion over windows of at most 15 ms, on |a| in g (gravity included), over
    /// the captured waveform. Windows run between samples, so it needs data faster than 67 Hz
    /// (1 kHz or more to mean much); with slower data no window fits and it is nil (not computable
    /// at that rate).
    public var hic15: Double?
    /// A sample of the waveform was at the sensor's full scale: `peakG` is then a lower bound.
    public var saturated: Bool
    /// The gravity vector estimated before the impact (g, sensor axes); after it, for a landing.
    public var gravity: SIMD3<Double>
    /// Time steps in the waveform that were gaps (see `DetectorSettings.gapMinimum`).
    public var gapCount: Int
    /// The raw samples from `preWindow` before `startT` to `postWindow` after `triggerT`.
    public var waveform: [MotionSample]
    /// The free fall this impact ended, if one ended within `FreeFall.landingWindow` before it
    /// started: its duration gives the height fallen (`FreeFall.dropHeight`).
    public var fall: FreeFall?

    public init(
        triggerT: Double, startT: Double, endT: Double, peakT: Double, peakG: Double, peakX: Double,
        peakY: Double,
        peakZ: Double, durationAbove: Double, severity: Severity, deltaV: Double, hic15: Double?,
        saturated: Bool,
        gravity: SIMD3<Double>, gapCount: Int, waveform: [MotionSample], fall: FreeFall? = nil
    ) {
        self.triggerT = triggerT
        self.startT = startT
        self.endT = endT
        self.peakT = peakT
        self.peakG = peakG
        self.peakX = peakX
        self.peakY = peakY
        self.peakZ = peakZ
        self.durationAbove = durationAbove
        self.severity = severity
        self.deltaV = deltaV
        self.hic15 = hic15
        self.saturated = saturated
        self.gravity = gravity
        self.gapCount = gapCount
        self.waveform = waveform
        self.fall = fall
    }
}
