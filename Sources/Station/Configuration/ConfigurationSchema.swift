/// The shape of the configuration file: which keys exist where, derived from the declarations in
/// `ConfigurationKeys`. The loader uses it to reject unknown keys (with a suggestion) and to derive
/// the `SENSORSTATION_*` environment variables.
enum ConfigurationSchema {
    indirect enum Shape {
        /// A single value.
        case scalar
        /// A list (not overridable from the environment).
        case list(item: [String])
        case mapping([(String, Shape)])
        /// A mapping, or a scalar such as `none` (`gpio.button`).
        case scalarOrMapping([(String, Shape)])

        var children: [(String, Shape)]? {
            switch self {
            case .mapping(let c), .scalarOrMapping(let c): c
            case .scalar, .list: nil
            }
        }
    }

    static let environmentPrefix = "SENSORSTATION_"
    /// The file path the CLI reads; not a setting, so never an unknown-variable error here.
    static let configPathVariable = "SENSORSTATION_CONFIG"
    /// The libgpiod library to load instead of the installed one (read by Sources/CGPIOD).
    static let libgpiodVariable = "SENSORSTATION_LIBGPIOD"
    /// Variables with the prefix that are not settings.
    static let otherVariables: Set<String> = [configPathVariable, libgpiodVariable]

    /// The tree of sections and keys, from the declarations (`ConfigurationKeys.all`), in their order.
    static let root: [(String, Shape)] = level([])

    private static func level(_ prefix: [String]) -> [(String, Shape)] {
        var names: [String] = []
        for key in ConfigurationKeys.all where !key.isListItem {
            let c = key.components
            guard c.count > prefix.count, Array(c.prefix(prefix.count)) == prefix,
                !names.contains(c[prefix.count])
            else { continue }
            names.append(c[prefix.count])
        }
        return names.map { name in
            let path = prefix + [name]
            guard let key = ConfigurationKeys.key(path.joined(separator: ".")) else {
                return (name, .mapping(level(path)))
            }
            switch key.form {
            case .scalar: return (name, .scalar)
            case .list: return (name, .list(item: listItemKeys(key.path)))
            case .scalarOrMapping: return (name, .scalarOrMapping(level(path)))
            }
        }
    }

    /// The keys of a list's items: `gpio.leds` → role, line, active_low.
    static func listItemKeys(_ path: String) -> [String] {
        ConfigurationKeys.all.filter { $0.path.hasPrefix(path + "[].") }.map {
            String($0.path.dropFirst(path.count + 3))
        }
    }

    /// The keys allowed in the mapping at `path` (empty path = the top level).
    static func keys(at path: [String]) -> [String] {
        var level = root
        for component in path {
            guard let shape = level.first(where: { $0.0 == component })?.1, let children = shape.children
            else {
                return []
            }
            level = children
        }
        return level.map(\.0)
    }

    /// Every overridable key path (scalars, and mappings that may be written as a scalar),
    /// with its variable name: `impact.threshold_g` → `SENSORSTATION_IMPACT_THRESHOLD_G`.
    static let environmentVariables: [(name: String, path: [String])] = {
        var out: [(String, [String])] = []
        func walk(_ level: [(String, Shape)], _ prefix: [String]) {
            for (key, shape) in level {
                let path = prefix + [key]
                switch shape {
                case .scalar, .scalarOrMapping:
                    out.append((environmentName(path), path))
                case .mapping, .list:
                    break
                }
                if let children = shape.children { walk(children, path) }
            }
        }
        walk(root, [])
        return out
    }()

    static func environmentName(_ path: [String]) -> String {
        environmentPrefix + path.joined(separator: "_").uppercased()
    }

    /// Every dotted key path in the schema, for "did you mean" across sections.
    static let allPaths: [[String]] = {
        var out: [[String]] = []
        func walk(_ level: [(String, Shape)], _ prefix: [String]) {
            for (key, shape) in level {
                out.append(prefix + [key])
                if let children = shape.children { walk(children, prefix + [key]) }
            }
        }
        walk(root, [])
        return out
    }()
}

/// Levenshtein distance, for "did you mean …?".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased().unicodeScalars)
    let b = Array(b.lowercased().unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest candidate within a distance that still looks like a typo, if any.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (String, Int)?
    for candidate in candidates {
        let d = editDistance(word, candidate)
        if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
    }
    return best?.0
}
