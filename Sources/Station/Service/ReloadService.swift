import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: reads the configuration again and applies what can change while running (impact
/// thresholds and windows, accelerometer calibration, weather interval and temperature offset);
/// says which changed keys need a restart. A configuration that does not validate is refused and
/// the running one kept.
public struct ReloadService: Service {
    /// Reads the configuration again (file and environment), without printing anything.
    let load: @Sendable () throws -> StationConfiguration
    let running: StationConfiguration
    let live: LiveSettings
    let logger: Logger

    public init(
        load: @escaping @Sendable () throws -> StationConfiguration, running: StationConfiguration,
        live: LiveSettings, logger: Logger
    ) {
        self.load = load
        self.running = running
        self.live = live
        self.logger = logger
    }

    public func run() async throws {
        var current = running
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            current = reload(from: current)
        }
    }

    /// One SIGHUP: load the file, apply the live keys, log what changed, and return what runs
    /// now. Synchronous, so `run`'s coroutine frame stays small: swiftlang 6.2.3's LLVM asserts
    /// in CoroFrame laying out a large one for aarch64 (as it did for `RunCommand.run`).
    public func reload(from current: StationConfiguration) -> StationConfiguration {
        let loaded: StationConfiguration
        do {
            loaded = try load()
        } catch {
            logger.error("reload refused, the running configuration stays: \(error)")
            return current
        }
        var new = loaded
        new.hardware = current.hardware  // --simulated stays as started
        let applied = ReloadPlan.applied(old: current, new: new)
        let restart = ReloadPlan.needsRestart(old: current, new: new)
        // Only the live keys: a changed range or rate (a restart) must not reach the detector
        // while the chip still runs with the old one.
        let next = ReloadPlan.applying(new, to: current)
        live.update(LiveSettings.Values(configuration: next))
        if applied.isEmpty && restart.isEmpty {
            logger.notice("reload: nothing changed")
        } else {
            if !applied.isEmpty { logger.notice("reload: applied \(applied.joined(separator: ", "))") }
            if !restart.isEmpty {
                logger.warning("reload: not applied, restart to change \(restart.joined(separator: ", "))")
            }
        }
        return next
    }
}
