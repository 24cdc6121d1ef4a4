import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Tells a person of each impact through Amazon SNS (docs/alerts.md).
///
/// A recorded impact goes into the outbox of the log at once (`alerts`, durable), joining an
/// alert that has not gone yet when it follows that alert's first impact within
/// `alert.coalesce_s`. Its cancel window opens: the impact LED blinks fast, and an
/// acknowledgement (a long press, `sensorstation ack`) before it closes cancels the alert. Then
/// the alert is published, when the clock is set (the upload gate) and the hourly limit allows;
/// alerts that waited longer than `alert.summary_after_s` go together as one summary. A failed
/// Publish keeps the alert pending, raises the `alert` fault with the service's own error, and
/// is tried again with backoff. Nothing is dropped: what is pending at shutdown is sent after
/// the next start.
public final class AlertService: Service, Sendable {
    let settings: StationConfiguration.AlertSettings
    let sender: AlertMessage.Sender
    let database: StationDatabase
    /// Nil when the station has no usable credentials (the `upload` fault says why): alerts
    /// are still queued, and go after the fix and a restart.
    let sns: SNSClient?
    let state: StationState
    let logger: Logger
    let gate: UploadGate?
    let tick: Duration
    let backoff: Backoff

    enum Input: Sendable {
        case recorded(id: Int64, severity: String, time: Date)
        case acknowledged(cause: String, at: ContinuousClock.Instant)
    }

    private struct Progress: Sendable {
        var inputs: [Input] = []
        /// The end of each open cancel window, by alert id (alerts from an earlier run have none:
        /// nobody can cancel them any more, so they go at once).
        var windows: [Int64: ContinuousClock.Instant] = [:]
        var failures = 0
        var nextAttempt: ContinuousClock.Instant?
        var limitLogged = false
        /// The outbox is read again when this is set (an impact queued, a cancel, a send) or at
        /// `nextRead`: the next window to close, and once a second while an alert waits (for the
        /// clock gate, the backoff and the hourly limit). At the start it is set: alerts left by
        /// an earlier run go at once.
        var changed = true
        var nextRead: ContinuousClock.Instant?
    }

    private let progress = Mutex(Progress())

