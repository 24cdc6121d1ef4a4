import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The service's end of the control socket: accepts one request per connection on a dedicated
/// thread and applies it to the station state. Who may connect is decided twice: by the socket
/// file's mode (0660, the directory's group) and by the peer's credentials (SO_PEERCRED): root,
/// the service's own user, or a member of the socket's group.
public final class ControlServer: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let state: StationState
    private let logger: Logger

    /// Binds the socket. A stale socket file (nobody answers) is replaced; a live one means another
    /// station is running, which is an error.
    public init(path: String, state: StationState, logger: Logger) throws(ControlSocketError) {
        self.path = path
        self.state = state
        self.logger = logger
        guard let (addr, len) = ControlSocket.address(path) else {
            throw ControlSocketError(
                "control socket path \(path) is longer than a Unix socket allows (107 bytes)")
        }
        if access(path, F_OK) == 0 {
            if (try? ControlClient(path: path).send(.state, timeoutMs: 1000)) != nil {
                throw ControlSocketError(
                    "another sensorstation is already running (its control socket \(path) answers)",
                    kind: .anotherStation)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw ControlSocketError("cannot create the control socket: \(String(cString: strerror(errno)))")
        }
        // Created 0660 from the start: no window in which others could connect.
        let oldMask = umask(0o117)
        var a = addr
        let bound = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        let bindErrno = errno
        umask(oldMask)
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw ControlSocketError(
                "cannot listen on \(path): \(String(cString: strerror(bound == 0 ? errno : bindErrno)))")
        }
        // The socket takes the directory's group (setgid StateDirectory, or the service's group).
        var st = stat()
        if stat((path as NSString).deletingLastPathComponent, &st) == 0 {
            _ = chown(path, getuid(), st.st_gid)
        }
        self.fd = fd
    }

    deinit {
        close(fd)
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
        if first { unlink(path) }
    }

    /// Accepts and answers requests until `signal` stops; blocks the calling thread.
    public func serve(until signal: StopSignal) {
        while !signal.isStopped {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, 200)
            if r <= 0 { continue }
            let client = accept(fd, nil, nil)
            if client < 0 { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        guard let peer = PeerCredentials(fd: client) else {
            _ = ControlSocket.writeAll(
                client, ControlResponse(ok: false, message: "cannot read peer credentials").encoded())
            return
        }
        guard peer.mayControl(socketPath: path) else {
            logger.warning(
                "control socket: refused uid \(peer.uid) (not the service user, root, or in the socket's group)"
            )
            _ = ControlSocket.writeAll(
                client,
                ControlResponse(
                    ok: false,
                    message:
                        "permission denied: only the service user and members of the sensorstation group may control the station"
                ).encoded())
            return
        }
        guard let line = ControlSocket.readLine(client, limit: ControlRequest.maxLength, timeoutMs: 2000)
        else { return }
        let response: ControlResponse
        do {
            let request = try ControlRequest.decode(line)
            response = request.apply(to: state, cause: "command from uid \(peer.uid)")
        } catch {
            response = ControlResponse(ok: false, message: "bad request: \(error)")
        }
        _ = ControlSocket.writeAll(client, response.encoded())
    }
}

/// SO_PEERCRED: who is at the other end of a Unix socket.
struct PeerCredentials {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t

    /// `struct ucred` from <sys/socket.h>, which Glibc's Swift overlay hides without _GNU_SOURCE.
    private struct UCred {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
    }

    init(pid: pid_t, uid: uid_t, gid: gid_t) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    init?(fd: Int32) {
        var cred = UCred()
        var len = socklen_t(MemoryLayout<UCred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 else { return nil }
        pid = cred.pid
        uid = cred.uid
        gid = cred.gid
    }

    /// Root, the service's own user, or a member (primary or supplementary) of the socket's group.
    func mayControl(socketPath: String) -> Bool {
        if uid == 0 || uid == getuid() { return true }
        var st = stat()
        guard stat(socketPath, &st) == 0 else { return false }
        if gid == st.st_gid { return true }
        return Self.groups(ofUser: uid).contains(st.st_gid)
    }

    /// The groups of the user `uid` in the user database: the primary group of its passwd entry
    /// (getpwuid_r) and every group that lists it (getgrouplist); empty when the uid has no entry.
    ///
    /// Not the peer process's own list from /proc/<pid>/status: the unit's ProtectProc=invisible
    /// hides other users' processes from the service, so that read failed and every operator
    /// was refused. The user database speaks for the user rather than the process, so a group
    /// added with `usermod -aG sensorstation` counts here at once, also for a shell that logged
    /// in before (its process gets the group only at the next login, and the kernel's permission
    /// checks on the socket's 0750 directory and 0660 file still want it there). The peer's uid
    /// still comes from SO_PEERCRED, which the kernel vouches for.
    static func groups(ofUser uid: uid_t) -> [gid_t] {
        var size = 4096
        while size <= 1 << 20 {
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: size)
            // nil: the entry did not fit the buffer (ERANGE); try a larger one.
            let found: [gid_t]? = buffer.withUnsafeMutableBufferPointer { b in
                let rc = getpwuid_r(uid, &entry, b.baseAddress!, b.count, &result)
                if rc == ERANGE { return nil }
                guard rc == 0, result != nil, let name = entry.pw_name else { return [] }
                return groupList(user: name, primary: entry.pw_gid)
            }
            if let found { return found }
            size *= 4
        }
        return []
    }

    /// getgrouplist(3): `primary` and every group whose member list names `user`.
    private static func groupList(user: UnsafePointer<CChar>, primary: gid_t) -> [gid_t] {
        var capacity: Int32 = 32
        while true {
            var groups = [gid_t](repeating: 0, count: Int(capacity))
            var n = capacity
            // -1, with n set to the number there are, when the array is too small.
            if getgrouplist(user, primary, &groups, &n) >= 0 { return Array(groups.prefix(Int(n))) }
            guard n > capacity else { return [primary] }
            capacity = n
        }
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
        guard let (addr, len) = ControlSocket.address(path) else {
            throw ControlSocketError("control socket path \(path) is too long")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw ControlSocketError("cannot create a socket: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var a = addr
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) }
        }
        if r != 0 {
            let e = errno
            switch e {
            case ENOENT, ECONNREFUSED:
                throw ControlSocketError(
                    "the station service is not running (no one listens on \(path))", kind: .notRunning)
            case EACCES, EPERM:
                throw ControlSocketError(
                    "permission denied on \(path): \(Self.joinGroupHint)", kind: .permissionDenied)
            default:
                throw ControlSocketError("cannot connect to \(path): \(String(cString: strerror(e)))")
            }
        }
        return try Self.exchange(fd, request, path: path, timeoutMs: timeoutMs)
    }

    /// Sends `request` on the connected socket `fd` and reads the answer. The server refuses a
    /// peer by answering and closing without reading the request, so the write can fail (EPIPE:
    /// MSG_NOSIGNAL, no SIGPIPE) after the answer arrived; a Unix socket keeps that answer queued
    /// after the peer closed, so it is read whether the write went through or not.
    static func exchange(
        _ fd: Int32, _ request: ControlRequest, path: String,
        timeoutMs: Int32
    ) throws(ControlSocketError) -> ControlResponse {
        let sent = ControlSocket.writeAll(fd, request.encoded())
        guard let line = ControlSocket.readLine(fd, limit: 65536, timeoutMs: timeoutMs), !line.isEmpty else {
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
