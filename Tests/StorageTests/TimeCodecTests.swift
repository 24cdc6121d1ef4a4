import Foundation
import TestSupport
import Testing

@testable import Storage

/// TimeCodec's date arithmetic against Foundation's Gregorian calendar in UTC, an independent
/// implementation, over instants from 1900 to 2200 (leap years, century rules, before 1970).
@Suite("TimeCodec: calendar arithmetic")
struct TimeCodecTests {
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func expected(_ seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let p = utc.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds))
        )
        return (p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
    }

    @Test("random instants from 1900 to 2200 agree with Foundation's calendar")
    func randomInstants() {
        var random = SplitMix64(seed: 0x71_3e_c0_de)
        let low: Int64 = -2_208_988_800  // 1900-01-01
        let high: Int64 = 7_258_118_400  // 2200-01-01
        for _ in 0..<20_000 {
            let s = low + Int64(random.next() % UInt64(high - low))
            let c = TimeCodec.civil(s)
            #expect(
                (c.year, c.month, c.day, c.hour, c.minute, c.second) == Self.expected(s), "\(s)")
        }
    }

    @Test(
        "the days around month ends, leap days and century years",
        arguments: [
            ("1900-02-28T23:59:59", -2_203_891_201), ("1900-03-01T00:00:00", -2_203_891_200),
            ("1969-12-31T23:59:59", -1), ("1970-01-01T00:00:00", 0), ("2000-02-29T12:00:00", 951_825_600),
            ("2024-02-29T23:59:59", 1_709_251_199), ("2100-03-01T00:00:00", 4_107_542_400),
        ] as [(String, Int64)])
    func boundaries(_ text: String, _ seconds: Int64) {
        #expect(TimeCodec.iso(micros: seconds * 1_000_000) == text + ".000Z")
    }
}
