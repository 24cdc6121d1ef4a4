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

    /// - Parameters:
    ///   - source: where the configuration came from, named in errors.
    ///   - reload: reads the configuration again on SIGHUP; nil: no reload service.
    ///   - controlSocket: serve `sensorstation stream|ack|status` next to the database.
    public init(
        configuration config: StationConfiguration, source: String, hardware: StationHardware,
        state: StationState, logger: Logger, environment: [String: String],
        reload: (@Sendable () throws -> StationConfiguration)?,
        notifier: SystemdNotifier = SystemdNotifier(), controlSocket: Bool = true
    ) throws(StartupError) {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let live = LiveSettings(configuration: config)
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
                config, state: state, logger: logger, logOpen: recorder != nil)
        {
            services.append(.init(service: control.service()))
        }
        if let reload {
            services.append(
                .init(service: ReloadService(load: reload, running: config, live: live, logger: logger)))
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
    }

    /// The control socket (stream start/stop, ack, state) lives next to the database. When the
    /// storage directory is unusable (the log is off too), sampling goes on with a fault that
    /// says stream and ack are unavailable; another running station is an error.
    private static func controlServer(
        _ config: StationConfiguration, state: StationState, logger: Logger, logOpen: Bool
    ) throws(StartupError) -> ControlServer? {
        do {
            let dir = (config.storage.path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(
                atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
            return try ControlServer(
                path: ControlSocket.path(forDatabase: config.storage.path), state: state, logger: logger)
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
