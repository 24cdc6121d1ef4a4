import Foundation
import Logging

/// A swift-log handler that writes one plain line per message. Under systemd (JOURNAL_STREAM is
/// set) each line starts with its syslog priority (`<4>`), so journald keeps the levels and adds
/// its own timestamps; elsewhere a line starts with an ISO-8601 UTC time and the level.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let write: @Sendable (String) -> Void
    private let journald: Bool

    public init(
        label: String, level: Logger.Level, journald: Bool, write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.logLevel = level
        self.journald = journald
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(
            Self.format(
                level: event.level, message: "\(event.message)", label: label,
                metadata: metadata.merging(event.metadata ?? [:]) { $1 }, journald: journald, date: Date()))
    }

    /// The syslog priority of each level (RFC 5424 / sd-daemon.h).
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public static func format(
        level: Logger.Level, message: String, label: String, metadata: Logger.Metadata,
        journald: Bool, date: Date
    ) -> String {
        var line = message
        if !metadata.isEmpty {
            line +=
                " "
                + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        if journald { return "<\(syslogPriority(level))>\(line)" }
        return
            "\(timestamp(date)) \(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(line)"
    }

    /// `2026-11-23T07:00:01.123Z` (UTC, milliseconds).
    public static func timestamp(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        let ms = Int((t - t.rounded(.down)) * 1000)
        var tm = tm()
        gmtime_r(&seconds, &tm)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
            Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), ms)
    }
}
