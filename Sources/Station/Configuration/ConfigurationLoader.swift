import HAL
import LinuxSystem
import Yams

/// Loads and validates the station configuration: YAML with comments, then
/// `SENSORSTATION_<SECTION>_<KEY>` environment overrides, checked against the schema in
/// `docs/configuration.md`. Every problem is collected and thrown together.
///
/// Pure apart from reading files in `load(path:)` and `loadTracingOrigins` (the configuration
/// file and the calibration file beside the log): the environment is passed in, never read.
public enum ConfigurationLoader {
    /// Where the CLI looks when neither `--config` nor `SENSORSTATION_CONFIG` names a file.
    public static let systemPath = "/etc/sensorstation/config.yaml"
    /// The variable naming the file; not a setting.
    public static let pathVariable = ConfigurationSchema.configPathVariable

    /// Reads and validates the file at `path`, then applies the environment overrides. Relative
    /// paths inside the file (storage, certificates) are resolved against the file's directory.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError)
        -> StationConfiguration
    {
        try loadTracingOrigins(path: path, environment: environment).configuration
    }

    /// Validates `text` as if read from `source` (a path, used in messages and to resolve
    /// relative paths), then applies the environment overrides.
    public static func parse(
        _ text: String, source: String, environment: [String: String], overlay: ConfigurationOverlay = .empty
    )
        throws(ConfigurationError)
        -> StationConfiguration
    {
        var problems: [ConfigurationProblem] = []
        guard var root = compose(text, source: source, problems: &problems) else {
            throw ConfigurationError(problems: problems)
        }
        return try validate(
            &root, source: source, environment: environment, overlays: [overlay], problems: problems)
    }

    /// The built-in defaults with the environment overrides applied: what the CLI runs with when
    /// no configuration file is found.
    public static func defaults(environment: [String: String]) throws(ConfigurationError)
        -> StationConfiguration
    {
        try loadTracingOrigins(path: nil, environment: environment).configuration
    }

    /// The configuration (the file at `path`, or the defaults when nil, with the environment's
    /// overrides) and where each key's value comes from: `FILE:LINE` or `environment
    /// SENSORSTATION_…`; a key that is absent takes its default. One reading of the file serves
    /// both, for `config show --all`.
    public static func loadTracingOrigins(
        path: String?, environment: [String: String], overlay: ConfigurationOverlay = .empty
    )
        throws(ConfigurationError) -> (configuration: StationConfiguration, origins: [String: String])
    {
        var problems: [ConfigurationProblem] = []
        var root = ConfigNode(kind: .mapping([]), origin: ConfigOrigin(source: "defaults"))
        if let path {
            let text: String
            switch readFile(path) {
            case .success(let t): text = t
            case .failure(let error): throw error
            }
            guard let tree = compose(text, source: path, problems: &problems) else {
                throw ConfigurationError(problems: problems)
            }
            root = tree
        }
        let composed = root
        var configuration = try validate(
            &root, source: path, environment: environment, overlays: [overlay], problems: problems)
        // What `sensorstation calibrate` measured, beside the log: over the file and the
        // environment, under the shadow's settings.
        let calibrationPath = CalibrationFile.path(forDatabase: configuration.storage.path)
        switch CalibrationFile.find(calibrationPath) {
        case .none: break
        case .forbidden(let reason):
            configuration.accelerometer.calibrationSource = .unknown(path: calibrationPath, reason: reason)
        case .damaged(let reason):
            configuration.accelerometer.calibrationSource = .ignored(path: calibrationPath, reason: reason)
        case .file(let file):
            let a = configuration.accelerometer
            if file.sensor != a.sensor.rawValue || file.address != a.address {
                configuration.accelerometer.calibrationSource = .ignored(
                    path: calibrationPath,
                    reason:
                        "measured on the \(file.sensor) at \(file.hexAddress), the configuration has the \(a.sensor.rawValue) at \(hex(a.address))"
                )
            } else {
                // Checked by the configuration's own code; values it refuses leave the file unapplied
                // (a damaged calibration must not stop the station or lock out the commands).
                let checked = root
                root = composed
                do {
                    configuration = try validate(
                        &root, source: path, environment: environment,
                        overlays: [file.overlay(path: calibrationPath), overlay], problems: problems)
                    configuration.accelerometer.calibrationSource = .file(
                        path: calibrationPath, method: file.method, measuredAt: file.measuredAt)
                } catch {
                    root = checked
                    configuration.accelerometer.calibrationSource = .ignored(
                        path: calibrationPath,
                        reason: error.problems.map(\.description).joined(separator: "; "))
                }
            }
        }
        var origins: [String: String] = [:]
        for key in ConfigurationKeys.all where !key.isListItem {
            guard let origin = root.node(at: key.components[...])?.origin else { continue }
            origins[key.path] = origin.line.map { "\(origin.source):\($0)" } ?? origin.source
        }
        return (configuration, origins)
    }

