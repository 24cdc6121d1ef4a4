import ArgumentParser
import HAL
import LinuxHAL
import LinuxSystem

/// `sensorstation gpio …`: wiring checks on the real chip (libgpiod), without starting the service.
/// Each subcommand requests the line for as long as it runs and releases it on exit.
struct GPIOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "Inspect and drive GPIO lines (wiring checks)",
        discussion: """
            LINE is a line name as the kernel gives it (GPIO17 on a Raspberry Pi) or an offset \
            on the chip. CHIP is a path (/dev/gpiochip0), a name (gpiochip0) or a label \
            (pinctrl-bcm2711).
            """,
        subcommands: [ListLines.self, GetLine.self, SetLine.self, WatchLine.self]
    )
}

extension GPIOCommand {
    /// Options shared by every subcommand.
    struct ChipOption: ParsableArguments {
        @Option(name: .long, help: "Chip path, name or label.")
        var chip: String = "gpiochip0"

        func open() throws -> LinuxGPIOChip {
            do {
                return try LinuxGPIOChip.open(chip)
            } catch {
                throw GPIOCommand.fail(error)
            }
        }
    }

    enum BiasArgument: String, ExpressibleByArgument, CaseIterable {
        case asIs = "as-is"
        case disabled
        case pullUp = "pull-up"
        case pullDown = "pull-down"

        var bias: Bias {
            switch self {
            case .asIs: .asIs
            case .disabled: .disabled
            case .pullUp: .pullUp
            case .pullDown: .pullDown
            }
        }
    }

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    /// `GPIO17` → name, `17` → offset.
    static func selector(_ line: String) throws -> LineSelector {
        if line.isEmpty { throw ValidationError("LINE must be a line name (e.g. GPIO17) or an offset") }
        if line.allSatisfy(\.isASCII), line.allSatisfy(\.isNumber) {
            guard let offset = Int(line) else {
                throw ValidationError("line offset '\(line)' is out of range")
            }
            return .offset(offset)
        }
        return .name(line)
    }

    /// Prints an error to stderr and returns the exit code to throw.
    static func fail(_ error: any Error) -> ExitCode {
        writeStandardError("error: \(error)\n")
        return ExitCode(1)
    }

    /// stdout is line-buffered only on a terminal; watchers read it from a pipe or a file, so
    /// each event line is flushed as it is printed.
    static func emit(_ line: String) {
        print(line)
        Terminal.flushPrinted()
    }

    static let consumer = "sensorstation-gpio"

    // MARK: - lines

