import Cloud
import Logging
import Storage

extension Recorder {
    /// Opens the SQLite log for writing as `storage.*` asks. A corrupt file is moved aside (kept)
    /// and a fresh one created, which is a fault to show; a log that cannot be opened at all
    /// leaves the station running without one, with the fault on, rather than dark.
    public static func open(for c: StationConfiguration, state: StationState, logger: Logger) -> Recorder? {
        do {
            let (database, report) = try StationDatabase.openForWriting(path: c.storage.path)
            if let kept = report.movedAside {
                state.raiseFault(
                    "storage",
                    "the database was corrupt: kept as \(kept), started a new one at \(c.storage.path)")
            }
            // Rows stamped before any plausible date (a run that ended before the clock was set)
            // are held back from upload, so they must not go by age either: `status` counts them.
            let retention = RetentionPolicy(
                maxAge: .seconds(Int64(c.storage.retentionDays) * 86_400),
                maxBytes: Int64(c.storage.maxSizeMB) << 20,
                uploadDestinations: UploadRuntime.destinationNames(c.upload),
                keepStampedBefore: ClockSynchronisation.earliestPlausibleDate)
            return Recorder(
                database: database, commitInterval: c.storage.commitInterval, retention: retention,
                logger: logger)
        } catch {
            state.raiseFault("storage", "\(error); running without a log")
            return nil
        }
    }
}
