import LinuxSystem

/// Reads an acceleration trace in CSV, one sample at a time, from a file descriptor in chunks (a
/// 2 GB file is never in memory) or from bytes already in memory.
///
/// Format: a header line `t_s,x_g,y_g,z_g` (time in seconds, axes in g), optionally with a fifth
/// column `saturated` (0 or 1); then one sample per line. A UTF-8 byte-order mark, CRLF line ends,
/// spaces around fields and empty lines are accepted. Rejected, each with its 1-based line number:
/// a wrong header, a wrong number of columns, a field that is not a finite number, a saturated
/// value other than 0/1, time going backwards (equal times are allowed), a line over 4096 bytes.
public final class TraceReader {
    public static let header = ["t_s", "x_g", "y_g", "z_g"]
    static let maxLineLength = 4096
    /// Longest numeric field parsed (a Float64 never needs more than ~30 characters).
    static let maxFieldLength = 64

    private enum Source {
        case file(FileInput)
        case memory([UInt8])
    }

    private var source: Source
    /// Unconsumed input is buffer[start..<end]; capacity chunkSize + maxLineLength + 2.
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    private var memoryOffset = 0
    private let chunkSize: Int
    /// The 1-based number of the last line read.
    public private(set) var line = 0
    /// The trace has the optional `saturated` column.
    public private(set) var hasSaturatedColumn = false
    private var headerRead = false
    private var lastT = -Double.infinity

    /// Reads from an open descriptor (e.g. 0 for stdin); the caller keeps ownership of it.
    public convenience init(fileDescriptor: Int32, chunkSize: Int = 1 << 16) {
        self.init(source: .file(FileInput(descriptor: fileDescriptor)), chunkSize: chunkSize)
    }

    /// Opens a file; it is closed when the reader goes away.
    public convenience init(path: String, chunkSize: Int = 1 << 16) throws(TraceError) {
        let file: FileInput
        do { file = try FileInput(path: path) } catch {
            throw TraceError(line: 0, "cannot open: \(error.reason)")
        }
        self.init(source: .file(file), chunkSize: chunkSize)
    }

    /// Reads from bytes in memory, `chunkSize` at a time (tests use small chunks to put line ends
    /// at every possible place).
    public convenience init(bytes: [UInt8], chunkSize: Int = 1 << 16) {
        self.init(source: .memory(bytes), chunkSize: chunkSize)
    }

