import Cloud
import Foundation
import HAL
import Logging
import ServiceLifecycle
import Storage

/// The hardware a station runs on, as the executable opened it: the Linux adapters
/// (`/dev/i2c-N`, `/dev/gpiochipN`) or the simulated station.
public struct StationHardware: Sendable {
    public var bus: any I2CBus
    /// Nil when the configuration has no LEDs and no button.
    public var gpio: (any GPIOChip)?
    /// The monotonic clock of samples and LED patterns.
    public var now: @Sendable () -> Duration
    /// The clock of the GPIO chip's edge timestamps (nil: `now`).
    public var gpioNow: (@Sendable () -> Duration)?

    public init(
        bus: any I2CBus, gpio: (any GPIOChip)?, now: @escaping @Sendable () -> Duration,
        gpioNow: (@Sendable () -> Duration)? = nil
    ) {
        self.bus = bus
        self.gpio = gpio
        self.now = now
        self.gpioNow = gpioNow
    }
}

/// Why the station could not start, and which exit status says so.
public struct StartupError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A device the configuration names cannot be used (EX_UNAVAILABLE).
        case unavailable
        /// Anything else (another station already running, an unusable socket).
        case failure
    }
    public var kind: Kind
    public var description: String
}

/// Everything `sensorstation run` runs, for one configuration on one set of hardware, in start
/// order: the log, the clock watch, the LEDs, button and samplers, upload, the control socket,
/// SIGHUP reload and systemd's notifications. The group stops services in reverse order, so the
/// log flushes last, after every producer has stopped. The executable only parses arguments,
/// opens the hardware, sets up the console and adds its own services (the live view, the keys).
public struct StationAssembly {
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    public let state: StationState
    public let components: StationComponents
    public let upload: UploadRuntime
    public let live: LiveSettings
    public let recorder: Recorder?
    /// SIGHUP's and the shadow's way to change the running configuration.
    public let reloader: ConfigurationReloader

