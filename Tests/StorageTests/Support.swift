import Foundation
import GRDB
import Logging
import TestSupport

@testable import Storage

/// Real SQLite files in a fresh temporary directory per test.
enum Fixture {
    static func path(_ name: String = "station.db") throws -> String {
        try temporaryDirectory("storage-tests").appendingPathComponent(name).path
    }

    /// 2026-11-23T00:00:00Z (1 795 392 000 s since 1970: 56 × 365 + 14 leap days = 20 454 days
    /// to 2026-01-01, plus 326 days to 23 November).
    static let t0 = Date(timeIntervalSince1970: 1_795_392_000)

    static let logger = Logger(label: "storage-tests") { _ in SwiftLogNoOpLogHandler() }

    static func open(_ path: String) throws -> StationDatabase {
        try StationDatabase.openForWriting(path: path).0
    }

    static func recorder(
        _ db: StationDatabase, capacity: Int = 100_000, retention: RetentionPolicy = .init(),
        now: Date = t0
    ) -> Recorder {
        Recorder(
            database: db, commitInterval: .milliseconds(50), queueCapacity: capacity, retention: retention,
            logger: logger, now: { now })
    }

    static func weather(_ i: Int, every seconds: Double = 10, from start: Date = t0) -> WeatherRecord {
        WeatherRecord(
            time: start.addingTimeInterval(Double(i) * seconds), sensor: "BME280",
            temperatureC: 20 + Double(i) * 0.125, humidityPercent: i % 2 == 0 ? 40 + Double(i) : nil,
            pressurePa: 101_325 + Double(i))
    }

    static func motion(_ i: Int, from start: Date = t0, samples: Int = 100, rms: Double = 1.0) -> MotionRecord
    {
        MotionRecord(
            time: start.addingTimeInterval(Double(i)), sampleCount: samples, minG: 0.5, maxG: 1.5 + Double(i),
            meanG: 1.0, rmsG: rms, peakG: 1.5 + Double(i), meanX: 0.01, meanY: -0.02, meanZ: 0.99,
            saturatedCount: i % 3)
    }

    static func impact(
        at t: Date = t0, peak: Double = 7.5, waveform: [UInt8] = Array(0..<200).map { UInt8($0 % 256) }
    ) -> ImpactRecord {
        ImpactRecord(
            triggerTime: t, startTime: t.addingTimeInterval(-0.1), endTime: t.addingTimeInterval(0.4),
            peakTime: t.addingTimeInterval(0.012), peakG: peak, peakXG: 1.25, peakYG: -7.25, peakZG: 2.5,
            durationMs: 8.5, severity: peak > 9 ? "severe" : "impact", deltaVMps: 1.75, hic15: 12.5,
            saturated: false, thresholdG: 5, sensor: "ADXL375", waveform: waveform,
            waveformCount: 1600, waveformRateHz: 3200)
    }

    /// Synchronous access from async tests (where GRDB's async overloads would be chosen).
    static func read<T>(_ db: StationDatabase, _ body: (Database) throws -> T) throws -> T {
        try db.reader.read(body)
    }
    static func write<T>(_ db: StationDatabase, _ body: (Database) throws -> T) throws -> T {
        try db.pool!.write(body)
    }

    /// What storage gives back: times at its resolution, the microsecond.
    static func stored(_ i: ImpactRecord) -> ImpactRecord {
        func r(_ d: Date) -> Date { TimeCodec.date(micros: TimeCodec.micros(d)) }
        var s = i
        s.triggerTime = r(i.triggerTime)
        s.startTime = r(i.startTime)
        s.endTime = r(i.endTime)
        s.peakTime = r(i.peakTime)
        return s
    }

    static func count(_ db: StationDatabase, _ table: String) throws -> Int {
        try db.reader.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }
}
