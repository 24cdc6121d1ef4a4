import Cloud
import Foundation
import Storage

/// What an alert says, built from the log's impact rows when it is sent (so times corrected
/// after NTP set the clock are the ones said). Three texts from one set of facts: an SMS-sized
/// first line, the same line over a JSON object for machines (SNS's "default", which e-mail,
/// SQS and HTTP subscribers get), and a subject for e-mail.
public struct AlertMessage: Sendable, Equatable {
    /// One impact as the alert tells of it.
    public struct Impact: Sendable, Equatable {
        public var id: Int64
        public var record: ImpactRecord

        public init(id: Int64, record: ImpactRecord) {
            self.id = id
            self.record = record
        }
    }

    /// Who sends: the station's names and where it is.
    public struct Sender: Sendable, Equatable {
        public var thing: String
        public var serial: String
        public var location: String
        public var timeZone: TimeZone

        public init(thing: String, serial: String, location: String = "", timeZone: TimeZone = .current) {
            self.thing = thing
            self.serial = serial
            self.location = location
            self.timeZone = timeZone
        }
    }

    /// The SMS line: at most this many characters (one SMS segment of the GSM alphabet).
    public static let maxLineLength = 160

    public var line: String
    public var subject: String
    /// The line, a newline, and the JSON object.
    public var body: String
    /// The impact the receiver dedupes by (the first one told of).
    public var impactID: Int64
    /// It goes later than it should have (the line says by how much).
    public var late: Bool

    /// An alert of one impact and those coalesced into it (`impacts`, first one first), sent at
    /// `now`; said to be late when it goes more than `lateAfter` after the first impact.
    public init(alert impacts: [Impact], from sender: Sender, now: Date, lateAfter: Duration) {
        let first = impacts[0]
        let delay = now.timeIntervalSince(first.record.triggerTime)
        let late = delay > lateAfter.seconds
        var line =
            "IMPACT \(Self.g(first.record.peakG))\(first.record.severity == "severe" ? " (severe)" : "")"
        // A fall before it tells the reader most: a helmet that dropped 2 m, not one knocked.
        if let drop = first.record.dropM { line += " after a \(String(format: "%.1f", drop)) m fall" }
        // With the mounting known: from above or below, or from the side.
        if let v = first.record.verticalG, let h = first.record.horizontalG {
            line += " (\(Self.direction(vertical: v, horizontal: h)))"
        }
        line += " on \(sender.thing) at \(Self.clock(first.record.triggerTime, sender.timeZone))"
        if impacts.count > 1 {
            line += ", \(impacts.count - 1) more within \(Self.span(impacts))"
        }
        if late { line += "; sent \(Self.duration(delay)) late" }
        line = Self.withLocation(line, sender.location)
        var fields = Self.fields(first, sender)
        fields.insert(("type", .string("impact_alert")), at: 0)
        fields += [
            ("location", sender.location.isEmpty ? .null : .string(sender.location)),
            ("delivered_late", .bool(late)), ("delay_s", .int(Int64(delay.rounded()))),
            ("impact_count", .int(Int64(impacts.count))),
        ]
        let coalesced = impacts.dropFirst().map { JSONValue.object(Self.short($0, sender)) }
        self.line = line
        self.subject = Self.clip("Impact \(Self.g(first.record.peakG)) on \(sender.thing)", 100)
        self.body =
            line + "\n"
            + JSONValue.object(
                text: fields.map { ($0.0, $0.1.jsonText) } + [
                    ("coalesced", "[" + coalesced.joined(separator: ",") + "]")
                ])
        self.impactID = first.id
        self.late = late
    }

    /// One message for alerts that could not go for longer than the summary age (an outage of
    /// hours or days): how many impacts, when, the highest, and each alert's facts.
    public init(summaryOf alerts: [[Impact]], from sender: Sender, now: Date) {
        let all = alerts.flatMap { $0 }.sorted { $0.record.triggerTime < $1.record.triggerTime }
        let highest = all.max { $0.record.peakG < $1.record.peakG }!
        let severe = all.filter { $0.record.severity == "severe" }.count
        let firstTime = all.first!.record.triggerTime, lastTime = all.last!.record.triggerTime
        var line = "\(all.count) IMPACT\(all.count == 1 ? "" : "S") on \(sender.thing)"
        line += " \(Self.clock(firstTime, sender.timeZone))–\(Self.clock(lastTime, sender.timeZone))"
        line += ", highest \(Self.g(highest.record.peakG))"
        if severe > 0 { line += ", \(severe) severe" }
        line += "; sent \(Self.duration(now.timeIntervalSince(firstTime))) late"
        line = Self.withLocation(line, sender.location)
        let fields: [(String, JSONValue)] = [
            ("type", .string("impact_summary")), ("thing", .string(sender.thing)),
            ("serial", .string(sender.serial)),
            ("location", sender.location.isEmpty ? .null : .string(sender.location)),
            ("impact_count", .int(Int64(all.count))), ("severe_count", .int(Int64(severe))),
            ("first_utc", .string(TimeCodec.iso(firstTime))), ("last_utc", .string(TimeCodec.iso(lastTime))),
            ("highest_peak_g", .double(Self.round(highest.record.peakG, 2))),
            ("delivered_late", .bool(true)),
            ("delay_s", .int(Int64(now.timeIntervalSince(firstTime).rounded()))),
        ]
        let impacts = all.map { JSONValue.object(Self.fields($0, sender)) }
        self.line = line
        self.subject = Self.clip("\(all.count) impacts on \(sender.thing) while it could not send", 100)
        self.body =
            line + "\n"
            + JSONValue.object(
                text: fields.map { ($0.0, $0.1.jsonText) } + [
                    ("impacts", "[" + impacts.joined(separator: ",") + "]")
                ])
        self.impactID = alerts[0][0].id
        self.late = true
    }

