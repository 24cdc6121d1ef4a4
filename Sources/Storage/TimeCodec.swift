import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// Built from `gmtime_r` rather than a formatter: exports write millions of these.
    public static func iso(micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let millis = Int((micros - seconds * 1_000_000) / 1000)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    public static func iso(_ date: Date) -> String { iso(micros: micros(date)) }

    /// Local time for tables: `2026-11-23 08:14:05` in `timeZone` (the SSH session's TZ).
    public static func local(micros: Int64, timeZone: TimeZone = .current) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let offset = Int64(timeZone.secondsFromGMT(for: date(micros: micros)))
        var t = time_t(seconds + offset)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
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
