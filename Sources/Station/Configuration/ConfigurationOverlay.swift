import Storage

/// Settings laid over the file and the environment: the Device Shadow's `desired` state
/// (docs/shadow.md). Each value goes into the configuration tree where the file would hold it,
/// so the same code validates it with the same messages, naming `source` instead of a line.
public struct ConfigurationOverlay: Sendable, Equatable {
    /// Names the overlay in problems: `shadow desired (version 12)`.
    public var source: String
    /// Dotted key path (`impact.threshold_g`) → the value.
    public var values: [String: JSONValue]

    public init(source: String, values: [String: JSONValue]) {
        self.source = source
        self.values = values
    }

    public static let empty = ConfigurationOverlay(source: "", values: [:])
    public var isEmpty: Bool { values.isEmpty }
}

extension ConfigurationLoader {
    /// Writes the overlay's values into the tree, after the environment (the overlay wins).
    static func applyOverlay(
        _ overlay: ConfigurationOverlay, to root: inout ConfigNode, problems: inout [ConfigurationProblem]
    ) {
        let origin = ConfigOrigin(source: overlay.source)
        for (path, value) in overlay.values.sorted(by: { $0.key < $1.key }) {
            let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if !root.override(path: components[...], with: ConfigNode(json: value, origin: origin)) {
                problems.append(
                    ConfigurationProblem(
                        source: overlay.source, key: path,
                        message: "cannot set: the file does not hold a mapping on the way to this key"))
            }
        }
    }
}

extension ConfigNode {
    /// A JSON value as the file would write it: numbers and booleans plain, strings quoted.
    init(json: JSONValue, origin: ConfigOrigin) {
        switch json {
        case .null: self.init(kind: .null, origin: origin)
        case .bool(let b): self.init(kind: .scalar(b ? "true" : "false", plain: true), origin: origin)
        case .int(let i): self.init(kind: .scalar(String(i), plain: true), origin: origin)
        case .double(let d): self.init(kind: .scalar(format(d), plain: true), origin: origin)
        case .string(let s): self.init(kind: .scalar(s, plain: false), origin: origin)
        case .array(let a):
            self.init(kind: .sequence(a.map { ConfigNode(json: $0, origin: origin) }), origin: origin)
        case .object(let o):
            self.init(
                kind: .mapping(
                    o.sorted { $0.key < $1.key }.map {
                        ConfigEntry(
                            key: $0.key, keyOrigin: origin, value: ConfigNode(json: $0.value, origin: origin))
                    }), origin: origin)
        }
    }
}
