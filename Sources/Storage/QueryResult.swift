import Foundation

/// What `sensorstation query` asks for.
public struct QueryRequest: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case weather, motion, events, impacts, alerts
    }

    public var kind: Kind
    /// Inclusive.
    public var since: Date
    /// Exclusive.
    public var until: Date
    /// Aggregate into buckets of this length (aligned to the Unix epoch, so `1h` buckets start
    /// on the hour in UTC and in every whole-hour time zone); `nil` = one row per stored row.
    public var every: Duration?
    /// Keep only the most recent `limit` rows (still printed oldest first); `nil` = all.
    public var limit: Int?

    public init(kind: Kind, since: Date, until: Date, every: Duration? = nil, limit: Int? = nil) {
        self.kind = kind
        self.since = since
        self.until = until
        self.every = every
        self.limit = limit
    }
}

/// A table of typed cells: the CLI formats it as a table (local time), CSV or JSON Lines (UTC).
public struct QueryResult: Sendable, Equatable {
    public enum ColumnType: Sendable, Equatable { case time, integer, real, text, bool }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: ColumnType
        public init(_ name: String, _ type: ColumnType) {
            self.name = name
            self.type = type
        }
    }

    public enum Cell: Sendable, Equatable {
        case null
        case time(micros: Int64)
        case integer(Int64)
        case real(Double)
        case text(String)
        case bool(Bool)
    }

    public var columns: [Column]
    public var rows: [[Cell]]

    public init(columns: [Column], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }
}
