import Foundation

/// A fresh, empty directory under the system's temporary directory, named `label-<uuid>`, for
/// one test's real files (databases, sockets, certificates). Left in place for inspection.
public func temporaryDirectory(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
