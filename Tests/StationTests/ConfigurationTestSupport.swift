#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file in the temporary directory, for tests of the loader's file handling.
enum TemporaryFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func make(contents: String, mode: mode_t) throws -> String {
        var template = Array("/tmp/sensorstation-config-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw Failure(description: "mkstemp failed: errno \(errno)") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(contents.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(path, mode)
        return path
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static var runningAsRoot: Bool { geteuid() == 0 }

    static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }
}
