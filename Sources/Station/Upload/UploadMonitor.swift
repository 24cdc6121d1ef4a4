import Cloud
import Foundation
import ServiceLifecycle

/// Publishes the upload state once a second for `status`, and raises the `upload` fault while
/// the credentials need an operator (a documented 4xx, an unusable file); clears it once
/// credentials are valid again. Waiting for the clock is a status, not a fault.
public struct UploadMonitor: Service {
    let provider: CredentialsProvider
    let uploader: Uploader?
    let streamer: Streamer<ContinuousClock>?
    let state: StationState
    var clockWatch: ClockWatch? = nil
    var interval: Duration = .seconds(1)

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await publish()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func publish() async {
        let credentials = await provider.status
        let live = Self.status(
            credentials: credentials, uploader: uploader?.status, streamer: streamer?.status,
            stream: streamer?.configuration.stream, clock: clockWatch?.status)
        state.setUpload(live)
        state.setUploadingBacklog(
            Self.uploadingBacklog(uploader: uploader?.status, credentialsValid: credentials.state == .valid))
        switch credentials.state {
        case .valid:
            state.clearFault("upload")
        case .failing:
            if let e = credentials.lastError, !e.isTransient, e != .clockNotSynchronised {
                state.raiseFault("upload", e.description)
            }
        case .notFetched, .fetching, .waitingForClock:
            break
        }
    }

    /// Rows not yet confirmed, over every destination, from which on the `upload` LED (and an
    /// otherwise idle status LED) blinks: about a minute and a half of logging at the defaults
    /// (a motion summary a second, a reading every 10 s), so the few rows of an ordinary pass
    /// never light it.
    static let backlogShown = 100

    /// Whether the station is uploading a backlog: at least `backlogShown` rows wait and the
    /// credentials are valid (when they are not, nothing is being uploaded, and `status` says why).
    static func uploadingBacklog(uploader: Uploader.Status?, credentialsValid: Bool) -> Bool {
        guard credentialsValid, let uploader else { return false }
        return uploader.backlog.values.reduce(0) { $0 + $1.values.reduce(0, +) } >= backlogShown
    }

    static func status(
        credentials: CredentialsStatus, uploader: Uploader.Status?,
        streamer: Streamer<ContinuousClock>.Status?,
        stream: String?, clock: ClockWatch.Status? = nil
    ) -> UploadLiveStatus {
        var credentials = credentials
        // Until the clock is set and what was logged before corrected, the uploader does not ask
        // for credentials: the watch's look at the clock says why it waits.
        if credentials.state == .notFetched, let clock, !clock.corrected {
            credentials.state = .waitingForClock
            credentials.clock = clock.clock
        }
        let stateName: String =
            switch credentials.state {
            case .notFetched: "not_fetched"
            case .waitingForClock: "waiting_for_clock"
            case .fetching: "fetching"
            case .valid: "valid"
            case .failing: "failing"
            }
        var live = UploadLiveStatus(
            credentialsState: stateName, credentials: credentials.summary,
            credentialsExpiry: credentials.expiration.map(AWSDate.iso8601),
            clock: credentials.clock?.description, clockCorrection: clock?.summary)
        if let uploader {
            live.destinations = uploader.destinations.keys.sorted().map { name in
                let d = uploader.destinations[name] ?? Uploader.DestinationStatus()
                return UploadLiveStatus.Destination(
                    name: name, sentRecords: d.sentRecords,
                    lastSuccess: d.lastSuccess.map(AWSDate.iso8601),
                    lastError: d.lastError, lastErrorTime: d.lastErrorTime.map(AWSDate.iso8601))
            }
        }
        if let streamer, let stream {
            live.streaming = .init(
                stream: stream, active: streamer.active, sentRecords: streamer.sentRecords,
                dropped: streamer.dropped, lastSuccess: streamer.lastSuccess.map(AWSDate.iso8601),
                lastError: streamer.lastError)
        }
        return live
    }
}
