#if canImport(Glibc)
    import Glibc
#endif

/// Who is at the other end of a Unix socket (SO_PEERCRED), which the kernel vouches for.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    /// `struct ucred` from <sys/socket.h>, which Glibc's Swift overlay hides without _GNU_SOURCE.
    private struct UCred {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
    }

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    init?(socket fd: Int32) {
        var cred = UCred()
        var len = socklen_t(MemoryLayout<UCred>.size)
        guard fd >= 0, getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 else { return nil }
        self.init(pid: cred.pid, uid: cred.uid, gid: cred.gid)
    }

    /// The groups of the user `uid` in the user database: the primary group of its passwd entry
    /// (getpwuid_r) and every group that lists it (getgrouplist); empty when the uid has no entry.
    public static func groups(ofUser uid: UInt32) -> [UInt32] {
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

/// This process: its user and pid.
public enum CurrentProcess {
    public static var uid: UInt32 { getuid() }
    public static var pid: Int32 { getpid() }
}
