#if canImport(Glibc)
    import Glibc
#endif

/// A system call that failed: which one and its errno, with the C library's words for it.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call (`open`, `connect`, `adjtimex`, …).
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The error of the last call on this thread.
    static func last(_ call: String) -> SystemError { SystemError(call, errno: Glibc.errno) }

    /// strerror(3): "No such file or directory", "Permission denied", …
    public var reason: String { String(cString: strerror(errno)) }

    public var description: String { reason }

    /// The errno's symbolic name for the ones worth naming ("EPERM"), else "errno N".
    public var name: String {
        switch errno {
        case EPERM: "EPERM"
        case EACCES: "EACCES"
        case ENOENT: "ENOENT"
        case ENOSYS: "ENOSYS"
        case EFAULT: "EFAULT"
        case EINVAL: "EINVAL"
        case ECONNREFUSED: "ECONNREFUSED"
        case ENAMETOOLONG: "ENAMETOOLONG"
        default: "errno \(errno)"
        }
    }

    /// Nothing there (ENOENT), or nobody listening on a socket that is (ECONNREFUSED).
    public var isNothingThere: Bool { errno == ENOENT || errno == ECONNREFUSED }
    /// EACCES or EPERM.
    public var isPermissionDenied: Bool { errno == EACCES || errno == EPERM }

    public static let permissionDenied = EPERM
    public static let invalidArgument = EINVAL
}
