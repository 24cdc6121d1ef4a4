/// The shape of the configuration file: which keys exist where. The loader uses it to reject
/// unknown keys (with a suggestion) and to derive the `SENSORSTATION_*` environment variables;
/// the value rules live in `ConfigurationLoader+Sections.swift`.
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

    static let ledKeys = ["role", "line", "active_low"]

    static let root: [(String, Shape)] = [
        ("station", .mapping([("thing_name", .scalar), ("serial_number", .scalar)])),
        ("hardware", .scalar),
        ("i2c", .mapping([("bus", .scalar)])),
        (
            "weather",
            .mapping([
                ("sensor", .scalar), ("address", .scalar), ("interval_s", .scalar),
                ("oversampling", .mapping([("temperature", .scalar), ("pressure", .scalar), ("humidity", .scalar)])),
                ("iir_filter", .scalar), ("temperature_offset_c", .scalar),
            ])
        ),
        (
            "accelerometer",
            .mapping([
                ("sensor", .scalar), ("address", .scalar), ("range_g", .scalar), ("odr_hz", .scalar),
                ("fifo", .scalar),
                ("calibration", .mapping([("offset_g", .list(item: [])), ("scale", .list(item: []))])),
            ])
        ),
        (
            "impact",
            .mapping([
                ("threshold_g", .scalar), ("sustain_ms", .scalar), ("severe_g", .scalar), ("rearm_g", .scalar),
                ("refractory_ms", .scalar), ("pre_ms", .scalar), ("post_ms", .scalar),
            ])
        ),
        (
            "gpio",
            .mapping([
                ("chip", .scalar),
                ("leds", .list(item: ledKeys)),
                (
                    "button",
                    .scalarOrMapping([
                        ("line", .scalar), ("bias", .scalar), ("active_low", .scalar), ("debounce_ms", .scalar),
                        ("long_press_ms", .scalar),
                    ])
                ),
            ])
        ),
        (
            "storage",
            .mapping([
                ("path", .scalar), ("commit_interval_ms", .scalar), ("retention_days", .scalar),
                ("max_size_mb", .scalar), ("raw_while_streaming", .scalar),
            ])
        ),
        (
            "upload",
            .mapping([
                ("enabled", .scalar), ("region", .scalar), ("credentials_endpoint", .scalar), ("role_alias", .scalar),
                ("certificate", .scalar), ("private_key", .scalar), ("passphrase_file", .scalar),
                ("ca_bundle", .scalar), ("refresh_margin_s", .scalar), ("rate_limit_kbps", .scalar),
                ("poll_interval_s", .scalar), ("clock_sync_marker", .scalar),
                ("s3", .scalarOrMapping([("bucket", .scalar), ("prefix", .scalar), ("endpoint", .scalar)])),
                ("dynamodb", .scalarOrMapping([("table", .scalar), ("endpoint", .scalar)])),
                ("kinesis", .scalarOrMapping([("stream", .scalar), ("endpoint", .scalar), ("raw_acceleration", .scalar)])),
            ])
        ),
        ("simulation", .mapping([("seed", .scalar), ("scenario", .scalar), ("gpio", .scalar)])),
        ("logging", .mapping([("level", .scalar)])),
    ]

    /// The keys allowed in the mapping at `path` (empty path = the top level).
    static func keys(at path: [String]) -> [String] {
        var level = root
        for component in path {
            guard let shape = level.first(where: { $0.0 == component })?.1, let children = shape.children else {
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
