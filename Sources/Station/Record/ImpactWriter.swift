import Foundation
import Logging
import ServiceLifecycle
import Storage

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
