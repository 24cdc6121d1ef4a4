import ArgumentParser
import Detection
import Foundation
import LinuxSystem
import Station
import Storage

/// `sensorstation impacts [list]` and `sensorstation impacts show ID`: the recorded impact events,
/// one at a time with a chart of the captured waveform.
struct ImpactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impacts",
        abstract: "List recorded impacts, or show one with a chart of its waveform.",
        discussion: """
            Reads the database read-only, so it is safe while the service runs.
            Examples:
              sensorstation impacts                         the impacts of the last 30 days
              sensorstation impacts --since 7d --format csv
              sensorstation impacts show 12                 one impact with a chart of |a|
              sensorstation impacts show 12 --csv 12.csv    and its waveform as CSV
              sensorstation replay 12.csv --threshold 5     re-run the detector on it
            """,
        subcommands: [ListImpacts.self, ShowImpact.self],
        defaultSubcommand: ListImpacts.self)
}

/// `sensorstation impacts list`: like `query impacts`, with a default window of 30 days.
struct ListImpacts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the recorded impacts (the default).",
        discussion: """
            One row per impact: id (for `impacts show ID`), trigger time, peak g, severity, time above \
            the threshold, ΔV, HIC15, whether the sensor saturated (the peak is then a lower bound), \
            sensor, and the free fall it ended (its ms and the height from rest; empty: none). Tables in local time; csv and json (JSON Lines) in UTC ISO-8601.
            Exit status: 0 success (also when there is none), 64 bad usage, 65 the database is damaged \
            or from a newer sensorstation, 69 no database at the path, 77 this user may not read it, 78 \
            invalid configuration.
            """)

    @OptionGroup var rows: RecentRowsOptions

    func run() throws { try rows.list(.impacts) }
}

/// `sensorstation impacts show ID`.
struct ShowImpact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one impact: its figures and a chart of |a| over the captured window.",
        discussion: """
            The chart shows the vector magnitude |a| (gravity included) from the start to the end \
            of the captured waveform (by default 500 ms before the trigger to 1000 ms after), fitted \
            to the terminal width (80 columns when not on a terminal, or --width). Each column is the \
            highest |a| in its slice of time, so the peak is never averaged away; the dotted line is \
            the threshold in force; ▲ marks the trigger.
            --csv FILE writes the waveform as CSV (t_s relative to the trigger, x_g, y_g, z_g, \
            saturated), the format `sensorstation replay` reads, so a recorded impact can be \
            re-run with other thresholds. `--csv -` writes it to stdout instead of the text.
            Exit status: 0 success, 1 no impact with that id, 65 the database or the waveform is \
            damaged, 69 no database at the path, 74 the CSV file cannot be written, 77 this user may not \
            read the database, 78 invalid configuration.
            """)

    enum Output: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    enum ChartStyle: String, CaseIterable, ExpressibleByArgument {
        case blocks, braille, ascii, none
    }

    @OptionGroup var log: LogOptions

    @Argument(
        help: ArgumentHelp("The impact's id (the first column of `sensorstation impacts`).", valueName: "id"))
    var id: Int64

    @Option(help: "text (figures and chart) or json (one object with the figures).")
    var format: Output = .text

    @Option(help: "The chart: blocks (Unicode bars), braille (a line, finer), ascii, or none.")
    var chart: ChartStyle = .blocks

    @Option(
        help: ArgumentHelp("Chart width in columns (default: the terminal's, or 80).", valueName: "columns"))
    var width: Int?

    @Option(help: ArgumentHelp("Chart height in rows.", valueName: "rows"))
    var height: Int = 12

    @Option(help: ArgumentHelp("Write the waveform as CSV to this file (`-`: stdout).", valueName: "file"))
    var csv: String?

    func validate() throws {
        if let width, width < 20 {
            throw ValidationError("--width must be at least 20 columns, got \(width)")
        }
        if height < 2 || height > 100 {
            throw ValidationError("--height must be 2 to 100 rows, got \(height)")
        }
    }

    func run() throws {
        let db = try StorageCLI.open(log)
        let record: ImpactRecord
        do {
            guard let found = try db.impact(id: id) else {
                printError(
                    "no impact with id \(id) in \(db.path) (list them with `sensorstation impacts --since 365d`)"
                )
                throw ExitCode(ExitCodes.failure)
            }
            record = found
        } catch let error as StorageError {
            throw StorageCLI.fail(error)
        }
        let samples: [MotionSample]
        do {
            samples = try WaveformCodec.decode(record.waveform)
        } catch {
            printError(
                "impact \(id): its stored waveform is damaged (\(error)); the figures are intact: `sensorstation impacts show \(id) --chart none`"
            )
            if chart != .none || csv != nil { throw ExitCode(ExitCodes.dataError) }
            samples = []
        }
        let trace = ImpactTrace(record: record, samples: samples)

        if let csv {
            let text = trace.csv()
            if csv == "-" {
                StorageCLI.write(text)
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: csv), options: .atomic)
            } catch {
                printError("cannot write \(csv): \(error.localizedDescription)")
                throw ExitCode(ExitCodes.ioError)
            }
        }
        switch format {
        case .json:
            StorageCLI.write(trace.json(id: id))
        case .text:
            let style = Style(enabled: Terminal.useColor)
            var out = trace.summary(id: id, style: style)
            if chart != .none, let chartStyle = WaveformChart.Style(rawValue: chart.rawValue),
                !samples.isEmpty
            {
                let plot = WaveformChart(
                    times: trace.relativeTimes, values: samples.map(\.magnitude),
                    threshold: record.thresholdG, marker: 0, style: chartStyle)
                out +=
                    "\n"
                    + plot.render(width: width ?? Terminal.width, height: height, paint: style.red)
                    .joined(separator: "\n") + "\n"
            }
            if let csv { out += "\nwaveform: \(samples.count) samples written to \(csv)\n" }
            StorageCLI.write(out)
        }
    }
}

