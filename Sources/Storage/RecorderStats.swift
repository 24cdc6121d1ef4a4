import Foundation

/// The recorder's counters, for the status LED, the live view and `status`.
public struct RecorderStats: Sendable, Equatable {
    /// Queue units waiting for the next commit (a record, or one raw sample).
    public var queued = 0
    /// Rows committed (weather, motion, events, raw batches, impacts).
    public var written = 0
    /// Impacts committed durably.
    public var impacts = 0
    /// Records dropped (queue full or disk full); raw batches count once each.
    public var dropped = 0
    /// Raw samples dropped (the first thing to go).
    public var droppedRawSamples = 0
    /// Rows deleted by retention.
    public var retentionDeleted = 0
    /// The last write error, as a sentence; cleared by the next successful commit.
    public var lastError: String?
    /// SQLITE_FULL seen and no successful commit since: raw data is being dropped.
    public var diskFull = false
    /// Wall-clock time of the last successful commit.
    public var lastCommit: Date?

    public init() {}
}
