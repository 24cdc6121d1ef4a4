import ArgumentParser
import Foundation
import LinuxSystem
import Station
import Storage

/// `sensorstation export`: every column of the logged rows to a file, read-only.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export logged rows, every column, as CSV or JSON Lines.",
        discussion: """
            Reads the database read-only in pages (each its own short read), so it is safe while the \
            service runs. Times are UTC ISO-8601 with a Z next to the raw microsecond columns \
            (time_us …); impact waveforms are base64. `all` exports impacts, weather, motion and \
            events one after the other; in CSV the columns are the union, with `kind` first.
            A progress bar is drawn on stderr when run on a terminal.
            Examples:
              sensorstation export --since 7d --format jsonl --output week.jsonl
              sensorstation export weather --since 2026-11-01 --until 2026-12-01 --format csv --output nov.csv
            Exit status: 0 success, 64 bad usage, 65 the database is damaged or from a newer \
            sensorstation, 69 no database at the path, 74 the output cannot be written, 77 this user may not \
            read the database, 78 invalid \
            configuration.
            """)

    enum What: String, CaseIterable, ExpressibleByArgument {
        case all, weather, motion, events, impacts
        var kinds: [UploadKind] {
            switch self {
            case .all: [.impact, .weather, .motion, .event]
            case .weather: [.weather]
            case .motion: [.motion]
            case .events: [.event]
            case .impacts: [.impact]
            }
        }
    }

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case csv, jsonl
    }

    @OptionGroup var log: LogOptions

    @Argument(
        help: ArgumentHelp("What to export: all, weather, motion, events or impacts.", valueName: "what"))
    var what: What = .all

    @OptionGroup var window: WindowOptions

    @Option(help: "csv or jsonl.")
    var format: Format = .jsonl

    @Option(name: [.short, .long], help: ArgumentHelp("The file to write; - for stdout.", valueName: "file"))
    var output: String

    func validate() throws {
        _ = try window.window(defaultSince: "24h")
        if output.isEmpty { throw ValidationError("--output needs a file name (or - for stdout)") }
    }

    static let pageSize = 5_000

    func run() throws {
        let (from, to) = try window.window(defaultSince: "24h")
        let db = try StorageCLI.open(log)
        let toStdout = output == "-"
        let handle: FileHandle
        if toStdout {
            handle = FileHandle.standardOutput
        } else {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                let h = FileHandle(forWritingAtPath: output)
            else {
                printError(
                    "\(output): cannot create the file (does the directory exist, and may this user write there?)"
                )
                throw ExitCode(ExitCodes.ioError)
            }
            handle = h
        }
        defer { if !toStdout { try? handle.close() } }
        let progress = Progress(enabled: Terminal.stdoutIsTTY && !toStdout)
        do {
            let kinds = what.kinds
            let total = try kinds.reduce(0) { $0 + (try db.count($1, since: from, until: to)) }
            var done = 0
            var buffer = Data()
            func flush(force: Bool) throws {
                if force || buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            var columns: [String] = []
            if format == .csv {
                // The union of the columns of the kinds that have rows, in first-seen order.
                for kind in kinds {
                    for key in try db.exportPage(kind, since: from, until: to, afterID: 0, limit: 1).first?
                        .keys ?? []
                    where !columns.contains(key) {
                        columns.append(key)
                    }
                }
                buffer.append(contentsOf: (["kind"] + columns).joined(separator: ",").utf8)
                buffer.append(10)
            }
            for kind in kinds {
                var after: Int64 = 0
                while true {
                    let page = try db.exportPage(
                        kind, since: from, until: to, afterID: after, limit: Self.pageSize)
                    for item in page {
                        let line = format == .jsonl ? item.jsonLine : Self.csvLine(item, columns: columns)
                        buffer.append(contentsOf: line.utf8)
                        buffer.append(10)
                    }
                    try flush(force: false)
                    done += page.count
                    progress.update(done: done, total: total)
                    guard let last = page.last, page.count == Self.pageSize else { break }
                    after = last.id
                }
            }
            try flush(force: true)
            progress.finish(done: done, total: total, output: output)
        } catch let error as StorageError {
            progress.clear()
            throw StorageCLI.fail(error)
        } catch {
            progress.clear()
            printError("\(output): writing failed: \(error.localizedDescription)")
            throw ExitCode(ExitCodes.ioError)
        }
    }

    static func csvLine(_ item: UploadItem, columns: [String]) -> String {
        let fields = columns.map { key -> String in
            switch item.json[key] {
            case nil, .null?: return ""
            case .bool(let b)?: return b ? "true" : "false"
            case .int(let i)?: return String(i)
            case .double(let d)?: return d.isFinite ? String(d) : ""
            case .string(let s)?: return StorageCLI.csvQuote(s)
            // A stored column is a scalar; a nested value (none today) goes in as its JSON text.
            case let nested?: return StorageCLI.csvQuote(nested.jsonText)
            }
        }
        return ([item.kind.rawValue] + fields).joined(separator: ",")
    }

    /// `[#########.........]  45%  12 345 / 27 000 rows` on stderr, redrawn in place.
    struct Progress {
        let enabled: Bool

        func update(done: Int, total: Int) {
            guard enabled else { return }
            let width = 30
            let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
            let filled = Int((fraction * Double(width)).rounded(.down))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(
                Data("\r[\(bar)] \(String(format: "%3d", Int(fraction * 100)))%  \(done)/\(total) rows".utf8))
        }

        func finish(done: Int, total: Int, output: String) {
            guard enabled else { return }
            update(done: done, total: total)
            FileHandle.standardError.write(Data("\nwrote \(done) rows to \(output)\n".utf8))
        }

        func clear() {
            guard enabled else { return }
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }
}
