import ArgumentParser
import Foundation
import LinuxSystem
import Logging
import ServiceLifecycle
import Station

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the station: sample the sensors, drive the LEDs, read the button.",
        discussion: """
            On a terminal it shows a live view; otherwise (under systemd, in a pipe) it prints one \
            plain log line per event, with syslog priority prefixes when journald is listening.
            SIGTERM and SIGINT stop it cleanly (LEDs off, lines released) with exit status 0.
            With --simulated (or `hardware: simulated` in the configuration) the sensors, LEDs and \
            button are simulated: keys act as the button and inject impacts.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Use the simulated station (sensors, LEDs, button) whatever the configuration says.")
    var simulated = false

    @Flag(help: "Print plain log lines even on a terminal (no live view).")
    var plain = false

    @Option(
        help: ArgumentHelp(
            "Stop by itself after this many seconds (for demos and tests).", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0 && duration.isFinite) {
            throw ValidationError("--duration must be a positive number of seconds, got \(duration)")
        }
    }

    func run() async throws {
        // Setting up is synchronous and kept out of this async function: its coroutine frame
        // then holds only what the run needs. (With everything inline, Debian's Swift 6.2.3
        // compiler used for the arm64 build asserts while laying that frame out.)
        let station = try prepare()
        let live = station.live
        do {
            try await station.group.run()
        } catch {
            if live { Terminal.write(Dashboard.leave) }
            printError("stopped on an error: \(error)")
            throw ExitCode(ExitCodes.failure)
        }
        if live { Terminal.write(Dashboard.leave) }
        await station.assembly.shutdown()
        let s = station.assembly.state.snapshot
        station.logger.info(
            "sensorstation stopped: \(s.impactCount) impact\(s.impactCount == 1 ? "" : "s"), LEDs off")
        if live {
            print(
                "sensorstation stopped: \(s.impactCount) impact\(s.impactCount == 1 ? "" : "s") recorded; LEDs off."
            )
        }
    }

    /// What `run` runs: the service group and what it reports on when the group has stopped.
    struct Prepared {
        let group: ServiceGroup
        let live: Bool
        let assembly: StationAssembly
        let logger: Logger
    }

    /// Loads the configuration, opens the hardware and the log, and builds the service group.
    func prepare() throws -> Prepared {
        var (config, source) = try options.load()
        if simulated { config.hardware = .simulated }
        let live = Terminal.stdoutIsTTY && !plain
        let journald = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil && !Terminal.stdoutIsTTY
        let state = StationState()
        let style = Style(enabled: Terminal.useColor)

        // Log lines: to stdout in plain mode, into the live view's event list otherwise.
        let level = Logger.Level(rawValue: config.logging.level.rawValue) ?? .info
        let writeLine: @Sendable (String) -> Void = { line in Terminal.write(line + "\n") }
        let logger: Logger
        if live {
            logger = Logger(label: "sensorstation") { label in
                LineLogHandler(label: label, level: level, journald: false) { line in
                    state.record(
                        .note(line.split(separator: " ", maxSplits: 1).last.map(String.init) ?? line))
                }
            }
        } else {
            logger = Logger(label: "sensorstation") { label in
                LineLogHandler(label: label, level: level, journald: journald, write: writeLine)
            }
            state.addSink(PlainEventPrinter(journald: journald, write: writeLine).sink)
        }

        let hardware: Hardware
        do {
            hardware = try Hardware.open(config)
        } catch {
            printError(error.description)
            throw ExitCode(ExitCodes.unavailable)
        }
        logger.info(
            "sensorstation starting: configuration \(source), \(hardware.description), station \(config.station.thingName)"
        )

        let assembly: StationAssembly
        do {
            let options = options
            assembly = try StationAssembly(
                configuration: config, source: source,
                hardware: hardware.station,
                state: state, logger: logger, environment: ProcessInfo.processInfo.environment,
                reload: { overlay throws(ConfigurationError) in
                    try options.loadQuietly(overlay: overlay).configuration
                })
        } catch {
            printError(error.description)
            throw ExitCode(error.kind == .unavailable ? ExitCodes.unavailable : ExitCodes.failure)
        }
        var services = assembly.services
        let components = assembly.components

        if live {
            let info = Dashboard.Info(
                title: "\(config.station.thingName) (\(config.station.serialNumber))",
                hardware: hardware.description,
                weatherSensor: components.weatherLabel, accelerometer: components.accelerometerLabel,
                ledRoles: components.ledRoles,
                keys: hardware.simulation == nil
                    ? [("q", "quit")]
                    : hardware.simulation?.pressButton == nil
                        ? [("i", "inject impact"), ("d", "drop 1 m"), ("o", "turn over"), ("q", "quit")]
                        : [
                            ("space", "button"), ("l", "long press"), ("i", "inject impact"),
                            ("d", "drop 1 m"), ("o", "turn over"),
                            ("q", "quit"),
                        ])
            services.append(
                .init(service: DashboardService(dashboard: Dashboard(info: info, style: style), state: state))
            )
        }
        if Terminal.stdinIsTTY && Terminal.stdoutIsTTY {
            services.append(
                .init(
                    service: KeyboardService(
                        controls: hardware.simulation, longPress: config.gpio.button?.longPress ?? .seconds(2)
                    ),
                    successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let duration {
            services.append(
                .init(
                    service: TimerService(duration: .milliseconds(Int64(duration * 1000))),
                    successTerminationBehavior: .gracefullyShutdownGroup))
        }

        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
                logger: Logger(label: "lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })))
        return Prepared(group: group, live: live, assembly: assembly, logger: logger)
    }
}