    /// - Parameters:
    ///   - source: where the configuration came from, named in errors.
    ///   - reload: reads the configuration again (file and environment, with the shadow's
    ///     settings over them) on SIGHUP and for the shadow; nil: no reload service, and the
    ///     shadow's settings are refused.
    ///   - controlSocket: serve `sensorstation stream|ack|status` next to the database.
    public init(
        configuration fileConfiguration: StationConfiguration, source: String, hardware: StationHardware,
        state: StationState, logger: Logger, environment: [String: String],
        reload: ConfigurationReloader.Load?,
        notifier: SystemdNotifier = SystemdNotifier(), controlSocket: Bool = true
    ) throws(StartupError) {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // The shadow's desired settings applied before this run, kept beside the log, go over
        // the file from the start (before the shadow can be reached, if ever).
        let kept = Self.keptShadowSettings(fileConfiguration, reload: reload, state: state, logger: logger)
        let config = kept.configuration
        if let source = config.accelerometer.calibrationSource {
            if source.isApplied {
                logger.info("calibration: \(source.text)")
            } else {
                logger.warning("calibration: \(source.text)")
            }
        }
        let live = LiveSettings(configuration: config)
        let reloader = ConfigurationReloader(
            load: reload, running: config, overlay: kept.overlay, live: live, logger: logger)
        // The log first: the group stops services in reverse order, so it flushes last.
        let recorder = Recorder.open(for: config, state: state, logger: logger)
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
                configuration: config, bus: hardware.bus, gpio: hardware.gpio, now: hardware.now,
                gpioNow: hardware.gpioNow, state: state, recorder: recorder, logger: logger, live: live,
                heartbeat: { notifier.watchdog() })
        } catch {
            throw StartupError(kind: .unavailable, description: "\(error) (gpio in \(source))")
        }
        services += components.services.map { .init(service: $0) }

        // Upload after the recorder: the group stops services in reverse order, so the uploader
        // and the streamer have stopped before the recorder's last flush (nothing is read from
        // the log while it closes). A certificate, key or passphrase that cannot be used raises
        // the `upload` fault and leaves sampling and logging running.
        let upload = UploadRuntime.make(
            configuration: config, database: recorder?.database, state: state, logger: logger,
            environment: environment, clockWatch: clockWatch)
        services += upload.services.map { .init(service: $0) }
        if config.upload.enabled, upload.provider != nil {
            logger.info(
                "upload: \(UploadRuntime.destinationNames(config.upload).joined(separator: ", ")) as \(config.station.thingName) via \(config.upload.credentialsEndpoint)"
            )
        }

        // Alerts after upload (they use its credentials and its clock gate) and before the
        // recorder closes: the group stops them first.
        if config.alert.enabled {
            if let recorder {
                let alerts = AlertService(
                    settings: config.alert,
                    sender: AlertMessage.Sender(
                        thing: config.station.thingName, serial: config.station.serialNumber,
                        location: config.alert.location),
                    database: recorder.database, credentials: upload.provider, state: state, logger: logger,
                    gate: clockWatch.gate)
                services.append(.init(service: alerts))
                logger.info(
                    "alert: impacts to \(config.alert.topicArn) after a cancel window of \(Int(config.alert.cancelWindow.seconds)) s (severe: \(Int(config.alert.severeCancelWindow.seconds)) s)"
                )
            } else {
                state.raiseFault(
                    "alert", "no log to keep the alerts' outbox in: impacts are not told to anyone")
            }
        }

        if controlSocket,
            let control = try Self.controlServer(
                config, state: state, logger: logger, logOpen: recorder != nil,
                calibration: CalibrationControl(reloader: reloader, state: state, logger: logger))
        {
            services.append(.init(service: control.service()))
        }
        if let uploader = upload.uploader {
            reloader.onApply { uploader.setPollInterval($0.upload.pollInterval) }
        }
        if config.shadow.enabled {
            if let provider = upload.provider {
                let client = ShadowClient(
                    endpoint: config.shadow.endpoint, region: config.upload.region,
                    thing: config.station.thingName,
                    credentials: provider)
                var sensors: [String: String] = [:]
                if let w = components.weatherLabel { sensors["weather"] = w }
                if let a = components.accelerometerLabel { sensors["accelerometer"] = a }
                services.append(
                    .init(
                        service: ShadowService(
                            client: client, reloader: reloader, store: kept.store, state: state,
                            database: recorder?.database, sensors: sensors,
                            destinations: UploadRuntime.destinationNames(config.upload),
                            gate: clockWatch.gate,
                            logger: logger, version: SensorStationVersion.current, startOutcome: kept.outcome)
                    ))
                logger.info(
                    "shadow: \(config.station.thingName) at \(client.endpoint), heartbeat \(Int(config.shadow.heartbeat.seconds)) s"
                )
            } else {
                state.raiseFault(
                    "shadow", "no credentials (see the upload fault): the shadow is not read or written")
            }
        }
        if reload != nil {
            services.append(.init(service: ReloadService(reloader: reloader)))
        }
        services.append(
            .init(
                service: SystemdService(
                    notifier: notifier, state: state, expected: components.sampledComponents)))

        self.services = services
        self.state = state
        self.components = components
        self.upload = upload
        self.live = live
        self.recorder = recorder
        self.reloader = reloader
    }

    /// The file's configuration with the shadow settings kept from an earlier run over it, when
    /// the shadow is on and they still validate against today's file.
    private static func keptShadowSettings(
        _ file: StationConfiguration, reload: ConfigurationReloader.Load?, state: StationState, logger: Logger
    ) -> (
        configuration: StationConfiguration, overlay: ConfigurationOverlay, store: ShadowStore?,
        outcome: ShadowReport.DesiredOutcome?
    ) {
        guard file.shadow.enabled else { return (file, .empty, nil, nil) }
        let store = ShadowStore(databasePath: file.storage.path)
        let kept: ShadowStore.Kept
        do {
            guard let k = try store.load(), !k.values.isEmpty else { return (file, .empty, store, nil) }
            kept = k
        } catch {
            state.raiseFault("shadow", "\(error)")
            return (file, .empty, store, nil)
        }
        guard let reload else { return (file, .empty, store, nil) }
        // Only what desired may set, whatever the file says (edited by hand, or kept by a version
        // that allowed more).
        let foreign = kept.values.keys.filter { !ShadowDesired.settableKeys.contains($0) }.sorted()
        guard foreign.isEmpty else {
            let problems = foreign.map { "\(store.path): \($0) is not settable from the shadow" }
            logger.error("shadow: the kept settings are not used: \(problems.joined(separator: "; "))")
            return (file, .empty, store, .refused(version: kept.version, problems: problems))
        }
        do throws(ConfigurationError) {
            var c = try reload(kept.overlay)
            c.hardware = file.hardware
            logger.notice(
                "shadow: starting with the settings of desired version \(kept.version): \(kept.values.keys.sorted().joined(separator: ", "))"
            )
            return (c, kept.overlay, store, .applied(version: kept.version))
        } catch {
            logger.error(
                "shadow: the settings kept from desired version \(kept.version) no longer validate, the file's stay: \(error)"
            )
            return (
                file, .empty, store,
                .refused(version: kept.version, problems: error.problems.map(\.description))
            )
        }
    }

    /// The control socket (stream start/stop, ack, state) lives next to the database. When the
    /// storage directory is unusable (the log is off too), sampling goes on with a fault that
    /// says stream and ack are unavailable; another running station is an error.
    private static func controlServer(
        _ config: StationConfiguration, state: StationState, logger: Logger, logOpen: Bool,
        calibration: CalibrationControl
    ) throws(StartupError) -> ControlServer? {
        do {
            let dir = (config.storage.path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(
                atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
            return try ControlServer(
                path: ControlSocket.path(forDatabase: config.storage.path), state: state, logger: logger,
                calibration: calibration)
        } catch let error as ControlSocketError where error.kind == .anotherStation {
            throw StartupError(kind: .failure, description: "\(error)")
        } catch  where !logOpen {
            state.raiseFault("control", "\(error); stream and ack are unavailable")
            return nil
        } catch {
            throw StartupError(kind: .failure, description: "\(error)")
        }
    }

    /// After the group has stopped: closes the credentials provider's connections.
    public func shutdown() async {
        if let provider = upload.provider { await provider.shutdown() }
    }
}
