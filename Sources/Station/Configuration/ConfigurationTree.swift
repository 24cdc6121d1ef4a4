import Yams

/// Where a value came from: a position in a file, or an environment variable.
struct ConfigOrigin: Sendable, Equatable {
    var source: String
    var line: Int?
    var column: Int?
    /// Set when the value came from `SENSORSTATION_*`; relative paths from there are left as
    /// they are (relative to the working directory).
    var isEnvironment: Bool = false

    static func environment(_ name: String) -> ConfigOrigin {
        ConfigOrigin(source: "environment \(name)", line: nil, column: nil, isEnvironment: true)
    }
}

/// The loader's own YAML tree: Yams' `Node` reduced to what a configuration uses, with an origin
/// on every node, so that environment overrides can be merged in and validated the same way.
struct ConfigNode {
    enum Kind {
        /// `plain` is false for quoted and block scalars and for environment values.
        case scalar(String, plain: Bool)
        case null
        case mapping([ConfigEntry])
        case sequence([ConfigNode])
    }

    var kind: Kind
    var origin: ConfigOrigin

    var entries: [ConfigEntry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    /// The value as written, for messages: `200`, `'four'`, `a mapping`, `a list`, `nothing`.
    var described: String {
        switch kind {
        case .scalar(let text, let plain):
            if plain, Double(text) != nil || parseInteger(text) != nil { return text }
            return "'\(text)'"
        case .null: return "nothing"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

struct ConfigEntry {
    var key: String
    var keyOrigin: ConfigOrigin
    var value: ConfigNode
}

extension ConfigNode {
    /// Converts a composed Yams tree. Non-scalar keys are reported and skipped.
    init(_ node: Node, source: String, path: String, problems: inout [ConfigurationProblem]) {
        let origin = ConfigOrigin(source: source, line: node.mark?.line, column: node.mark?.column)
        switch node {
        case .scalar(let scalar):
            let plain = scalar.style == .plain || scalar.style == .any
            if plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                self.init(kind: .null, origin: origin)
            } else {
                self.init(kind: .scalar(scalar.string, plain: plain), origin: origin)
            }
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (key, value) in mapping {
                let keyOrigin = ConfigOrigin(source: source, line: key.mark?.line, column: key.mark?.column)
                guard case .scalar(let k) = key else {
                    problems.append(
                        ConfigurationProblem(
                            source: source, line: keyOrigin.line, column: keyOrigin.column, key: path,
                            message:
                                "keys must be plain names, got a \(key.mapping != nil ? "mapping" : "list") as a key"
                        ))
                    continue
                }
                let childPath = path.isEmpty ? k.string : path + "." + k.string
                entries.append(
                    ConfigEntry(
                        key: k.string, keyOrigin: keyOrigin,
                        value: ConfigNode(value, source: source, path: childPath, problems: &problems)))
            }
            self.init(kind: .mapping(entries), origin: origin)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (i, item) in sequence.enumerated() {
                items.append(ConfigNode(item, source: source, path: "\(path)[\(i)]", problems: &problems))
            }
            self.init(kind: .sequence(items), origin: origin)
        case .alias(let alias):
            // The composer resolves aliases to their anchored node; this is defensive.
            self.init(
                kind: .null,
                origin: ConfigOrigin(source: source, line: alias.mark?.line, column: alias.mark?.column))
        }
    }

    /// The node at `path`, if the tree has one.
    func node(at path: ArraySlice<String>) -> ConfigNode? {
        guard let key = path.first else { return self }
        return entries?.first(where: { $0.key == key })?.value.node(at: path.dropFirst())
    }

    /// Sets the scalar at `path` (creating mappings on the way), for an environment override.
    /// Returns false when a value on the way is not a mapping (the file's own error is reported
    /// when that section is read).
    mutating func override(path: ArraySlice<String>, with value: ConfigNode) -> Bool {
        guard let key = path.first else {
            self = value
            return true
        }
        var entries: [ConfigEntry]
        switch kind {
        case .mapping(let e): entries = e
        case .null: entries = []
        // `button: none` (and `s3: none`): an override inside turns it back into a mapping.
        case .scalar(let text, _) where text == "none" && !path.isEmpty: entries = []
        case .scalar, .sequence: return false
        }
        let rest = path.dropFirst()
        if let i = entries.firstIndex(where: { $0.key == key }) {
            guard entries[i].value.override(path: rest, with: value) else { return false }
        } else {
            var child = ConfigNode(kind: .null, origin: value.origin)
            guard child.override(path: rest, with: value) else { return false }
            entries.append(ConfigEntry(key: key, keyOrigin: value.origin, value: child))
        }
        self = ConfigNode(kind: .mapping(entries), origin: origin)
        return true
    }
}

/// Integers as YAML writes them: decimal with an optional sign, or `0x`/`0o`/`0b` prefixed.
func parseInteger(_ text: String) -> Int? {
    var t = Substring(text)
    var negative = false
    if t.first == "-" || t.first == "+" {
        negative = t.first == "-"
        t = t.dropFirst()
    }
    guard !t.isEmpty else { return nil }
    let value: Int?
    if t.hasPrefix("0x") || t.hasPrefix("0X") {
        value = Int(t.dropFirst(2), radix: 16)
    } else if t.hasPrefix("0o") {
        value = Int(t.dropFirst(2), radix: 8)
    } else if t.hasPrefix("0b") {
        value = Int(t.dropFirst(2), radix: 2)
    } else if t.allSatisfy(\.isASCII), t.allSatisfy(\.isNumber) {
        value = Int(t)
    } else {
        value = nil
    }
    guard let value else { return nil }
    return negative ? -value : value
}

/// Finite decimal numbers (`4`, `4.5`, `-0.25`, `1e3`), not `nan`/`inf`/`.inf`.
func parseNumber(_ text: String) -> Double? {
    if let i = parseInteger(text) { return Double(i) }
    guard let first = text.unicodeScalars.first, "+-.0123456789".unicodeScalars.contains(first),
        text.unicodeScalars.allSatisfy({ "+-.0123456789eE".unicodeScalars.contains($0) }),
        let d = Double(text), d.isFinite
    else { return nil }
    return d
}
