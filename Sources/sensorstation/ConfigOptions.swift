import ArgumentParser
import Foundation
import Station
import Storage

/// `--config FILE` and the search order every command shares:
/// `--config`, then `$SENSORSTATION_CONFIG`, then `/etc/sensorstation/config.yaml`, then the
/// built-in defaults (the simulated station on a developer machine).
struct ConfigOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Configuration file.",
            discussion:
                "Default: $SENSORSTATION_CONFIG, then /etc/sensorstation/config.yaml, then built-in defaults.",
            valueName: "file"))
    var config: String?

    /// Loads and validates the configuration, throwing the problems instead of printing them
    /// (a reload must not exit the service).
    func loadQuietly(overlay: ConfigurationOverlay = .empty) throws(ConfigurationError) -> (
        configuration: StationConfiguration, source: String
    ) {
        let loaded = try loadTracingOrigins(overlay: overlay)
        return (loaded.configuration, loaded.source)
    }

    /// The same, with where each key's value comes from (`config show --all`).
    func loadTracingOrigins(overlay: ConfigurationOverlay = .empty) throws(ConfigurationError) -> (
        configuration: StationConfiguration, source: String, origins: [String: String]
    ) {
        let environment = ProcessInfo.processInfo.environment
        let path = ConfigurationLoader.configurationPath(
            explicitPath: config, environment: environment,
            fileExists: { FileManager.default.fileExists(atPath: $0) })
        let (configuration, origins) = try ConfigurationLoader.loadTracingOrigins(
            path: path, environment: environment, overlay: overlay)
        return (configuration, path ?? "built-in defaults", origins)
    }

    /// Loads and validates the configuration. On problems, prints each one to stderr and exits
    /// with EX_CONFIG (78), so scripts can tell a bad configuration from a failed run.
    func load() throws -> (configuration: StationConfiguration, source: String) {
        let loaded = try loadReporting()
        return (loaded.configuration, loaded.source)
    }

    /// `load`, with each key's origin.
    func loadReporting() throws -> (
        configuration: StationConfiguration, source: String, origins: [String: String]
    ) {
        do {
            return try loadTracingOrigins()
        } catch {
            throw Self.reported(error)
        }
    }

    /// Prints a configuration's problems to stderr, each on its line; the exit they call for.
    static func reported(_ error: ConfigurationError) -> ExitCode {
        printError("configuration error\(error.problems.count == 1 ? "" : "s"):\n\(error)")
        return ExitCode(ExitCodes.config)
    }
}

/// Exit codes scripts can trust (BSD sysexits where one fits).
enum ExitCodes {
    static let failure: Int32 = 1
    /// Bad command-line usage (swift-argument-parser's own choice for validation errors).
    static let usage: Int32 = 64
    /// Input data was wrong (a trace file, a register image).
    static let dataError: Int32 = 65
    /// A device, bus or service is not there.
    static let unavailable: Int32 = 69
    static let ioError: Int32 = 74
    /// Permission denied (a socket, a key file).
    static let noPermission: Int32 = 77
    /// The configuration is invalid.
    static let config: Int32 = 78
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("sensorstation: " + message + "\n").utf8))
}

/// Where the log is, for every command that reads it (query, impacts, export, status): the
/// configuration (for `storage.path`) and `--database PATH`, which wins.
struct LogOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(
        help: ArgumentHelp(
            "The database file (default: storage.path from the configuration).", valueName: "path"))
    var database: String?
}

/// `--since` and `--until`: the time window of query, impacts and export. Each command has its
/// own default start (`defaultSince`).
struct WindowOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Start (inclusive): a duration ago (24h, 7d, 30m) or ISO-8601 (default: 24h; impacts and alerts: 30d).",
            valueName: "time"))
    var since: String?

    @Option(
        help: ArgumentHelp("End (exclusive): a duration ago or ISO-8601 (default: now).", valueName: "time"))
    var until: String?

    /// The window as instants; --since must come before --until.
    func window(defaultSince: String, now: Date = Date()) throws -> (Date, Date) {
        try StorageCLI.window(since: since ?? defaultSince, until: until, now: now)
    }
}

/// `impacts list` and `alerts list`: the rows of one kind over the last 30 days by default, in
/// the formats of `query`.
struct RecentRowsOptions: ParsableArguments {
    @OptionGroup var log: LogOptions

    @OptionGroup var window: WindowOptions

    @Option(help: "Output format: table, csv or json (JSON Lines).")
    var format: StorageCLI.Format = .table

    @Option(help: ArgumentHelp("Keep only the most recent N rows.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, got \(limit)") }
        _ = try window.window(defaultSince: "30d")
    }

    func list(_ kind: QueryRequest.Kind) throws {
        try StorageCLI.query(
            kind, window: window.window(defaultSince: "30d"), every: nil, format: format, limit: limit,
            log: log)
    }
}
