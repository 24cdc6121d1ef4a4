import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage
import TestSupport
import Testing

@testable import Station

/// The alert service against moto's SNS (signature checking on) with an SQS queue subscribed to
/// each topic, the outbox in a real SQLite log: what a person would receive, read back with boto3.
@Suite("Impact alerts through SNS", .serialized, .timeLimit(.minutes(3)))
struct AlertServiceTests {
    /// A station's alert path: the log, the state, the service (not yet running).
    final class Rig: @unchecked Sendable {
        let moto: MotoStack
        let database: StationDatabase
        let recorder: Recorder
        let state = StationState(recentLimit: 100)
        let service: AlertService
        let settings: StationConfiguration.AlertSettings
        var running: Task<Void, any Error>?
        var group: ServiceGroup?

        init(
            moto: MotoStack, fifo: Bool = false, window: Duration = .milliseconds(800),
            coalesce: Duration = .seconds(60), maxPerHour: Int = 10, path: String? = nil
        ) throws {
            self.moto = moto
            let path = try path ?? temporaryDirectory("alerts").appendingPathComponent("station.db").path
            database = try StationDatabase.openForWriting(path: path).0
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            recorder = Recorder(database: database, retention: RetentionPolicy(), logger: logger)
            settings = StationConfiguration.AlertSettings(
                enabled: true, topicArn: fifo ? moto.fifoTopicArn : moto.topicArn, endpoint: moto.endpoint,
                cancelWindow: window, severeCancelWindow: window, coalesce: coalesce, maxPerHour: maxPerHour)
            service = AlertService(
                settings: settings,
                sender: .init(thing: "helmet-01", serial: "PI-0042", location: "Pitch 3"),
                database: database, credentials: StaticCredentials(moto.user), state: state, logger: logger,
                tick: .milliseconds(20), backoff: Backoff(base: .milliseconds(200), cap: .milliseconds(400)))
            StorageSink.attach(recorder, to: state)
        }

        func start() {
            let group = ServiceGroup(
                configuration: .init(
                    services: [service], logger: Logger(label: "lifecycle") { _ in SwiftLogNoOpLogHandler() })
            )
            self.group = group
            running = Task { try await group.run() }
        }

        func stop() async throws {
            await group?.triggerGracefulShutdown()
            try await running?.value
        }

        /// An impact recorded as the impact writer records it: the row, then the event.
        @discardableResult
        func impact(peak: Double = 8.1, at time: Date = Date()) async throws -> Int64 {
            let record = ImpactRecord(
                triggerTime: time, startTime: time, endTime: time.addingTimeInterval(0.02), peakTime: time,
                peakG: peak, peakXG: peak, peakYG: 0, peakZG: 1, durationMs: 12,
                severity: peak >= 9 ? "severe" : "impact",
                deltaVMps: 1.5, hic15: 20, saturated: false, thresholdG: 4, sensor: "adxl345",
                waveform: [1, 2],
                waveformCount: 2, waveformRateHz: 400)
            let id = try await recorder.recordImpact(record)
            state.record(
                .impactRecorded(
                    ImpactSummary(
                        id: id, time: time, peakG: peak, severity: record.severity, durationMs: 12,
                        thresholdG: 4,
                        deltaVMps: 1.5, hic15: 20, saturated: false, waveformSamples: 2)))
            return id
        }

        /// Every message the queue holds now (received and deleted).
        func received() throws -> [[String: Any]] {
            try moto.readback([
                "sqs-drain", settings.topicArn.hasSuffix(".fifo") ? moto.fifoQueueURL : moto.queueURL,
            ])
                as? [[String: Any]] ?? []
        }

        func alertEvents() -> [AlertEvent] {
            state.snapshot.recent.compactMap { if case .alert(let a) = $0.event { a } else { nil } }
        }
    }

