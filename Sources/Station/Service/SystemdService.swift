import Foundation
import ServiceLifecycle

/// Tells systemd how the station is doing: READY=1 once every sampler has tried its sensor and
/// the log is open (the group starts the recorder first), then a STATUS= line a person can read in
/// `systemctl status` whenever it changes (checked every second), and STOPPING=1 at the end.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let state: StationState
    let expected: Set<String>
    let summary: @Sendable (StationState.Snapshot) -> String
    /// READY=1 is sent at the latest after this, with the status saying what is still missing.
    let readyTimeout: Duration

    public init(
        notifier: SystemdNotifier, state: StationState, expected: Set<String>,
        readyTimeout: Duration = .seconds(20),
        summary: @escaping @Sendable (StationState.Snapshot) -> String = SystemdService.defaultSummary
    ) {
        self.notifier = notifier
        self.state = state
        self.expected = expected
        self.readyTimeout = readyTimeout
        self.summary = summary
    }

    public func run() async throws {
        let start = ContinuousClock.now
        while !state.snapshot.probed.isSuperset(of: expected), ContinuousClock.now - start < readyTimeout {
            if (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .milliseconds(20)) }))
                == nil
            {
                return
            }
        }
        let missing = expected.subtracting(state.snapshot.probed)
        var last =
            summary(state.snapshot)
            + (missing.isEmpty ? "" : "; still probing \(missing.sorted().joined(separator: ", "))")
        notifier.ready(status: last)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .seconds(1)) })) == nil {
                break
            }
            let now = summary(state.snapshot)
            if now != last {
                notifier.status(now)
                last = now
            }
        }
        notifier.stopping(status: "stopping: flushing the log, LEDs off")
    }

    /// "streaming off; 2 impacts, 1 latched; faults: none; last 21.4 °C, |a| 1.00 g"
    @Sendable public static func defaultSummary(_ s: StationState.Snapshot) -> String {
        var parts: [String] = []
        parts.append("streaming \(s.indication.streaming ? "on" : "off")")
        parts.append(
            "\(s.impactCount) impact\(s.impactCount == 1 ? "" : "s")"
                + (s.indication.impactLatched ? ", latched" : ""))
        parts.append(
            s.faultMessages.isEmpty
                ? "no faults" : "FAULT " + s.faultMessages.keys.sorted().joined(separator: ", "))
        if let w = s.lastWeather { parts.append(String(format: "%.1f °C", w.temperatureC)) }
        if let m = s.lastMotion { parts.append("\(m.sampleCount) samples/s") }
        if let d = s.sampling, !d.isEmpty {
            parts.append("samples lost: \(d.overruns) overruns, \(d.gaps) gaps")
        }
        return parts.joined(separator: "; ")
    }
}
