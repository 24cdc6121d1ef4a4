import Foundation
import GRDBSQLite
import Logging
import Storage

/// `sensorstation-bench storage [--rows N] [--days D]`
///
/// 1. Rows per second through the batched `Recorder` (record + commit, 10 000-row batches) against
///    a plain C-API loop (prepared statement, bind, step, reset; same schema, same pragmas, same
///    batch size). Goal: the recorder reaches at least 70 % of the C loop.
/// 2. Latency of `query motion|weather --since 7d --every 1h` over a week at default rates
///    (motion 1/s, weather every 10 s). Goal: at most 150 ms.
/// 3. Database bytes per day at default settings (no raw acceleration).
enum StorageBenchmark {
    static func run(_ args: [String]) throws {
        var rows = 300_000
        var days = 7
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--rows": rows = Int(args[i + 1]) ?? rows; i += 1
            case "--days": days = Int(args[i + 1]) ?? days; i += 1
            default: throw BenchError("unknown option \(args[i]); use --rows N, --days D")
            }
            i += 1
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "storage-bench-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let t0 = Date(timeIntervalSince1970: 1_795_392_000)
        let motion = (0..<rows).map { motionRecord($0, t0) }
        let batch = 10_000

        // Warm-up (page cache, code paths), then three alternating rounds; best of each.
        var recorderBest = 0.0
        var cBest = 0.0
        for round in 0..<4 {
            let r = try recorderRate(motion, path: "\(dir)/recorder-\(round).db", batch: batch)
            let c = try cLoopRate(motion, path: "\(dir)/c-\(round).db", batch: batch)
            if round > 0 {
                recorderBest = max(recorderBest, r)
                cBest = max(cBest, c)
            }
        }
        print("storage.write.rows: \(rows) motion rows, \(batch)-row transactions, WAL, synchronous=NORMAL")
        print(String(format: "storage.write.recorder_rows_per_s: %.0f", recorderBest))
        print(String(format: "storage.write.c_api_rows_per_s: %.0f", cBest))
        print(String(format: "storage.write.ratio: %.2f (goal >= 0.70)", recorderBest / cBest))

        // A week at default rates.
        let path = "\(dir)/week.db"
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let recorder = Recorder(
            database: db, retention: RetentionPolicy(maxAge: .seconds(365 * 86_400)),
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, now: { t0 })
        let seconds = days * 86_400
        var s = 0
        while s < seconds {
            for k in s..<min(seconds, s + 50_000) {
                recorder.record(.motion(motionRecord(k, t0)))
                if k % 10 == 0 {
                    recorder.record(
                        .weather(
                            WeatherRecord(
                                time: t0.addingTimeInterval(Double(k)), sensor: "BME280",
                                temperatureC: 20 + Double(k % 700) / 100,
                                humidityPercent: 40 + Double(k % 300) / 10,
                                pressurePa: 101_325 + Double(k % 500))))
                }
            }
            blocking { await recorder.flush() }
            s += 50_000
        }
        // Default-rate events: a handful a day (button, state); negligible next to the summaries.
        for d in 0..<days {
            for k in 0..<20 {
                recorder.record(
                    .event(
                        EventRecord(
                            time: t0.addingTimeInterval(Double(d * 86_400 + k * 4_000)), kind: "state",
                            detail: "state changed to recording",
                            payload: ["from": "idle", "to": "recording"])))
            }
        }
        blocking { await recorder.flush() }
        let end = t0.addingTimeInterval(Double(seconds))
        for kind in [QueryRequest.Kind.motion, .weather] {
            var times: [Double] = []
            var buckets = 0
            for _ in 0..<7 {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try db.query(
                    QueryRequest(
                        kind: kind, since: end.addingTimeInterval(-7 * 86_400), until: end,
                        every: .seconds(3600)))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                buckets = result.rows.count
            }
            times.sort()
            print(
                String(
                    format:
                        "storage.query.%@_7d_every_1h_ms: median %.1f, max %.1f (%d buckets; goal <= 150)",
                    kind.rawValue, times[times.count / 2], times.last!, buckets))
        }
        let status = try db.status()
        let used = Double(status.usedBytes)
        print(
            String(
                format:
                    "storage.bytes_per_day: %.0f (%.1f MiB/day; %d days: %.1f MiB used; 30 days ≈ %.0f MiB)",
                used / Double(days), used / Double(days) / 1_048_576, days, used / 1_048_576,
                used / Double(days) * 30 / 1_048_576))
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func motionRecord(_ k: Int, _ t0: Date) -> MotionRecord {
        let m = 1 + Double(k % 97) / 1000
        return MotionRecord(
            time: t0.addingTimeInterval(Double(k)), sampleCount: 100, minG: m - 0.05, maxG: m + 0.07,
            meanG: m, rmsG: m + 0.001, peakG: m + 0.07, meanX: 0.011, meanY: -0.021, meanZ: m - 0.01,
            saturatedCount: 0)
    }

