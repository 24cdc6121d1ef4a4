import Detection
import Foundation
import Testing

@Suite("Trace reader")
struct TraceReaderTests {
    static func readAll(_ text: String, chunkSize: Int = 1 << 16) throws(TraceError) -> [MotionSample] {
        let reader = TraceReader(bytes: Array(text.utf8), chunkSize: chunkSize)
        var out: [MotionSample] = []
        while let s = try reader.next() { out.append(s) }
        return out
    }

    static let good = "t_s,x_g,y_g,z_g\n0,0.01,-0.02,1.0\n0.001,1e-3,2.5E+0,-0.98\n0.001,0,0,1\n"

    @Test func readsSamples() throws {
        let s = try Self.readAll(Self.good)
        #expect(
            s == [
                MotionSample(t: 0, x: 0.01, y: -0.02, z: 1.0),
                MotionSample(t: 0.001, x: 0.001, y: 2.5, z: -0.98),
                MotionSample(t: 0.001, x: 0, y: 0, z: 1),
            ])
    }

    @Test(arguments: [1, 2, 3, 5, 7, 16, 64])
    func chunkBoundariesAnywhereGiveTheSameSamples(_ chunk: Int) throws {
        let text =
            "\u{FEFF}t_s,x_g,y_g,z_g,saturated\r\n"
            + (0..<50).map { "\(Double($0) / 100), \($0 % 7).5 ,-1,2,\($0 % 2)\r\n" }.joined()
        let all = try Self.readAll(text, chunkSize: 1 << 16)
        #expect(all.count == 50)
        #expect(all[3] == MotionSample(t: 0.03, x: 3.5, y: -1, z: 2, saturated: true))
        #expect(try Self.readAll(text, chunkSize: chunk) == all)
    }

    @Test func toleratesNoFinalNewlineAndEmptyLines() throws {
        let s = try Self.readAll("t_s,x_g,y_g,z_g\n\n0,0,0,1\n\r\n0.5,0,0,1")
        #expect(s.map(\.t) == [0, 0.5])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var message: String
        var testDescription: String { "line \(line): \(message)" }
    }

    @Test(arguments: [
        Bad(text: "", line: 1, message: "the trace is empty"),
        Bad(text: "time,x,y,z\n0,0,0,1\n", line: 1, message: "expected the header t_s,x_g,y_g,z_g"),
        Bad(
            text: "t_s,x_g,y_g,z_g\n0,0,0,1\n0.1,0,0\n", line: 3, message: "expected 4 comma-separated values"
        ),
        Bad(text: "t_s,x_g,y_g,z_g\n0,0,0,1,1\n", line: 2, message: "expected 4 comma-separated values"),
        Bad(text: "t_s,x_g,y_g,z_g\n0,zero,0,1\n", line: 2, message: "x_g is not a number: \"zero\""),
        Bad(text: "t_s,x_g,y_g,z_g\n0,,0,1\n", line: 2, message: "x_g is not a number"),
        Bad(text: "t_s,x_g,y_g,z_g\n0,0,nan,1\n", line: 2, message: "y_g must be a finite number"),
        Bad(text: "t_s,x_g,y_g,z_g\n0,0,0,inf\n", line: 2, message: "z_g must be a finite number"),
        Bad(text: "t_s,x_g,y_g,z_g\n0,0,0,1e999\n", line: 2, message: "z_g must be a finite number"),
        Bad(text: "t_s,x_g,y_g,z_g\n\n1,0,0,1\n0.5,0,0,1\n", line: 4, message: "time goes backwards"),
        Bad(text: "t_s,x_g,y_g,z_g,saturated\n0,0,0,1,yes\n", line: 2, message: "saturated must be 0 or 1"),
        Bad(
            text: "t_s,x_g,y_g,z_g\n0,0,0,1\n" + String(repeating: "1", count: 5000) + "\n", line: 3,
            message: "longer than 4096 bytes"),
        Bad(
            text: "t_s,x_g,y_g,z_g\n0,0,0,1\n" + String(repeating: "1", count: 100_000), line: 3,
            message: "longer than 4096 bytes"),
    ])
    func malformedLinesGiveTheirNumber(_ c: Bad) {
        for chunk in [3, 1 << 16] {
            let error = #expect(throws: TraceError.self) { try Self.readAll(c.text, chunkSize: chunk) }
            #expect(error?.line == c.line)
            #expect(error?.message.contains(c.message) == true, "got: \(error?.message ?? "")")
        }
    }

    @Test func invalidUTF8IsAnErrorNotACrash() {
        var bytes = Array("t_s,x_g,y_g,z_g\n0,0,0,1\n".utf8)
        bytes += [0x30, 0x2C, 0xFF, 0xFE, 0x0A]
        let reader = TraceReader(bytes: bytes)
        let error = #expect(throws: TraceError.self) { while try reader.next() != nil {} }
        #expect(error?.line == 3)
    }

    @Test func readsAFileInChunks() throws {
        // A file of 200 000 samples read through 4 KiB chunks: the reader never holds it whole.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "trace-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var text = "t_s,x_g,y_g,z_g\n"
        for k in 0..<200_000 { text += "\(Double(k) / 3200),0,0,\(k == 150_000 ? 6 : 1)\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let reader = try TraceReader(path: url.path, chunkSize: 4096)
        var detector = ImpactDetector()
        var n = 0
        var events: [ImpactEvent] = []
        while let s = try reader.next() {
            n += 1
            events += detector.process(s)
        }
        events += detector.finish()
        #expect(n == 200_000)
        #expect(reader.line == 200_001)
        #expect(events.count == 1)
        #expect(events.first?.triggerT == 150_000.0 / 3200)
    }

    @Test func aMissingFileSaysWhy() {
        let error = #expect(throws: TraceError.self) { _ = try TraceReader(path: "/nonexistent/trace.csv") }
        #expect(error?.message.contains("No such file") == true)
    }
}
