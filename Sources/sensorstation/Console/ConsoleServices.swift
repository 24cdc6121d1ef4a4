import Foundation
import LinuxSystem
import Logging
import ServiceLifecycle
import Station
import Synchronization

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
