import Foundation

/// Parses the CLI's time arguments: durations (`30s`, `30m`, `24h`, `7d`, `2w`) and instants
/// (a duration ago, or ISO-8601). Pure: `now` and the time zone are passed in.
public enum TimeArgument {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "\"\(text)\": \(reason)" }
    }

    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// `<positive integer><s|m|h|d|w>`: `90s`, `30m`, `24h`, `7d`, `2w`.
    public static func duration(_ text: String) throws(ParseError) -> Duration {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let unit = t.last, let seconds = units[unit], let n = Int64(t.dropLast()), n > 0,
            n <= Int64.max / 1_000_000 / seconds
        else {
            throw ParseError(
                text: text,
                reason:
                    "not a duration; use a positive whole number and a unit s, m, h, d or w (e.g. 30m, 24h, 7d)"
            )
        }
        return .seconds(n * seconds)
    }

    /// A duration ago (`24h` = now − 24 h), `now`, or ISO-8601: `2026-11-20T10:00:00Z`,
    /// `2026-11-20T10:00:00.250+01:00`, `2026-11-20T10:00` or `2026-11-20 10:00:00` (no zone =
    /// `timeZone`, the session's local time), or a date `2026-11-20` (local midnight).
    public static func instant(_ text: String, now: Date, timeZone: TimeZone = .current) throws(ParseError)
        -> Date
    {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "now" { return now }
        if let last = t.last, units[last] != nil, t.dropLast().allSatisfy(\.isNumber), t.count > 1 {
            let d = try duration(t)
            return now.addingTimeInterval(-Double(d.components.seconds))
        }
        if let date = iso(t, timeZone: timeZone) { return date }
        throw ParseError(
            text: text,
            reason:
                "not a time; use a duration ago (30m, 24h, 7d) or ISO-8601 (2026-11-20T10:00:00Z, 2026-11-20)"
        )
    }

    /// Strict ISO-8601 subset, parsed by hand so nothing lenient slips through.
    static func iso(_ s: String, timeZone: TimeZone) -> Date? {
        let chars = Array(s)
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= chars.count else { return nil }
            let slice = chars[i..<(i + count)]
            guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            i += count
            return Int(String(slice))
        }
        func expect(_ c: Character) -> Bool {
            guard i < chars.count, chars[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset: Int?
        if i < chars.count {
            guard chars[i] == "T" || chars[i] == "t" || chars[i] == " " else { return nil }
            i += 1
            guard let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let sec = number(2) else { return nil }
                second = sec
                if expect(".") || expect(",") {
                    let start = i
                    while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                    guard i > start else { return nil }
                    fraction = Double("0." + String(chars[start..<i])) ?? 0
                }
            }
            if i < chars.count {
                if chars[i] == "Z" || chars[i] == "z" {
                    i += 1
                    offset = 0
                } else if chars[i] == "+" || chars[i] == "-" {
                    let sign = chars[i] == "-" ? -1 : 1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    _ = expect(":")
                    guard let om = number(2) else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.map { TimeZone(secondsFromGMT: $0)! } ?? timeZone
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day  // rejects 2026-02-30
        else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
