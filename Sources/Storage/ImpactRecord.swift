import Foundation

/// One impact event as the detector reports it. Storage defines its own type (it must not depend
/// on `Detection`); the service maps the detector's event onto this.
public struct ImpactRecord: Sendable, Equatable {
    /// When |a| first crossed the threshold.
    public var triggerTime: Date
    /// When |a| crossed the threshold upwards (interpolated between samples). The stored waveform
    /// starts `pre_ms` before this.
    public var startTime: Date
    /// When |a| last crossed the threshold downwards within the event.
    public var endTime: Date
    /// The sample with the largest |a|: always one of the waveform's samples.
    public var peakTime: Date
    /// Peak vector magnitude, g.
    public var peakG: Double
    /// Axis values at the peak, g.
    public var peakXG: Double
    public var peakYG: Double
    public var peakZG: Double
    /// Time above the threshold, ms.
    public var durationMs: Double
    /// "impact" or "severe".
    public var severity: String
    /// Velocity change over the event, m/s.
    public var deltaVMps: Double
    /// Head Injury Criterion over a 15 ms window (dimensionless); NULL when the sample rate leaves
    /// no 15 ms window between samples (below 67 Hz).
    public var hic15: Double?
    /// Any sample at full scale: the true peak may be higher.
    public var saturated: Bool
    /// The threshold in force, g.
    public var thresholdG: Double
    /// Chip model, e.g. "ADXL375".
    public var sensor: String
    /// The bytes `WaveformCodec.encode` produced; opaque to Storage.
    public var waveform: [UInt8]
    /// Samples in the waveform.
    public var waveformCount: Int
    /// Sample rate of the waveform, Hz.
    public var waveformRateHz: Double
    /// The free fall this impact ended, ms; nil when none ended within half a second before it.
    public var fallMs: Double?
    /// The peak's component along the mounting's up direction, g (positive: pushing the station
    /// up, as the ground does on a landing); nil when `accelerometer.up` was not set.
    public var verticalG: Double?
    /// The peak's component across it (its size), g; nil with `verticalG`.
    public var horizontalG: Double?

    /// The height of that fall from rest, m (g·t²/2).
    public var dropM: Double? { fallMs.map { 9.80665 * ($0 / 1000) * ($0 / 1000) / 2 } }

    public init(
        triggerTime: Date, startTime: Date, endTime: Date, peakTime: Date, peakG: Double,
        peakXG: Double, peakYG: Double, peakZG: Double, durationMs: Double, severity: String,
        deltaVMps: Double, hic15: Double?, saturated: Bool, thresholdG: Double, sensor: String,
        waveform: [UInt8], waveformCount: Int, waveformRateHz: Double, fallMs: Double? = nil,
        verticalG: Double? = nil, horizontalG: Double? = nil
    ) {
        self.verticalG = verticalG
        self.horizontalG = horizontalG
        self.triggerTime = triggerTime
        self.startTime = startTime
        self.endTime = endTime
        self.peakTime = peakTime
        self.peakG = peakG
        self.peakXG = peakXG
        self.peakYG = peakYG
        self.peakZG = peakZG
        self.durationMs = durationMs
        self.severity = severity
        self.deltaVMps = deltaVMps
        self.hic15 = hic15
        self.saturated = saturated
        self.thresholdG = thresholdG
        self.sensor = sensor
        self.waveform = waveform
        self.waveformCount = waveformCount
        self.waveformRateHz = waveformRateHz
        self.fallMs = fallMs
    }
}
