#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    private enum Source {
        case descriptor(Int32, closeWhenDone: Bool)
        case memory([UInt8])
    }

    private var source: Source
    private var buffer: [UInt8]
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
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 16) {
        source = .descriptor(fileDescriptor, closeWhenDone: false)
        self.chunkSize = max(1, chunkSize)
        buffer = [UInt8](repeating: 0, count: max(1, chunkSize) + TraceReader.maxLineLength + 2)
    }

    /// Opens a file; it is closed when the reader goes away.
    public init(path: String, chunkSize: Int = 1 << 16) throws(TraceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TraceError(line: 0, "cannot open: \(String(cString: strerror(errno)))")
        }
        source = .descriptor(fd, closeWhenDone: true)
        self.chunkSize = max(1, chunkSize)
        buffer = [UInt8](repeating: 0, count: max(1, chunkSize) + TraceReader.maxLineLength + 2)
    }

    /// Reads from bytes in memory, `chunkSize` at a time (tests use small chunks to put line ends
    /// at every possible place).
    public init(bytes: [UInt8], chunkSize: Int = 1 << 16) {
        source = .memory(bytes)
        self.chunkSize = max(1, chunkSize)
        buffer = [UInt8](repeating: 0, count: max(1, chunkSize) + TraceReader.maxLineLength + 2)
    }

    deinit {
        if case .descriptor(let fd, true) = source { close(fd) }
    }

    /// The next sample; nil at the end of the trace.
    public func next() throws(TraceError) -> MotionSample? {
        while true {
            guard let raw = try nextLine() else {
                if !headerRead {
                    throw TraceError(line: max(line, 1), "the trace is empty; expected the header \(TraceReader.header.joined(separator: ","))")
                }
                return nil
            }
            var bytes = raw[...]
            if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw TraceError(line: line, "the line is not valid UTF-8 text")
            }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces() }
            if !headerRead {
                try readHeader(fields)
                continue
            }
            return try sample(fields)
        }
    }

    private func readHeader(_ fields: [Substring]) throws(TraceError) {
        let names = fields.map { String($0) }
        if names == TraceReader.header {
            hasSaturatedColumn = false
        } else if names == TraceReader.header + ["saturated"] {
            hasSaturatedColumn = true
        } else {
            let shown = names.joined(separator: ",")
            throw TraceError(line: line, "expected the header t_s,x_g,y_g,z_g (optionally ,saturated), got \"\(shown.prefix(80))\"")
        }
        headerRead = true
    }

    private func sample(_ fields: [Substring]) throws(TraceError) -> MotionSample {
        let expected = hasSaturatedColumn ? 5 : 4
        guard fields.count == expected else {
            throw TraceError(line: line, "expected \(expected) comma-separated values (\((TraceReader.header + (hasSaturatedColumn ? ["saturated"] : [])).joined(separator: ","))), got \(fields.count)")
        }
        var values = [0.0, 0.0, 0.0, 0.0]
        for i in 0..<4 {
            let f = fields[i]
            guard let v = Double(f) else {
                throw TraceError(line: line, "\(TraceReader.header[i]) is not a number: \"\(f.prefix(40))\"")
            }
            guard v.isFinite else {
                throw TraceError(line: line, "\(TraceReader.header[i]) must be a finite number, got \"\(f.prefix(40))\"")
            }
            values[i] = v
        }
        var saturated = false
        if hasSaturatedColumn {
            switch fields[4] {
            case "0": saturated = false
            case "1": saturated = true
            default: throw TraceError(line: line, "saturated must be 0 or 1, got \"\(fields[4].prefix(40))\"")
            }
        }
        guard values[0] >= lastT else {
            throw TraceError(line: line, "time goes backwards: t_s \(values[0]) after \(lastT)")
        }
        lastT = values[0]
        return MotionSample(t: values[0], x: values[1], y: values[2], z: values[3], saturated: saturated)
    }

    /// The next line without its "\n", or nil at the end of the input.
    private func nextLine() throws(TraceError) -> [UInt8]? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom..<end].firstIndex(of: UInt8(ascii: "\n")) {
                let lineBytes = Array(buffer[start..<nl])
                start = nl + 1
                line += 1
                if lineBytes.count > TraceReader.maxLineLength { throw TraceError(line: line, "the line is longer than \(TraceReader.maxLineLength) bytes") }
                return lineBytes
            }
            if end - start > TraceReader.maxLineLength {
                throw TraceError(line: line + 1, "the line is longer than \(TraceReader.maxLineLength) bytes")
            }
            if eof {
                guard start < end else { return nil }
                let lineBytes = Array(buffer[start..<end])
                start = end
                line += 1
                return lineBytes
            }
            // Move the unfinished line to the front, then read more after it.
            if start > 0 {
                let n = end - start
                for i in 0..<n { buffer[i] = buffer[start + i] }
                start = 0
                end = n
            }
            scanFrom = end
            let n = try fill(max: min(chunkSize, buffer.count - end))
            if n == 0 { eof = true } else { end += n }
        }
    }

    private func fill(max count: Int) throws(TraceError) -> Int {
        switch source {
        case .memory(let bytes):
            let n = min(count, bytes.count - memoryOffset)
            for i in 0..<n { buffer[end + i] = bytes[memoryOffset + i] }
            memoryOffset += n
            return n
        case .descriptor(let fd, _):
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + end, count) }
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw TraceError(line: line + 1, "read failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}

extension Substring {
    /// Without spaces and tabs at either end.
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