    struct ListLines: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lines",
            abstract: "List the lines of a chip: offset, name, direction, consumer.")

        @OptionGroup var chipOption: ChipOption

        func run() throws {
            let chip = try chipOption.open()
            let lines: [LineInfo]
            do {
                lines = try chip.lineInfo()
            } catch {
                throw GPIOCommand.fail(error)
            }
            GPIOCommand.emit("\(chip.name) [\(chip.label)] \(chip.path), \(chip.lineCount) lines")
            let nameWidth = max(4, lines.map { ($0.name ?? "-").count }.max() ?? 0)
            GPIOCommand.emit(row("offset", "name", "direction", "consumer", nameWidth))
            for line in lines {
                let consumer = line.consumer ?? (line.isUsed ? "(used)" : "")
                GPIOCommand.emit(
                    row(
                        String(line.offset), line.name ?? "-", line.isOutput ? "output" : "input", consumer,
                        nameWidth))
            }
        }

        private func row(_ a: String, _ b: String, _ c: String, _ d: String, _ width: Int) -> String {
            func pad(_ s: String, _ n: Int) -> String {
                s + String(repeating: " ", count: max(0, n - s.count))
            }
            var s = pad(a, 6) + "  " + pad(b, width) + "  " + pad(c, 9) + "  " + d
            while s.last == " " { s.removeLast() }
            return s
        }
    }

    // MARK: - get

    struct GetLine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Request LINE as input and print its logical value (1 or 0).")

        @Argument(help: "Line name (GPIO17) or offset.")
        var line: String
        @OptionGroup var chipOption: ChipOption
        @Option(help: "Bias while reading: \(BiasArgument.allCases.map(\.rawValue).joined(separator: ", ")).")
        var bias: BiasArgument = .asIs
        @Flag(help: "Treat the line as active-low (print 1 when it is low).")
        var activeLow = false

        func run() throws {
            let selector = try GPIOCommand.selector(line)
            let chip = try chipOption.open()
            do {
                let input = try chip.requestInput(
                    InputLineRequest(
                        line: selector, consumer: GPIOCommand.consumer, activeLow: activeLow, bias: bias.bias)
                )
                GPIOCommand.emit(try input.read() ? "1" : "0")
            } catch {
                throw GPIOCommand.fail(error)
            }
        }
    }

    // MARK: - set

    struct SetLine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Request LINE as output and drive it on or off.",
            discussion: """
                The line is released when the command exits; what it does then depends on the \
                chip (a Raspberry Pi keeps the last level, a pin with a pull returns to it). \
                Use --hold to keep it requested for a while, e.g. to measure it.
                """)

        @Argument(help: "Line name (GPIO17) or offset.")
        var line: String
        @Argument(help: "on or off (logical: with --active-low, on drives the line low).")
        var level: Level
        @OptionGroup var chipOption: ChipOption
        @Flag(help: "Treat the line as active-low.")
        var activeLow = false
        @Option(help: "Seconds to keep the line requested before releasing it (0: set and release).")
        var hold: Double = 0

        func validate() throws {
            guard hold >= 0, hold.isFinite else {
                throw ValidationError("--hold must be zero or more seconds")
            }
        }

        func run() throws {
            let selector = try GPIOCommand.selector(line)
            let chip = try chipOption.open()
            let output: any OutputLine
            do {
                output = try chip.requestOutput(
                    OutputLineRequest(
                        line: selector, consumer: GPIOCommand.consumer, activeLow: activeLow,
                        initialValue: level == .on))
            } catch {
                throw GPIOCommand.fail(error)
            }
            GPIOCommand.emit("\(line) (\(chip.name) line \(output.offset)) \(level.rawValue)")
            if hold > 0 { sleepSeconds(hold) }
            withExtendedLifetime(output) {}
        }
    }

    // MARK: - watch

    struct WatchLine: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Print one line per edge on LINE: 'rising' or 'falling' with the kernel timestamp.",
            discussion: """
                Timestamps are CLOCK_MONOTONIC seconds. Exits 0 after --count events, 1 if \
                --timeout seconds pass first. Without --count it runs until interrupted.
                """)

        @Argument(help: "Line name (GPIO17) or offset.")
        var line: String
        @OptionGroup var chipOption: ChipOption
        @Option(help: "Bias: \(BiasArgument.allCases.map(\.rawValue).joined(separator: ", ")).")
        var bias: BiasArgument = .asIs
        @Flag(help: "Treat the line as active-low (rising = the line went low).")
        var activeLow = false
        @Option(help: "Exit 0 after this many events.")
        var count: Int?
        @Option(help: "Give up (exit 1) after this many seconds in total (default: wait forever).")
        var timeout: Double?

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
            if let timeout, !(timeout > 0 && timeout.isFinite) {
                throw ValidationError("--timeout must be more than 0 seconds")
            }
        }

        func run() throws {
            let selector = try GPIOCommand.selector(line)
            let chip = try chipOption.open()
            let input: any InputLine
            do {
                input = try chip.requestInput(
                    InputLineRequest(
                        line: selector, consumer: GPIOCommand.consumer, activeLow: activeLow, bias: bias.bias)
                )
            } catch {
                throw GPIOCommand.fail(error)
            }
            // On stderr, so stdout holds only events: tells a person (or a test) that the line is
            // requested and edges from now on are seen.
            writeStandardError("watching \(line) (\(chip.name) line \(input.offset)) for edges\n")
            let deadline = timeout.map { Clocks.monotonic() + .nanoseconds(Int64($0 * 1e9)) }
            var seen = 0
            while count.map({ seen < $0 }) ?? true {
                // This command runs on the main thread, so blocking here is fine; the service
                // calls waitForEvents from a dedicated thread instead.
                var slice = Duration.seconds(1)
                if let deadline {
                    let left = deadline - Clocks.monotonic()
                    if left <= .zero {
                        writeStandardError(
                            "error: timeout: \(seen) of \(count.map(String.init) ?? "unlimited") edge(s) on \(line) within \(formatSeconds(timeout ?? 0)) s\n"
                        )
                        throw ExitCode(1)
                    }
                    slice = min(slice, left)
                }
                let events: [EdgeEvent]
                do {
                    events = try input.waitForEvents(timeout: slice)
                } catch {
                    throw GPIOCommand.fail(error)
                }
                for event in events {
                    GPIOCommand.emit(
                        "\(event.kind == .rising ? "rising" : "falling") \(timestamp(event.timestamp))")
                    seen += 1
                    if let count, seen >= count { break }
                }
            }
        }

        private func timestamp(_ d: Duration) -> String {
            let (s, atto) = d.components
            let nanos = String(atto / 1_000_000_000)
            return "\(s)." + String(repeating: "0", count: max(0, 9 - nanos.count)) + nanos
        }
    }
}

// MARK: - small helpers (no Foundation)

private func writeStandardError(_ text: String) { Terminal.writeError(text) }

private func sleepSeconds(_ seconds: Double) { Clocks.sleep(.nanoseconds(Int64(seconds * 1e9))) }

private func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}
