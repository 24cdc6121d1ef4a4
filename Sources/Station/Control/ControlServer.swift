import Foundation
import LinuxSystem
import Logging
import Synchronization

/// The service's end of the control socket: accepts one request per connection on a dedicated
/// thread and applies it to the station state. Who may connect is decided twice: by the socket
/// file's mode (0660, the directory's group) and by the peer's credentials (SO_PEERCRED): root,
/// the service's own user, or a member of the socket's group.
public final class ControlServer: Sendable {
    public let path: String
    private let listener: UnixSocket
    private let state: StationState
    private let logger: Logger
    private let calibration: CalibrationControl?

    /// Binds the socket. A stale socket file (nobody answers) is replaced; a live one means another
    /// station is running, which is an error.
    public init(
        path: String, state: StationState, logger: Logger, calibration: CalibrationControl? = nil
    ) throws(ControlSocketError) {
        self.calibration = calibration
        self.path = path
        self.state = state
        self.logger = logger
        guard path.utf8.count <= UnixSocket.maxPathLength else {
            throw ControlSocketError(
                "control socket path \(path) is longer than a Unix socket allows (\(UnixSocket.maxPathLength) bytes)"
            )
        }
        if FileManager.default.fileExists(atPath: path) {
            // Someone listening accepts the connection (a stale file refuses it): that station is
            // alive even while it serves a long request (a calibration measurement).
            if let probe = try? UnixSocket.connect(to: path) {
                probe.close()
                throw ControlSocketError(
                    "another sensorstation is already running (its control socket \(path) answers)",
                    kind: .anotherStation)
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        // Created 0660 from the start: no window in which others could connect.
        do { listener = try UnixSocket.listen(at: path, permissions: 0o660) } catch {
            throw ControlSocketError("cannot listen on \(path): \(error.reason)")
        }
        // The socket takes the directory's group (setgid StateDirectory, or the service's group).
        if let directory = try? FileStatus(path: (path as NSString).deletingLastPathComponent) {
            Files.setGroup(path, to: directory.gid)
        }
    }

    deinit {
        listener.close()
        removeSocketFile()
    }

    /// Serves until the group stops, then removes the socket file: once the service has
    /// stopped, `sensorstation stream` says it is not running rather than finding a socket.
    public func service() -> ThreadService {
        ThreadService(name: "control") { [self] signal in
            serve(until: signal)
            removeSocketFile()
        }
    }

    private let removed = Mutex(false)

    /// Unlinks the socket file once (never a later station's socket at the same path).
    private func removeSocketFile() {
        let first = removed.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Accepts and answers requests until `signal` stops; blocks the calling thread.
    public func serve(until signal: StopSignal) {
        while !signal.isStopped {
            guard let client = listener.accept(waitingAtMost: 200) else { continue }
            handle(client)
            client.close()
        }
    }

    private func handle(_ client: UnixSocket) {
        guard let peer = client.peer else {
            client.writeAll(ControlResponse(ok: false, message: "cannot read peer credentials").encoded())
            return
        }
        guard ControlServer.mayControl(peer, socketPath: path) else {
            logger.warning(
                "control socket: refused uid \(peer.uid) (not the service user, root, or in the socket's group)"
            )
            client.writeAll(
                ControlResponse(
                    ok: false,
                    message:
                        "permission denied: only the service user and members of the sensorstation group may control the station"
                ).encoded())
            return
        }
        guard let line = client.readLine(limit: ControlRequest.maxLength, timeoutMs: 2000) else { return }
        let response: ControlResponse
        do {
            let request = try ControlRequest.decode(line)
            if case .calibration(let c) = request, let calibration {
                response = calibration.handle(c, cause: "uid \(peer.uid)")
            } else {
                response = request.apply(to: state, cause: "command from uid \(peer.uid)")
            }
        } catch {
            response = ControlResponse(ok: false, message: "bad request: \(error)")
        }
        client.writeAll(response.encoded())
    }

    /// Root, the service's own user, or a member (primary or supplementary) of the socket's group.
    ///
    /// The groups are the user database's (`PeerCredentials.groups(ofUser:)`), not the peer
    /// process's own list from /proc/<pid>/status: the unit's ProtectProc=invisible hides other
    /// users' processes from the service, so that read failed and every operator was refused.
    /// The user database speaks for the user rather than the process, so a group added with
    /// `usermod -aG sensorstation` counts here at once, also for a shell that logged in before
    /// (its process gets the group only at the next login, and the kernel's permission checks on
    /// the socket's 0750 directory and 0660 file still want it there). The peer's uid still
    /// comes from SO_PEERCRED, which the kernel vouches for.
    static func mayControl(_ peer: PeerCredentials, socketPath: String) -> Bool {
        if peer.uid == 0 || peer.uid == CurrentProcess.uid { return true }
        guard let socket = try? FileStatus(path: socketPath) else { return false }
        if peer.gid == socket.gid { return true }
        return PeerCredentials.groups(ofUser: peer.uid).contains(socket.gid)
    }
}

public struct ControlSocketError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case notRunning, permissionDenied, protocolError
        /// Another station answers on the socket.
        case anotherStation
        case other
    }
    public var kind: Kind
    public var description: String
    public init(_ description: String, kind: Kind = .other) {
        self.description = description
        self.kind = kind
    }
}

/// The command's end: connect, send one request, read one response.
public struct ControlClient {
    public let path: String

    /// What someone outside the service's group is told to do (the socket here, the log in the
    /// storage commands).
    public static let joinGroupHint =
        "add yourself to the sensorstation group (sudo usermod -aG sensorstation $USER) and log in again"

    public init(path: String) {
        self.path = path
    }

    public func send(_ request: ControlRequest, timeoutMs: Int32 = 5000) throws(ControlSocketError)
        -> ControlResponse
    {
        let socket: UnixSocket
        do { socket = try UnixSocket.connect(to: path) } catch {
            if error.isNothingThere {
                throw ControlSocketError(
                    "the station service is not running (no one listens on \(path))", kind: .notRunning)
            }
            if error.isPermissionDenied {
                throw ControlSocketError(
                    "permission denied on \(path): \(Self.joinGroupHint)", kind: .permissionDenied)
            }
            throw ControlSocketError("cannot connect to \(path): \(error.reason)")
        }
        return try Self.exchange(socket, request, path: path, timeoutMs: timeoutMs)
    }

    /// Sends `request` on the connected socket `fd` and reads the answer. The server refuses a
    /// peer by answering and closing without reading the request, so the write can fail (EPIPE:
    /// MSG_NOSIGNAL, no SIGPIPE) after the answer arrived; a Unix socket keeps that answer queued
    /// after the peer closed, so it is read whether the write went through or not.
    static func exchange(
        _ socket: UnixSocket, _ request: ControlRequest, path: String,
        timeoutMs: Int32
    ) throws(ControlSocketError) -> ControlResponse {
        let sent = socket.writeAll(request.encoded())
        guard let line = socket.readLine(limit: 65536, timeoutMs: timeoutMs), !line.isEmpty else {
            if !sent {
                throw ControlSocketError("the service closed the connection on \(path)", kind: .protocolError)
            }
            throw ControlSocketError(
                "no answer from the service on \(path) within \(timeoutMs / 1000) s", kind: .protocolError)
        }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)) else {
            throw ControlSocketError("unreadable answer from the service on \(path)", kind: .protocolError)
        }
        if !response.ok, response.message.hasPrefix("permission denied") {
            throw ControlSocketError(response.message, kind: .permissionDenied)
        }
        return response
    }
}
