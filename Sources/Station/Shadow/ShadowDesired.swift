import Storage

/// The Device Shadow's `desired` state, read into what the station can apply: the settings it
/// lists (a `ConfigurationOverlay`, validated later by the configuration's own code) and the
/// streaming switch. Untrusted input (anyone with `iot:UpdateThingShadow` on the thing): every
/// value that cannot be taken is a problem that names it, never a crash.
public enum ShadowDesired {
    /// The configuration keys `desired` may set: what a fleet owner tunes from afar, every one
    /// applied without a restart. docs/shadow.md lists them (a test checks).
    public static let settableKeys = [
        "impact.threshold_g", "impact.sustain_ms", "impact.severe_g", "impact.rearm_g",
        "impact.refractory_ms",
        "impact.pre_ms", "impact.post_ms", "weather.interval_s", "upload.poll_interval_s",
        "shadow.heartbeat_s",
    ]

    /// The source named in problems and in `config show`: `shadow desired (version 12)`.
    public static func source(version: Int64) -> String { "shadow desired (version \(version))" }

    public struct Reading: Sendable, Equatable {
        /// The settings, by dotted key.
        public var overlay: ConfigurationOverlay
        /// `streaming: true|false`, when desired holds it.
        public var streaming: Bool?
        /// Values refused before the configuration's own validation (a key not settable from the
        /// shadow, a streaming value that is not a boolean, nesting too deep).
        public var problems: [ConfigurationProblem]
    }

    /// Splits `desired` into settings and the streaming switch. A key of the configuration that
    /// is not settable is a problem; a key the configuration does not know goes on, so that the
    /// loader names it with its usual suggestion (`did you mean 'threshold_g'?`).
    public static func read(_ desired: [String: JSONValue], version: Int64) -> Reading {
        let source = source(version: version)
        var reading = Reading(overlay: ConfigurationOverlay(source: source, values: [:]), problems: [])
        func problem(_ key: String, _ message: String) {
            reading.problems.append(ConfigurationProblem(source: source, key: key, message: message))
        }
        func walk(_ object: [String: JSONValue], prefix: String, depth: Int) {
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let path = prefix.isEmpty ? key : prefix + "." + key
                if key.isEmpty || key.contains(".") {
                    // Nested as in the file: a dotted name would be applied but never match
                    // reported's nesting, and stay in the delta.
                    problem(
                        prefix.isEmpty ? "desired" : prefix,
                        key.isEmpty
                            ? "a key name is empty"
                            : "a key name holds '.' ('\(key.prefix(60))'); nest it: {\"impact\": {\"threshold_g\": …}}"
                    )
                    continue
                }
                if path == "streaming" {
                    switch value {
                    case .bool(let on): reading.streaming = on
                    case .null: break
                    default: problem(path, "expected true or false, got \(described(value))")
                    }
                    continue
                }
                if case .object(let inner) = value, ConfigurationKeys.key(path) == nil {
                    guard depth < 4 else {
                        problem(
                            path, "nested too deep; settable keys: \(settableKeys.joined(separator: ", "))")
                        continue
                    }
                    walk(inner, prefix: path, depth: depth + 1)
                    continue
                }
                if case .null = value { continue }  // the service drops a null; nothing to set
                if ConfigurationKeys.key(path) != nil, !settableKeys.contains(path) {
                    problem(
                        path,
                        "not settable from the shadow; settable: streaming, \(settableKeys.joined(separator: ", "))"
                    )
                    continue
                }
                reading.overlay.values[path] = value
            }
        }
        walk(desired, prefix: "", depth: 0)
        return reading
    }

    /// A value as a problem names it.
    static func described(_ value: JSONValue) -> String {
        switch value {
        case .object: return "an object"
        case .array: return "a list"
        case .string(let s): return "'\(s.prefix(60))'"
        default: return value.jsonText
        }
    }

    /// The settable keys' running values as `reported` holds them, nested as in `desired`
    /// (numbers as numbers), so the shadow's delta is exactly what is not applied.
    public static func reportedSettings(_ configuration: StationConfiguration) -> [String: JSONValue] {
        var root: [String: JSONValue] = [:]
        for path in settableKeys {
            guard let key = ConfigurationKeys.key(path) else { continue }
            let text = key.value(configuration)
            let value: JSONValue =
                if let i = Int64(text) { .int(i) } else if let d = Double(text) { .double(d) } else {
                    .string(text)
                }
            let parts = path.split(separator: ".").map(String.init)
            guard parts.count == 2 else { continue }
            var section: [String: JSONValue] = [:]
            if case .object(let existing)? = root[parts[0]] { section = existing }
            section[parts[1]] = value
            root[parts[0]] = .object(section)
        }
        return root
    }
}
