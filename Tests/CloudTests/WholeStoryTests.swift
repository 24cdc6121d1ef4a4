import Foundation
import Storage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sensorstation run` on a terminal (a pseudo-terminal the test holds), with a systemd-style
/// NOTIFY_SOCKET: the keys are the simulated station's controls (space: short press of the
/// button, `i`: an impact), the screen is the live dashboard, the log goes to a file.
private final class StationOnTerminal: @unchecked Sendable {
    let process = Process()
    let master: Int32
    let logPath: String
    let screenPath: String
    let notify: Int32
    let notifyPath: String

    init(config: String, directory: String) throws {
        logPath = directory + "/run.log"
        screenPath = directory + "/screen.txt"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        FileManager.default.createFile(atPath: screenPath, contents: nil)

        // The NOTIFY_SOCKET listener (sd_notify datagrams), with a receive timeout.
        notifyPath = directory + "/notify.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        notify = listener
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(notifyPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: bytes + [0]) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        // The terminal: the service's stdin and stdout; stderr (the log) goes to a file.
        // posix_openpt/unlockpt/ptsname by hand (Glibc's module hides them): /dev/ptmx, then
        // TIOCSPTLCK (unlock) and TIOCGPTN (the /dev/pts number), from <asm-generic/ioctls.h>.
        let pty = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        master = pty
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard pty >= 0, ioctl(pty, 0x4004_5431, &unlock) == 0, ioctl(pty, 0x8004_5430, &number) == 0 else {
            throw POSIXError(.ENOTTY)
        }
        let name = "/dev/pts/\(number)"
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(pty, UInt(TIOCSWINSZ), &size)
        let terminal = FileHandle(forUpdatingAtPath: name)
        process.executableURL = StationBinary.url
        process.arguments = ["run", "--config", config]
        var env = StationBinary.environment()
        env["NOTIFY_SOCKET"] = notifyPath
        env["TERM"] = "xterm-256color"
        process.environment = env
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        try terminal?.close()
        // Drain the screen so the dashboard never blocks on a full terminal.
        let screenPath = self.screenPath
        Thread.detachNewThread {
            let out = FileHandle(forWritingAtPath: screenPath)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(pty, &buffer, buffer.count)
                // A signal (SIGCHLD when a `sensorstation ack` or `query` the test ran exits)
                // interrupts the read: go on. Stopping here left the terminal undrained, and the
                // service then blocked writing its screen, froze, and never took its SIGTERM.
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                out?.write(Data(buffer[0..<n]))
            }
            try? out?.close()
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var screen: String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: screenPath))) ?? Data(), as: UTF8.self)
    }

    func key(_ k: String) {
        _ = k.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
    }

    /// The sd_notify messages received until `stop` says enough or `limit` passes.
    func notifications(until stop: ([String]) -> Bool, limit: Duration) -> [String] {
        var received: [String] = []
        let deadline = ContinuousClock.now.advanced(by: limit)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline, !stop(received) {
            let n = recv(notify, &buffer, buffer.count, 0)
            if n > 0 { received.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
        return received
    }

    func terminate(limit: Duration = .seconds(30)) async -> Int32? {
        await StationBinary.terminate(process, limit: limit)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        close(notify)
        close(master)
        unlink(notifyPath)
    }
}

@Suite(
    "The whole story: READY, an impact, a button press that streams to Kinesis, a query, SIGTERM", .serialized
)
struct WholeStoryTests {
    @Test(
        "the service on a terminal under a NOTIFY_SOCKET, simulated sensors and GPIO, mTLS credentials and moto (auth on)"
    )
    func wholeStory() async throws {
        let (moto, endpoint) = try RunUploadEndToEndTests.stack()
        // A short directory: the NOTIFY_SOCKET path must fit sockaddr_un (108 bytes).
        let dir = "/tmp/story-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // `quiet`: no impacts but the one the test makes.
        let config = try RunUploadEndToEndTests.configuration(
            moto, endpoint, directory: dir, scenario: "quiet")
        let station = try StationOnTerminal(config: config, directory: dir)
        let dbPath = dir + "/station.db"

        // 1. READY=1 once sensors are probed and storage is open, with a STATUS= a person can read.
        let notes = station.notifications(
            until: { $0.contains { $0.split(separator: "\n").contains("READY=1") } },
            limit: .seconds(60))
        #expect(
            notes.contains { $0.split(separator: "\n").contains("READY=1") },
            "notify: \(notes)\n\(station.log.suffix(2000))")
        #expect(notes.contains { $0.contains("STATUS=") }, "\(notes)")

        // 2. An impact (key `i` on the simulated station): recorded with its waveform.
        try await eventually("the dashboard is up", limit: .seconds(120)) { !station.screen.isEmpty }
        try await Task.sleep(for: .seconds(2))  // more than pre_ms of history before the impact
        station.key("i")
        func impacts() -> [[String: Any]] {
            let r = try? StationBinary.run([
                "query", "impacts", "--config", config, "--since", "1h", "--format", "json",
            ])
            return (r?.stdout ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        // The simulated chip is polled: a sampler thread that a fully loaded machine (the whole
        // suite in parallel on two cores) holds off for longer than the injected pulse misses it,
        // as a real polled chip would (once in three full runs here). A person presses again;
        // so does the test, at most three times, and each press makes at most one impact.
        var presses = 1
        while true {
            do {
                try await eventually("the impact in the database", limit: .seconds(120)) {
                    impacts().count >= 1
                }
                break
            } catch  where presses < 3 {
                presses += 1
                station.key("i")
            }
        }
        let recorded = impacts()
        #expect(recorded.count >= 1 && recorded.count <= presses, "\(presses) presses: \(recorded)")
        let impact = try #require(recorded.first)
        #expect((impact["peak_g"] as? Double ?? 0) >= 4, "\(impact)")
        let id = try #require(impact["id"] as? Int)
        let shown = try StationBinary.run([
            "impacts", "show", "\(id)", "--config", config, "--format", "json",
        ])
        #expect(shown.status == 0, "\(shown.stderr)")
        // The waveform: pre_ms + post_ms (500 + 1000 ms by default) at the 100 Hz of this configuration.
        let figures = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect((figures?["waveform_samples"] as? Int ?? 0) >= 140, "\(shown.stdout)")

        // 3. A short press (space): streaming starts, and Kinesis gets the logged rows every 250 ms.
        station.key(" ")
        func streamed() -> [[String: Any]] {
            ((try? moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]]) ?? [])
                .compactMap { $0["data"] as? [String: Any] }
        }
        try await eventually("streaming on and motion in Kinesis", limit: .seconds(90)) {
            let records = streamed()
            return records.contains {
                $0["event_kind"] as? String == "streaming" && $0["detail"] as? String == "on"
            }
                && records.filter { $0["kind"] as? String == "motion" }.count >= 2
        }
        let on = try #require(streamed().first { $0["event_kind"] as? String == "streaming" })
        #expect(((on["payload"] as? [String: Any])?["cause"] as? String ?? "").contains("button"), "\(on)")

        // 4. The impact LED stayed latched until acknowledged (the control socket says whether it was).
        let ack = try StationBinary.run(["ack", "--config", config])
        #expect(ack.status == 0 && ack.stdout.contains("impact acknowledged"), "\(ack.stdout)\(ack.stderr)")

        // 5. query shows the readings while the service runs.
        let motion = try StationBinary.run([
            "query", "motion", "--config", config, "--since", "10m", "--format", "csv",
        ])
        #expect(motion.status == 0, "\(motion.stderr)")
        #expect(motion.stdout.split(separator: "\n").count >= 3, "\(motion.stdout.prefix(500))")
        let weather = try StationBinary.run(["query", "weather", "--config", config, "--since", "10m"])
        #expect(weather.status == 0 && weather.stdout.contains("bme280"), "\(weather.stdout.prefix(500))")

        // 6. SIGTERM: exit 0, everything flushed, the LEDs off.
        // (How long the stop takes is not asserted here: a wall-clock bound flakes under a loaded test
        // run — it took 10 s once with the whole suite on two cores, and over 30 s in a clean-clone
        // CI run. A hung stop still fails: the helper kills after 90 s and reports no exit status.)
        let exit = await station.terminate(limit: .seconds(90))
        #expect(exit == 0, "\(station.log.suffix(3000))")
        // On a terminal the log lines are part of the screen (stderr only gets them without one).
        #expect(
            (station.log + station.screen).contains("sensorstation stopped"), "\(station.screen.suffix(2000))"
        )
        let events = try StationBinary.run([
            "query", "events", "--config", config, "--since", "1h", "--format", "json",
        ])
        let kinds = events.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]).flatMap { $0 }
        }
        #expect(
            kinds.contains { ($0["kind"] as? String) == "streaming" && "\($0)".contains("on") },
            "\(events.stdout)")
        #expect(
            kinds.contains { ($0["kind"] as? String) == "impact_ack" || "\($0)".contains("acknowledged") },
            "\(events.stdout)")
        try RunUploadEndToEndTests.checkExactlyOnce(moto, database: dbPath)
    }
}
