import Logging
import Synchronization

/// Log lines as "level message key=value…" (the handler's and the event's metadata merged, keys
/// sorted), as the service's LineLogHandler writes them without the timestamp, for tests that
/// check what is logged and how often. `metadata: false` keeps only "level message".
public final class CapturedLog: Sendable {
    private let captured = Mutex<[String]>([])
    private let includesMetadata: Bool

    public init(metadata: Bool = true) { includesMetadata = metadata }

    /// Every line logged so far, in order.
    public var lines: [String] { captured.withLock { $0 } }

    /// A logger at `.trace` whose lines go here.
    public var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            var line = "\(event.level) \(event.message)"
            if log.includesMetadata {
                let all = metadata.merging(event.metadata ?? [:]) { $1 }
                if !all.isEmpty {
                    line +=
                        " "
                        + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                            separator: " ")
                }
            }
            log.captured.withLock { $0.append(line) }
        }
    }
}
