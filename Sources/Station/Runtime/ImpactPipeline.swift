import Detection
import Foundation
import Logging
import ServiceLifecycle
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
}

extension ImpactCapture {
    /// Converts a detector event (times on the sampler's timeline, in seconds) into the stored
    /// record (wall-clock times, the waveform as the compact blob).
    public init(
        event e: ImpactEvent, sensor: String, thresholdG: Double, rateHz: Double, wallClock: (Double) -> Date
    ) {
        let blob = WaveformCodec.encode(e.waveform)
        record = ImpactRecord(
            triggerTime: wallClock(e.triggerT), startTime: wallClock(e.startT), endTime: wallClock(e.endT),
            peakTime: wallClock(e.peakT), peakG: e.peakG, peakXG: e.peakX, peakYG: e.peakY, peakZG: e.peakZ,
            durationMs: e.durationAbove * 1000, severity: e.severity.rawValue, deltaVMps: e.deltaV,
            hic15: e.hic15,
            saturated: e.saturated, thresholdG: thresholdG, sensor: sensor, waveform: blob,
            waveformCount: e.waveform.count, waveformRateHz: rateHz)
        summary = ImpactSummary(
            id: nil, time: wallClock(e.triggerT), peakG: e.peakG, severity: e.severity.rawValue,
            durationMs: e.durationAbove * 1000, thresholdG: thresholdG, deltaVMps: e.deltaV, hic15: e.hic15,
            saturated: e.saturated, waveformSamples: e.waveform.count)
    }
}

/// Commits each finished impact durably before the station reports it recorded. Runs apart from
/// the sampler, so an fsync on a slow SD card never holds up the FIFO. A commit that fails (a full
/// disk, a storage error) is retried until it succeeds or the service stops; the impact is never
/// dropped from memory while the service runs.
public struct ImpactWriter: Service {
    let impacts: AsyncStream<ImpactCapture>
    let recorder: Recorder?
    let state: StationState
    let logger: Logger
    let retryInterval: Duration

    public init(
        impacts: AsyncStream<ImpactCapture>, recorder: Recorder?, state: StationState, logger: Logger,
        retryInterval: Duration = .seconds(2)
    ) {
        self.impacts = impacts
        self.recorder = recorder
        self.state = state
        self.logger = logger
        self.retryInterval = retryInterval
    }

    public func run() async throws {
        // Not cancelled on graceful shutdown: the stream ends when the sampler stops, and what is
        // still in it is committed first.
        for await capture in impacts {
            var summary = capture.summary
            guard let recorder else {
                state.record(.impactRecorded(summary))
                continue
            }
            while true {
                do {
                    summary.id = try await recorder.recordImpact(capture.record)
                    state.clearFault("storage")
                    state.record(.impactRecorded(summary))
                    break
                } catch {
                    state.raiseFault("storage", "impact not yet recorded (will retry): \(error)")
                    try? await Task.sleep(for: retryInterval)
                    if Task.isCancelled { return }
                }
            }
        }
        // The sampler has stopped, so the group is shutting down: finish with it, not before.
        try? await gracefulShutdown()
    }
}
