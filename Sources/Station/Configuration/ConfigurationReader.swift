import HAL

/// Reads typed values out of a `ConfigNode` tree, collecting every problem instead of stopping
/// at the first. Getters return `nil` when a key is absent or its value is invalid (after
/// recording why); callers fall back to the default, so validation carries on.
final class ConfigurationReader {
    private(set) var problems: [ConfigurationProblem] = []
    /// The directory relative paths in the file are resolved against (`nil`: leave them).
    let baseDirectory: String?

    init(baseDirectory: String?) {
        self.baseDirectory = baseDirectory
    }

    func report(_ origin: ConfigOrigin, key: String, _ message: String) {
        problems.append(
            ConfigurationProblem(
                source: origin.source, line: origin.line, column: origin.column, key: key, message: message))
    }

    func report(_ problem: ConfigurationProblem) {
        problems.append(problem)
    }

    // MARK: Sections

    /// A mapping's entries by key, with its dotted path for messages.
    struct Section {
        var path: String
        var origin: ConfigOrigin?
        var entries: [String: ConfigEntry] = [:]

        func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        /// The value, if the key is present (even as `null`).
        func node(_ key: String) -> ConfigNode? { entries[key]?.value }
        /// Whether the key is present with a value.
        func isSet(_ key: String) -> Bool { node(key).map { !$0.isNull } ?? false }
        func origin(of key: String) -> ConfigOrigin? { entries[key]?.value.origin }
    }

    /// Opens the mapping `node` (absent or `null` gives an empty section), reporting a non-mapping
    /// and every key not in `allowed`. `schemaPath` locates the section in the schema, for
    /// suggestions from other sections.
    func section(_ node: ConfigNode?, path: String, allowed: [String], schemaPath: [String]? = nil) -> Section
    {
        var section = Section(path: path, origin: node?.origin)
        guard let node, !node.isNull else { return section }
        guard let entries = node.entries else {
            report(
                node.origin, key: path,
                "expected a mapping with keys \(allowed.joined(separator: ", ")), got \(node.described)")
            return section
        }
        for entry in entries {
            if allowed.contains(entry.key) {
                section.entries[entry.key] = entry
            } else {
                report(
                    entry.keyOrigin, key: section.keyPath(entry.key),
                    unknownKeyMessage(entry.key, allowed: allowed, schemaPath: schemaPath))
            }
        }
        return section
    }

    private func unknownKeyMessage(_ key: String, allowed: [String], schemaPath: [String]?) -> String {
        if key == "<<" {
            return "merge keys (<<) are not supported; write the keys out"
        }
        if let near = closestMatch(to: key, in: allowed) {
            return "unknown key '\(key)'; did you mean '\(near)'?"
        }
        if let schemaPath {
            // The right key in the wrong section, e.g. `threshold_g` at the top level.
            let elsewhere = ConfigurationSchema.allPaths.filter {
                $0.last == key && Array($0.dropLast()) != schemaPath
            }
            if let path = elsewhere.first {
                return "unknown key '\(key)' here; did you mean '\(path.joined(separator: "."))'?"
            }
        }
        return "unknown key '\(key)'; allowed keys: \(allowed.joined(separator: ", "))"
    }

    // MARK: Scalars

    /// The scalar text at `key`, or a recorded problem.
    private func scalar(_ s: Section, _ key: String, expected: String) -> (String, ConfigNode)? {
        guard let node = s.node(key) else { return nil }
        if case .scalar(let text, _) = node.kind { return (text, node) }
        report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
        return nil
    }

