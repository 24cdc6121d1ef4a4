#if canImport(Glibc)
    import Glibc
#endif

/// What stat(2) says of a file.
public struct FileStatus: Sendable, Equatable {
    /// The permission bits and file type (`st_mode`).
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32

    public init(path: String) throws(SystemError) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .last("stat") }
        mode = st.st_mode
        uid = st.st_uid
        gid = st.st_gid
    }

    /// The permission bits only (0o7777).
    public var permissions: UInt16 { UInt16(truncatingIfNeeded: mode & 0o7777) }
}

/// The few file operations that need more than Foundation says: errno in the error (which
/// FileManager's errors lose), and group ownership.
public enum Files {
    /// Reads the whole file; stops with `tooLarge` past `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        let file: FileInput
        do { file = try FileInput(path: path) } catch { throw .system(error) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBufferPointer { b throws(SystemError) in
                    try file.read(into: b.baseAddress!, count: b.count)
                }
            } catch { throw .system(error) }
            if n == 0 { return bytes }
            bytes += buffer[0..<n]
            if bytes.count > limit { throw .tooLarge }
        }
    }

    /// Throws when this process may not read `path` (access(2) with R_OK).
    public static func checkReadable(_ path: String) throws(SystemError) {
        guard access(path, R_OK) == 0 else { throw .last("access") }
    }

    /// Removes the file at `path`; one that is not there is not an error.
    public static func remove(_ path: String) throws(SystemError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .last("unlink") }
    }

    /// Replaces the file at `path` with `bytes` so that a power cut leaves the old content or the
    /// new, never a mix: a temporary file beside it, fsync, rename over, fsync of the directory.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o640)
        throws(SystemError)
    {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .last("open") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = SystemError.last("write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let error = SystemError.last("fsync")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = SystemError.last("rename")
            unlink(temporary)
            throw error
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Gives `path` the group `gid`, keeping its owner.
    @discardableResult
    public static func setGroup(_ path: String, to gid: UInt32) -> Bool {
        chown(path, uid_t.max, gid) == 0
    }
}

public enum FileReadError: Error, Equatable, Sendable {
    case system(SystemError)
    case tooLarge
}

/// A file or descriptor read in chunks (a 2 GB trace is never in memory).
public final class FileInput {
    private let fd: Int32
    private let owned: Bool

    /// Opens `path` for reading; it is closed when the value goes away.
    public init(path: String) throws(SystemError) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .last("open") }
        owned = true
    }

    /// Reads an open descriptor (0 for stdin); the caller keeps ownership of it.
    public init(descriptor: Int32) {
        fd = descriptor
        owned = false
    }

    deinit { if owned { close(fd) } }

    /// Reads at most `count` bytes into `buffer`; 0 at the end of the input.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(SystemError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .last("read")
        }
    }
}
