import Foundation
import GRDB

extension StationDatabase {
    static func insert(_ batch: Batch, _ db: Database) throws -> Int {
        var rows = 0
        if !batch.weather.isEmpty {
            let st = try db.cachedStatement(
                sql: """
                    INSERT INTO weather (time_us, sensor, temperature_c, humidity_percent, pressure_pa)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for w in batch.weather {
                st.setUncheckedArguments([
                    TimeCodec.micros(w.time), w.sensor, w.temperatureC, w.humidityPercent, w.pressurePa,
                ])
                try st.execute()
            }
            rows += batch.weather.count
        }
        if !batch.motion.isEmpty {
            let st = try db.cachedStatement(
                sql: """
                    INSERT INTO motion (time_us, sample_count, min_g, max_g, mean_g, rms_g, peak_g,
                                        mean_x_g, mean_y_g, mean_z_g, saturated_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for m in batch.motion {
                st.setUncheckedArguments([
                    TimeCodec.micros(m.time), m.sampleCount, m.minG, m.maxG, m.meanG, m.rmsG,
                    m.peakG, m.meanX, m.meanY, m.meanZ, m.saturatedCount,
                ])
                try st.execute()
            }
            rows += batch.motion.count
        }
        if !batch.events.isEmpty {
            let st = try db.cachedStatement(
                sql: "INSERT INTO events (time_us, kind, detail, payload) VALUES (?, ?, ?, ?)")
            for e in batch.events {
                st.setUncheckedArguments([
                    TimeCodec.micros(e.time), e.kind, e.detail, e.payload.map(Self.jsonObject),
                ])
                try st.execute()
            }
            rows += batch.events.count
        }
        if !batch.raw.isEmpty {
            let st = try db.cachedStatement(
                sql: """
                    INSERT INTO raw_acceleration (time_us, end_us, sample_count, data) VALUES (?, ?, ?, ?)
                    """)
            for samples in batch.raw {
                for chunk in RawSampleCodec.chunks(samples) {
                    guard let first = chunk.first, let last = chunk.last else { continue }
                    let base = TimeCodec.micros(first.time)
                    let blob = Data(RawSampleCodec.encode(Array(chunk), base: base))
                    st.setUncheckedArguments([base, TimeCodec.micros(last.time), chunk.count, blob])
                    try st.execute()
                    rows += 1
                }
            }
        }
        return rows
    }

    /// Inserts an impact and commits with `synchronous=FULL`: the WAL is fsynced before this
    /// returns, so a power cut right after cannot lose it. Returns its id.
    static func insertImpact(_ i: ImpactRecord, _ db: Database) throws -> Int64 {
        try durably(db) {
            try db.execute(
                sql: """
                    INSERT INTO impacts (time_us, start_us, end_us, peak_us, peak_g, peak_x_g, peak_y_g, peak_z_g,
                                         duration_ms, severity, delta_v_mps, hic15, saturated, threshold_g, sensor,
                                         waveform, waveform_count, waveform_rate_hz, fall_ms, vertical_g,
                                         horizontal_g)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    TimeCodec.micros(i.triggerTime), TimeCodec.micros(i.startTime),
                    TimeCodec.micros(i.endTime),
                    TimeCodec.micros(i.peakTime), i.peakG, i.peakXG, i.peakYG, i.peakZG, i.durationMs,
                    i.severity, i.deltaVMps, i.hic15, i.saturated, i.thresholdG, i.sensor,
                    Data(i.waveform), i.waveformCount, i.waveformRateHz, i.fallMs, i.verticalG,
                    i.horizontalG,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Runs `body` in one transaction committed with `synchronous=FULL`, then returns the
    /// connection to NORMAL. The setting is per connection and read at commit, so setting it
    /// outside the transaction is enough (it cannot be changed inside one).
    static func durably<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA synchronous = FULL")
        defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body()
            return .commit
        }
        return result!
    }

    /// Frees space for what matters when the disk is full: deletes raw acceleration (oldest
    /// first, up to `rawRows` rows), and if `alsoOldestSummaries`, the oldest hour of motion and
    /// weather summaries; then returns free pages to the file system. Returns rows deleted.
    static func freeSpace(_ db: Database, rawRows: Int, alsoOldestSummaries: Bool) throws -> Int {
        var deleted = 0
        try db.inTransaction {
            try db.execute(
                sql: """
                    DELETE FROM raw_acceleration WHERE id IN (SELECT id FROM raw_acceleration ORDER BY time_us LIMIT ?)
                    """, arguments: [rawRows])
            deleted += db.changesCount
            if alsoOldestSummaries {
                for table in ["motion", "weather"] {
                    if let oldest = try Int64.fetchOne(db, sql: "SELECT min(time_us) FROM \(table)") {
                        try db.execute(
                            sql: "DELETE FROM \(table) WHERE time_us < ?", arguments: [oldest + 3_600_000_000]
                        )
                        deleted += db.changesCount
                    }
                }
            }
            return .commit
        }
        try? db.execute(sql: "PRAGMA incremental_vacuum")
        return deleted
    }

    static func jsonObject(_ payload: [String: String]) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
