import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A Unix stream socket: the control socket's listener, its connections and the command's end.
/// Every descriptor is close-on-exec and closed when the value goes away (or by `close()`).
/// Writes never raise SIGPIPE (MSG_NOSIGNAL): a peer that has gone is a failed write.
public final class UnixSocket: Sendable {
    private let descriptor: Mutex<Int32>

    init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    deinit { close() }

    /// The longest path a socket address holds (108 bytes with the terminating NUL).
    public static let maxPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Binds `path` and listens. The file is created with `permissions` (no moment in which it is
    /// more open: the process's umask is narrowed around bind).
    public static func listen(at path: String, permissions: UInt32, backlog: Int32 = 8) throws(SystemError)
        -> UnixSocket
    {
        guard case (var addr, let len)? = address(path) else {
            throw SystemError("bind", errno: ENAMETOOLONG)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .last("socket") }
        let s = UnixSocket(descriptor: fd)
        let oldMask = umask(mode_t(~permissions & 0o777))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        let bindErrno = errno
        umask(oldMask)
        guard bound == 0 else { throw SystemError("bind", errno: bindErrno) }
        guard Glibc.listen(fd, backlog) == 0 else { throw .last("listen") }
        return s
    }

    /// Connects to the socket at `path`.
    public static func connect(to path: String) throws(SystemError) -> UnixSocket {
        guard case (var addr, let len)? = address(path) else {
            throw SystemError("connect", errno: ENAMETOOLONG)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .last("socket") }
        let s = UnixSocket(descriptor: fd)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) }
        }
        guard r == 0 else { throw .last("connect") }
        return s
    }

    /// Two connected sockets (socketpair(2)), for tests of one end against the other.
    public static func pair() throws(SystemError) -> (UnixSocket, UnixSocket) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0
        else { throw .last("socketpair") }
        return (UnixSocket(descriptor: fds[0]), UnixSocket(descriptor: fds[1]))
    }

    /// The next connection, waiting at most `timeoutMs`; nil when none came (or accept failed).
    public func accept(waitingAtMost timeoutMs: Int32) -> UnixSocket? {
        let fd = descriptor.withLock { $0 }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMs) > 0 else { return nil }
        // accept4 is hidden without _GNU_SOURCE: accept, then close-on-exec. Only this thread
        // accepts, and the station forks nothing between the two calls.
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { return nil }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return UnixSocket(descriptor: client)
    }

    /// Writes all of `bytes`; false when the peer has gone or the write failed.
    @discardableResult
    public func writeAll(_ bytes: some Sequence<UInt8>) -> Bool {
        let bytes = Array(bytes)
        let fd = descriptor.withLock { $0 }
        return bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    /// Reads up to the first newline (or `limit` bytes, or end of file), waiting at most
    /// `timeoutMs` in all; nil on timeout or error.
    public func readLine(limit: Int, timeoutMs: Int32) -> [UInt8]? {
        let fd = descriptor.withLock { $0 }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Clocks.monotonic() + .milliseconds(timeoutMs)
        while out.count <= limit {
            let remaining = max(Duration.zero, deadline - Clocks.monotonic())
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, Int32(remaining / .milliseconds(1)))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return nil }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
            if out.contains(0x0A) { return out }
        }
        return out
    }

    /// Who is at the other end (SO_PEERCRED); nil when the kernel does not say.
    public var peer: PeerCredentials? {
        PeerCredentials(socket: descriptor.withLock { $0 })
    }

    /// Closes the descriptor now (later calls do nothing).
    public func close() {
        let fd = descriptor.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// Sends one datagram to the socket at `path` (`@name`: the abstract namespace), as
    /// sd_notify(3) does; false when it could not be sent. Never waits: when the receiver's
    /// queue is full (`net.unix.max_dgram_qlen`, 10 by default, and a listener that reads late)
    /// the datagram is dropped. A blocking send once held the service's status task for good, and
    /// its SIGTERM with it.
    public static func send(datagram: [UInt8], to path: String) -> Bool {
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        guard var (addr, _) = address(bytes: bytes) else { return false }
        // Abstract addresses are not NUL-terminated: the length says where they end.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        let sent = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                sendto(fd, datagram, datagram.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), sa, length)
            }
        }
        return sent == datagram.count
    }

    /// `sockaddr_un` for `path`, or nil when the path is too long for one.
    private static func address(_ path: String) -> (sockaddr_un, socklen_t)? {
        address(bytes: Array(path.utf8))
    }

    private static func address(bytes: [UInt8]) -> (sockaddr_un, socklen_t)? {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        guard bytes.count <= maxPathLength else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return (addr, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }
}
