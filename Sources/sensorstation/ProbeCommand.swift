import ArgumentParser
import Drivers
import Foundation
import HAL
import Station
import Storage

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Scan an I2C bus: which addresses answer, and which known chips they are.",
        discussion: """
            Visits 0x03–0x77 like `i2cdetect -r` (reads only; nothing is written to any device) and \
            identifies BME280/BMP280, ADXL345/ADXL375, LIS3DH, LIS331HH/H3LIS331DL and MPU-6050 by \
            their chip-ID registers. Anything else that answers is an "unknown device".
            Exit status: 0 when at least one device answers, 1 when none does, 69 when the bus \
            cannot be opened, 78 for an invalid configuration.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(
        help: ArgumentHelp(
            "The I2C bus, e.g. /dev/i2c-1 or 1 (default: i2c.bus from the configuration).",
            valueName: "bus"))
    var bus: String?

    @Flag(help: "Scan the simulated station's bus.")
    var simulated = false

    @Flag(help: "One JSON object per device and line: bus, address, chip, chip_id.")
    var json = false

    func run() throws {
        let i2c: any I2CBus
        let config = (simulated || bus == nil) ? try options.load().configuration : nil
        do {
            if let config, simulated || config.hardware == .simulated {
                i2c = SimulatedHardwareFactory.make(config).station.bus  // the bus only: no GPIO chip opened
            } else {
                i2c = try Hardware.linuxBus(bus ?? config?.i2c.bus ?? "/dev/i2c-1")
            }
        } catch {
            printError(error.description)
            throw ExitCode(ExitCodes.unavailable)
        }
        let results = Probe.scan(i2c)
        if json {
            for r in results { print(jsonLine(r, bus: i2c.path)) }
        } else {
            print(table(results, bus: i2c.path))
        }
        if results.isEmpty { throw ExitCode(ExitCodes.failure) }
    }

    func jsonLine(_ r: ProbeResult, bus: String) -> String {
        var fields: [(String, String)] = [
            ("bus", JSONValue.quote(bus)), ("address", JSONValue.quote(hex(r.address))),
            ("chip", JSONValue.quote(r.name)),
        ]
        if let id = r.chipID { fields.append(("chip_id", JSONValue.quote(hex(id)))) }
        if let reg = r.idRegister, r.chipID != nil {
            fields.append(("id_register", JSONValue.quote(hex(reg))))
        }
        if !r.alsoMatches.isEmpty {
            fields.append(("also_matches", JSONValue.array(r.alsoMatches.map { .string($0.rawValue) })))
        }
        if let e = r.error { fields.append(("error", JSONValue.quote(e.explanation))) }
        return JSONValue.object(text: fields)
    }

    func table(_ results: [ProbeResult], bus: String) -> String {
        if results.isEmpty {
            return
                "\(bus): no device answers (check power, SDA/SCL wiring and pull-ups; `sensorstation probe --help`)"
        }
        var rows = [["ADDRESS", "CHIP", "CHIP ID", "NOTE"]]
        for r in results {
            var note = ""
            if !r.alsoMatches.isEmpty {
                note =
                    "same ID as \(r.alsoMatches.map(\.rawValue).joined(separator: ", ")): name the part in the configuration"
            }
            if let e = r.error { note = e.explanation }
            let id = r.chipID.map { "\(hex($0)) @ \(hex(r.idRegister ?? 0))" } ?? "—"
            rows.append([hex(r.address), r.name, id, note])
        }
        return
            "\(bus): \(results.count) device\(results.count == 1 ? "" : "s") answer\(results.count == 1 ? "s" : "")\n"
            + renderTable(rows)
    }
}
