import ArgumentParser
import Cloud
import Foundation
import HAL
import Logging
import ServiceLifecycle
import Station
import Storage
import Synchronization

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
        if let provider = station.upload.provider { await provider.shutdown() }
        let s = station.state.snapshot
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
        let state: StationState
        let logger: Logger
        let upload: UploadRuntime
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

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []

        let notifier = SystemdNotifier()
        let liveSettings = LiveSettings(configuration: config)
        // The log first: the group stops services in reverse order, so it flushes last.
        let recorder = openRecorder(config, state: state, logger: logger)
        if let recorder {
            StorageSink.attach(recorder, to: state)
            services.append(.init(service: recorder))
        }
        // No battery clock: what is logged before NTP sets the clock is corrected when it does,
        // and uploads wait until then. It looks now, before anything is logged; it stops before
        // the recorder's last flush.
        let clockWatch = ClockWatch(recorder: recorder, marker: config.upload.clockSyncMarker, logger: logger)
        services.append(.init(service: clockWatch))

        let components: StationComponents
        do {
            components = try StationComponents(
                configuration: config, bus: hardware.bus, gpio: hardware.gpio,
                now: hardware.now, gpioNow: hardware.gpioNow, state: state,
                recorder: recorder, logger: logger,
                live: liveSettings, heartbeat: { notifier.watchdog() })
        } catch {
            printError("\(error) (gpio in \(source))")
            throw ExitCode(ExitCodes.unavailable)
        }
        services += components.services.map { .init(service: $0) }

        // Upload after the recorder: the group stops services in reverse order, so the uploader
        // and the streamer have stopped before the recorder's last flush (nothing is read from
        // the log while it closes). A certificate, key or passphrase that cannot be used raises
        // the `upload` fault and leaves sampling and logging running.
        let upload = UploadRuntime.make(
            configuration: config, database: recorder?.database, state: state, logger: logger,
            environment: ProcessInfo.processInfo.environment, clockWatch: clockWatch)
        services += upload.services.map { .init(service: $0) }
        if config.upload.enabled, upload.provider != nil {
            logger.info(
                "upload: \(UploadRuntime.destinationNames(config.upload).joined(separator: ", ")) as \(config.station.thingName) via \(config.upload.credentialsEndpoint)"
            )
        }

        // The control socket (stream start/stop, ack) lives next to the database.
        let control: ControlServer?
        do {
            let dir = (config.storage.path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(
                atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
            control = try ControlServer(
                path: ControlSocket.path(forDatabase: config.storage.path), state: state,
                logger: logger)
        } catch  where recorder == nil && !"\(error)".hasPrefix("another sensorstation") {
            // The storage directory is unusable (the log is off too): keep sampling, say why.
            state.raiseFault("control", "\(error); stream and ack are unavailable")
            control = nil
        } catch {
            printError("\(error)")
            throw ExitCode(ExitCodes.failure)
        }
        if let control { services.append(.init(service: control.service())) }
        services.append(
            .init(
                service: ReloadService(options: options, running: config, live: liveSettings, logger: logger))
        )
        services.append(
            .init(
                service: SystemdService(
                    notifier: notifier, state: state,
                    expected: components.sampledComponents)))

        if live {
            let info = Dashboard.Info(
                title: "\(config.station.thingName) (\(config.station.serialNumber))",
                hardware: hardware.description,
                weatherSensor: components.weatherLabel, accelerometer: components.accelerometerLabel,
                ledRoles: components.ledRoles,
                keys: hardware.simulation == nil
                    ? [("q", "quit")]
                    : hardware.simulation?.pressButton == nil
                        ? [("i", "inject impact"), ("q", "quit")]
                        : [("space", "button"), ("l", "long press"), ("i", "inject impact"), ("q", "quit")])
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
        return Prepared(group: group, live: live, state: state, logger: logger, upload: upload)
    }
}

/// Opens the SQLite log for writing. A corrupt file is moved aside (kept) and a fresh one created,
/// which is a fault to show; a log that cannot be opened at all leaves the station running without
/// one, with the fault on, rather than dark.
func openRecorder(_ c: StationConfiguration, state: StationState, logger: Logger) -> Recorder? {
    do {
        let (database, report) = try StationDatabase.openForWriting(path: c.storage.path)
        if let kept = report.movedAside {
            state.raiseFault(
                "storage", "the database was corrupt: kept as \(kept), started a new one at \(c.storage.path)"
            )
        }
        let destinations = UploadRuntime.destinationNames(c.upload)
        // Rows stamped before any plausible date (a run that ended before the clock was set) are
        // held back from upload, so they must not go by age either: `status` counts them.
        let retention = RetentionPolicy(
            maxAge: .seconds(Int64(c.storage.retentionDays) * 86_400),
            maxBytes: Int64(c.storage.maxSizeMB) << 20, uploadDestinations: destinations,
            keepStampedBefore: ClockSynchronisation.earliestPlausibleDate)
        return Recorder(
            database: database, commitInterval: c.storage.commitInterval, retention: retention, logger: logger
        )
    } catch {
        state.raiseFault("storage", "\(error); running without a log")
        return nil
    }
}

/// Prints station events as plain log lines (not a terminal: pipes, files, journald).
struct PlainEventPrinter: Sendable {
    let journald: Bool
    let write: @Sendable (String) -> Void
    /// Motion summaries arrive every second; a line every `motionEvery` keeps the log readable.
    var motionEvery = 10
    private let motionCount = Counter()

    init(journald: Bool, write: @escaping @Sendable (String) -> Void) {
        self.journald = journald
        self.write = write
    }

    var sink: @Sendable (Date, StationEvent) -> Void {
        { [self] date, event in
            let level: Logger.Level
            switch event {
            case .motion:
                if motionCount.next() % motionEvery != 0 { return }
                level = .info
            case .fault: level = .warning
            case .impact: level = .notice
            default: level = .info
            }
            write(
                LineLogHandler.format(
                    level: level, message: event.logLine, label: "station", metadata: [:],
                    journald: journald, date: date))
        }
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock { v in
            defer { v += 1 }; return v
        }
    }
}

/// Stops the group after a fixed time (`run --duration`).
struct TimerService: Service {
    let duration: Duration
    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// Redraws the live view a few times a second until shutdown.
struct DashboardService: Service {
    let dashboard: Dashboard
    let state: StationState

    func run() async throws {
        var d = dashboard
        Terminal.write(Dashboard.enter)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            Terminal.write(d.frame(state.snapshot, width: Terminal.width))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
        }
    }
}
