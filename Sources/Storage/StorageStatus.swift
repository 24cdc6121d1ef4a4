import Foundation

/// What `sensorstation status` shows about the log.
public struct StorageStatus: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var name: String
        public var rows: Int
        /// `nil` when the table is empty.
        public var oldest: Date?
        public var newest: Date?
    }

    public var path: String
    /// The main file, bytes.
    public var fileBytes: Int64
    /// The write-ahead log, bytes (0 when absent).
    public var walBytes: Int64
    /// Pages in use × page size: what retention's size cap compares against.
    public var usedBytes: Int64
    public var tables: [Table]
    /// Migrations applied, in order.
    public var migrations: [String]
}
