import Foundation
import Storage
import Testing

@testable import Station

@Suite("Raw acceleration packed for Kinesis: 100 ms of samples per record")
struct RawAccelerationPackerTests {
    /// `n` samples at 2000 Hz (500 µs apart, exact in µs) from `start`, x = index·0.001 g.
    static func samples(_ range: Range<Int>, start: Date) -> [RawSampleRecord] {
        range.map { i in
            RawSampleRecord(
                time: start.addingTimeInterval(Double(i) * 0.0005), x: Double(i) * 0.001, y: -0.25,
                z: 1.0 + Double(i % 7) / 1024, saturated: i % 100 == 99)
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test("drains of 8 samples at 2000 Hz: a record every 200 samples, the rest on flush; values exact")
    func packs() throws {
        let start = Date(timeIntervalSince1970: 1_795_413_600)  // 2026-11-23T06:00:00Z
        let packer = RawAccelerationPacker()
        var records: [[UInt8]] = []
        for drain in stride(from: 0, to: 520, by: 8) {
            records += packer.add(Self.samples(drain..<min(drain + 8, 520), start: start))
        }
        #expect(records.count == 2)  // 0–199 and 200–399; 400–519 are held
        records += [try #require(packer.flush())]
        #expect(packer.flush() == nil)
        let decoded = try records.map(Self.decode)
        #expect(decoded.map { $0["count"] as? Int } == [200, 200, 120])
        #expect(
            decoded.map { $0["time_us"] as? Int } == [
                1_795_413_600_000_000, 1_795_413_600_100_000, 1_795_413_600_200_000,
            ])
        #expect(decoded[0]["time"] as? String == "2026-11-23T06:00:00.000Z")
        for (k, r) in decoded.enumerated() {
            let first = k * 200
            let n = r["count"] as? Int ?? 0
            #expect(r["kind"] as? String == "raw_acceleration")
            #expect(r["dt_us"] as? [Int] == (0..<n).map { $0 * 500 })
            // Foundation's JSON reader can be a few ulps off the shortest decimal it was given.
            func close(_ a: [Double]?, _ b: [Double]) -> Bool {
                a?.count == b.count && zip(a!, b).allSatisfy { abs($0 - $1) <= 1e-12 }
            }
            #expect(close(r["x_g"] as? [Double], (first..<first + n).map { Double($0) * 0.001 }))
            #expect(close(r["y_g"] as? [Double], Array(repeating: -0.25, count: n)))
            #expect(close(r["z_g"] as? [Double], (first..<first + n).map { 1.0 + Double($0 % 7) / 1024 }))
            #expect(
                r["saturated"] as? [Int] == (first..<first + n).filter { $0 % 100 == 99 }.map { $0 - first })
        }
    }

    @Test("a record never holds more than maxSamples, whatever the span")
    func capped() throws {
        let packer = RawAccelerationPacker(span: 10, maxSamples: 64)
        let records = packer.add(Self.samples(0..<200, start: Date(timeIntervalSince1970: 0)))
        #expect(try records.map { try Self.decode($0)["count"] as? Int } == [64, 64, 64])
        #expect(try Self.decode(try #require(packer.flush()))["count"] as? Int == 8)
    }
}
