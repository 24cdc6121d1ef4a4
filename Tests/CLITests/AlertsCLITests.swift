import Foundation
import Logging
import Storage
import TestSupport
import Testing

/// `sensorstation alerts`, `query alerts`, the alerts line of `status`, and `alerts test` through
/// the real credentials endpoint and moto's SNS.
@Suite("sensorstation alerts", .serialized)
struct AlertsCLITests {
    /// 2026-11-23T00:00:00Z.
    static let t0 = Date(timeIntervalSince1970: 1_795_392_000)
    static let window = ["--since", "2026-11-22T00:00:00Z", "--until", "2026-11-24T00:00:00Z"]

    /// A log with three alerts: sent, cancelled by the button, and pending after a failure.
    static func database() throws -> String {
        let path = try temporaryDirectory("sensorstation-cli").appendingPathComponent("station.db").path
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let (sent, _) = try db.enqueueAlert(impactID: 1, at: t0, coalesceWithin: .seconds(60))
        _ = try db.enqueueAlert(impactID: 2, at: t0.addingTimeInterval(20), coalesceWithin: .seconds(60))
        try db.markAlertsSent([sent.id], messageID: "m-1", at: t0.addingTimeInterval(45))
        let (cancelled, _) = try db.enqueueAlert(
            impactID: 3, at: t0.addingTimeInterval(600), coalesceWithin: .zero)
        _ = try db.cancelAlerts([cancelled.id], cause: "button", at: t0.addingTimeInterval(610))
        let (pending, _) = try db.enqueueAlert(
            impactID: 4, at: t0.addingTimeInterval(1200), coalesceWithin: .zero)
        try db.markAlertsFailed(
            [pending.id], error: "sns at https://sns.eu-west-1.amazonaws.com unreachable: timed out",
            at: t0.addingTimeInterval(1240))
        return path
    }

    @Test("the list is the query: each alert with its state, impacts, attempts, error, message id and cause")
    func list() throws {
        let path = try Self.database()
        let list = try CLI.run(["alerts", "--database", path, "--format", "json"] + Self.window)
        let query = try CLI.run(["query", "alerts", "--database", path, "--format", "json"] + Self.window)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout == query.stdout)
        let rows = list.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        try #require(rows.count == 3, "\(list.stdout)")
        #expect(rows[0]["state"] as? String == "sent" && rows[0]["impacts"] as? String == "1,2")
        #expect(
            rows[0]["message_id"] as? String == "m-1"
                && rows[0]["sent"] as? String == "2026-11-23T00:00:45.000Z")
        #expect(rows[1]["state"] as? String == "cancelled" && rows[1]["cancelled_by"] as? String == "button")
        #expect(rows[2]["state"] as? String == "pending" && rows[2]["attempts"] as? Int == 1)
        #expect((rows[2]["last_error"] as? String)?.hasSuffix("unreachable: timed out") == true)
        let csv = try CLI.run(["alerts", "list", "--database", path, "--format", "csv"] + Self.window)
        #expect(
            csv.stdout.hasPrefix("id,time,state,impacts,attempts,last_error,sent,message_id,cancelled_by\n"))
        let perDay = try CLI.run(
            ["query", "alerts", "--database", path, "--every", "1d", "--format", "csv"] + Self.window)
        #expect(
            perDay.stdout == "time,alerts,sent,pending,cancelled\n2026-11-23T00:00:00.000Z,3,1,1,1\n",
            "\(perDay.stdout)")
    }

    @Test("status says what waits and why")
    func status() throws {
        let path = try Self.database()
        let r = try CLI.run(["status", "--database", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains(
                "alerts     1 pending (1 failed to go: sns at https://sns.eu-west-1.amazonaws.com unreachable: timed out); in the last 24 h 0 sent, 0 cancelled; alerts are off now (alert.enabled)"
            ), "\(r.stdout)")
        let json = try CLI.run(["status", "--database", path, "--json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let alerts = try #require(o["alerts"] as? [String: Any])
        #expect(
            alerts["pending"] as? Int == 1 && alerts["failing"] as? Int == 1
                && alerts["enabled"] as? Bool == false)
    }

    @Test(
        "alerts test: credentials from the device certificate, one message on the topic; off is a configuration error"
    )
    func testMessage() throws {
        // Its own endpoint: the credentials catalogue counts what the shared one issues, and a
        // test message minted there in the middle of a row was counted against the row.
        let endpoint = try BadInputEndpoint()
        let dir = try endpoint.inputs(passphrase: nil)
        let config = try endpoint.configuration(
            in: dir, certificate: "good.pem", key: "good.key", ca: "ca.pem", passphrase: false)
        let moto = endpoint.moto
        _ = try moto.readback(["sqs-drain", moto.queueURL])
        // Alerts off: exit 78, nothing sent.
        let off = try CLI.runMinimal([
            "alerts", "test", "--config", config.path, "--endpoint-port", String(endpoint.port),
        ])
        #expect(off.status == 78 && off.stderr.contains("alerts are off"), "\(off.stderr)")
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "upload:\n", with: "upload:\n  enabled: true\n")
        text +=
            "alert:\n  enabled: true\n  topic_arn: \(moto.topicArn)\n  endpoint: \(moto.endpoint)\n  location: Pitch 3\n"
        try text.write(to: config, atomically: true, encoding: .utf8)
        let r = try CLI.runMinimal([
            "alerts", "test", "--config", config.path, "--endpoint-port", String(endpoint.port),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("test alert sent to \(moto.topicArn): SNS message "), "\(r.stdout)")
        let got = try moto.readback(["sqs-drain", moto.queueURL]) as? [[String: Any]] ?? []
        try #require(got.count == 1, "\(got)")
        let message = try #require(got[0]["Message"] as? String)
        #expect(message.hasPrefix("TEST from TestThing: alerts reach you. No impact happened.\n"))
        #expect(message.contains(#""type":"test""#) && message.contains(#""location":"Pitch 3""#))
        // A topic that does not exist: SNS's own error, and what to check.
        let missing = text.replacingOccurrences(of: moto.topicArn, with: moto.topicArn + "-gone")
        try missing.write(to: config, atomically: true, encoding: .utf8)
        let gone = try CLI.runMinimal([
            "alerts", "test", "--config", config.path, "--endpoint-port", String(endpoint.port),
        ])
        #expect(gone.status == 1, "\(gone.stderr)")
        #expect(
            gone.stderr.contains("NotFound") && gone.stderr.contains("check alert.topic_arn"),
            "\(gone.stderr)")
    }
}
