import ArgumentParser
import Detection
import Foundation
import Station
import Storage

/// `sensorstation replay FILE`: the impact detector over a recorded trace, so thresholds can be
/// tuned on real data without the hardware.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the impact detector over a recorded acceleration trace and print its events.",
        discussion: """
            FILE is a CSV trace with the header t_s,x_g,y_g,z_g (time in seconds, axes in g) and \
            optionally a fifth column saturated (0/1); `-` reads stdin. The detector uses the \
            impact settings of the configuration unless --threshold, --sustain-ms, --severe or \
            --rearm are given.
            Each event is one JSON object per line on stdout, keys in alphabetical order: \
            delta_v_mps (change of velocity, m/s), drop_m (the height of the free fall it ended, from \
            rest; null: none), duration_ms (time above the threshold), end_s, fall_ms (that fall's \
            duration), gaps, hic15, horizontal_g (the peak across the mounting's up; null without one), \
            peak_g, peak_t_s, peak_x_g, peak_y_g, peak_z_g, saturated (the peak is then a lower bound), \
            severity ("impact" or "severe"), start_s, trigger_s, vertical_g (the peak along up, positive \
            pushing the station up; null without a mounting). The mounting is accelerometer.up unless \
            --up is given. \
            A summary goes to stderr. A trace without events prints nothing.
            Exit status: 0 success (with or without events), 64 bad options, 65 a malformed trace \
            (FILE:LINE: message on stderr), 74 the file cannot be read, 78 invalid configuration.
            Example: sensorstation replay --threshold 5 --sustain-ms 200 ride.csv | jq .peak_g
            Example: sensorstation replay --up=-y drop.csv | jq '{peak_g, vertical_g}'
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(
        help: ArgumentHelp("The trace (CSV: t_s,x_g,y_g,z_g[,saturated]), or - for stdin.", valueName: "file")
    )
    var file: String

    @Option(
        help: ArgumentHelp("Trigger threshold on |a| in g (default: impact.threshold_g).", valueName: "g"))
    var threshold: Double?

    @Option(
        name: .customLong("sustain-ms"),
        help: ArgumentHelp(
            "How long |a| must stay at or above the threshold, in ms (default: impact.sustain_ms).",
            valueName: "ms"))
    var sustainMs: Double?

    @Option(
        help: ArgumentHelp(
            "Severe level in g: triggers at once, whatever the sustain (default: impact.severe_g).",
            valueName: "g"))
    var severe: Double?

    @Option(
        help: ArgumentHelp(
            "Re-arm level in g: |a| must fall below it between events (default: impact.rearm_g).",
            valueName: "g"))
    var rearm: Double?

    @Option(
        name: .customLong("range-g"),
        help: ArgumentHelp(
            "The sensor's full scale in g: a sample with an axis within 1 % of it counts as saturated, for traces without a saturated column (default: accelerometer.range_g).",
            valueName: "g"))
    var rangeG: Double?

    @Option(
        help: ArgumentHelp(
            "Which way is up in the trace's axes: +x … -z (--up=-y), none, or a direction [x,y,z] (default: accelerometer.up).",
            valueName: "axis"))
    var up: String?

    func validate() throws {
        for (name, value) in [("--threshold", threshold), ("--severe", severe), ("--range-g", rangeG)] {
            if let value, !(value.isFinite && value > 0) {
                throw ValidationError("\(name) must be a number of g above 0, got \(value)")
            }
        }
        if let rearm, !(rearm.isFinite && rearm >= 0) {
            throw ValidationError("--rearm must be zero or more g, got \(rearm)")
        }
        if let sustainMs, !(sustainMs.isFinite && (0...60_000).contains(sustainMs)) {
            throw ValidationError("--sustain-ms must be 0…60000, got \(sustainMs)")
        }
    }

    func run() throws {
        let configuration = try loadConfiguration()
        let mounting = configuration.accelerometer.up
        var settings = try detectorSettings(configuration.impact)

        let name = file == "-" ? "stdin" : file
        let reader: TraceReader
        if file == "-" {
            reader = TraceReader(fileDescriptor: FileHandle.standardInput.fileDescriptor)
        } else {
            do {
                reader = try TraceReader(path: file)
            } catch {
                printError("\(name): \(error.message)")
                throw ExitCode(ExitCodes.ioError)
            }
        }

        var detector: ImpactDetector
        var falls: FallTracker
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let progress = isatty(STDERR_FILENO) == 1
        var events = 0
        func emit(_ found: [ImpactEvent]) throws {
            for e in found {
                var e = e
                e.fall = falls.landing(before: e.startT)
                let line = try encoder.encode(
                    EventLine(e, mounted: MountedComponents(peak: [e.peakX, e.peakY, e.peakZ], up: mounting)))
                FileHandle.standardOutput.write(line + Data("\n".utf8))
                events += 1
            }
        }
        do {
            var next = try reader.next()  // reads the header too
            // Saturation, for a trace without its own saturated column: a sample within 1 % of the
            // full scale, --range-g or else the configured accelerometer's (as the service's driver
            // flags its readings).
            if rangeG == nil, !reader.hasSaturatedColumn {
                settings.fullScaleG = Double(configuration.accelerometer.rangeG)
            }
            detector = ImpactDetector(settings: settings)
            falls = FallTracker(settings: settings)
            while let sample = next {
                _ = falls.process(
                    t: sample.t,
                    magnitude: (sample.x * sample.x + sample.y * sample.y + sample.z * sample.z).squareRoot())
                try emit(detector.process(sample))
                if progress, detector.sampleCount % 1_000_000 == 0 {
                    FileHandle.standardError.write(
                        Data("\rreplayed \(detector.sampleCount) samples, \(events) events…".utf8))
                }
                next = try reader.next()
            }
            try emit(detector.finish())
        } catch let error as TraceError {
            if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            printError("\(name):\(error.line): \(error.message)")
            // A read error is not the data's fault; everything else is.
            throw ExitCode(error.message.hasPrefix("read failed") ? ExitCodes.ioError : ExitCodes.dataError)
        }
        let note = detector.droppedCount > 0 ? " (\(detector.droppedCount) samples dropped)" : ""
        FileHandle.standardError.write(
            Data(
                "\(progress ? "\r\u{1B}[K" : "")replayed \(detector.sampleCount) samples, \(events) event\(events == 1 ? "" : "s")\(note)\n"
                    .utf8))
    }

    /// The configuration, with `--up` laid over `accelerometer.up` and checked by the same rules
    /// as the file: a bad one is a usage error naming the option. A list goes in as a list, so
    /// its items are checked; anything else as text, for the configuration's parser to name what
    /// it expects.
    func loadConfiguration() throws -> StationConfiguration {
        let overlay = up.map { up in
            let text = up.trimmingCharacters(in: .whitespaces)
            let value =
                text.hasPrefix("[")
                ? (try? JSONValue.parse(Array(text.utf8))) ?? .string(text) : .string(text)
            return ConfigurationOverlay(source: "--up", values: ["accelerometer.up": value])
        }
        do {
            return try options.loadQuietly(overlay: overlay ?? .empty).configuration
        } catch {
            let mine = error.problems.filter { $0.source == "--up" }
            guard mine.isEmpty else {
                printError(mine.map { "--up: \($0.message)" }.joined(separator: "\n"))
                throw ExitCode(ExitCodes.usage)
            }
            throw ConfigOptions.reported(error)
        }
    }

    /// The configured impact settings with the command-line overrides, checked together so a
    /// threshold that leaves the re-arm or severe level on the wrong side says which option to add.
    func detectorSettings(_ impact: StationConfiguration.ImpactSettings) throws -> DetectorSettings {
        var s = DetectorSettings(
            thresholdG: impact.thresholdG, sustain: impact.sustain.seconds, severeG: impact.severeG,
            rearmG: impact.rearmG, refractory: impact.refractory.seconds, preWindow: impact.preWindow.seconds,
            postWindow: impact.postWindow.seconds)
        s.maxCapture = max(s.maxCapture, s.postWindow)
        if let threshold { s.thresholdG = threshold }
        if let sustainMs { s.sustain = sustainMs / 1000 }
        if let severe { s.severeG = severe }
        if let rearm { s.rearmG = rearm }
        s.fullScaleG = rangeG
        // Thrown from run(), a ValidationError would print the root command's usage; say it here.
        func usage(_ message: String) -> ExitCode {
            printError(message)
            return ExitCode(ExitCodes.usage)
        }
        if s.severeG <= s.thresholdG {
            throw usage(
                "the severe level (\(g(s.severeG))\(severe == nil ? ", impact.severe_g" : "")) must be above the threshold (\(g(s.thresholdG))); give --severe above \(g(s.thresholdG))"
            )
        }
        if s.rearmG >= s.thresholdG {
            throw usage(
                "the re-arm level (\(g(s.rearmG))\(rearm == nil ? ", impact.rearm_g" : "")) must be below the threshold (\(g(s.thresholdG))); give --rearm below \(g(s.thresholdG))"
            )
        }
        let problems = s.problems
        if !problems.isEmpty {
            throw usage(DetectorSettingsError(problems: problems).description)
        }
        return s
    }

    /// "12 g", "3.5 g": no trailing ".0".
    private func g(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) g" : "\(value) g"
    }
}

/// A number that is written as JSON null when absent (synthesized coding would leave the key out).
private struct Nullable: Encodable {
    var value: Double?
    init(_ value: Double?) { self.value = value }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}

/// One event as a JSON line. Values are rounded to what the data supports: times to 1 µs,
/// accelerations to 0.1 mg, durations to 1 µs, ΔV to 1 mm/s, HIC to 0.001.
// Not lowerCamelCase: the JSON keys, as `replay` prints them.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct EventLine: Encodable {
    var start_s: Double
    var end_s: Double
    var trigger_s: Double
    var peak_t_s: Double
    var peak_g: Double
    var peak_x_g: Double
    var peak_y_g: Double
    var peak_z_g: Double
    var duration_ms: Double
    var severity: String
    var delta_v_mps: Double
    /// null when the trace's rate leaves no 15 ms window (a missing key would look like a bug).
    var hic15: Nullable
    var saturated: Bool
    var gaps: Int
    /// The free fall it ended (null: none), and the height of that fall from rest.
    var fall_ms: Nullable
    var drop_m: Nullable
    /// The peak split along the mounting's up (null without one).
    var vertical_g: Nullable
    var horizontal_g: Nullable

    init(_ e: ImpactEvent, mounted: MountedComponents?) {
        func r(_ v: Double, _ places: Double) -> Double { (v * places).rounded() / places }
        start_s = r(e.startT, 1e6)
        end_s = r(e.endT, 1e6)
        trigger_s = r(e.triggerT, 1e6)
        peak_t_s = r(e.peakT, 1e6)
        peak_g = r(e.peakG, 1e4)
        peak_x_g = r(e.peakX, 1e4)
        peak_y_g = r(e.peakY, 1e4)
        peak_z_g = r(e.peakZ, 1e4)
        duration_ms = r(e.durationAbove * 1000, 1e3)
        severity = e.severity.rawValue
        delta_v_mps = r(e.deltaV, 1e3)
        hic15 = Nullable(e.hic15.map { r($0, 1e3) })
        saturated = e.saturated
        gaps = e.gapCount
        fall_ms = Nullable(e.fall.map { r($0.duration * 1000, 1e3) })
        drop_m = Nullable(e.fall.map { r($0.dropHeight, 1e3) })
        vertical_g = Nullable(mounted.map { r($0.verticalG, 1e4) })
        horizontal_g = Nullable(mounted.map { r($0.horizontalG, 1e4) })
    }
}
