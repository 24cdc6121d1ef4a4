import Foundation
import LinuxSystem
import TestSupport
import Testing

@testable import Station

@Suite("Control protocol", .timeLimit(.minutes(1)))
struct ControlProtocolTests {
    @Test(arguments: [
        (#"{"command":"stream","action":"start"}"#, ControlRequest.command(.stream(.start))),
        (#"{"command":"stream","action":"stop"}\#n"#, .command(.stream(.stop))),
        (#"{"action":"toggle","command":"stream"}\#r\#n"#, .command(.stream(.toggle))),
        (#"{"command":"ack"}"#, .command(.acknowledgeImpact)),
        (#"{"command":"state"}"#, .state),
    ])
    func decodesRequests(_ line: String, _ expected: ControlRequest) throws {
        #expect(try ControlRequest.decode(Array(line.utf8)) == expected)
    }

    @Test(arguments: [
        ("", "empty request"),
        ("\n", "empty request"),
        ("stream start", "not a JSON request object with a \"command\" string"),
        (#"{"command":42}"#, "not a JSON request object with a \"command\" string"),
        (#"[1,2]"#, "not a JSON request object with a \"command\" string"),
        (#"{"command":"stream"}"#, "stream needs an action: start, stop or toggle"),
        (
            #"{"command":"stream","action":"pause"}"#,
            "unknown stream action 'pause'; expected start, stop or toggle"
        ),
        (
            #"{"command":"reboot"}"#,
            "unknown command 'reboot'; expected stream, ack, state, shadow or calibration"
        ),
        (String(repeating: " ", count: 5000), "request longer than 4096 bytes"),
        (
            #"{"command":"calibration","action":"measure"}"#,
            "calibration measure needs milliseconds, 50–500"
        ),
        (
            #"{"command":"calibration","action":"measure","milliseconds":60000}"#,
            "calibration measure needs milliseconds, 50–500"
        ),
        (#"{"command":"calibration","action":"save"}"#, "calibration save needs the file's text"),
        (
            #"{"command":"calibration","action":"save","file":"{\"sensor\":3}"}"#,
            #"calibration save: "sensor" is not a text"#
        ),
        (
            #"{"command":"calibration","action":"tune"}"#,
            "unknown calibration action 'tune'; expected show, measure, save or reset"
        ),
    ])
    func rejectsBadRequests(_ line: String, _ message: String) {
        #expect(throws: ControlProtocolError(message)) { try ControlRequest.decode(Array(line.utf8)) }
    }

    @Test func requestsRoundTrip() throws {
        for r in [
            ControlRequest.command(.stream(.start)), .command(.stream(.stop)), .command(.stream(.toggle)),
            .command(.acknowledgeImpact), .state, .calibration(.show), .calibration(.reset),
            .calibration(.measure(milliseconds: 500)),
            .calibration(
                .save(
                    CalibrationFile(
                        sensor: "adxl345", address: 0x53, method: .level, measuredAt: "2026-12-06T19:00:00Z",
                        offsetG: SIMD3(0.012345, -0.5, 0), scale: .one))),
        ] {
            #expect(try ControlRequest.decode(Array(r.encoded())) == r)
        }
    }

    @Test func applyingRequestsChangesTheState() {
        let state = StationState()
        #expect(
            ControlRequest.command(.stream(.start)).apply(to: state, cause: "t").message
                == "streaming started")
        #expect(
            ControlRequest.command(.stream(.start)).apply(to: state, cause: "t").message
                == "streaming was already on")
        #expect(state.indication.streaming)
        #expect(ControlRequest.command(.stream(.toggle)).apply(to: state, cause: "t").streaming == false)
        #expect(
            ControlRequest.command(.acknowledgeImpact).apply(to: state, cause: "t").message
                == "no impact to acknowledge")
        state.record(.impact(ImpactNotice(time: Date(), peakG: 6, severe: false, saturated: false)))
        #expect(state.indication.impactLatched)
        #expect(
            ControlRequest.command(.acknowledgeImpact).apply(to: state, cause: "t").message
                == "impact acknowledged")
        #expect(!state.indication.impactLatched)
    }

    @Test func serverAndClientTalkOverARealSocket() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("control.sock").path
        let state = StationState()
        let server = try ControlServer(path: path, state: state, logger: .init(label: "test"))
        // A thread of its own: the test must not depend on the cooperative pool being free.
        let signal = StopSignal()
        let thread = Thread { server.serve(until: signal) }
        thread.start()
        defer { signal.stop() }
        // The socket is listening from init on; the request waits in the backlog if need be.
        let response = try ControlClient(path: path).send(.command(.stream(.start)))
        #expect(response == ControlResponse(ok: true, message: "streaming started", streaming: true))
        #expect(state.indication.streaming)
        // A second station on the same live socket must refuse to start.
        #expect(throws: ControlSocketError.self) {
            _ = try ControlServer(path: path, state: state, logger: .init(label: "t"))
        }
    }

    /// Runs a command (absolute path) and returns its stdout; throws on a non-zero exit.
    static func command(_ path: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ControlSocketError(
                "\(path) \(arguments.joined(separator: " ")) exited with \(p.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `id -G NAME`: the user's groups as the user database lists them.
    static func idGroups(_ name: String) throws -> Set<gid_t> {
        Set(
            try command("/usr/bin/id", ["-G", name]).split(whereSeparator: \.isWhitespace).compactMap {
                gid_t($0)
            })
    }

    @Test("a peer's groups come from the user database and match `id -G` (this user)")
    func peerGroupsOfThisUser() throws {
        let name = try Self.command("/usr/bin/id", ["-un"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let groups = PeerCredentials.groups(ofUser: getuid())
        #expect(!groups.isEmpty)
        #expect(Set(groups) == (try Self.idGroups(name)))
        // A uid without a passwd entry has no groups (and is refused unless root or the service).
        #expect(PeerCredentials.groups(ofUser: 4_000_000_123).isEmpty)
    }

    @Test(
        "an operator in the socket's group by a supplementary group may control, without /proc (ProtectProc=invisible)",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/useradd")))
    func supplementaryGroupFromUserDatabase() throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        let (user, operators, later) = ("ss-op-\(tag)", "ss-grp-\(tag)", "ss-late-\(tag)")
        defer {
            _ = try? Self.command("/usr/sbin/userdel", [user])
            _ = try? Self.command("/usr/sbin/groupdel", [operators])
            _ = try? Self.command("/usr/sbin/groupdel", [later])
            _ = try? Self.command("/usr/sbin/groupdel", [user])  // the user's own group, if userdel left it
        }
        _ = try Self.command("/usr/sbin/groupadd", ["--system", operators])
        _ = try Self.command("/usr/sbin/groupadd", ["--system", later])
        _ = try Self.command(
            "/usr/sbin/useradd",
            [
                "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin",
                "--groups", operators, user,
            ])
        let uid = try #require(
            uid_t(
                try Self.command("/usr/bin/id", ["-u", user]).trimmingCharacters(in: .whitespacesAndNewlines))
        )
        let primary = try #require(
            gid_t(
                try Self.command("/usr/bin/id", ["-g", user]).trimmingCharacters(in: .whitespacesAndNewlines))
        )
        let operatorsGID = try #require(getgrnam(operators)).pointee.gr_gid
        #expect(Set(PeerCredentials.groups(ofUser: uid)) == (try Self.idGroups(user)))
        #expect(Set(PeerCredentials.groups(ofUser: uid)) == [primary, operatorsGID])

        // The socket's group is the operators' group; the peer's primary group is its own. The
        // pid is one whose /proc/<pid>/status would not list that group (this test's process):
        // the decision must come from the user database.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(tag)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let socketPath = dir.appendingPathComponent("control.sock").path
        #expect(FileManager.default.createFile(atPath: socketPath, contents: nil))
        let peer = PeerCredentials(pid: getpid(), uid: uid, gid: primary)
        #expect(chown(socketPath, 0, operatorsGID) == 0)
        #expect(ControlServer.mayControl(peer, socketPath: socketPath))
        // Not in the file's group: refused.
        #expect(chown(socketPath, 0, 0) == 0)
        #expect(!ControlServer.mayControl(peer, socketPath: socketPath))

        // A group added later (usermod -aG) counts at once, without a new login.
        let laterGID = try #require(getgrnam(later)).pointee.gr_gid
        #expect(chown(socketPath, 0, laterGID) == 0)
        #expect(!ControlServer.mayControl(peer, socketPath: socketPath))
        _ = try Self.command("/usr/sbin/usermod", ["-aG", later, user])
        #expect(ControlServer.mayControl(peer, socketPath: socketPath))
        #expect(Set(PeerCredentials.groups(ofUser: uid)) == (try Self.idGroups(user)))
    }

    static let refusal = ControlResponse(
        ok: false,
        message:
            "permission denied: only the service user and members of the sensorstation group may control the station"
    )

    @Test(
        "a refusal sent and closed before the client writes: the client still reads it (77), not 'closed the connection'"
    )
    func refusalBeforeTheWrite() throws {
        let (client, server) = try UnixSocket.pair()
        // The server's side of a refused peer: answer, close, never read.
        #expect(server.writeAll(Self.refusal.encoded()))
        server.close()
        do {
            _ = try ControlClient.exchange(
                client, .command(.stream(.start)), path: "test.sock", timeoutMs: 2000)
            Issue.record("expected the refusal")
        } catch {
            #expect(error.kind == .permissionDenied)
            #expect(error.description == Self.refusal.message)
        }
        // The write did fail (EPIPE, without SIGPIPE killing the test): the path under test was taken.
        #expect(!client.writeAll(Data("x\n".utf8)))
    }

    @Test("a server that answers and closes without reading: every connection gets the refusal (no race)")
    func refusingServer() throws {
        let dir = try temporaryDirectory("ctl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("control.sock").path
        let listener = try UnixSocket.listen(at: path, permissions: 0o600)
        let rounds = 50
        let thread = Thread {
            for _ in 0..<rounds {
                guard let c = listener.accept(waitingAtMost: 5000) else { return }
                c.writeAll(Self.refusal.encoded())
                c.close()
            }
        }
        thread.start()
        for round in 0..<rounds {
            do {
                _ = try ControlClient(path: path).send(.command(.stream(.start)), timeoutMs: 5000)
                Issue.record("round \(round): expected the refusal")
            } catch {
                #expect(error.kind == .permissionDenied, "round \(round): \(error)")
            }
        }
    }

    @Test func aMissingSocketMeansNotRunning() {
        do {
            _ = try ControlClient(path: "/nonexistent/control.sock").send(.state)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notRunning)
            #expect(error.description.contains("not running"))
        }
    }
}