    /// Runs async work from this synchronous benchmark and waits for it.
    static func blocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }

    static func recorderRate(_ records: [MotionRecord], path: String, batch: Int) throws -> Double {
        let (db, _) = try StationDatabase.openForWriting(path: path)
        let recorder = Recorder(
            database: db, queueCapacity: batch * 2,
            retention: RetentionPolicy(maxAge: .seconds(3650 * 86_400)),
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let start = DispatchTime.now().uptimeNanoseconds
        var i = 0
        while i < records.count {
            for r in records[i..<min(records.count, i + batch)] { recorder.record(.motion(r)) }
            blocking { await recorder.flush() }
            i += batch
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard recorder.stats.written == records.count else {
            throw BenchError(
                "recorder wrote \(recorder.stats.written) of \(records.count) rows (dropped \(recorder.stats.dropped))"
            )
        }
        return Double(records.count) / seconds
    }

    /// The baseline: what hand-written C-API code achieves on the same file layout.
    static func cLoopRate(_ records: [MotionRecord], path: String, batch: Int) throws -> Double {
        // Same schema and pragmas: create it through StationDatabase, then let go of it.
        do { _ = try StationDatabase.openForWriting(path: path) }
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw BenchError("open \(path)")
        }
        defer { sqlite3_close_v2(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = NORMAL")
        var st: OpaquePointer?
        let sql = """
            INSERT INTO motion (time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g, mean_x_g, mean_y_g, mean_z_g, saturated_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        guard sqlite3_prepare_v2(db, sql, -1, &st, nil) == SQLITE_OK else { throw BenchError("prepare") }
        defer { sqlite3_finalize(st) }
        let start = DispatchTime.now().uptimeNanoseconds
        var i = 0
        while i < records.count {
            try exec("BEGIN")
            for m in records[i..<min(records.count, i + batch)] {
                sqlite3_bind_int64(st, 1, TimeCodec.micros(m.time))
                sqlite3_bind_int64(st, 2, Int64(m.sampleCount))
                sqlite3_bind_double(st, 3, m.minG)
                sqlite3_bind_double(st, 4, m.maxG)
                sqlite3_bind_double(st, 5, m.meanG)
                sqlite3_bind_double(st, 6, m.rmsG)
                sqlite3_bind_double(st, 7, m.peakG)
                sqlite3_bind_double(st, 8, m.meanX)
                sqlite3_bind_double(st, 9, m.meanY)
                sqlite3_bind_double(st, 10, m.meanZ)
                sqlite3_bind_int64(st, 11, Int64(m.saturatedCount))
                guard sqlite3_step(st) == SQLITE_DONE else {
                    throw BenchError("step: \(String(cString: sqlite3_errmsg(db)))")
                }
                sqlite3_reset(st)
            }
            try exec("COMMIT")
            i += batch
        }
        return Double(records.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