    private init(source: Source, chunkSize: Int) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        capacity = self.chunkSize + TraceReader.maxLineLength + 2
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
    }

    /// The next sample; nil at the end of the trace.
    public func next() throws(TraceError) -> MotionSample? {
        while true {
            guard var r = try nextLine() else {
                if !headerRead {
                    throw TraceError(
                        line: max(line, 1),
                        "the trace is empty; expected the header \(TraceReader.header.joined(separator: ","))"
                    )
                }
                return nil
            }
            if line == 1, r.count >= 3, buffer[r.lowerBound] == 0xEF, buffer[r.lowerBound + 1] == 0xBB,
                buffer[r.lowerBound + 2] == 0xBF
            {
                r = (r.lowerBound + 3)..<r.upperBound
            }
            if r.count > 0, buffer[r.upperBound - 1] == UInt8(ascii: "\r") {
                r = r.lowerBound..<(r.upperBound - 1)
            }
            if (r.lowerBound..<r.upperBound).allSatisfy({ buffer[$0] == 0x20 || buffer[$0] == 0x09 }) {
                continue
            }
            if !headerRead {
                try readHeader(r)
                continue
            }
            return try sample(r)
        }
    }

    /// The fields of a line, split at commas, spaces and tabs trimmed.
    private func fields(_ r: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(5)
        var from = r.lowerBound
        var i = r.lowerBound
        while true {
            if i == r.upperBound || buffer[i] == UInt8(ascii: ",") {
                var a = from, b = i
                while a < b, buffer[a] == 0x20 || buffer[a] == 0x09 { a += 1 }
                while b > a, buffer[b - 1] == 0x20 || buffer[b - 1] == 0x09 { b -= 1 }
                out.append(a..<b)
                if i == r.upperBound { return out }
                from = i + 1
            }
            i += 1
        }
    }

    private func text(_ r: Range<Int>, limit: Int = 80) -> String {
        let n = min(r.count, limit)
        return String(decoding: UnsafeBufferPointer(start: buffer + r.lowerBound, count: n), as: UTF8.self)
    }

    private func readHeader(_ line: Range<Int>) throws(TraceError) {
        let names = fields(line).map { text($0) }
        if names == TraceReader.header {
            hasSaturatedColumn = false
        } else if names == TraceReader.header + ["saturated"] {
            hasSaturatedColumn = true
        } else {
            throw TraceError(
                line: self.line,
                "expected the header t_s,x_g,y_g,z_g (optionally ,saturated), got \"\(text(line))\"")
        }
        headerRead = true
    }

    private func sample(_ r: Range<Int>) throws(TraceError) -> MotionSample {
        let f = fields(r)
        let expected = hasSaturatedColumn ? 5 : 4
        guard f.count == expected else {
            let names = (TraceReader.header + (hasSaturatedColumn ? ["saturated"] : [])).joined(
                separator: ",")
            throw TraceError(
                line: line, "expected \(expected) comma-separated values (\(names)), got \(f.count)")
        }
        var values = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<4 {
            let v = try number(f[i], name: TraceReader.header[i])
            switch i {
            case 0: values.0 = v
            case 1: values.1 = v
            case 2: values.2 = v
            default: values.3 = v
            }
        }
        var saturated = false
        if hasSaturatedColumn {
            let s = f[4]
            if s.count == 1, buffer[s.lowerBound] == UInt8(ascii: "0") {
                saturated = false
            } else if s.count == 1, buffer[s.lowerBound] == UInt8(ascii: "1") {
                saturated = true
            } else {
                throw TraceError(line: line, "saturated must be 0 or 1, got \"\(text(s, limit: 40))\"")
            }
        }
        guard values.0 >= lastT else {
            throw TraceError(line: line, "time goes backwards: t_s \(values.0) after \(lastT)")
        }
        lastT = values.0
        return MotionSample(t: values.0, x: values.1, y: values.2, z: values.3, saturated: saturated)
    }

    /// A decimal number filling the whole field (Swift's `Double(_:)`: strtod in the C locale),
    /// finite.
    private func number(_ r: Range<Int>, name: String) throws(TraceError) -> Double {
        let n = r.count
        var parsed: Double?
        if n > 0 && n <= TraceReader.maxFieldLength {
            // Fields up to 15 bytes (every ordinary number) make a String without allocating.
            parsed = Double(
                String(decoding: UnsafeBufferPointer(start: buffer + r.lowerBound, count: n), as: UTF8.self))
        }
        guard let v = parsed else {
            throw TraceError(line: line, "\(name) is not a number: \"\(text(r, limit: 40))\"")
        }
        guard v.isFinite else {
            throw TraceError(line: line, "\(name) must be a finite number, got \"\(text(r, limit: 40))\"")
        }
        return v
    }

    /// The next line without its "\n" as a range of the buffer (valid until the next call), or
    /// nil at the end of the input.
    private func nextLine() throws(TraceError) -> Range<Int>? {
        var scanFrom = start
        while true {
            var i = scanFrom
            while i < end, buffer[i] != UInt8(ascii: "\n") { i += 1 }
            if i < end {
                let r = start..<i
                start = i + 1
                line += 1
                if r.count > TraceReader.maxLineLength {
                    throw TraceError(line: line, "the line is longer than \(TraceReader.maxLineLength) bytes")
                }
                return r
            }
            if end - start > TraceReader.maxLineLength {
                throw TraceError(line: line + 1, "the line is longer than \(TraceReader.maxLineLength) bytes")
            }
            if eof {
                guard start < end else { return nil }
                let r = start..<end
                start = end
                line += 1
                return r
            }
            // Move the unfinished line to the front, then read more after it.
            if start > 0 {
                let n = end - start
                (buffer).update(from: buffer + start, count: n)
                start = 0
                end = n
            }
            scanFrom = end
            let n = try fill(max: min(chunkSize, capacity - end))
            if n == 0 { eof = true } else { end += n }
        }
    }

    private func fill(max count: Int) throws(TraceError) -> Int {
        switch source {
        case .memory(let bytes):
            let n = min(count, bytes.count - memoryOffset)
            guard n > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { b in
                (buffer + end).update(from: b.baseAddress! + memoryOffset, count: n)
            }
            memoryOffset += n
            return n
        case .file(let file):
            do { return try file.read(into: buffer + end, count: count) } catch {
                throw TraceError(line: line + 1, "read failed: \(error.reason)")
            }
        }
    }
}