    /// Applies the environment and then the overlays, in order, to the composed tree, decodes
    /// it and validates the result: every problem found (the composer's and the reader's) is
    /// thrown at once, sorted.
    private static func validate(
        _ root: inout ConfigNode, source: String?, environment: [String: String],
        overlays: [ConfigurationOverlay], problems: [ConfigurationProblem]
    ) throws(ConfigurationError) -> StationConfiguration {
        var problems = problems
        applyEnvironment(environment, to: &root, problems: &problems)
        for overlay in overlays { applyOverlay(overlay, to: &root, problems: &problems) }
        let reader = ConfigurationReader(baseDirectory: source.flatMap(directory(of:)))
        for p in problems { reader.report(p) }
        let configuration = decode(root, reader: reader, environment: environment)
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: sorted(reader.problems)) }
        return configuration
    }

    /// The file the CLI should read, in this order: `--config` (`explicitPath`),
    /// `$SENSORSTATION_CONFIG`, `/etc/sensorstation/config.yaml` if it exists, else `nil`
    /// (built-in defaults). An explicit path is returned even if missing, so `load` reports it.
    public static func configurationPath(
        explicitPath: String?, environment: [String: String], fileExists: (String) -> Bool
    ) -> String? {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        if let fromEnvironment = environment[pathVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return fileExists(systemPath) ? systemPath : nil
    }

    // MARK: - Reading

    static func readFile(_ path: String) -> Result<String, ConfigurationError> {
        func problem(_ message: String) -> ConfigurationError {
            ConfigurationError(problems: [ConfigurationProblem(source: path, key: "", message: message)])
        }
        let bytes: [UInt8]
        do { bytes = try Files.read(path, limit: 4 << 20) } catch {
            switch error {
            case .system(let e):
                return .failure(
                    problem("cannot \(e.call) the configuration file: \(e.reason) (errno \(e.errno))"))
            case .tooLarge:
                return .failure(problem("the file is larger than 4 MiB; this is not a configuration file"))
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(problem("the file is not UTF-8 text"))
        }
        return .success(text)
    }

    /// The directory relative paths in `source` are resolved against, or `nil` when `source`
    /// names no directory (then they stay relative to the working directory).
    static func directory(of source: String) -> String? {
        guard let slash = source.lastIndex(of: "/") else { return nil }
        let dir = String(source[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    // MARK: - YAML

    /// Composes the YAML into a `ConfigNode`, or returns `nil` after recording why it cannot
    /// (syntax error, empty, not a mapping). Duplicate keys are recorded and parsing carries on.
    static func compose(_ text: String, source: String, problems: inout [ConfigurationProblem]) -> ConfigNode?
    {
        var text = text
        var duplicates: [String: (key: String, firstLine: Int)] = [:]
        var composed: Node?
        // Yams stops at the first duplicate key; rename the repeated key and try again so every
        // other problem is still reported. The rename is reported where the key is found.
        for attempt in 0...100 {
            do {
                // No implicit typing: the loader types each value by its key, and Yams' default
                // resolver compiles its rules with NSRegularExpression, which brings in ICU's
                // regular expressions and Unicode tables (Benchmarks/README.md, service).
                composed = try Yams.compose(yaml: text, .basic)
                break
            } catch let YamlError.duplicatedKeysInMapping(keys, context) {
                guard attempt < 100, let key = keys.first,
                    let (renamed, line) = renameDuplicate(
                        key, after: context.mark, in: text, index: duplicates.count)
                else {
                    let key = keys.first ?? "?"
                    problems.append(
                        ConfigurationProblem(
                            source: source, line: context.mark.line, column: context.mark.column, key: key,
                            message: "duplicate key '\(key)'; each key may appear once in a mapping"))
                    return nil
                }
                duplicates[renamed.placeholder] = (key, context.mark.line)
                text = renamed.text
                _ = line
            } catch {
                problems.append(syntaxProblem(error, text: text, source: source))
                return nil
            }
        }
        guard let composed else {
            problems.append(
                ConfigurationProblem(
                    source: source, line: nil, column: nil, key: "",
                    message:
                        "the file is empty (or only comments); write at least one setting, or remove the file to use the built-in defaults"
                ))
            return nil
        }
        guard composed.mapping != nil else {
            let got: String
            switch composed {
            case .sequence: got = "a list"
            case .scalar(let s): got = "the text '\(s.string.prefix(40))'"
            default: got = "something else"
            }
            if let toml = tomlHint(text, source: source) {
                problems.append(toml)
            } else {
                problems.append(
                    ConfigurationProblem(
                        source: source, line: composed.mark?.line, column: composed.mark?.column, key: "",
                        message:
                            "expected a YAML mapping of sections (station:, hardware:, impact:, …) at the top level, got \(got)"
                    ))
            }
            return nil
        }
        var node = ConfigNode(composed, source: source, path: "", problems: &problems)
        if !duplicates.isEmpty { node = removeDuplicates(node, duplicates, path: "", problems: &problems) }
        return node
    }

    private static let placeholderPrefix = "__sensorstation_duplicate_"

    /// Finds the second occurrence of `key` in the mapping whose first key is at `first` and
    /// renames it to a placeholder. Handles block mappings (same indentation on a later line)
    /// and flow mappings on one line.
    static func renameDuplicate(_ key: String, after first: Mark, in text: String, index: Int)
        -> (renamed: (text: String, placeholder: String), line: Int)?
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let placeholder = "\(placeholderPrefix)\(index)__"
        let spellings = [key, "\"\(key)\"", "'\(key)'"]

        func keyOccurrence(in line: String, from start: Int) -> Range<String.Index>? {
            let scalars = Array(line)
            for spelling in spellings {
                var searchStart = line.index(line.startIndex, offsetBy: min(start, line.count))
                while let r = line.range(of: spelling, range: searchStart..<line.endIndex) {
                    let offset = line.distance(from: line.startIndex, to: r.lowerBound)
                    let before: Character? = offset > 0 ? scalars[offset - 1] : nil
                    let rest = line[r.upperBound...].drop(while: { $0 == " " })
                    if before == nil || " {,\t-".contains(before!), rest.first == ":" { return r }
                    searchStart = r.upperBound
                }
            }
            return nil
        }

        // The same line (flow mapping), after the first occurrence.
        let firstIndex = first.line - 1
        let indent = first.column - 1
        if let r = keyOccurrence(in: lines[firstIndex], from: indent + key.count) {
            lines[firstIndex].replaceSubrange(r, with: placeholder)
            return ((lines.joined(separator: "\n"), placeholder), first.line)
        }
        // Later lines of a block mapping at the same indentation.
        for i in (firstIndex + 1)..<lines.count {
            let line = lines[i]
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let lineIndent = line.count - trimmed.count
            if lineIndent < indent { break }
            if lineIndent == indent, let r = keyOccurrence(in: line, from: indent),
                line.distance(from: line.startIndex, to: r.lowerBound) == indent
            {
                lines[i].replaceSubrange(r, with: placeholder)
                return ((lines.joined(separator: "\n"), placeholder), i + 1)
            }
        }
        return nil
    }

    /// Reports and drops the renamed duplicates, now with their full dotted path.
    static func removeDuplicates(
        _ node: ConfigNode, _ duplicates: [String: (key: String, firstLine: Int)], path: String,
        problems: inout [ConfigurationProblem]
    ) -> ConfigNode {
        switch node.kind {
        case .mapping(let entries):
            var kept: [ConfigEntry] = []
            for var entry in entries {
                if let original = duplicates[entry.key] {
                    let keyPath = path.isEmpty ? original.key : path + "." + original.key
                    problems.append(
                        ConfigurationProblem(
                            source: entry.keyOrigin.source, line: entry.keyOrigin.line,
                            column: entry.keyOrigin.column,
                            key: keyPath,
                            message:
                                "duplicate key '\(original.key)' (first at line \(original.firstLine)); each key may appear once in a mapping"
                        ))
                    continue
                }
                let childPath = path.isEmpty ? entry.key : path + "." + entry.key
                entry.value = removeDuplicates(entry.value, duplicates, path: childPath, problems: &problems)
                kept.append(entry)
            }
            return ConfigNode(kind: .mapping(kept), origin: node.origin)
        case .sequence(let items):
            let mapped = items.enumerated().map { i, item in
                removeDuplicates(item, duplicates, path: "\(path)[\(i)]", problems: &problems)
            }
            return ConfigNode(kind: .sequence(mapped), origin: node.origin)
        case .scalar, .null:
            return node
        }
    }

    static func syntaxProblem(_ error: any Error, text: String, source: String) -> ConfigurationProblem {
        var line: Int?
        var column: Int?
        var message: String
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            line = mark.line
            column = mark.column
            message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            if problem.contains("another document") {
                message =
                    "the file holds more than one YAML document (a second '---'); put all settings in one"
            }
        case YamlError.reader(let problem, let offset, _, _):
            message = "the text cannot be read as YAML: \(problem)"
            if let offset {
                let prefix = text.prefix(offset)
                line = prefix.filter { $0 == "\n" }.count + 1
                column =
                    prefix.count
                    - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 }
                        ?? 0) + 1
            }
        default:
            message = "YAML syntax error: \(error)"
        }
        if let toml = tomlHint(text, source: source) { return toml }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let tabLine = lines.firstIndex(where: { $0.drop(while: { $0 == " " }).hasPrefix("\t") }),
            line.map({ $0 >= tabLine + 1 }) ?? true
        {
            // libyaml's message for a tab is "found character that cannot start any token".
            let lead = lines[tabLine].prefix(while: { $0 == " " }).count
            return ConfigurationProblem(
                source: source, line: tabLine + 1, column: lead + 1, key: "",
                message: "YAML syntax error: a tab is used for indentation; YAML allows only spaces")
        }
        return ConfigurationProblem(source: source, line: line, column: column, key: "", message: message)
    }

    /// A clear message for a TOML file (`[section]` headers and `key = value` lines).
    static func tomlHint(_ text: String, source: String) -> ConfigurationProblem? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var header: (Int, String)?
        var assignment = false
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingSpaces
            if header == nil, line.hasPrefix("["), line.hasSuffix("]"), line.count > 2,
                line.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) })
            {
                header = (i + 1, String(line.dropFirst().dropLast()))
            }
            if let eq = line.firstIndex(of: "="), !line.hasPrefix("#"),
                line[..<eq].trimmingSpaces.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                !line[..<eq].trimmingSpaces.isEmpty, !line[..<eq].contains(":")
            {
                assignment = true
            }
        }
        guard let (line, section) = header, assignment else { return nil }
        let leaf = section.split(separator: ".").last.map(String.init) ?? section
        return ConfigurationProblem(
            source: source, line: line, column: 1, key: "",
            message:
                "this looks like TOML ([\(section)] and key = value), but the configuration is YAML; write '\(leaf):' and indent its keys as 'key: value'"
        )
    }

    // MARK: - Environment

    /// Merges `SENSORSTATION_*` overrides into the tree; unknown variables are problems.
    static func applyEnvironment(
        _ environment: [String: String], to root: inout ConfigNode, problems: inout [ConfigurationProblem]
    ) {
        let known = Dictionary(
            ConfigurationSchema.environmentVariables.map { ($0.name, $0.path) },
            uniquingKeysWith: { a, _ in a })
        for (name, value) in environment.sorted(by: { $0.key < $1.key })
        where name.hasPrefix(ConfigurationSchema.environmentPrefix)
            && !ConfigurationSchema.otherVariables.contains(name)
        {
            let origin = ConfigOrigin.environment(name)
            guard let path = known[name] else {
                var message = "unknown variable"
                if let near = closestMatch(
                    to: name, in: Array(known.keys) + ConfigurationSchema.otherVariables)
                {
                    message += "; did you mean \(near)?"
                } else {
                    message +=
                        "; overrides are named SENSORSTATION_<SECTION>_<KEY>, e.g. SENSORSTATION_IMPACT_THRESHOLD_G"
                }
                problems.append(ConfigurationProblem(source: origin.source, key: "", message: message))
                continue
            }
            let node = ConfigNode(kind: .scalar(value, plain: false), origin: origin)
            if !root.override(path: path[...], with: node) {
                problems.append(
                    ConfigurationProblem(
                        source: origin.source, key: path.joined(separator: "."),
                        message: "cannot override: the file does not hold a mapping on the way to this key"))
            }
        }
    }

    /// File problems in line order, then environment problems by variable.
    static func sorted(_ problems: [ConfigurationProblem]) -> [ConfigurationProblem] {
        problems.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            switch (x.line, y.line) {
            case (let l?, let r?):
                if l != r { return l < r }
                if (x.column ?? 0) != (y.column ?? 0) { return (x.column ?? 0) < (y.column ?? 0) }
                return a.offset < b.offset
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil):
                if x.source != y.source { return x.source < y.source }
                return a.offset < b.offset
            }
        }.map(\.element)
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let s = self[...].drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
        var end = s.endIndex
        while end > s.startIndex, " \t\r".contains(s[s.index(before: end)]) { end = s.index(before: end) }
        return Substring(s[s.startIndex..<end])
    }
}