/// One recorded impact with its decoded waveform on a time axis relative to the trigger.
struct ImpactTrace {
    let record: ImpactRecord
    let samples: [MotionSample]
    /// Seconds from the trigger for each sample, computed once (the CSV, the summary and the
    /// chart all use it).
    let relativeTimes: [Double]

    init(record: ImpactRecord, samples: [MotionSample]) {
        self.record = record
        self.samples = samples
        relativeTimes = Self.relativeTimes(record: record, samples: samples)
    }

    /// The samples' own times are on the sampler's monotonic timeline, so only their differences
    /// count; the peak is one of the samples (the one with the largest |a|) and its wall-clock time
    /// is recorded, which ties the two timelines.
    static func relativeTimes(record: ImpactRecord, samples: [MotionSample]) -> [Double] {
        guard
            let peak = samples.indices.max(by: { samples[$0].magnitudeSquared < samples[$1].magnitudeSquared }
            )
        else { return [] }
        let peakFromTrigger = record.peakTime.timeIntervalSince(record.triggerTime)
        let tPeak = samples[peak].t
        let rough = samples.map { peakFromTrigger + ($0.t - tPeak) }
        // The recorded times are whole microseconds, so `rough` may be off by a microsecond or
        // so. The trigger is itself a sample (the one that completed the trigger condition): the
        // sample nearest to 0 within a millisecond is it, and times from it are exact.
        guard let nearest = rough.indices.min(by: { abs(rough[$0]) < abs(rough[$1]) }),
            abs(rough[nearest]) < 0.001
        else { return rough }
        let tTrigger = samples[nearest].t
        return samples.map { $0.t - tTrigger }
    }

    /// `t_s,x_g,y_g,z_g,saturated`, the format `replay` reads; t in seconds from the trigger.
    func csv() -> String {
        var out = "t_s,x_g,y_g,z_g,saturated\n"
        out.reserveCapacity(samples.count * 40)
        for (t, s) in zip(relativeTimes, samples) {
            out += String(format: "%.6f,%.4f,%.4f,%.4f,%d\n", t, s.x, s.y, s.z, s.saturated ? 1 : 0)
        }
        return out
    }

