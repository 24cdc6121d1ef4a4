import Cloud
import Foundation
import Storage
import Testing

@testable import Station

/// What an alert says, for fixed facts and a fixed time zone.
@Suite("Alert messages")
struct AlertMessageTests {
    /// 2026-12-05T14:02:05Z, 15:02:05 in Berlin (CET, +01:00).
    static let t = Date(timeIntervalSince1970: 1_796_479_325)
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let sender = AlertMessage.Sender(thing: "helmet-01", serial: "PI-0042", timeZone: berlin)

    static func impact(
        _ id: Int64, at t: Date = t, peak: Double = 8.14, severity: String = "impact", fallMs: Double? = nil,
        vertical: Double? = nil, horizontal: Double? = nil
    ) -> AlertMessage.Impact {
        AlertMessage.Impact(
            id: id,
            record: ImpactRecord(
                triggerTime: t, startTime: t, endTime: t.addingTimeInterval(0.02), peakTime: t, peakG: peak,
                peakXG: 8, peakYG: 0, peakZG: 1, durationMs: 12.46, severity: severity, deltaVMps: 1.234,
                hic15: nil, saturated: false, thresholdG: 4, sensor: "adxl345", waveform: [],
                waveformCount: 0,
                waveformRateHz: 400, fallMs: fallMs, verticalG: vertical, horizontalG: horizontal))
    }

