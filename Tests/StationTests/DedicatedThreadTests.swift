import Foundation
import Synchronization
import Testing

@testable import Station

@Suite("Dedicated threads")
struct DedicatedThreadTests {
    /// The calling thread's id and its name as the kernel shows it (/proc/self/task/<tid>/comm).
    static func currentThreadComm() -> (tid: String, comm: String?) {
        // /proc/thread-self is the link <pid>/task/<tid>.
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? "?"
        let tid = String(link.split(separator: "/").last ?? "?")
        let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)
        return (tid, comm.map { $0.trimmingCharacters(in: .newlines) })
    }

    @Test(
        "the names fit the kernel's 15 bytes",
        arguments: [
            ("motion", "ss-motion"), ("weather", "ss-weather"), ("button", "ss-button"),
            ("indicators", "ss-indicators"),
            ("control", "ss-control"), ("keyboard", "ss-keyboard"),
            ("a-very-long-service-name", "ss-a-very-long-"),
        ])
    func shortNames(_ service: String, _ expected: String) {
        #expect(DedicatedThread.threadName(service) == expected)
        #expect(DedicatedThread.threadName(service).utf8.count <= 15)
    }

    @Test(
        "a dedicated thread carries its name in /proc/self/task/<tid>/comm (top -H, ps -L)",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self")),
        arguments: ["motion", "weather", "button", "a-very-long-service-name"])
    func nameSeenByTheKernel(_ service: String) async {
        let seen = Mutex<(tid: String, comm: String?)?>(nil)
        await DedicatedThread.run(name: service, signal: StopSignal()) { _ in
            let current = Self.currentThreadComm()
            seen.withLock { $0 = current }
        }
        let inside = seen.withLock { $0 }
        #expect(inside?.comm == DedicatedThread.threadName(service))
        // It ran on a thread of its own, not on the caller's.
        #expect(inside?.tid != Self.currentThreadComm().tid)
    }
}
