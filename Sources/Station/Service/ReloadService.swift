import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The configuration a running station applies: the file and the environment read again, with
/// the Device Shadow's desired settings laid over them (`ConfigurationOverlay`). SIGHUP and the
/// shadow both change it here, so a setting from either is validated by the same code and
/// applied the same way: the live keys at once (impact thresholds and windows, calibration,
/// weather interval and temperature offset, upload poll interval, shadow heartbeat); a changed
/// key that needs a restart is named. A configuration that does not validate is refused whole
/// and the running one kept.
public final class ConfigurationReloader: Sendable {
    public typealias Load =
        @Sendable (ConfigurationOverlay) throws(ConfigurationError) -> StationConfiguration

    /// What one apply changed: the live keys with old and new values, and the changed keys
    /// that wait for a restart.
    public struct Outcome: Sendable, Equatable {
        public var applied: [String]
        public var restart: [String]
    }

    let load: Load?
    let live: LiveSettings
    let logger: Logger
    private let state: Mutex<(running: StationConfiguration, overlay: ConfigurationOverlay, generation: Int)>
    private let listeners = Mutex<[@Sendable (StationConfiguration) -> Void]>([])

    /// - Parameters:
    ///   - load: reads the configuration again (file and environment) with an overlay, without
    ///     printing anything; nil: the station runs without a file to read again (an embedding
    ///     test), and every apply is refused.
    ///   - running: what the station started with (`overlay` already applied).
    public init(
        load: Load?, running: StationConfiguration, overlay: ConfigurationOverlay = .empty,
        live: LiveSettings, logger: Logger
    ) {
        self.load = load
        self.live = live
        self.logger = logger
        state = Mutex((running, overlay, 0))
    }

    public var running: StationConfiguration { state.withLock { $0.running } }
    public var overlay: ConfigurationOverlay { state.withLock { $0.overlay } }

    /// Called with the new running configuration after every apply that changed a live key
    /// (for what does not read `LiveSettings`: the uploader's poll interval).
    public func onApply(_ listener: @escaping @Sendable (StationConfiguration) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// SIGHUP: the file again, with the overlay in force (the one in force when the file is
    /// read, under the same lock: a shadow apply in between is not undone). Logs what changed,
    /// or why nothing did.
    @discardableResult
    public func reload() -> Outcome? {
        do {
            let outcome = try commit(overlay: nil)
            if outcome.applied.isEmpty && outcome.restart.isEmpty { logger.notice("reload: nothing changed") }
            return outcome
        } catch {
            logger.error("reload refused, the running configuration stays: \(error)")
            return nil
        }
    }

    /// Loads the file and the environment with `overlay` on top; when that validates, applies
    /// the live keys and keeps `overlay` for later reloads. Throws the problems otherwise, and
    /// nothing changes.
    @discardableResult
    public func apply(overlay: ConfigurationOverlay) throws(ConfigurationError) -> Outcome {
        try commit(overlay: overlay)
    }

    /// A change to a file the load reads (the calibration file), then a reload with the overlay
    /// in force, under the one lock: no SIGHUP or shadow apply can load the file half-way, or
    /// be undone by this one. `accept` judges the loaded configuration; when the load fails or
    /// `accept` refuses, `undo` puts the file back (before the lock is released) and nothing is
    /// applied.
    public func reload(
        changing change: () throws(ReloadChangeError) -> Void,
        accept: (StationConfiguration) -> String?, undo: () throws(ReloadChangeError) -> Void
    ) throws(ReloadChangeError) -> Outcome {
        try state.withLock { s throws(ReloadChangeError) in
            try change()
            guard let load else {
                try undo()
                throw ReloadChangeError("this station runs without a configuration file to read again")
            }
            var new: StationConfiguration
            do { new = try load(s.overlay) } catch {
                try undo()
                throw ReloadChangeError("\(error)")
            }
            if let refusal = accept(new) {
                try undo()
                throw ReloadChangeError(refusal)
            }
            new.hardware = s.running.hardware
            return apply(new, overlay: s.overlay, to: &s)
        }
    }

    /// How many applies have succeeded (a refused desired state is worth another look after
    /// one: the file it was checked against may have changed).
    public var generation: Int { state.withLock { $0.generation } }

    /// One lock over the load, the commit, the live settings and the listeners: two applies
    /// (SIGHUP and the shadow) cannot interleave and leave the live values behind `running`.
    /// `overlay` nil: the one in force.
    private func commit(overlay given: ConfigurationOverlay?) throws(ConfigurationError) -> Outcome {
        try state.withLock { s throws(ConfigurationError) in
            let overlay = given ?? s.overlay
            guard let load else {
                throw ConfigurationError(problems: [
                    ConfigurationProblem(
                        source: overlay.source, key: "",
                        message: "this station runs without a configuration file to read again")
                ])
            }
            var new = try load(overlay)
            new.hardware = s.running.hardware  // --simulated stays as started
            return apply(new, overlay: overlay, to: &s)
        }
    }

    /// Takes `new` (validated) as the running configuration, under the lock.
    private func apply(
        _ new: StationConfiguration, overlay: ConfigurationOverlay,
        to s: inout (running: StationConfiguration, overlay: ConfigurationOverlay, generation: Int)
    ) -> Outcome {
        let outcome = Outcome(
            applied: ReloadPlan.applied(old: s.running, new: new),
            restart: ReloadPlan.needsRestart(old: s.running, new: new))
        // Only the live keys: a changed range or rate (a restart) must not reach the
        // detector while the chip still runs with the old one.
        s.running = ReloadPlan.applying(new, to: s.running)
        // Which calibration file (if any) the calibration keys now come from.
        s.running.accelerometer.calibrationSource = new.accelerometer.calibrationSource
        s.overlay = overlay
        s.generation += 1
        live.update(LiveSettings.Values(configuration: s.running))
        if !outcome.applied.isEmpty {
            logger.notice("reload: applied \(outcome.applied.joined(separator: ", "))")
            for listener in listeners.withLock({ $0 }) { listener(s.running) }
        }
        if !outcome.restart.isEmpty {
            logger.warning(
                "reload: not applied, restart to change \(outcome.restart.joined(separator: ", "))")
        }
        return outcome
    }
}

/// Why a change through `ConfigurationReloader.reload(changing:accept:undo:)` was not applied.
public struct ReloadChangeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// SIGHUP: `ConfigurationReloader.reload`.
public struct ReloadService: Service {
    let reloader: ConfigurationReloader

    public init(reloader: ConfigurationReloader) {
        self.reloader = reloader
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reloader.reload()
        }
    }
}