    /// - Parameters:
    ///   - credentials: the station's credentials provider (static keys in tests); nil when it
    ///     could not be built.
    ///   - gate: opens once the clock is set and what was logged before corrected.
    public init(
        settings: StationConfiguration.AlertSettings, sender: AlertMessage.Sender, database: StationDatabase,
        credentials: (any AWSCredentialsSource)?, state: StationState, logger: Logger,
        gate: UploadGate? = nil,
        tick: Duration = .milliseconds(100), backoff: Backoff = Backoff(base: .seconds(2), cap: .seconds(300))
    ) {
        self.settings = settings
        self.sender = sender
        self.database = database
        self.sns = credentials.map {
            SNSClient(
                region: SNSClient.region(ofTopicArn: settings.topicArn) ?? "us-east-1", credentials: $0,
                endpoint: settings.endpoint.isEmpty ? nil : settings.endpoint)
        }
        self.state = state
        self.logger = logger
        self.gate = gate
        self.tick = tick
        self.backoff = backoff
        // Attached now, before the group starts anything: no recorded impact is missed.
        state.addSink { [weak self] _, event in
            let input: Input
            switch event {
            case .impactRecorded(let s):
                guard let id = s.id else { return }
                input = .recorded(id: id, severity: s.severity, time: s.time)
            case .impactAcknowledged(let cause):
                input = .acknowledged(cause: cause, at: .now)
            default:
                return
            }
            self?.progress.withLock { $0.inputs.append(input) }
        }
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            step()
            await sendDue()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.tick) }
        }
        // The last inputs still go into the outbox (sent after the next start).
        step()
        state.setAlertCountdown(false)
        state.setAlertWaiting(false)
    }

    /// Takes what the station reported since the last step, and updates the countdown.
    func step() {
        let inputs = progress.withLock { p in
            defer { p.inputs = [] }
            return p.inputs
        }
        for input in inputs {
            switch input {
            case .recorded(let id, let severity, let time):
                enqueue(impact: id, severity: severity, time: time)
            case .acknowledged(let cause, let at): cancel(cause: cause, at: at)
            }
        }
        let now = ContinuousClock.now
        let open = progress.withLock { $0.windows.values.contains { $0 > now } }
        state.setAlertCountdown(open)
    }

    private func enqueue(impact id: Int64, severity: String, time: Date) {
        do {
            let (alert, coalesced) = try database.enqueueAlert(
                impactID: id, at: time, coalesceWithin: settings.coalesce)
            if coalesced {
                state.record(.alert(.coalesced(alertID: alert.id, impactID: id)))
                return
            }
            let window = settings.cancelWindow(severity: severity)
            progress.withLock {
                $0.windows[alert.id] = .now + window
                $0.changed = true
            }
            state.record(.alert(.queued(alertID: alert.id, impactIDs: alert.impactIDs, window: window)))
        } catch {
            // The impact itself is in the log; without its outbox row nobody is told of it, so say so.
            state.raiseFault("alert", "impact #\(id) could not be queued for its alert: \(error)")
        }
    }

    /// "I'm fine": the alerts whose window was open at `at` are cancelled.
    private func cancel(cause: String, at: ContinuousClock.Instant) {
        let open = progress.withLock { p in p.windows.filter { $0.value > at }.map(\.key) }
        guard !open.isEmpty else { return }
        do {
            for alert in try database.cancelAlerts(open.sorted(), cause: cause) {
                state.record(.alert(.cancelled(alertID: alert.id, impactIDs: alert.impactIDs, cause: cause)))
            }
            progress.withLock { p in
                for id in open { p.windows[id] = nil }
                p.changed = true
            }
        } catch {
            state.raiseFault("alert", "the cancel could not be recorded, the alert may still go: \(error)")
        }
    }

    /// Publishes what is due: every pending alert whose window has closed, when the clock is
    /// set, the backoff has passed and the hourly limit allows. Shows whether any waits.
    func sendDue() async {
        let now = ContinuousClock.now
        let (windows, read) = progress.withLock { p in
            defer { p.changed = false }
            return (p.windows, p.changed || p.nextRead.map { now >= $0 } ?? false)
        }
        guard read else { return }
        let pending: [AlertRecord]
        do {
            pending = try database.pendingAlerts()
        } catch {
            state.raiseFault("alert", "the pending alerts cannot be read: \(error)")
            progress.withLock { $0.nextRead = now + .seconds(1) }
            return
        }
        let due = pending.filter { windows[$0.id].map { $0 <= now } ?? true }
        let sent = await send(due, now: now)
        let waiting = due.count > sent
        state.setAlertWaiting(waiting)
        let nextWindow = windows.values.filter { $0 > now }.min()
        progress.withLock { p in
            let again: ContinuousClock.Instant? = waiting ? now + .seconds(1) : nil
            p.nextRead = [again, nextWindow].compactMap { $0 }.min()
        }
    }

    /// Sends `due` in messages, as far as the gate, backoff and limit let it; returns how many
    /// alerts went (or were closed).
    private func send(_ due: [AlertRecord], now: ContinuousClock.Instant) async -> Int {
        guard !due.isEmpty, let sns else { return 0 }
        if let nextAttempt = progress.withLock({ $0.nextAttempt }), now < nextAttempt { return 0 }
        if let gate, !gate.isOpen { return 0 }
        let wall = Date()
        let old = due.filter { wall.timeIntervalSince($0.created) > settings.summaryAfter.seconds }
        let recent = due.filter { wall.timeIntervalSince($0.created) <= settings.summaryAfter.seconds }
        var batches: [[AlertRecord]] = old.isEmpty ? [] : [old]
        batches += recent.map { [$0] }
        var sent = 0
        for batch in batches {
            guard underHourlyLimit(now: wall, waiting: due.count - sent) else { break }
            guard await send(batch, summary: batch == old && !old.isEmpty, now: wall, through: sns) else {
                break
            }
            sent += batch.count
        }
        return sent
    }

    private func underHourlyLimit(now: Date, waiting: Int) -> Bool {
        let sent = (try? database.sentAlertCount(since: now.addingTimeInterval(-3600))) ?? 0
        let under = sent < settings.maxPerHour
        let first = progress.withLock { p in
            defer { p.limitLogged = !under }
            return !under && !p.limitLogged
        }
        if first {
            logger.warning(
                "alert: the limit of \(settings.maxPerHour) an hour is reached; \(waiting) wait and will say they were delayed"
            )
        }
        return under
    }

    /// One message for `batch`; false when it failed (the rest wait for the backoff).
    private func send(_ batch: [AlertRecord], summary: Bool, now: Date, through sns: SNSClient) async -> Bool
    {
        let ids = batch.map(\.id)
        let message: AlertMessage
        do {
            let impacts = try batch.map { alert in
                try alert.impactIDs.compactMap { id in
                    try database.impact(id: id).map { AlertMessage.Impact(id: id, record: $0) }
                }
            }.filter { !$0.isEmpty }
            guard !impacts.isEmpty else {
                // Retention took the impacts (an outage longer than the log keeps): nothing is left
                // to say, so the alert is closed, with the reason, rather than tried forever.
                for a in try database.cancelAlerts(ids, cause: "its impacts are no longer in the log") {
                    state.record(
                        .alert(.cancelled(alertID: a.id, impactIDs: a.impactIDs, cause: a.cancelCause ?? "")))
                }
                return true
            }
            message =
                summary
                ? AlertMessage(summaryOf: impacts, from: sender, now: now)
                : AlertMessage(
                    alert: impacts[0], from: sender, now: now,
                    lateAfter: settings.cancelWindow(severity: impacts[0][0].record.severity) + .seconds(60))
        } catch {
            state.raiseFault("alert", "the impacts of alert #\(ids[0]) cannot be read: \(error)")
            return false
        }
        do {
            let messageID = try await sns.publish(
                message.sns(topicArn: settings.topicArn, thing: sender.thing, summary: summary))
            try database.markAlertsSent(ids, messageID: messageID)
            progress.withLock { p in
                p.failures = 0
                p.nextAttempt = nil
                for id in ids { p.windows[id] = nil }
            }
            state.clearFault("alert")
            state.record(
                .alert(
                    .sent(
                        alertIDs: ids, impactIDs: batch.flatMap(\.impactIDs), messageID: messageID,
                        late: message.late
                    )))
            return true
        } catch {
            let text = Self.describe(error)
            try? database.markAlertsFailed(ids, error: text)
            let delay = progress.withLock { p in
                p.failures += 1
                let d = backoff.delay(attempt: p.failures - 1, random: Double.random(in: 0.5..<1))
                p.nextAttempt = .now + d
                return d
            }
            state.raiseFault(
                "alert",
                "alert #\(ids[0]) not sent (tried again in \(Int(delay.seconds.rounded())) s): \(text)")
            return false
        }
    }

    /// The service's error with what to do about the ones an operator must fix.
    public static func describe(_ error: any Error) -> String {
        guard let e = error as? AWSRequestError else { return "\(error)" }
        if case .service(_, _, _, let code, _) = e {
            switch code {
            case "NotFound":
                return "\(e) (the topic does not exist in that account and region: check alert.topic_arn)"
            case "AuthorizationError", "AccessDenied", "AccessDeniedException":
                return "\(e) (the role needs sns:Publish on alert.topic_arn: see docs/alerts.md)"
            default: break
            }
        }
        return e.description
    }
}
