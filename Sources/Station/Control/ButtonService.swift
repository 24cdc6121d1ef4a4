import Foundation
import HAL
import Logging

/// Reads the button line on a dedicated thread, debounces in software where the kernel does not,
/// and turns presses into actions: short = toggle streaming, long = acknowledge a latched impact.
public struct ButtonService {
    public let line: any InputLine
    public let debounce: Duration
    public let longPress: Duration
    public let state: StationState
    /// The clock the line's event timestamps are on (CLOCK_MONOTONIC for libgpiod).
    public let now: @Sendable () -> Duration
    public let logger: Logger

    public init(
        line: any InputLine, debounce: Duration, longPress: Duration, state: StationState,
        now: @escaping @Sendable () -> Duration, logger: Logger
    ) {
        self.line = line
        self.debounce = debounce
        self.longPress = longPress
        self.state = state
        self.now = now
        self.logger = logger
    }

    /// What a classified press does to the station: a short press toggles streaming, a long one
    /// acknowledges a latched impact.
    public static func act(on output: PressClassifier.Output, state: StationState) -> ButtonRecord {
        let command: StationCommand =
            switch output.press {
            case .short: .stream(.toggle)
            case .long: .acknowledgeImpact
            }
        let outcome = command.apply(to: state, cause: "button")
        return ButtonRecord(
            time: Date(), press: output.press, heldMs: Int(output.held.milliseconds), result: outcome.result)
    }

    /// How long the button thread waits for an edge when no deadline is near.
    static let idleWait = Duration.milliseconds(100)

    public func service() -> ThreadService {
        nonisolated(unsafe) let line = self.line
        let (debounce, longPress, state, now, logger) = (debounce, longPress, state, now, logger)
        return ThreadService(name: "button") { signal in
            // With kernel debounce (libgpiod 2.x) the edges arrive already debounced: the kernel
            // reports an edge only once the line has been stable for the period (shown on gpio-sim
            // in Tests/Kernel/cgpiod-test.c). A second software stage would filter nothing more
            // and only add its own delay to every press, so it is skipped; on 1.6 it debounces.
            var classifier = PressClassifier(
                debounce: line.hasKernelDebounce ? .zero : debounce, longPress: longPress)
            var failing = false
            while !signal.isStopped {
                var outputs: [PressClassifier.Output] = []
                do {
                    // Woken by an edge, or when the classifier's next deadline comes (a debounce
                    // ending, a press becoming long); otherwise every 100 ms, to see a stop (10
                    // wakeups a second idle, where a 10 ms poll made 100).
                    let timeout =
                        classifier.nextDeadline.map { max(.zero, min($0 - now(), Self.idleWait)) }
                        ?? Self.idleWait
                    let events = try line.waitForEvents(timeout: timeout)
                    if failing {
                        failing = false
                        state.clearFault("button")
                    }
                    for e in events {
                        outputs += classifier.edge(active: e.kind == .rising, at: e.timestamp)
                    }
                } catch {
                    if !failing {
                        failing = true
                        state.raiseFault("button", "\(error)")
                    }
                    if signal.wait(for: .seconds(1)) { break }
                }
                outputs += classifier.advance(to: now())
                for o in outputs {
                    state.record(.button(ButtonService.act(on: o, state: state)))
                }
            }
            _ = logger
        }
    }
}