    /// The SNS message: the line for SMS, the whole text for everyone else, the impact id as an
    /// attribute, and on a FIFO topic the deduplication id `impact-<id>` (`summary-<id>` for a
    /// summary) in the thing's message group.
    public func sns(topicArn: String, thing: String, summary: Bool = false) -> SNSClient.Message {
        let fifo = SNSClient.isFIFO(topicArn: topicArn)
        return SNSClient.Message(
            topicArn: topicArn, subject: subject, body: body, protocolBodies: ["sms": line],
            attributes: [.init("impact_id", String(impactID)), .init("thing", thing)],
            deduplicationId: fifo ? "\(summary ? "summary" : "impact")-\(impactID)" : nil,
            groupId: fifo ? thing : nil)
    }

    // MARK: - the facts

    /// Where a peak came from in the mounting: "mostly vertical, upward" when its vertical
    /// component is at least twice the horizontal (within 27° of up or down), "mostly
    /// horizontal" when the horizontal is at least twice the vertical, else "oblique".
    public static func direction(vertical v: Double, horizontal h: Double) -> String {
        if abs(v) >= 2 * h { return "mostly vertical, \(v >= 0 ? "upward" : "downward")" }
        if h >= 2 * abs(v) { return "mostly horizontal" }
        return "oblique, \(v >= 0 ? "upward" : "downward")"
    }

    static func fields(_ i: Impact, _ sender: Sender) -> [(String, JSONValue)] {
        let r = i.record
        return [
            ("impact_id", .int(i.id)), ("thing", .string(sender.thing)), ("serial", .string(sender.serial)),
            ("time_utc", .string(TimeCodec.iso(r.triggerTime))),
            ("time_local", .string(local(r.triggerTime, sender.timeZone))),
            ("peak_g", .double(round(r.peakG, 2))), ("severity", .string(r.severity)),
            ("duration_ms", .double(round(r.durationMs, 1))),
            ("hic15", r.hic15.map { .double(round($0, 1)) } ?? .null),
            ("delta_v_mps", .double(round(r.deltaVMps, 2))), ("saturated", .bool(r.saturated)),
            ("drop_m", r.dropM.map { .double(round($0, 2)) } ?? .null),
            ("vertical_g", r.verticalG.map { .double(round($0, 2)) } ?? .null),
            ("horizontal_g", r.horizontalG.map { .double(round($0, 2)) } ?? .null),
        ]
    }

    static func short(_ i: Impact, _ sender: Sender) -> [(String, JSONValue)] {
        [
            ("impact_id", .int(i.id)), ("time_utc", .string(TimeCodec.iso(i.record.triggerTime))),
            ("peak_g", .double(round(i.record.peakG, 2))), ("severity", .string(i.record.severity)),
        ]
    }

    static func g(_ value: Double) -> String { String(format: "%.1f g", value) }

    static func round(_ v: Double, _ decimals: Int) -> Double {
        let f = pow(10, Double(decimals))
        return (v * f).rounded() / f
    }

    /// "14:02:05 CET": the station's local time with its zone's abbreviation.
    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "HH:mm:ss zzz"
        return f.string(from: date)
    }

    /// ISO 8601 with the zone's offset: "2026-12-05T15:02:05+01:00".
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return f.string(from: date)
    }

    /// "12 min", "3 h 5 min", "2 d 4 h", "45 s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86_400 { return "\(s / 3600) h \(s / 60 % 60) min" }
        return "\(s / 86_400) d \(s / 3600 % 24) h"
    }

    static func span(_ impacts: [Impact]) -> String {
        duration(impacts.last!.record.triggerTime.timeIntervalSince(impacts[0].record.triggerTime))
    }

    /// The line with ", <location>" after the station's name, the location shortened (with …)
    /// so the whole line fits one SMS.
    static func withLocation(_ line: String, _ location: String) -> String {
        guard !location.isEmpty else { return clip(line, maxLineLength) }
        let room = maxLineLength - line.count - 2
        guard room >= 4 else { return clip(line, maxLineLength) }
        return line + ", " + clip(location, room)
    }

    static func clip(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