    func json(id: Int64) -> String {
        let r = record
        let fields: [(String, JSONValue)] = [
            ("id", .int(id)), ("time", .string(TimeCodec.iso(r.triggerTime))),
            ("start", .string(TimeCodec.iso(r.startTime))), ("end", .string(TimeCodec.iso(r.endTime))),
            ("peak_time", .string(TimeCodec.iso(r.peakTime))), ("peak_g", .double(r.peakG)),
            ("peak_x_g", .double(r.peakXG)), ("peak_y_g", .double(r.peakYG)), ("peak_z_g", .double(r.peakZG)),
            ("duration_ms", .double(r.durationMs)), ("severity", .string(r.severity)),
            ("delta_v_mps", .double(r.deltaVMps)), ("hic15", r.hic15.map(JSONValue.double) ?? .null),
            ("saturated", .bool(r.saturated)),
            ("threshold_g", .double(r.thresholdG)), ("sensor", .string(r.sensor)),
            ("fall_ms", r.fallMs.map(JSONValue.double) ?? .null),
            ("drop_m", r.dropM.map(JSONValue.double) ?? .null),
            ("vertical_g", r.verticalG.map(JSONValue.double) ?? .null),
            ("horizontal_g", r.horizontalG.map(JSONValue.double) ?? .null),
            ("waveform_samples", .int(Int64(samples.count))), ("waveform_rate_hz", .double(r.waveformRateHz)),
        ]
        return JSONValue.object(fields) + "\n"
    }

    func summary(id: Int64, style: Style) -> String {
        let r = record
        func ms(_ seconds: Double) -> String {
            let v = seconds * 1000
            return (v >= 0 ? "+" : "−") + String(format: "%.1f ms", abs(v))
        }
        let severity = r.severity == "severe" ? style.red(style.bold("severe")) : style.yellow(r.severity)
        var mounted: String?
        if let v = r.verticalG, let h = r.horizontalG {
            let along = String(format: "%.2f g %@", abs(v), v >= 0 ? "up" : "down")
            let across = String(format: "%.2f g across", h)
            mounted =
                "  mounted      \(along), \(across) (\(AlertMessage.direction(vertical: v, horizontal: h)))"
        }
        let rows: [String?] = [
            style.bold("Impact \(id)") + " — \(severity)",
            "  trigger      \(TimeCodec.local(micros: TimeCodec.micros(r.triggerTime))) (local)",
            "  peak         \(String(format: "%.2f g", r.peakG))\(r.saturated ? " or more (the sensor saturated)" : "") at \(ms(r.peakTime.timeIntervalSince(r.triggerTime)))"
                + String(format: "   x %.2f  y %.2f  z %.2f g", r.peakXG, r.peakYG, r.peakZG),
            mounted,
            "  above \(String(format: "%.1f g", r.thresholdG))  \(String(format: "%.1f ms", r.durationMs))",
            "  ΔV           \(String(format: "%.2f m/s", r.deltaVMps))",
            "  HIC15        \(r.hic15.map { String(format: "%.1f", $0) } ?? "n/a (no 15 ms window at \(String(format: "%.0f", r.waveformRateHz)) Hz)")",
            "  sensor       \(r.sensor)",
        ]
        var lines = rows.compactMap { $0 }
        if let fall = r.fallMs, let drop = r.dropM {
            lines.insert(
                "  free fall    \(String(format: "%.0f ms", fall)) before it: \(String(format: "%.2f m", drop)) from rest",
                at: lines.count - 1)
        }
        if let first = relativeTimes.first, let last = relativeTimes.last {
            lines.append(
                "  waveform     \(samples.count) samples at \(String(format: "%.0f", r.waveformRateHz)) Hz, \(ms(first)) to \(ms(last))"
            )
        } else {
            lines.append("  waveform     none")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