    static func json(_ body: String) throws -> [String: Any] {
        let text = try #require(body.split(separator: "\n", maxSplits: 1).last)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("one impact on time: the line, the subject, and the facts for machines")
    func onTime() throws {
        let m = AlertMessage(
            alert: [Self.impact(42)], from: Self.sender, now: Self.t.addingTimeInterval(31),
            lateAfter: .seconds(90))
        #expect(m.line == "IMPACT 8.1 g on helmet-01 at 15:02:05 GMT+1")
        #expect(m.subject == "Impact 8.1 g on helmet-01" && !m.late)
        #expect(m.body.hasPrefix(m.line + "\n"))
        let o = try Self.json(m.body)
        #expect(o["type"] as? String == "impact_alert" && o["impact_id"] as? Int == 42)
        #expect(o["time_utc"] as? String == "2026-12-05T14:02:05.000Z")
        #expect(o["time_local"] as? String == "2026-12-05T15:02:05+01:00")
        #expect(o["peak_g"] as? Double == 8.14 && o["duration_ms"] as? Double == 12.5)
        #expect(
            o["delta_v_mps"] as? Double == 1.23 && o["hic15"] is NSNull && o["saturated"] as? Bool == false)
        #expect(
            o["delivered_late"] as? Bool == false && o["delay_s"] as? Int == 31
                && o["impact_count"] as? Int == 1)
        #expect((o["coalesced"] as? [Any])?.isEmpty == true && o["location"] is NSNull)
        let sns = m.sns(topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts", thing: "helmet-01")
        #expect(sns.protocolBodies == ["sms": m.line] && sns.deduplicationId == nil)
        #expect(sns.attributes == [.init("impact_id", "42"), .init("thing", "helmet-01")])
        let fifo = m.sns(topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts.fifo", thing: "helmet-01")
        #expect(fifo.deduplicationId == "impact-42" && fifo.groupId == "helmet-01")
    }

    @Test("an impact that ended a free fall: the line says the height, the facts carry it (null without)")
    func afterAFall() throws {
        // 451.6 ms of free fall is 1.00 m from rest (g·t²/2).
        let m = AlertMessage(
            alert: [Self.impact(42, fallMs: 451.6)], from: Self.sender, now: Self.t.addingTimeInterval(31),
            lateAfter: .seconds(90))
        #expect(m.line == "IMPACT 8.1 g after a 1.0 m fall on helmet-01 at 15:02:05 GMT+1")
        #expect(try Self.json(m.body)["drop_m"] as? Double == 1.0)
        let plain = AlertMessage(
            alert: [Self.impact(42)], from: Self.sender, now: Self.t.addingTimeInterval(31),
            lateAfter: .seconds(90))
        #expect(try Self.json(plain.body)["drop_m"] is NSNull)
    }

    @Test(
        "with the mounting known, the line says where the hit came from and the facts carry both components")
    func mounted() throws {
        // 8.14 g split 7.9 g up and 1.96 g across: within 27° of vertical.
        let m = AlertMessage(
            alert: [Self.impact(42, vertical: 7.9, horizontal: 1.96)], from: Self.sender,
            now: Self.t.addingTimeInterval(31), lateAfter: .seconds(90))
        #expect(m.line == "IMPACT 8.1 g (mostly vertical, upward) on helmet-01 at 15:02:05 GMT+1")
        let facts = try Self.json(m.body)
        #expect(facts["vertical_g"] as? Double == 7.9 && facts["horizontal_g"] as? Double == 1.96)
        #expect(AlertMessage.direction(vertical: -2, horizontal: 7.9) == "mostly horizontal")
        #expect(AlertMessage.direction(vertical: -5, horizontal: 5) == "oblique, downward")
        let plain = AlertMessage(
            alert: [Self.impact(42)], from: Self.sender, now: Self.t.addingTimeInterval(31),
            lateAfter: .seconds(90))
        #expect(try Self.json(plain.body)["vertical_g"] is NSNull)
    }

    @Test("a burst, severe, late, at a long location: one SMS line that still fits")
    func burstLateLocation() throws {
        var sender = Self.sender
        sender.location =
            "North stand, entrance B, behind the ticket office next to the big old oak tree on the left"
        let impacts = [
            Self.impact(7, peak: 11.94, severity: "severe"),
            Self.impact(8, at: Self.t.addingTimeInterval(20)),
            Self.impact(9, at: Self.t.addingTimeInterval(45)),
        ]
        let m = AlertMessage(
            alert: impacts, from: sender, now: Self.t.addingTimeInterval(725), lateAfter: .seconds(70))
        #expect(
            m.line.hasPrefix(
                "IMPACT 11.9 g (severe) on helmet-01 at 15:02:05 GMT+1, 2 more within 45 s; sent 12 min late, North stand"
            ))
        #expect(m.line.count == AlertMessage.maxLineLength && m.line.hasSuffix("…") && m.late)
        let o = try Self.json(m.body)
        #expect(
            o["delivered_late"] as? Bool == true && o["delay_s"] as? Int == 725
                && o["impact_count"] as? Int == 3)
        #expect(o["location"] as? String == sender.location)
        let coalesced = try #require(o["coalesced"] as? [[String: Any]])
        #expect(coalesced.map { $0["impact_id"] as? Int } == [8, 9])
        #expect(coalesced.first?["time_utc"] as? String == "2026-12-05T14:02:25.000Z")
    }

    @Test("a summary of what waited through an outage: count, span, highest, each impact")
    func summary() throws {
        let alerts = [
            [Self.impact(3, peak: 6.2)],
            [
                Self.impact(5, at: Self.t.addingTimeInterval(5400), peak: 9.6, severity: "severe"),
                Self.impact(6, at: Self.t.addingTimeInterval(5410)),
            ],
        ]
        let m = AlertMessage(
            summaryOf: alerts, from: Self.sender, now: Self.t.addingTimeInterval(3 * 3600 + 300))
        #expect(
            m.line
                == "3 IMPACTS on helmet-01 15:02:05 GMT+1–16:32:15 GMT+1, highest 9.6 g, 1 severe; sent 3 h 5 min late"
        )
        let o = try Self.json(m.body)
        #expect(o["type"] as? String == "impact_summary" && o["impact_count"] as? Int == 3)
        #expect(o["severe_count"] as? Int == 1 && o["highest_peak_g"] as? Double == 9.6)
        #expect((o["impacts"] as? [[String: Any]])?.compactMap { $0["impact_id"] as? Int } == [3, 5, 6])
        let fifo = m.sns(
            topicArn: "arn:aws:sns:eu-west-1:123456789012:a.fifo", thing: "helmet-01", summary: true)
        #expect(fifo.deduplicationId == "summary-3")
    }
}
