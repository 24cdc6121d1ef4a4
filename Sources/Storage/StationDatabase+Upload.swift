import Foundation
import GRDB

/// The uploader's side: cursors per (destination, kind), rows after them, and the backlog.
extension StationDatabase {
    /// Rows of `kind` with id > the destination's cursor, oldest (smallest id) first.
    public func pending(_ kind: UploadKind, destination: String, limit: Int) throws(StorageError)
        -> [UploadItem]
    {
        guard limit > 0 else { return [] }
        do {
            return try reader.read { db in
                let after = try Self.cursor(db, destination: destination, kind: kind)
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM \(kind.table) WHERE id > ? ORDER BY id LIMIT ?",
                    arguments: [after, limit])
                return rows.map { Self.item($0, kind: kind) }
            }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "reading pending \(kind.rawValue) rows for \(destination)")
        }
    }

    /// Moves the destination's cursor to `id` (only forward: a smaller id is ignored), committed
    /// with synchronous=FULL so a confirmed upload is not resent after a power cut more than
    /// necessary. Call it only after the destination confirmed everything up to `id`.
    public func advanceCursor(destination: String, kind: UploadKind, to id: Int64, now: Date = Date())
        throws(StorageError)
    {
        let pool = try writer()
        do {
            try pool.writeWithoutTransaction { db in
                try Self.durably(db) {
                    try db.execute(
                        sql: """
                            INSERT INTO upload_cursors (destination, kind, last_id, updated_us) VALUES (?, ?, ?, ?)
                            ON CONFLICT (destination, kind) DO UPDATE
                                SET last_id = max(last_id, excluded.last_id), updated_us = excluded.updated_us
                            """, arguments: [destination, kind.rawValue, id, TimeCodec.micros(now)])
                }
            }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "moving the \(kind.rawValue) cursor of \(destination)")
        }
    }

    /// The cursor: the last id the destination confirmed (0 when it never confirmed any).
    public func cursor(destination: String, kind: UploadKind) throws(StorageError) -> Int64 {
        do {
            return try reader.read { db in try Self.cursor(db, destination: destination, kind: kind) }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "reading the \(kind.rawValue) cursor of \(destination)")
        }
    }

    /// Rows not yet confirmed by the destination, per kind (every kind present, 0 included).
    public func backlog(destination: String) throws(StorageError) -> [UploadKind: Int] {
        do {
            return try reader.read { db in
                var result: [UploadKind: Int] = [:]
                for kind in UploadKind.allCases {
                    let after = try Self.cursor(db, destination: destination, kind: kind)
                    result[kind] =
                        try Int.fetchOne(
                            db, sql: "SELECT count(*) FROM \(kind.table) WHERE id > ?", arguments: [after])
                        ?? 0
                }
                return result
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "counting the backlog of \(destination)")
        }
    }

    /// The time of the oldest row of `kinds` the destination has not confirmed; nil when it has
    /// them all.
    public func oldestPending(destination: String, kinds: [UploadKind]) throws(StorageError) -> Date? {
        do {
            return try reader.read { db in
                var oldest: Int64?
                for kind in kinds {
                    let after = try Self.cursor(db, destination: destination, kind: kind)
                    if let t = try Int64.fetchOne(
                        db, sql: "SELECT time_us FROM \(kind.table) WHERE id > ? ORDER BY id LIMIT 1",
                        arguments: [after])
                    {
                        oldest = min(oldest ?? t, t)
                    }
                }
                return oldest.map { TimeCodec.date(micros: $0) }
            }
        } catch {
            throw StorageError.from(
                error, path: path, doing: "finding the oldest row not sent to \(destination)")
        }
    }

    /// Destinations that have a cursor in the file (whatever the configuration says today).
    public func knownDestinations() throws(StorageError) -> [String] {
        do {
            return try reader.read { db in
                // `<name>#batch` rows record the S3 batch in flight (Cloud.Uploader), not a destination.
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT DISTINCT destination FROM upload_cursors WHERE instr(destination, '#') = 0 ORDER BY destination"
                )
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "listing upload destinations")
        }
    }

    static func cursor(_ db: Database, destination: String, kind: UploadKind) throws -> Int64 {
        try Int64.fetchOne(
            db, sql: "SELECT last_id FROM upload_cursors WHERE destination = ? AND kind = ?",
            arguments: [destination, kind.rawValue]) ?? 0
    }

    /// A row as an item: every column, `*_us` times followed by their ISO form, blobs as base64.
    static func item(_ row: Row, kind: UploadKind) -> UploadItem {
        var json: [String: JSONValue] = [:]
        var keys: [String] = []
        var id: Int64 = 0
        var time: Int64 = 0
        for (column, value) in row {
            // The events table's own `kind` column (button, fault, …) would clash with the record's
            // "kind" (the upload kind, "event") in every JSON line and CSV header.
            let name = column == "kind" ? "event_kind" : column
            let v: JSONValue
            switch value.storage {
            case .null: v = .null
            case .int64(let i): v = (name == "saturated") ? .bool(i != 0) : .int(i)
            case .double(let d): v = .double(d)
            case .string(let s):
                // An event's payload is stored as JSON text; it leaves as the object it is.
                if kind == .event, name == "payload",
                    let object = try? JSONValue.parse(s.utf8),
                    case .object = object
                {
                    v = object
                } else {
                    v = .string(s)
                }
            case .blob(let data): v = .string(data.base64EncodedString())
            }
            json[name] = v
            keys.append(name)
            if name == "id", case .int(let i) = v { id = i }
            if name.hasSuffix("_us"), name != "updated_us", case .int(let us) = v {
                if name == "time_us" { time = us }
                let iso = name == "time_us" ? "time" : String(name.dropLast(3)) + "_time"
                json[iso] = .string(TimeCodec.iso(micros: us))
                keys.append(iso)
            }
        }
        return UploadItem(id: id, kind: kind, time: TimeCodec.date(micros: time), json: json, keys: keys)
    }
}
