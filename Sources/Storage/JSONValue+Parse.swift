/// A strict JSON reader (RFC 8259) straight into `JSONValue`: the upload path reads every
/// DynamoDB record and every AWS answer with it.
///
/// Written here because neither of Foundation's readers does this well: `JSONDecoder` can only
/// reach an enum through `init(from:)`, which tries Bool, Int64, Double and String in turn and
/// builds and throws a `DecodingError` for every miss; `JSONSerialization` bridges every object
/// and array through NSDictionary and NSArray. For a weather record either costs several times
/// the parse itself (Benchmarks/README.md, "upload"). Untrusted input (AWS answers, the shadow):
/// fuzzed against `JSONSerialization` by `FuzzJSON`.
extension JSONValue {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// Byte offset of the problem.
        public var offset: Int
        public var reason: String
        public var description: String { "not JSON at byte \(offset): \(reason)" }
    }

    /// How deep arrays and objects may nest.
    public static let maxDepth = 512

    /// Reads one JSON value (of any kind) filling the whole of `bytes`, spaces around it allowed.
    /// A number keeps its kind: `50` an integer, `50.0` and `1e3` doubles (an integer beyond
    /// Int64 too); `true` a boolean. Duplicate keys: the last wins.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(ParseError) in
            var reader = Reader(bytes: buffer)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.at == buffer.count else { throw reader.error("text after the value") }
            return value
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        func error(_ reason: String) -> ParseError { ParseError(offset: at, reason: reason) }

        var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard let c = peek else { throw error("the text ends where a value should be") }
            switch c {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(ParseError) {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { throw error("unexpected end of text") }
            for i in 0..<n where bytes[at + i] != word.utf8Start[i] { throw error("unexpected character") }
            at += n
        }

        mutating func object(depth: Int) throws(ParseError) -> JSONValue {
            guard depth <= JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth)") }
            at += 1
            var out: [String: JSONValue] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") {
                at += 1
                return .object(out)
            }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
                let key = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                at += 1
                skipSpace()
                out[key] = try value(depth: depth)
                skipSpace()
                switch peek {
                case UInt8(ascii: ",")?: at += 1
                case UInt8(ascii: "}")?: at += 1; return .object(out)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> JSONValue {
            guard depth <= JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth)") }
            at += 1
            var out: [JSONValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") {
                at += 1
                return .array(out)
            }
            while true {
                skipSpace()
                out.append(try value(depth: depth))
                skipSpace()
                switch peek {
                case UInt8(ascii: ",")?: at += 1
                case UInt8(ascii: "]")?: at += 1; return .array(out)
                default: throw error("expected ',' or ']' in an array")
                }
            }
        }

        /// A string starting at the opening quote. Runs without escapes are copied as they are,
        /// after checking they are UTF-8.
        mutating func string() throws(ParseError) -> String {
            at += 1
            var out = ""
            var run = at
            while true {
                guard at < bytes.count else { throw error("a string is not closed") }
                let c = bytes[at]
                if c == UInt8(ascii: "\"") {
                    try flush(from: run, into: &out)
                    at += 1
                    return out
                }
                if c < 0x20 { throw error("a control character in a string") }
                if c != UInt8(ascii: "\\") {
                    at += 1
                    continue
                }
                try flush(from: run, into: &out)
                at += 1
                guard let e = peek else { throw error("a string is not closed") }
                at += 1
                switch e {
                case UInt8(ascii: "\""): out.append("\"")
                case UInt8(ascii: "\\"): out.append("\\")
                case UInt8(ascii: "/"): out.append("/")
                case UInt8(ascii: "b"): out.append("\u{08}")
                case UInt8(ascii: "f"): out.append("\u{0C}")
                case UInt8(ascii: "n"): out.append("\n")
                case UInt8(ascii: "r"): out.append("\r")
                case UInt8(ascii: "t"): out.append("\t")
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                            bytes[at + 1] == UInt8(ascii: "u")
                        else { throw error("a lone high surrogate") }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw error("a high surrogate without its low one")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("a lone low surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("not a Unicode scalar") }
                    out.unicodeScalars.append(u)
                default: throw error("an unknown escape")
                }
                run = at
            }
        }

        private func flush(from start: Int, into out: inout String) throws(ParseError) {
            guard at > start else { return }
            guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            else {
                throw ParseError(offset: start, reason: "a string is not UTF-8")
            }
            out += s
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard at + 4 <= bytes.count else { throw error("a \\u escape is cut short") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[at]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: throw error("a \\u escape needs four hex digits")
                }
                v = v << 4 | UInt32(d)
                at += 1
            }
            return v
        }

        mutating func number() throws(ParseError) -> JSONValue {
            let start = at
            var negative = false
            if peek == UInt8(ascii: "-") {
                negative = true
                at += 1
            }
            func digits(_ r: inout Reader) -> Int {
                let s = r.at
                while let c = r.peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { r.at += 1 }
                return r.at - s
            }
            let intStart = at
            let intDigits = digits(&self)
            guard intDigits > 0 else { throw error("a number needs a digit") }
            if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") {
                throw ParseError(offset: intStart, reason: "a number with a leading zero")
            }
            var whole = true
            if peek == UInt8(ascii: ".") {
                whole = false
                at += 1
                guard digits(&self) > 0 else { throw error("a digit must follow '.'") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                whole = false
                at += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
                guard digits(&self) > 0 else { throw error("a digit must follow the exponent") }
            }
            if whole && intDigits <= 18 {
                var v: Int64 = 0
                for i in intStart..<at { v = v * 10 + Int64(bytes[i] - UInt8(ascii: "0")) }
                return .int(negative ? -v : v)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            if whole, let v = Int64(text) { return .int(v) }
            guard let d = Double(text), d.isFinite else {
                throw ParseError(offset: start, reason: "a number beyond a double's range")
            }
            return .double(d)
        }
    }
}
