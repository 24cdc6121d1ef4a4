import Foundation

/// How much history the log keeps. Oldest data goes first; impacts that have not been uploaded
/// are never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Weather, motion, raw acceleration and events older than this are deleted (default 30
    /// days). Impacts too, once every destination in `uploadDestinations` has confirmed them.
    public var maxAge: Duration
    /// Cap on the database's used pages (default 1 GiB = `storage.max_size_mb` 1024). Above it,
    /// the oldest data goes first: raw acceleration, then the oldest hour of summaries, weather
    /// and events, then uploaded impacts.
    public var maxBytes: Int64
    /// The upload destinations in force (e.g. "s3", "dynamodb"). An impact may be deleted only
    /// when each of them has moved its impact cursor past it; with none configured, nothing is
    /// ever uploaded, so impacts are never deleted by retention.
    public var uploadDestinations: [String]
    /// Rows deleted per table per pass: each pass is one short transaction, so retention never
    /// holds the writer for long; passes run after commits until caught up.
    public var rowsPerPass: Int
    /// Rows stamped before this are never deleted by age: no clock reading before it can be right
    /// (the service passes `ClockSynchronisation.earliestPlausibleDate`), so they were logged by a
    /// run that ended before the clock was set, their age is unknown, and the uploader holds them
    /// back; `status` counts them (docs/storage.md, "No real-time clock"). The size cap still
    /// deletes them, oldest first. nil: every row goes by age.
    public var keepStampedBefore: Date?

    public init(
        maxAge: Duration = .seconds(30 * 86_400), maxBytes: Int64 = 1 << 30,
        uploadDestinations: [String] = [], rowsPerPass: Int = 5_000, keepStampedBefore: Date? = nil
    ) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.uploadDestinations = uploadDestinations
        self.rowsPerPass = rowsPerPass
        self.keepStampedBefore = keepStampedBefore
    }
}