    func number(_ s: Section, _ key: String, _ range: ClosedRange<Double>, context: String = "") -> Double? {
        let expected = "a number from \(format(range.lowerBound)) to \(format(range.upperBound))\(context)"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        guard let value = parseNumber(text), range.contains(value) else {
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
        return value
    }

    func integer(_ s: Section, _ key: String, _ range: ClosedRange<Int>, unit: String = "") -> Int? {
        let expected = "a whole number\(unit) from \(range.lowerBound) to \(range.upperBound)"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        guard let value = parseInteger(text), range.contains(value) else {
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
        return value
    }

    /// `…_ms` keys.
    func milliseconds(_ s: Section, _ key: String, _ range: ClosedRange<Int>) -> Duration? {
        integer(s, key, range, unit: " of milliseconds").map { .milliseconds($0) }
    }

    /// `…_s` keys.
    func seconds(_ s: Section, _ key: String, _ range: ClosedRange<Int>) -> Duration? {
        integer(s, key, range, unit: " of seconds").map { .seconds($0) }
    }

    /// One of a list of whole numbers; `context` says whose list (`for the adxl345`).
    func integer(_ s: Section, _ key: String, oneOf allowed: [Int], context: String = "") -> Int? {
        let expected = "one of \(allowed.map(String.init).joined(separator: ", "))\(context)"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        guard let value = parseInteger(text), allowed.contains(value) else {
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
        return value
    }

    func bool(_ s: Section, _ key: String) -> Bool? {
        guard let (text, node) = scalar(s, key, expected: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(node.origin, key: s.keyPath(key), "expected true or false, got \(node.described)")
            return nil
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ s: Section, _ key: String, _: T.Type) -> T?
    where T.RawValue == String {
        let expected = "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        guard let value = T(rawValue: text) else {
            var message = "expected \(expected), got \(node.described)"
            if let near = closestMatch(to: text, in: T.allCases.map(\.rawValue)) {
                message += "; did you mean '\(near)'?"
            }
            report(node.origin, key: s.keyPath(key), message)
            return nil
        }
        return value
    }

    /// Text checked by `validate`, which returns what is allowed when the value is not.
    /// `null` and absent both give `nil` when `optional`.
    func string(
        _ s: Section, _ key: String, optional: Bool = false, validate: (String) -> String? = { _ in nil }
    )
        -> String?
    {
        if optional, let node = s.node(key), node.isNull { return nil }
        guard let (text, node) = scalar(s, key, expected: "text") else { return nil }
        if let allowed = validate(text) {
            report(node.origin, key: s.keyPath(key), "expected \(allowed), got \(node.described)")
            return nil
        }
        return text
    }

    /// A file path; relative paths from the file are resolved against its directory.
    func path(_ s: Section, _ key: String, allowEmpty: Bool = false) -> String? {
        guard let text = string(s, key, validate: { $0.isEmpty && !allowEmpty ? "a file path" : nil }) else {
            return nil
        }
        guard !text.isEmpty, !text.hasPrefix("/"), let base = baseDirectory, let node = s.node(key),
            !node.origin.isEnvironment
        else {
            return text
        }
        var relative = Substring(text)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return joinPath(base, String(relative))
    }

    /// An I2C address: an integer (`0x76`, `118`) or the string `"0x76"`.
    func address(_ s: Section, _ key: String, allowed: [I2CAddress], context: String) -> I2CAddress? {
        let expected = "one of \(allowed.map(hex).joined(separator: ", "))\(context)"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        guard let value = parseInteger(text), let address = I2CAddress(exactly: value),
            allowed.contains(address)
        else {
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
        return address
    }

    /// A GPIO line: a name (`GPIO17`, any non-numeric or quoted text) or an offset (a plain
    /// integer ≥ 0).
    func line(_ s: Section, _ key: String) -> LineSelector? {
        let expected = "a line name such as GPIO17 or an offset ≥ 0"
        guard let (text, node) = scalar(s, key, expected: expected) else { return nil }
        if case .scalar(_, plain: true) = node.kind, let n = parseInteger(text) {
            guard n >= 0 else {
                report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
                return nil
            }
            return .offset(n)
        }
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
        return .name(text)
    }

    /// `accelerometer.up`: an axis (`+x` … `-z`), `none` (`.zero`), or a direction `[x, y, z]`
    /// (such as a reading at rest in the mount), scaled to length 1.
    func up(_ s: Section, _ key: String) -> SIMD3<Double>? {
        guard let node = s.node(key) else { return nil }
        let expected = "+x, -x, +y, -y, +z, -z, none, or a direction [x, y, z]"
        switch node.kind {
        case .null: return .zero
        case .scalar(let text, _):
            let t = text.lowercased()
            if t == "none" { return .zero }
            let sign: Double = t.hasPrefix("-") ? -1 : 1
            let axis = t.hasPrefix("-") || t.hasPrefix("+") ? String(t.dropFirst()) : t
            guard let i = ["x", "y", "z"].firstIndex(of: axis) else {
                report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
                return nil
            }
            var v = SIMD3<Double>.zero
            v[i] = sign
            return v
        case .sequence:
            guard let v = vector3(s, key, -10...10) else { return nil }
            let length = (v * v).sum().squareRoot()
            guard length >= 0.1 else {
                report(
                    node.origin, key: s.keyPath(key),
                    "expected a direction, got \(yamlVector(v)), which has almost no length")
                return nil
            }
            return v / length
        default:
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(node.described)")
            return nil
        }
    }

    /// A list of exactly three numbers in `range` (calibration vectors).
    func vector3(_ s: Section, _ key: String, _ range: ClosedRange<Double>) -> SIMD3<Double>? {
        guard let node = s.node(key) else { return nil }
        let expected =
            "a list of three numbers [x, y, z] from \(format(range.lowerBound)) to \(format(range.upperBound))"
        guard case .sequence(let items) = node.kind, items.count == 3 else {
            var got = node.described
            if case .sequence(let items) = node.kind { got = "a list of \(items.count)" }
            report(node.origin, key: s.keyPath(key), "expected \(expected), got \(got)")
            return nil
        }
        var out = SIMD3<Double>()
        var ok = true
        for (i, item) in items.enumerated() {
            if case .scalar(let text, _) = item.kind, let v = parseNumber(text), range.contains(v) {
                out[i] = v
            } else {
                report(
                    item.origin, key: "\(s.keyPath(key))[\(i)]", "expected \(expected), got \(item.described)"
                )
                ok = false
            }
        }
        return ok ? out : nil
    }
}

/// `16`, `0.39`, `4.5`: whole numbers without a trailing `.0`.
func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