    /// `within` is a deadline, not a speed figure: under a full run's load moto once took more
    /// than 20 s to take a Publish.
    static func eventually(_ what: String, within: Duration = .seconds(120), _ condition: () throws -> Bool)
        async throws
    {
        let deadline = ContinuousClock.now + within
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("an impact: the window counts down on the LED, then one message with the facts; the log says sent")
    func oneImpact() async throws {
        let rig = try Rig(moto: try MotoStack())
        defer { rig.moto.server.stop() }
        rig.start()
        let id = try await rig.impact(peak: 8.1)
        try await Self.eventually("the countdown") { rig.state.indication.alertCountdown }
        #expect(rig.state.indication.topState == .alertCountdown)
        #expect(try rig.received().isEmpty)  // nothing before the window closes
        try await Self.eventually("the alert sent") { try rig.database.pendingAlerts().isEmpty }
        let got = try rig.received()
        try #require(got.count == 1, "\(got)")
        let text = try #require(got[0]["Message"] as? String)
        #expect(text.hasPrefix("IMPACT 8.1 g on helmet-01 at "))
        #expect(text.split(separator: "\n").first?.hasSuffix(", Pitch 3") == true)
        #expect(MotoStack.impactID(got[0]) == String(id))
        #expect(got[0]["Subject"] as? String == "Impact 8.1 g on helmet-01")
        let stored = try #require(try rig.database.alerts(since: .distantPast, until: .distantFuture).first)
        #expect(stored.state == .sent && stored.messageID == got[0]["MessageId"] as? String)
        #expect(!rig.state.indication.alertCountdown)
        #expect(rig.alertEvents().map(\.alertIDs) == [[stored.id], [stored.id]])
        try await rig.stop()
    }

    @Test("a long press in the window cancels: nothing is sent, the log keeps the cancel and its cause")
    func cancel() async throws {
        let rig = try Rig(moto: try MotoStack(), window: .seconds(2))
        defer { rig.moto.server.stop() }
        rig.start()
        let id = try await rig.impact()
        try await Self.eventually("the countdown") { rig.state.indication.alertCountdown }
        // A long press, as the button gives it (no impact is latched here: only the countdown).
        let press = StationCommand.acknowledgeImpact.apply(to: rig.state, cause: "button")
        #expect(press.cancelsAlert && press.result == "alert cancelled")
        try await Self.eventually("the cancel") { try rig.database.pendingAlerts().isEmpty }
        try await Task.sleep(for: .seconds(2.5))  // past the window
        #expect(try rig.received().isEmpty)
        let stored = try #require(try rig.database.alerts(since: .distantPast, until: .distantFuture).first)
        #expect(stored.state == .cancelled && stored.cancelCause == "button" && stored.impactIDs == [id])
        #expect(rig.alertEvents().last == .cancelled(alertID: stored.id, impactIDs: [id], cause: "button"))
        #expect(!rig.state.indication.alertCountdown)
        // The events table has it too, with the impact.
        try await rig.recorder.flush()
        let events = try rig.database.query(
            QueryRequest(kind: .events, since: .distantPast, until: .distantFuture))
        #expect(events.rows.contains { $0.contains(.text("cancelled")) && $0.contains(.text("alert")) })
        try await rig.stop()
    }

    @Test("a burst within the coalescing interval is one message listing every impact")
    func burst() async throws {
        let rig = try Rig(moto: try MotoStack(), window: .seconds(1))
        defer { rig.moto.server.stop() }
        rig.start()
        let ids = [
            try await rig.impact(peak: 6), try await rig.impact(peak: 9.5), try await rig.impact(peak: 7),
        ]
        try await Self.eventually("the alert sent") {
            try rig.database.pendingAlerts().isEmpty && !rig.alertEvents().isEmpty
        }
        try await Task.sleep(for: .milliseconds(300))
        let got = try rig.received()
        try #require(got.count == 1, "\(got)")
        let text = try #require(got[0]["Message"] as? String)
        #expect(text.hasPrefix("IMPACT 6.0 g on helmet-01 at ") && text.contains(", 2 more within "))
        let json = try #require(text.split(separator: "\n", maxSplits: 1).last)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(o["impact_count"] as? Int == 3)
        #expect(
            (o["coalesced"] as? [[String: Any]])?.compactMap { $0["impact_id"] as? Int }.map(Int64.init)
                == Array(ids.dropFirst()))
        try await rig.stop()
    }

