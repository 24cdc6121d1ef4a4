import Foundation
import LinuxSystem
import Storage

/// The desired settings last applied, kept beside the log (`shadow.json`), so a restart or an
/// outage keeps what the fleet owner set: the station starts with them before it can reach the
/// shadow. Written atomically (a power cut leaves the old file or the new one).
public struct ShadowStore: Sendable {
    public let path: String

    /// What was applied, and from which version of the shadow.
    public struct Kept: Sendable, Equatable {
        public var version: Int64
        public var values: [String: JSONValue]

        public init(version: Int64, values: [String: JSONValue]) {
            self.version = version
            self.values = values
        }

        public var overlay: ConfigurationOverlay {
            ConfigurationOverlay(source: ShadowDesired.source(version: version), values: values)
        }
    }

    public init(path: String) {
        self.path = path
    }

    /// `shadow.json` in the directory of the log.
    public init(databasePath: String) {
        let dir = (databasePath as NSString).deletingLastPathComponent
        self.init(path: (dir.isEmpty ? "." : dir) + "/shadow.json")
    }

    public struct StoreError: Error, CustomStringConvertible {
        public var description: String
    }

    /// What was kept; nil when nothing was (no file).
    public func load() throws(StoreError) -> Kept? {
        let bytes: [UInt8]
        do { bytes = try Files.read(path, limit: 64 * 1024) } catch {
            switch error {
            case .system(let e) where e.isNothingThere: return nil
            case .system(let e):
                throw StoreError(
                    description: "\(path): cannot read the kept shadow settings: \(e.reason) (\(e.call))")
            case .tooLarge:
                throw StoreError(
                    description: "\(path): larger than 64 KiB; not the station's kept shadow settings")
            }
        }
        guard case .object(let top)? = try? JSONValue.parse(bytes),
            case .int(let version)? = top["version"], case .object(let values)? = top["values"]
        else {
            throw StoreError(
                description: "\(path): not the station's kept shadow settings (version and values)")
        }
        return Kept(version: version, values: values)
    }

    public func save(_ kept: Kept) throws(StoreError) {
        let text =
            JSONValue.object([("version", .int(kept.version)), ("values", .object(kept.values))]) + "\n"
        do { try Files.writeAtomically(path, Array(text.utf8)) } catch {
            throw StoreError(
                description: "\(path): cannot keep the shadow settings: \(error.reason) (\(error.call))")
        }
    }
}
