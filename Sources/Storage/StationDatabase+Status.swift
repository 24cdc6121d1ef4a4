import Foundation
import GRDB

extension StationDatabase {
    /// Size, row counts, oldest and newest per table. Counts scan the smallest index of each
    /// table: a month of per-second motion (2.6 M rows) takes a few hundred ms on a Pi.
    public func status() throws(StorageError) -> StorageStatus {
        let fm = FileManager.default
        func size(_ p: String) -> Int64 {
            (try? fm.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value ?? 0
        }
        do {
            return try reader.read { db in
                var tables: [StorageStatus.Table] = []
                for name in ["weather", "motion", "events", "impacts", "raw_acceleration"] {
                    let row = try Row.fetchOne(
                        db, sql: "SELECT count(*), min(time_us), max(time_us) FROM \(name)")
                    let oldest: Int64? = row?[1]
                    let newest: Int64? = row?[2]
                    tables.append(
                        .init(
                            name: name, rows: row?[0] ?? 0, oldest: oldest.map { TimeCodec.date(micros: $0) },
                            newest: newest.map { TimeCodec.date(micros: $0) }))
                }
                return StorageStatus(
                    path: path, fileBytes: size(path), walBytes: size(path + "-wal"),
                    usedBytes: try Self.usedBytes(db), tables: tables,
                    migrations: try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "reading the status")
        }
    }
}

extension StationDatabase {
    /// `PRAGMA integrity_check` (the full check, unlike the quick one at start): `["ok"]` when
    /// the file is sound, else SQLite's findings (at most 100).
    public func integrityCheck() throws(StorageError) -> [String] {
        do {
            return try reader.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        } catch {
            throw StorageError.from(error, path: path, doing: "checking integrity")
        }
    }
}
