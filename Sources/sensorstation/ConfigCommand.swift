import ArgumentParser
import Foundation
import HAL
import Station
import Storage

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or show the configuration in effect.",
        subcommands: [Check.self, Show.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file; report every problem with its line.",
            discussion:
                "Exit status: 0 valid, 78 invalid (each problem on stderr as FILE:LINE:COLUMN: key: message)."
        )

        @Argument(help: ArgumentHelp("The file to check.", valueName: "file"))
        var file: String

        func run() throws {
            do {
                let c = try ConfigurationLoader.load(
                    path: file, environment: ProcessInfo.processInfo.environment)
                print("\(file): OK")
                print(summary(c))
            } catch {
                printError(
                    "\(file): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s"):\n\(error)"
                )
                throw ExitCode(ExitCodes.config)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say which configuration is in effect and summarise it.",
            discussion: """
                With --all, every key: its value in effect, where it comes from (FILE:LINE, an \
                environment variable, or the default), and whether `systemctl reload` applies a \
                change to it or the service needs a restart. docs/configuration.md lists the same keys.
                """)

        @OptionGroup var options: ConfigOptions

        @Flag(help: "Every key with its value, where it comes from, and whether a reload applies it.")
        var all = false

        @Flag(help: "With --all: one JSON object per key (JSON Lines).")
        var json = false

        func run() throws {
            let (c, source, origins) = try options.loadReporting()
            guard all else {
                print("configuration: \(source)")
                print(summary(c))
                return
            }
            let rows = ConfigurationKeys.all.filter { !$0.isListItem }.map { key in
                (
                    key: key.path, reload: key.reloadText, from: origins[key.path] ?? "default",
                    value: key.value(c)
                )
            }
            if json {
                for r in rows {
                    print(
                        JSONValue.object([
                            ("key", .string(r.key)), ("value", .string(r.value)), ("from", .string(r.from)),
                            ("reload", .string(r.reload)),
                        ]))
                }
                return
            }
            // The value last: a list of LEDs is long.
            print("configuration: \(source)")
            let header = (key: "key", reload: "reload", from: "from", value: "value")
            let keyWidth = (rows.map { $0.key.count } + [header.key.count]).max()!
            let fromWidth = (rows.map { $0.from.count } + [header.from.count]).max()!
            func pad(_ s: String, _ n: Int) -> String {
                s + String(repeating: " ", count: max(0, n - s.count))
            }
            for r in [header] + rows {
                print(
                    "\(pad(r.key, keyWidth))  \(pad(r.reload, 7))  \(pad(r.from, fromWidth))  \(r.value.isEmpty ? "—" : r.value)"
                )
            }
        }
    }
}

/// A short human summary of what a configuration will do.
func summary(_ c: StationConfiguration) -> String {
    func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
    func seconds(_ d: Duration) -> String { "\(number(d.seconds)) s" }
    var lines: [String] = []
    lines.append("  station     \(c.station.thingName) (serial \(c.station.serialNumber))")
    lines.append(
        "  hardware    \(c.hardware.rawValue)" + (c.hardware == .linux ? ", I2C bus \(c.i2c.bus)" : ""))
    let w = c.weather
    lines.append(
        "  weather     "
            + (w.sensor == .none
                ? "none"
                : "\(w.sensor.rawValue) at \(hex(w.address)), every \(seconds(w.interval))"))
    let a = c.accelerometer
    lines.append(
        "  motion      "
            + (a.sensor == .none
                ? "none"
                : "\(a.sensor.rawValue) at \(hex(a.address)), ±\(a.rangeG) g, \(number(a.odrHz)) Hz"
                    + (a.fifo ? ", FIFO" : "") + (a.up == .zero ? "" : ", up \(a.upText)")
                    + (a.calibrationSource.map { ", calibration \($0.text)" } ?? "")))
    let i = c.impact
    lines.append(
        "  impact      ≥ \(number(i.thresholdG)) g" + (i.sustain > .zero ? " for \(seconds(i.sustain))" : "")
            + ", severe ≥ \(number(i.severeG)) g")
    var gpio = c.gpio.leds.map { "\($0.role.rawValue) LED on \($0.line)" }
    if let b = c.gpio.button { gpio.append("button on \(b.line)") }
    lines.append("  gpio        \(c.gpio.chip): " + (gpio.isEmpty ? "nothing" : gpio.joined(separator: ", ")))
    lines.append("  storage     \(c.storage.path)")
    let u = c.upload
    var destinations: [String] = []
    if let s3 = u.s3 { destinations.append("S3 \(s3.bucket)/\(s3.prefix)/\(c.station.thingName)/…") }
    if let d = u.dynamodb {
        destinations.append("DynamoDB \(d.table) (items keyed serial_number = \(c.station.thingName))")
    }
    if let k = u.kinesis { destinations.append("Kinesis \(k.stream) (partition key \(c.station.thingName))") }
    lines.append(
        "  upload      "
            + (u.enabled
                ? "on, as thing \(c.station.thingName)"
                    + (destinations.isEmpty ? "" : ": " + destinations.joined(separator: ", ")) : "off"))
    return lines.joined(separator: "\n")
}
