import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The control socket's place and the POSIX plumbing both ends share. The socket lives next to
/// the database (`<storage dir>/control.sock`): the service user owns that directory, and the
/// `sensorstation` group may enter it, which is exactly who may use the socket. There is no
/// network listener.
public enum ControlSocket {
    public static func path(forDatabase database: String) -> String {
        let dir = (database as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/control.sock"
    }

    /// `sockaddr_un` for `path`, or nil when the path is too long for one (108 bytes on Linux).
    static func address(_ path: String) -> (sockaddr_un, socklen_t)? {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return (addr, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }

    /// Writes all of `data`; false on error.
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    /// Reads up to the first newline (or `limit` bytes, or EOF), waiting at most `timeoutMs` in all.
    static func readLine(_ fd: Int32, limit: Int, timeoutMs: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Date(timeIntervalSinceNow: Double(timeoutMs) / 1000)
        while out.count <= limit {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, remaining)
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
}
