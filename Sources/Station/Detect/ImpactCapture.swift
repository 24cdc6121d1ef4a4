import Detection
import Foundation
import Storage

/// A finished impact on its way to storage: the database row and what the console shows.
public struct ImpactCapture: Sendable {
    public var record: ImpactRecord
    public var summary: ImpactSummary
}

/// What the console and the log say about a recorded impact.
public struct ImpactSummary: Sendable, Equatable {
    public var id: Int64?
    public var time: Date
    public var peakG: Double
    public var severity: String
    public var durationMs: Double
    public var thresholdG: Double
    public var deltaVMps: Double
    /// Nil when the sample rate leaves no 15 ms window (see `ImpactEvent.hic15`).
    public var hic15: Double?
    public var saturated: Bool
    public var waveformSamples: Int
    /// The free fall it ended, ms (nil: none).
    public var fallMs: Double?

    public init(
        id: Int64?, time: Date, peakG: Double, severity: String, durationMs: Double, thresholdG: Double,
        deltaVMps: Double, hic15: Double?, saturated: Bool, waveformSamples: Int, fallMs: Double? = nil
    ) {
        self.id = id
        self.time = time
        self.peakG = peakG
        self.severity = severity
        self.durationMs = durationMs
        self.thresholdG = thresholdG
        self.deltaVMps = deltaVMps
        self.hic15 = hic15
        self.saturated = saturated
        self.waveformSamples = waveformSamples
        self.fallMs = fallMs
    }
}

extension ImpactCapture {
    /// Converts a detector event (times on the sampler's timeline, in seconds) into the stored
    /// record (wall-clock times, the waveform as the compact blob).
    public init(
        event e: ImpactEvent, sensor: String, thresholdG: Double, rateHz: Double, up: SIMD3<Double> = .zero,
        wallClock: (Double) -> Date
    ) {
        let blob = WaveformCodec.encode(e.waveform)
        let components = MountedComponents(peak: SIMD3(e.peakX, e.peakY, e.peakZ), up: up)
        let fallMs = e.fall.map { $0.duration * 1000 }
        record = ImpactRecord(
            triggerTime: wallClock(e.triggerT), startTime: wallClock(e.startT), endTime: wallClock(e.endT),
            peakTime: wallClock(e.peakT), peakG: e.peakG, peakXG: e.peakX, peakYG: e.peakY, peakZG: e.peakZ,
            durationMs: e.durationAbove * 1000, severity: e.severity.rawValue, deltaVMps: e.deltaV,
            hic15: e.hic15,
            saturated: e.saturated, thresholdG: thresholdG, sensor: sensor, waveform: blob,
            waveformCount: e.waveform.count, waveformRateHz: rateHz, fallMs: fallMs,
            verticalG: components?.verticalG, horizontalG: components?.horizontalG)
        summary = ImpactSummary(
            id: nil, time: wallClock(e.triggerT), peakG: e.peakG, severity: e.severity.rawValue,
            durationMs: e.durationAbove * 1000, thresholdG: thresholdG, deltaVMps: e.deltaV, hic15: e.hic15,
            saturated: e.saturated, waveformSamples: e.waveform.count,
            fallMs: fallMs)
    }
}
