import Foundation
import GRDB

/// A storage failure as a value: which file, what went wrong, and a sentence a person can act on.
public struct StorageError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// No database file at the path (the CLI before the service ever ran, or a wrong path).
        case notFound
        /// This user may not read the file or enter a directory on its path (the CLI run by
        /// someone outside the service's group).
        case permissionDenied
        /// The file was written by a newer sensorstation: a migration this build does not know.
        case newerSchema
        /// SQLite reports the file is damaged or is not a database.
        case corrupt
        /// SQLITE_FULL: the disk (or `max_page_count`) is exhausted.
        case diskFull
        /// The database was opened read-only (the CLI) and a write was attempted.
        case readOnly
        /// A directory or file could not be created, renamed or read.
        case io
        /// An argument was out of range (a negative limit, an unknown column).
        case invalidArgument
        /// Any other SQLite error; `sqliteCode` has the result code.
        case sqlite
    }

    public var kind: Kind
    /// The database file concerned.
    public var path: String
    /// What happened, and what to do about it.
    public var message: String
    /// The SQLite primary result code, when SQLite reported the error.
    public var sqliteCode: Int32?

    public init(_ kind: Kind, path: String, _ message: String, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.sqliteCode = sqliteCode
    }

    public var description: String { "\(path): \(message)" }

    /// Classifies a GRDB/SQLite error. `doing` says what the station was doing ("writing a batch").
    static func from(_ error: any Error, path: String, doing: String) -> StorageError {
        if let e = error as? StorageError { return e }
        guard let db = error as? DatabaseError else {
            return StorageError(.io, path: path, "\(doing) failed: \(error)")
        }
        let code = db.resultCode.primaryResultCode.rawValue
        let detail = db.message ?? "SQLite error \(code)"
        switch db.resultCode.primaryResultCode {
        case .SQLITE_FULL:
            return StorageError(
                .diskFull, path: path,
                "\(doing) failed: the disk is full (\(detail)); free space on the file system or lower storage.max_size_mb",
                sqliteCode: code)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StorageError(
                .corrupt, path: path,
                "\(doing) failed: the database is damaged (\(detail)); restart the service to move it aside and start a new one",
                sqliteCode: code)
        case .SQLITE_READONLY:
            return StorageError(
                .readOnly, path: path,
                "\(doing) failed: the database is open read-only (\(detail)); only the service writes to it",
                sqliteCode: code)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_IOERR:
            return StorageError(
                .io, path: path,
                "\(doing) failed: \(detail); check that the file and its directory exist and that this user may read (and for the service, write) them",
                sqliteCode: code)
        default:
            return StorageError(
                .sqlite, path: path, "\(doing) failed: \(detail) (SQLite code \(code))", sqliteCode: code)
        }
    }
}
