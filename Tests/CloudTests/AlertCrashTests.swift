import Foundation
import Storage
import TestSupport
import Testing

/// A crash between SNS accepting an alert and the outbox recording it: the real binary, the
/// simulated station (an impact every 3–5 s), credentials from the mTLS endpoint, and moto's
/// FIFO topic behind its proxy, which SIGKILLs the station the moment moto has accepted the
/// Publish, before the answer reaches it. The receiver must still see one message per impact.
@Suite("Alerts survive SIGKILL between Publish and bookkeeping", .serialized)
struct AlertCrashTests {
    /// The end-to-end station's configuration, with alerts to moto's FIFO topic, no cancel window
    /// and no coalescing: one message per impact.
    static func configuration(
        _ moto: MotoStack, _ endpoint: CredentialsEndpointServer, directory: String, scenario: String
    ) throws -> String {
        try RunUploadEndToEndTests.configuration(
            moto, endpoint, directory: directory, scenario: scenario,
            extra: """
                alert:
                  enabled: true
                  topic_arn: \(moto.fifoTopicArn)
                  endpoint: "\(moto.endpoint)"
                  cancel_window_s: 0
                  severe_cancel_window_s: 0
                  coalesce_s: 0

                """)
    }

    @Test(
        "SIGKILL right after SNS took the alert: it is pending after the crash, sent again, and received once"
    )
    func killedAfterPublish() async throws {
        let moto = try MotoStack()
        let endpoint = try CredentialsEndpointServer(moto: moto)
        let dir = try temporaryDirectory("alert-crash").path
        let dbPath = dir + "/station.db"

        // The first run: its first Publish is carried out, then the process is killed.
        let first = try RunningStation(
            config: try Self.configuration(moto, endpoint, directory: dir, scenario: "impacts"),
            directory: dir)
        try moto.killAfter(action: "Publish", pid: first.process.processIdentifier)
        try await eventually("the station killed after its first Publish", limit: .seconds(120)) {
            !first.process.isRunning
        }
        #expect(
            first.process.terminationReason == .uncaughtSignal && first.process.terminationStatus == SIGKILL)
        #expect(try moto.killed == 1)
        // Peeked, not drained: SNS and SQS FIFO deduplicate for 5 minutes whether or not the
        // receiver has deleted the first copy, but moto compares only with the messages its queue
        // still holds (a drain here lets the resend through: a weaker peer than AWS, not a finding).
        let delivered = try moto.readback(["sqs-peek", moto.fifoQueueURL]) as? [[String: Any]] ?? []
        try #require(delivered.count == 1, "\(delivered)\n\(first.log)")
        let id = try #require(MotoStack.impactID(delivered[0]))
        // The log does not know it went: the alert for that impact is pending.
        let pending = try StationDatabase.openReadOnly(path: dbPath).pendingAlerts()
        #expect(pending.contains { $0.impactIDs.map(String.init).contains(id) }, "\(pending)")

        // The next start (no more impacts) sends what is pending, with the same deduplication id.
        let second = try RunningStation(
            config: try Self.configuration(moto, endpoint, directory: dir, scenario: "quiet"), directory: dir)
        try await eventually("the pending alerts sent", limit: .seconds(120)) {
            ((try? StationDatabase.openReadOnly(path: dbPath).pendingAlerts().isEmpty) ?? false)
        }
        let status = await second.terminate()
        #expect(status == 0, "\(second.log)")
        let db = try StationDatabase.openReadOnly(path: dbPath)
        let alerts = try db.alerts(since: .distantPast, until: .distantFuture, limit: 100)
        let impacts = alerts.flatMap(\.impactIDs).map(String.init)
        #expect(alerts.allSatisfy { $0.state == .sent } && impacts.contains(id), "\(alerts)")
        // What a person receives: one message per impact, the crashed one not twice.
        let received = (try moto.readback(["sqs-drain", moto.fifoQueueURL]) as? [[String: Any]] ?? [])
            .compactMap(MotoStack.impactID)
        #expect(received.sorted() == impacts.sorted(), "received \(received), alerts \(impacts)")
        #expect(Set(received).count == received.count, "a duplicate: \(received)")
    }
}