    @Test(
        "through an outage: the fault names the failure, the alert waits, and arrives once when the network is back"
    )
    func outage() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let rig = try Rig(moto: moto, window: .milliseconds(200))
        try moto.setOutage(true)
        rig.start()
        try await rig.impact()
        try await Self.eventually("the alert fault") { rig.state.snapshot.faultMessages["alert"] != nil }
        #expect(rig.state.snapshot.faultMessages["alert"]?.contains("not sent (tried again in") == true)
        let waiting = try #require(try rig.database.pendingAlerts().first)
        #expect(waiting.attempts >= 1 && waiting.lastError?.contains("sns at") == true)
        // The impact LED blinks slowly while nobody has been told; the fault outranks it on a status LED.
        #expect(rig.state.indication.alertWaiting && rig.state.indication.topState == .fault)
        #expect(StatusModel.patterns(for: rig.state.indication, roles: [.impact])[.impact] == .slowBlink)
        try moto.setOutage(false)
        try await Self.eventually("the alert sent") { try rig.database.pendingAlerts().isEmpty }
        #expect(rig.state.snapshot.faultMessages["alert"] == nil)
        try await Self.eventually("the LED says it went") { !rig.state.indication.alertWaiting }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try rig.received().count == 1)
        try await rig.stop()
    }

    @Test(
        "a crash between Publish and the outbox update: the alert goes again, and the FIFO topic delivers it once"
    )
    func crashBetweenPublishAndBookkeeping() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let path = try temporaryDirectory("alerts").appendingPathComponent("station.db").path
        // The first run: the impact queued and published, the process gone before the update.
        let first = try Rig(moto: moto, fifo: true, window: .zero, path: path)
        let id = try await first.impact()
        first.service.step()
        let alert = try #require(try first.database.pendingAlerts().first)
        let impact = try #require(try first.database.impact(id: id))
        let message = AlertMessage(
            alert: [.init(id: id, record: impact)],
            from: .init(thing: "helmet-01", serial: "PI-0042", location: "Pitch 3"),
            now: Date(), lateAfter: .seconds(60))
        try await SNSClient(
            region: "us-east-1", credentials: StaticCredentials(moto.user), endpoint: moto.endpoint
        )
        .publish(message.sns(topicArn: moto.fifoTopicArn, thing: "helmet-01"))
        #expect(try first.database.pendingAlerts().map(\.id) == [alert.id])
        // The next start finds it pending and sends it again, with the same deduplication id.
        let second = try Rig(moto: moto, fifo: true, path: path)
        second.start()
        try await Self.eventually("the alert sent again") { try second.database.pendingAlerts().isEmpty }
        try await Task.sleep(for: .milliseconds(300))
        let got = try second.received()
        #expect(got.count == 1, "\(got)")
        #expect(got.first.flatMap(MotoStack.impactID) == String(id))
        try await second.stop()
    }

    @Test("the hourly limit holds the next alert back; it stays pending, nothing is dropped")
    func hourlyLimit() async throws {
        let rig = try Rig(moto: try MotoStack(), window: .zero, coalesce: .zero, maxPerHour: 1)
        defer { rig.moto.server.stop() }
        rig.start()
        try await rig.impact(peak: 5)
        try await rig.impact(peak: 6)
        try await Self.eventually("one sent") { try rig.database.sentAlertCount(since: .distantPast) == 1 }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try rig.database.pendingAlerts().map(\.impactIDs) == [[2]])
        #expect(try rig.received().count == 1)
        // Not a fault: the alert waits for the limit, and the status LED says so.
        #expect(rig.state.indication.alertWaiting && rig.state.indication.topState == .alertWaiting)
        #expect(StatusModel.statusPattern(for: .alertWaiting) == .tripleFlash)
        try await rig.stop()
    }
}
