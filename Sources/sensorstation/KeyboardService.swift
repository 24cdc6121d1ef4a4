import Foundation
import LinuxSystem
import ServiceLifecycle
import Station
import Synchronization

/// Reads single keys from the terminal on a dedicated thread: on the simulated station, space is a
/// short press of the button, `l` a long press, `i` injects an impact, `d` drops it, `o` turns it
/// onto its next face (for `sensorstation calibrate`); `q` quits anywhere. The
/// terminal is put back as it was on the way out. A closed stdin just ends key input.
struct KeyboardService: Service {
    let controls: SimulationControls?
    let longPress: Duration

    func run() async throws {
        guard let saved = Terminal.enterCharacterMode() else {
            try? await gracefulShutdown()
            return
        }
        defer { Terminal.restore(saved) }
        let quit = Mutex(false)
        let signal = StopSignal()
        await withGracefulShutdownHandler {
            await DedicatedThread.run(name: "keyboard", signal: signal) { signal in
                while !signal.isStopped {
                    switch Terminal.readByte(timeoutMs: 100) {
                    case .timeout: continue
                    case .eof:
                        signal.wait(for: .seconds(86_400 * 365))
                    case .byte(let b):
                        switch Character(UnicodeScalar(b)) {
                        case "q", "Q":
                            quit.withLock { $0 = true }
                            return
                        case " ", "b": controls?.pressButton?(.milliseconds(150))
                        case "l", "L": controls?.pressButton?(longPress + .milliseconds(300))
                        case "i", "I": controls?.injectImpact()
                        case "d", "D": controls?.injectDrop()
                        case "o", "O": controls?.turnOver()
                        default: break
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            signal.stop()
        }
        if !quit.withLock({ $0 }) {
            // Stopped by a signal: nothing more to do. (Returning ends the group only after 'q'.)
            try? await gracefulShutdown()
        }
    }
}
