import Foundation
import Testing

@testable import Station

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify over a real AF_UNIX datagram socket, as systemd listens for it.
@Suite("systemd notify", .timeLimit(.minutes(1)))
struct SystemdNotifierTests {
    /// A listening datagram socket at a path (or an abstract name starting with "@").
    final class Listener {
        let fd: Int32
        let name: String

        init(abstract: Bool) throws {
            name =
                (abstract ? "@" : FileManager.default.temporaryDirectory.path + "/")
                + "notify-\(UUID().uuidString.prefix(8))"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
            }
            let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
            }
            try #require(r == 0)
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }

        /// The next datagram, or nil after a second.
        func receive() -> String? {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 1000) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
    }

    @Test("a listener that does not read: sends are dropped once its queue is full, never waited on")
    func fullQueueNeverBlocks() async throws {
        let listener = try Listener(abstract: false)
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name])
        // net.unix.max_dgram_qlen is 10 by default: 100 unread datagrams overfill it. A blocking
        // send would stay in the thread below until the listener closes.
        let sent = await withCheckedContinuation { (c: CheckedContinuation<[Bool], Never>) in
            Thread { c.resume(returning: (0..<100).map { n.send("STATUS=\($0)") }) }.start()
        }
        #expect(sent.prefix(5).allSatisfy { $0 }, "the first ones fit")
        #expect(sent.contains(false), "the rest are dropped, not waited on")
        #expect(listener.receive() == "STATUS=0")
    }

    @Test(arguments: [false, true])
    func sendsReadyStatusAndStopping(abstract: Bool) throws {
        let listener = try Listener(abstract: abstract)
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name])
        #expect(n.isActive)
        n.ready(status: "sampling")
        #expect(listener.receive() == "READY=1\nSTATUS=sampling")
        n.status("2 impacts")
        #expect(listener.receive() == "STATUS=2 impacts")
        n.stopping(status: "bye")
        #expect(listener.receive() == "STOPPING=1\nSTATUS=bye")
    }

    @Test func watchdogPingsAtMostTwicePerInterval() throws {
        let listener = try Listener(abstract: false)
        let n = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "4000000",
            "WATCHDOG_PID": String(getpid()),
        ])
        #expect(n.watchdogInterval == .seconds(4))
        for _ in 0..<100 { n.watchdog() }
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive() == nil, "the next ping is due only after half the interval")
    }

    @Test func aWatchdogForAnotherProcessIsIgnored() {
        let n = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/nonexistent", "WATCHDOG_USEC": "1000000",
            "WATCHDOG_PID": "1",
        ])
        #expect(n.watchdogInterval == nil)
    }

    @Test func withoutSystemdNothingIsSent() {
        let n = SystemdNotifier(environment: [:])
        #expect(!n.isActive)
        #expect(!n.send("READY=1"))
    }
}

@Suite("reload plan")
struct ReloadPlanTests {
    @Test func thresholdsApplyAndHardwareNeedsARestart() {
        let old = StationConfiguration.defaults(environment: [:])
        var new = old
        new.impact.thresholdG = 5
        new.weather.interval = .seconds(30)
        new.gpio.chip = "gpiochip4"
        new.accelerometer.odrHz = 800
        new.impact.postWindow = .milliseconds(1500)
        #expect(
            ReloadPlan.applied(old: old, new: new)
                == ["weather.interval_s 10 → 30", "impact.threshold_g 4 → 5", "impact.post_ms 1000 → 1500"])
        #expect(ReloadPlan.needsRestart(old: old, new: new) == ["accelerometer.odr_hz", "gpio.chip"])
        #expect(
            ReloadPlan.applied(old: old, new: old).isEmpty
                && ReloadPlan.needsRestart(old: old, new: old).isEmpty)
    }

    @Test func liveSettingsCountVersionsOnlyOnChange() {
        var c = StationConfiguration.defaults(environment: [:])
        let live = LiveSettings(configuration: c)
        #expect(live.current.version == 0)
        live.update(LiveSettings.Values(configuration: c))
        #expect(live.current.version == 0)
        c.impact.thresholdG = 6
        live.update(LiveSettings.Values(configuration: c))
        #expect(live.current.version == 1)
        #expect(live.current.values.detector.thresholdG == 6)
    }
}
