import Foundation

/// Time in the database: Unix epoch **microseconds** as INTEGER (UTC, wall clock). Integers sort,
/// index and compare exactly, unlike REAL seconds or ISO text; microseconds keep an impact's peak
/// time at the resolution of a 3200 Hz sampler (312.5 µs) with room to spare (±292 000 years).
public enum TimeCodec {
    /// Microseconds since 1970-01-01T00:00:00Z, rounded to the nearest microsecond.
    public static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func date(micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    public static func micros(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
    }

    /// UTC ISO-8601 with milliseconds and a Z: `2026-11-23T07:14:05.123Z` (the CSV/JSON form).
    /// Built by arithmetic rather than a formatter: exports write millions of these.
    public static func iso(micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let millis = Int((micros - seconds * 1_000_000) / 1000)
        let c = civil(seconds)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day, c.hour, c.minute, c.second,
            millis)
    }

    public static func iso(_ date: Date) -> String { iso(micros: micros(date)) }

    /// Local time for tables: `2026-11-23 08:14:05` in `timeZone` (the SSH session's TZ).
    public static func local(micros: Int64, timeZone: TimeZone = .current) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let offset = Int64(timeZone.secondsFromGMT(for: date(micros: micros)))
        let c = civil(seconds + offset)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// The proleptic Gregorian date and time of day of `seconds` since 1970-01-01T00:00:00:
    /// Howard Hinnant's `civil_from_days` (howardhinnant.github.io/date_algorithms.html), pure
    /// integer arithmetic, where gmtime_r(3) would be a call into the C library per timestamp.
    static func civil(_ seconds: Int64) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    ) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secs = Int(seconds - days * 86_400)
        let z = days + 719_468  // days from 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097  // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // [0, 365], from 1 March
        let mp = (5 * doy + 2) / 153  // [0, 11], March = 0
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

/// The one conversion of a `Duration` to numbers, for every module above Storage.
extension Duration {
    /// Whole milliseconds, rounded towards minus infinity.
    public var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
