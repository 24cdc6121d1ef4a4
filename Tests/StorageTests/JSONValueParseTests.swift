import Foundation
import Storage
import Testing

/// `JSONValue.parse` against `JSONDecoder` with `init(from:)`: the same value for every input
/// both read, and an error, with where and why, for what is not JSON (RFC 8259).
@Suite("JSONValue.parse")
struct JSONValueParseTests {
    static let inputs = [
        #"{"kind":"weather","id":12,"time":"2026-11-23T06:00:00.000Z","temperature_c":20.5,"humidity_pct":50.0}"#,
        #"{"a":[1,2.5,"x",false,null,{"b":true}],"e":1e3,"neg":-3,"big":9007199254740993,"s":"\u00e9\n\"q\""}"#,
        #"{"Records":[{"SequenceNumber":"4959","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}],"FailedRecordCount":1}"#,
        #"[]"#, #"{}"#, #"0"#, #"-0.5"#, #""text""#, #"true"#, #"null"#, #"1.0"#, " \t\n[ 1 , 2 ]\r\n",
        #"{"max":9223372036854775807,"min":-9223372036854775808,"huge":18446744073709551615,"e":-1.5E-3}"#,
    ]

    /// Whole doubles as integers: `init(from:)` tries Int64 before Double, so it reads `50.0`
    /// and `1e3` as integers, where `parse` keeps them doubles. Otherwise the two agree.
    static func wholeAsInt(_ v: JSONValue) -> JSONValue {
        switch v {
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return .int(Int64(d))
        case .array(let a): return .array(a.map(wholeAsInt))
        case .object(let o): return .object(o.mapValues(wholeAsInt))
        default: return v
        }
    }

    @Test("the same value as JSONDecoder with init(from:), but for whole doubles", arguments: inputs)
    func sameAsDecoder(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(Self.wholeAsInt(try JSONValue.parse(Array(text.utf8))) == expected)
    }

    @Test("kinds: 50.0 a double, 50 an integer, true a boolean, 1 not a boolean")
    func kinds() throws {
        let v = try JSONValue.parse(Array(#"{"d":50.0,"i":50,"b":true,"one":1,"zero":0,"f":false}"#.utf8))
        #expect(
            v
                == .object([
                    "d": .double(50), "i": .int(50), "b": .bool(true), "one": .int(1), "zero": .int(0),
                    "f": .bool(false),
                ]))
    }

    @Test(
        "not JSON is an error",
        arguments: [
            "", "{", #"{"a":}"#, "[1,]", #"{"a":1,}"#, "nul", "\u{FF}", "1e400", "01", "1.", "-", #""\x""#,
            #""\ud800""#, "\"a\u{01}\"", "[1] 2", "{a:1}", "'a'", "+1", ".5", "NaN",
        ])
    func errors(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 inside a string is an error; escapes and surrogate pairs are read")
    func strings() throws {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(try JSONValue.parse(Array(#""a\u00e9\ud83d\ude00\/\t""#.utf8)) == .string("aé😀/\t"))
    }

    @Test("nesting deeper than maxDepth is an error, not a crash")
    func depth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try JSONValue.parse(Array(ok.utf8)) != .null)
    }
}
