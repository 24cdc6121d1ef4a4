import ArgumentParser
import Foundation
import LinuxSystem
import Station
import Storage

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract:
            "Measure the accelerometer at rest and correct its offsets (and scales) on the running station.",
        discussion: """
            Level (the default): lay the station still on a level surface, any face down. Each axis's \
            offset is what it reads beyond gravity (AN-1057).
            --six-position: turn the station so that each face points up in turn (+Z, -Z, +X, -X, +Y, \
            -Y), still each time. Gives offset and scale per axis, and how close to 1 g every \
            position reads afterwards.
            On a terminal each step waits for Enter and shows its progress, and a refused step is \
            tried again. Without one the level step starts at once, and each six-position step \
            starts when a line arrives on stdin (the script or fixture says when the station is in \
            place); a refused step ends the command.
            A step is refused when the station moves or shakes, or lies on another face than asked \
            or tilted. The running service measures (it owns the chip) and keeps the result beside \
            its log (calibration.json), over the configuration's accelerometer.calibration, and \
            applies it at once as a reload would. --reset removes it; --show prints what is in force.
            Exit status: 0 calibrated (or shown, reset), 1 a step refused or the result not \
            applied, 69 the service is not running, 77 permission denied, 78 invalid configuration.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .customLong("six-position"), help: "Six positions: offset and scale per axis.")
    var sixPosition = false

    @Option(help: ArgumentHelp("How long each position is measured, 1–30 s.", valueName: "seconds"))
    var seconds: Double = 3

    @Flag(help: "Measure and print the result; keep and apply nothing.")
    var dryRun = false

    @Flag(help: "Keep and apply the result without asking (a terminal asks).")
    var yes = false

    @Flag(help: "Print the calibration in force and where it comes from.")
    var show = false

    @Flag(
        help: ArgumentHelp(
            "Measure which way is up as the station is mounted (still, in its mount) and print the accelerometer.up line; keeps nothing."
        ))
    var measureUp = false

    @Flag(help: "Remove the calibration file: the configuration's accelerometer.calibration applies again.")
    var reset = false

    @Flag(help: "Print the result as one JSON object (the steps' lines go to stderr).")
    var json = false

    func validate() throws {
        guard (1...30).contains(seconds) else { throw ValidationError("--seconds must be 1–30") }
        if show && reset { throw ValidationError("--show and --reset exclude each other") }
        if (show || reset) && (sixPosition || dryRun || yes || measureUp) {
            throw ValidationError("--show and --reset take no measurement options")
        }
        if measureUp && (sixPosition || dryRun || yes) {
            throw ValidationError(
                "--measure-up measures one position and keeps nothing: no --six-position, --dry-run or --yes")
        }
    }

    func run() throws {
        let config = try options.load().configuration
        let client = ControlClient(path: ControlSocket.path(forDatabase: config.storage.path))
        let out = Output(json: json)
        if show || reset {
            let response = try request(client, show ? .show : .reset)
            if json {
                FileHandle.standardOutput.write(response.encoded())
            } else if let r = response.calibration {
                if reset { print(response.message) }
                print(Self.describe(r))
            }
            return
        }
        let info = try request(client, .show).calibration!
        let interactive = Terminal.stdinIsTTY && Terminal.stdoutIsTTY && !json
        if measureUp {
            try runMeasureUp(client, info: info, interactive: interactive, out: out)
            return
        }
        let style = Style(enabled: interactive && Terminal.useColor)
        let faces: [Face?] = sixPosition ? Face.sixPositionOrder.map { $0 } : [nil]
        out.line(
            "calibrating the \(info.sensor) at \(info.address) (±\(CalibrationMath.format(info.rangeG)) g, \(CalibrationMath.format(info.odrHz)) Hz): \(sixPosition ? "six positions" : "level"), \(CalibrationMath.format(seconds)) s each"
        )
        var steps: [Step] = []
        for (i, face) in faces.enumerated() {
            let name = face.map { "position \(i + 1)/\(faces.count): \($0.label)" } ?? "level"
            while true {
                if interactive {
                    let what =
                        face.map {
                            "position \(i + 1)/\(faces.count): turn the station so that \($0.label.dropLast(3)) points up"
                        }
                        ?? "Lay the station on a level surface, any face down"
                    print(style.bold("\(what), keep it still, then press Enter (q to quit)."))
                    guard let answer = readLine(), answer.lowercased() != "q" else {
                        throw ExitCode(ExitCodes.failure)
                    }
                } else if face != nil {
                    out.line("\(name): waiting for a line on stdin once the station is in place")
                    guard readLine() != nil else {
                        printError("stdin ended before \(name): nothing calibrated")
                        throw ExitCode(ExitCodes.failure)
                    }
                }
                do {
                    let step = try measure(
                        client, face: face, name: name, info: info, interactive: interactive)
                    steps.append(step)
                    out.line(step.text(name: name))
                    break
                } catch let refusal as CalibrationRefusal {
                    if interactive {
                        print(style.yellow("\(name) refused: \(refusal.description)"))
                        continue
                    }
                    printError("\(name) refused: \(refusal.description)")
                    throw ExitCode(ExitCodes.failure)
                }
            }
        }
        let result: CalibrationMath.Result
        do {
            if sixPosition {
                result = try CalibrationMath.sixPosition(
                    Dictionary(uniqueKeysWithValues: steps.map { ($0.face, $0.window.mean) }))
            } else {
                result = CalibrationMath.level(
                    mean: steps[0].window.mean, face: steps[0].face, scale: info.scale)
            }
        } catch {
            printError(error.description)
            throw ExitCode(ExitCodes.failure)
        }
        out.line(Self.table(result, before: info))
        let file = CalibrationFile(
            sensor: info.sensor, address: UInt8(info.address.dropFirst(2), radix: 16) ?? 0,
            method: sixPosition ? .sixPosition : .level,
            measuredAt: ISO8601DateFormatter().string(from: Date()), offsetG: result.offsetG,
            scale: result.scale, residualG: result.residualG)
        var saved: String?
        if dryRun {
            out.line("not kept (--dry-run)")
        } else {
            if interactive && !yes {
                print("Keep it and apply it on the station now? [Y/n] ", terminator: "")
                Terminal.flushPrinted()
                let answer = (readLine() ?? "n").trimmingCharacters(in: .whitespaces).lowercased()
                guard answer.isEmpty || answer == "y" || answer == "yes" else {
                    print("not kept")
                    throw ExitCode(ExitCodes.failure)
                }
            }
            let response = try request(client, .save(file))
            out.line(response.message)
            saved = response.calibration?.path
        }
        if json {
            print(Self.json(file, steps: steps, saved: saved))
        }
    }

    /// `--measure-up`: the corrected reading at rest in the mount is gravity, +1 g along up.
    private func runMeasureUp(
        _ client: ControlClient, info: CalibrationReply, interactive: Bool, out: Output
    ) throws {
        if interactive {
            print("Leave the station still in its mount, then press Enter (q to quit).")
            guard let answer = readLine(), answer.lowercased() != "q" else {
                throw ExitCode(ExitCodes.failure)
            }
        }
        let (windows, wanted) = try measureWindows(client, name: "mounted", interactive: interactive)
        let whole: CalibrationWindow
        do { whole = try CalibrationMath.atRest(windows, wanted: wanted, rangeG: info.rangeG) } catch {
            printError("refused: \(error.description)")
            throw ExitCode(ExitCodes.failure)
        }
        let corrected = (whole.mean - info.offsetG) * info.scale
        let length = (corrected * corrected).sum().squareRoot()
        let up = corrected / length
        let face = Face.nearest(to: up)
        let degrees = face.degrees(from: up)
        let text = String(format: "[%.3f, %.3f, %.3f]", up.x, up.y, up.z)
        if json {
            print(
                JSONValue.object([
                    ("up", .vector(up)),
                    ("reads_g", .double(length)),
                    ("nearest", .string(face.rawValue)), ("degrees_from_nearest", .double(degrees)),
                ]))
            return
        }
        out.line(
            String(
                format: "at rest it reads %.3f g, %.1f° from %@ up", length, degrees,
                face.rawValue.uppercased()))
        out.line(
            "for the configuration (a reload applies it):\naccelerometer:\n  up: \(degrees < 2 ? face.rawValue : text)"
        )
    }

    /// Half-second windows for `seconds`, with a progress bar on a terminal.
    private func measureWindows(_ client: ControlClient, name: String, interactive: Bool) throws -> (
        [CalibrationWindow], Int
    ) {
        let windowMs = 500
        let count = max(1, Int((seconds * 1000 / Double(windowMs)).rounded()))
        var windows: [CalibrationWindow] = []
        var wanted = 0
        for i in 0..<count {
            let response = try request(client, .measure(milliseconds: windowMs))
            guard let r = response.calibration, let w = r.window else { throw ExitCode(ExitCodes.failure) }
            windows.append(w)
            wanted += r.wanted ?? w.count
            if interactive {
                let done = i + 1
                let bar = String(repeating: "#", count: done * 20 / count)
                    .padding(toLength: 20, withPad: ".", startingAt: 0)
                let m = w.mean
                let line = String(
                    format: "\r  measuring %@ [%@] %.1f/%.1f s  x %+.3f  y %+.3f  z %+.3f g", name, bar,
                    Double(done * windowMs) / 1000, Double(count * windowMs) / 1000, m.x, m.y, m.z)
                Terminal.write(line + "\u{1B}[K")
            }
        }
        if interactive { Terminal.write("\n") }
        return (windows, wanted)
    }

    /// One step: measured in half-second windows (a progress bar between them on a terminal),
    /// then judged: at rest, on the face asked, with the samples the rate promises.
    private func measure(
        _ client: ControlClient, face: Face?, name: String, info: CalibrationReply, interactive: Bool
    ) throws -> Step {
        let (windows, wanted) = try measureWindows(client, name: name, interactive: interactive)
        let judged = try CalibrationMath.judge(windows, wanted: wanted, expected: face, rangeG: info.rangeG)
        return Step(face: judged.face, window: judged.window)
    }

    private func request(_ client: ControlClient, _ r: CalibrationRequest) throws -> ControlResponse {
        let response: ControlResponse
        do {
            response = try client.send(.calibration(r), timeoutMs: 8000)
        } catch {
            throw controlFailure(error)
        }
        guard response.ok else {
            printError(response.message)
            throw ExitCode(ExitCodes.failure)
        }
        return response
    }

    struct Step {
        var face: Face
        var window: CalibrationWindow

        func text(name: String) -> String {
            let m = window.mean
            return String(
                format: "%@: x %+.4f  y %+.4f  z %+.4f g at rest (noise %.4f g, %d samples)", name, m.x, m.y,
                m.z,
                window.standardDeviation.max(), window.count)
        }
    }

    /// Human lines: stdout, or stderr when stdout carries the JSON.
    struct Output {
        var json: Bool
        func line(_ s: String) {
            if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
        }
    }

    static func table(_ r: CalibrationMath.Result, before: CalibrationReply) -> String {
        var rows = [["AXIS", "OFFSET G", "SCALE", "BEFORE"]]
        for (i, axis) in ["x", "y", "z"].enumerated() {
            rows.append([
                axis, signed(r.offsetG[i]), String(format: "%.4f", r.scale[i]),
                "\(signed(before.offsetG[i])) g, ×" + String(format: "%.4f", before.scale[i]),
            ])
        }
        var text = renderTable(rows)
        if let residual = r.residualG {
            text += String(format: "\nevery position reads 1 g within %.4f g after the correction", residual)
        }
        return text
    }

    static func describe(_ r: CalibrationReply) -> String {
        var rows = [["AXIS", "OFFSET G", "SCALE"]]
        for (i, axis) in ["x", "y", "z"].enumerated() {
            rows.append([axis, signed(r.offsetG[i]), String(format: "%.4f", r.scale[i])])
        }
        return
            "\(r.sensor) at \(r.address): \(r.source ?? "from the configuration (no calibration file at \(r.path))")\n"
            + renderTable(rows)
    }

    /// The file's fields as it keeps them (rounded the same), each position's measurement, and
    /// where it was kept.
    static func json(_ f: CalibrationFile, steps: [Step], saved: String?) -> String {
        var fields: [(String, JSONValue)] = []
        if case .object(let o)? = try? JSONValue.parse(Array(f.encoded.utf8)) {
            for key in ["sensor", "address", "method", "measured_at", "offset_g", "scale"] {
                fields.append((key, o[key] ?? .null))
            }
            fields.append(("residual_g", o["residual_g"] ?? .null))
        }
        let positions: [JSONValue] = steps.map {
            .object([
                "face": .string($0.face.rawValue), "mean_g": .vector($0.window.mean),
                "noise_g": .vector($0.window.standardDeviation), "samples": .int(Int64($0.window.count)),
            ])
        }
        fields += [("positions", .array(positions)), ("saved", saved.map(JSONValue.string) ?? .null)]
        return JSONValue.object(fields)
    }
}

/// `+0.0123`, and `+0.0000` for what rounds to zero from below (never `-0.0000`).
private func signed(_ v: Double) -> String {
    let text = String(format: "%+.4f", v)
    return text == "-0.0000" ? "+0.0000" : text
}
