import Foundation
import GRDB

/// The station's SQLite log: one file in WAL mode.
///
/// The service opens it with `openForWriting` (a `DatabasePool`: one writer connection, WAL
/// readers that never block it, so the uploader can read while the recorder writes). The CLI opens
/// it with `openReadOnly` (one read-only connection; in WAL mode a reader never blocks the writer
/// and the writer never blocks a reader).
public final class StationDatabase: Sendable {
    /// What opening for writing found and did.
    public struct OpenReport: Sendable, Equatable {
        /// Path of the corrupt file that was moved aside and kept, if any.
        public var movedAside: String?
        /// A new database file was created (none existed, or the old one was moved aside).
        public var created: Bool
        /// Migrations applied by this open, in order.
        public var migrationsApplied: [String]
    }

    public let path: String
    /// The service's pool; `nil` when opened read-only.
    let pool: DatabasePool?
    /// Where reads go: the pool's readers, or the CLI's read-only connection.
    let reader: any DatabaseReader

    private init(path: String, pool: DatabasePool?, reader: any DatabaseReader) {
        self.path = path
        self.pool = pool
        self.reader = reader
    }

    /// Opens (creating if needed) the database for the service.
    ///
    /// Creates missing parent directories (mode 0750: the service user and its group, e.g. people
    /// allowed to query over SSH), sets WAL and `synchronous=NORMAL` (a power cut loses at most
    /// the last commits, never the database), runs `PRAGMA quick_check`, and applies migrations. A
    /// corrupt or non-SQLite file is renamed to `<path>.corrupt-<UTC timestamp>` together with its
    /// `-wal` and `-shm`, kept, and a fresh database is created: `OpenReport.movedAside` says so,
    /// and the service should show it as a fault.
    public static func openForWriting(path: String, now: Date = Date()) throws(StorageError) -> (
        StationDatabase, OpenReport
    ) {
        let fm = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !fm.fileExists(atPath: directory) {
            do {
                try fm.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o750])
            } catch {
                throw StorageError(
                    .io, path: path,
                    "cannot create the directory \(directory): \(error.localizedDescription); create it for the service user or set storage.path"
                )
            }
        }
        let existed = ((try? fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0) > 0

        var movedAside: String?
        var opened: DatabasePool?
        // Not SQLite at all: move it aside before SQLite touches it (it would discard a -wal it
        // cannot use), so the kept copy is exactly what was found.
        if existed && !hasSQLiteHeader(path) {
            movedAside = try moveAside(path, now: now)
        }
        do {
            opened = try openPool(path)
            try check(opened!, path: path)
        } catch let error where isCorruption(error) {
            // Let go of every connection before renaming, so nothing writes into the kept file.
            try? opened?.close()
            opened = nil
            movedAside = try moveAside(path, now: now)
            do {
                opened = try openPool(path)
            } catch {
                throw StorageError.from(
                    error, path: path, doing: "creating a new database after moving the damaged one aside")
            }
        } catch {
            try? opened?.close()
            throw StorageError.from(error, path: path, doing: "opening the database")
        }
        guard let pool = opened else {
            throw StorageError(.io, path: path, "opening the database produced no connection")
        }

        do {
            let applied = try pool.writeWithoutTransaction { db -> [String] in
                let before = try Schema.migrator.appliedIdentifiers(db)
                return Schema.identifiers.filter { !before.contains($0) }
            }
            try Schema.migrator.migrate(pool)
            // The check read every page of the file through a reader: close the readers and empty
            // the writer's cache rather than keep those pages for the life of the service.
            pool.releaseMemory()
            let report = OpenReport(
                movedAside: movedAside, created: !existed || movedAside != nil, migrationsApplied: applied)
            return (StationDatabase(path: path, pool: pool, reader: pool), report)
        } catch {
            throw StorageError.from(error, path: path, doing: "migrating the schema")
        }
    }

    /// Opens an existing database read-only, for the CLI over SSH while the service writes.
    public static func openReadOnly(path: String) throws(StorageError) -> StationDatabase {
        // access(2), not a file-exists test: that is false for a file in a directory this user may
        // not enter (/var/lib/sensorstation is 0750), which then read as "no database".
        if let error = unreadable(path: path, errno: access(path, R_OK) == 0 ? 0 : errno) { throw error }
        var config = Configuration()
        config.readonly = true
        config.label = "sensorstation.readonly"
        // A reader waits for nothing in WAL mode except WAL recovery after a crash (milliseconds).
        config.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw StorageError.from(error, path: path, doing: "opening the database read-only")
        }
        do {
            try queue.read { db in
                guard try db.tableExists("grdb_migrations") else {
                    throw StorageError(
                        .notFound, path: path,
                        "\(path) holds no station data yet: the service has not created its tables (is it starting?)"
                    )
                }
                try checkNotNewer(db, path: path)
            }
        } catch {
            throw StorageError.from(error, path: path, doing: "reading the schema version")
        }
        return StationDatabase(path: path, pool: nil, reader: queue)
    }

    /// Why the database at `path` cannot be read, from the errno of checking it (0: it can be);
    /// nil when it can. A missing file (or path) is `notFound`; EACCES and EPERM (a directory on
    /// the way this user may not enter, or a file it may not read) are `permissionDenied`, never
    /// "no database".
    static func unreadable(path: String, errno code: Int32) -> StorageError? {
        switch code {
        case 0:
            return nil
        case ENOENT, ENOTDIR:
            return StorageError(
                .notFound, path: path,
                "no database at \(path): is the service running, and is storage.path right? (or pass --database PATH)"
            )
        case EACCES, EPERM:
            return StorageError(
                .permissionDenied, path: path,
                "permission denied: this user may not read the database or enter its directory")
        default:
            return StorageError(
                .io, path: path,
                "cannot read the database: \(String(cString: strerror(code))) (errno \(code))")
        }
    }

    /// The writer, or `.readOnly` for the CLI.
    func writer() throws(StorageError) -> DatabasePool {
        guard let pool else {
            throw StorageError(
                .readOnly, path: path, "the database is open read-only; only the service writes to it")
        }
        return pool
    }

    // MARK: - opening

    /// The page cache of each of the service's connections, in KiB (`PRAGMA cache_size`).
    static let serviceCacheKiB = 512

    static func openPool(_ path: String) throws -> DatabasePool {
        var config = Configuration()
        config.label = "sensorstation"
        config.busyMode = .timeout(5)
        config.maximumReaderCount = 3
        config.prepareDatabase { db in
            // NORMAL in WAL: the WAL is fsynced at checkpoints, not at every commit. A power cut can
            // lose the last commits but never corrupts the file. Impacts and cursor moves switch
            // to FULL for their own transaction.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // SQLite's default page cache is 2000 KiB per connection, filled by whatever a
            // connection reads and kept until it closes: on a station with a month of data the
            // service's anonymous memory was 1.7 MB larger than on a new file (Benchmarks/README.md,
            // service). The service appends and reads recent rows, so a small cache costs it
            // nothing; the kernel's page cache still holds the file.
            try db.execute(sql: "PRAGMA cache_size = -\(serviceCacheKiB)")
            if !db.configuration.readonly {
                // Incremental auto-vacuum lets retention hand freed pages back to the file system
                // (a full SD card gets space back, not just free pages inside the file). It only
                // takes effect in a file without tables, i.e. before WAL setup and the first
                // migration of a new file; on an existing file this is a no-op.
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                // Truncate the WAL back to 4 MiB after checkpoints instead of keeping its peak size.
                try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
            }
        }
        return try DatabasePool(path: path, configuration: config)
    }

    /// `quick_check` (O(N), skips the index-vs-table cross-check of `integrity_check`) and the
    /// schema version.
    static func check(_ pool: DatabasePool, path: String) throws {
        try pool.read { db in
            let rows = try String.fetchAll(db, sql: "PRAGMA quick_check")
            if rows != ["ok"] {
                throw DatabaseError(
                    resultCode: .SQLITE_CORRUPT,
                    message: "quick_check: " + rows.prefix(5).joined(separator: "; "))
            }
            try checkNotNewer(db, path: path)
        }
    }

    static func checkNotNewer(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let unknown = applied.filter { !Schema.identifiers.contains($0) }
        if let first = unknown.first {
            throw StorageError(
                .newerSchema, path: path,
                "written by a newer sensorstation (migration \(first) unknown); upgrade this sensorstation, or point storage.path elsewhere"
            )
        }
    }

    /// The 16-byte magic of every SQLite 3 database file ("SQLite format 3\0", fileformat.html §1.3.1).
    static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }  // let SQLite report why
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 16)) ?? Data()
        return magic == Data("SQLite format 3".utf8 + [0])
    }

    static func isCorruption(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode.primaryResultCode == .SQLITE_CORRUPT
            || e.resultCode.primaryResultCode == .SQLITE_NOTADB
    }

    /// Renames `path` (and `-wal`, `-shm`) to `<path>.corrupt-<UTC yyyyMMdd'T'HHmmss'Z'>[-n]`.
    static func moveAside(_ path: String, now: Date) throws(StorageError) -> String {
        let stamp = TimeCodec.iso(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(
            of: ":", with: "")
        let compact = String(stamp.prefix(15)) + "Z"  // 20261123T071405Z
        let fm = FileManager.default
        var target = "\(path).corrupt-\(compact)"
        var n = 1
        while fm.fileExists(atPath: target) {
            target = "\(path).corrupt-\(compact)-\(n)"
            n += 1
        }
        do {
            try fm.moveItem(atPath: path, toPath: target)
            for suffix in ["-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
                try fm.moveItem(atPath: path + suffix, toPath: target + suffix)
            }
        } catch {
            throw StorageError(
                .io, path: path,
                "the database is damaged and could not be moved aside to \(target): \(error.localizedDescription); move it by hand and restart"
            )
        }
        return target
    }
}
