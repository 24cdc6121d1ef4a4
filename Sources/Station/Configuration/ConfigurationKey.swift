import HAL

/// One configuration key, declared once (`ConfigurationKeys.all`): its dotted path, what it takes
/// (type and bounds), its value in a configuration, whether a reload (SIGHUP) applies it, and what
/// the documentation says beyond the bounds.
///
/// Derived from the declarations: the schema (unknown keys and their suggestions, the
/// `SENSORSTATION_*` variables), the reading of every simple key, the reload plan, `config show
/// --all`, and the key tables of docs/configuration.md (a test fails when they disagree).
///
/// A key whose rules depend on another key (the accelerometer's chip, the weather sensor), or that
/// holds a list or an optional section, is read by its section's code in
/// `ConfigurationLoader+Sections.swift` (`read == nil`); it is declared here all the same.
public struct ConfigurationKey: Sendable {
    /// Whether a running station takes a changed value on `systemctl reload` (SIGHUP), or needs a
    /// restart.
    public enum Reload: String, Sendable {
        case live
        case restart
    }

    /// How the key is written: one value, a list, or either a mapping or a scalar such as `none`.
    enum Form: Sendable {
        case scalar
        case list
        case scalarOrMapping
    }

    enum Kind: Sendable {
        case number(ClosedRange<Double>)
        /// A number of seconds with a fraction (`upload.poll_interval_s`).
        case fractionalSeconds(ClosedRange<Double>)
        case integer(ClosedRange<Int>)
        case milliseconds(ClosedRange<Int>)
        case seconds(ClosedRange<Int>)
        case integerOneOf([Int])
        /// A list of three numbers [x, y, z], each in the range.
        case vector3(ClosedRange<Double>)
        case bool
        case choice([String])
        case text
        case path
        /// Read by its section's code; `type` and `allowed` are what the documentation says.
        case custom(type: String, allowed: String)
    }

    public typealias Configuration = StationConfiguration
    typealias Reader =
        @Sendable (ConfigurationReader, ConfigurationReader.Section, inout Configuration) -> Void

    /// `impact.threshold_g`; a list item's keys are written `gpio.leds[].role`.
    public let path: String
    let kind: Kind
    let form: Form
    public let reload: Reload
    /// What the documentation adds to the bounds ("the band that matters is 4–6 g").
    let note: String
    /// The documented default, where it is not simply the value of the built-in defaults (it
    /// depends on the chip, the environment, or the key is off until set).
    let defaultText: String?
    /// A valid value other than the default, as a file writes it, that `value` gives back:
    /// a test loads it for every key, to show the key is read and applied as declared.
    let example: String?
    /// Other keys a test needs beside `example` (YAML, e.g. a destination's required name).
    let exampleContext: String
    /// The key's value in a configuration, as the file writes it ("" when it has none: a key of a
    /// destination that is off).
    public let value: @Sendable (Configuration) -> String
    /// Reads the key from its section (`nil`: the section's code reads it).
    let read: Reader?
    /// Copies the key's value from the second configuration into the first (a reload applies a
    /// live key this way; `nil` for keys the section's code reads).
    let copy: (@Sendable (inout Configuration, Configuration) -> Void)?

    /// The keys of the dotted path.
    var components: [String] { path.split(separator: ".").map(String.init) }
    /// The path of the mapping holding the key (`""` for a top-level key).
    var parent: String { components.dropLast().joined(separator: ".") }
    var name: String { components.last ?? path }
    /// A key of a list's items (`gpio.leds[].role`), documented but not a path of its own.
    /// (A byte test: Foundation's `contains` of a string goes through CoreFoundation's Unicode
    /// tables, about 0.6 MB of pages the service otherwise never touches.)
    public var isListItem: Bool { path.utf8.contains(UInt8(ascii: "[")) }
}

// MARK: - constructors

extension ConfigurationKey {
    typealias Section = ConfigurationReader.Section

    static func make<T>(
        _ path: String, _ kind: Kind, _ reload: Reload, form: Form = .scalar, note: String, example: String?,
        exampleContext: String = "", defaultText: String? = nil,
        get: @escaping @Sendable (Configuration) -> T?,
        set: @escaping @Sendable (inout Configuration, T) -> Void,
        text: @escaping @Sendable (T) -> String,
        parse: @escaping @Sendable (ConfigurationReader, Section, String) -> T?
    ) -> ConfigurationKey {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        return ConfigurationKey(
            path: path, kind: kind, form: form, reload: reload, note: note, defaultText: defaultText,
            example: example, exampleContext: exampleContext, value: { get($0).map(text) ?? "" },
            read: { r, s, c in if let v = parse(r, s, name) { set(&c, v) } },
            copy: { c, from in if let v = get(from) { set(&c, v) } })
    }

    /// `make` for a key stored at `kp` in the configuration.
    static func make<T>(
        _ path: String, _ kind: Kind, _ reload: Reload, form: Form = .scalar, note: String, example: String?,
        exampleContext: String = "", defaultText: String? = nil,
        at kp: WritableKeyPath<Configuration, T> & Sendable,
        text: @escaping @Sendable (T) -> String,
        parse: @escaping @Sendable (ConfigurationReader, Section, String) -> T?
    ) -> ConfigurationKey {
        make(
            path, kind, reload, form: form, note: note, example: example, exampleContext: exampleContext,
            defaultText: defaultText, get: { $0[keyPath: kp] }, set: { $0[keyPath: kp] = $1 }, text: text,
            parse: parse)
    }

    static func number(
        _ path: String, _ range: ClosedRange<Double>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Double> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .number(range), reload, note: note, example: example, at: kp, text: format,
            parse: { r, s, k in r.number(s, k, range) })
    }

    /// A number that may be left out (nil: not configured, `none` in the docs).
    static func optionalNumber(
        _ path: String, _ range: ClosedRange<Double>, _ reload: Reload = .restart,
        at kp: WritableKeyPath<Configuration, Double?> & Sendable,
        note: String = "", example: String, exampleContext: String = ""
    ) -> ConfigurationKey {
        make(
            path, .number(range), reload, note: note, example: example, exampleContext: exampleContext,
            defaultText: "none",
            get: { $0[keyPath: kp] }, set: { $0[keyPath: kp] = $1 }, text: format,
            parse: { r, s, k in r.number(s, k, range) })
    }

    static func fractionalSeconds(
        _ path: String, _ range: ClosedRange<Double>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Duration> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .fractionalSeconds(range), reload, note: note, example: example, at: kp,
            text: { format($0.seconds) },
            parse: { r, s, k in r.number(s, k, range).map { .milliseconds(Int64(($0 * 1000).rounded())) } })
    }

    static func integer(
        _ path: String, _ range: ClosedRange<Int>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Int> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .integer(range), reload, note: note, example: example, at: kp, text: { String($0) },
            parse: { r, s, k in r.integer(s, k, range) })
    }

    static func oneOf(
        _ path: String, _ allowed: [Int], _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Int> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .integerOneOf(allowed), reload, note: note, example: example, at: kp, text: { String($0) },
            parse: { r, s, k in r.integer(s, k, oneOf: allowed) })
    }

    static func vector3(
        _ path: String, _ range: ClosedRange<Double>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, SIMD3<Double>> & Sendable, note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .vector3(range), reload, form: .list, note: note, example: example,
            at: kp, text: yamlVector, parse: { r, s, k in r.vector3(s, k, range) })
    }

    static func milliseconds(
        _ path: String, _ range: ClosedRange<Int>, _ reload: Reload,
        get: @escaping @Sendable (Configuration) -> Duration?,
        set: @escaping @Sendable (inout Configuration, Duration) -> Void,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .milliseconds(range), reload, note: note, example: example, get: get, set: set,
            text: { String($0.milliseconds) }, parse: { r, s, k in r.milliseconds(s, k, range) })
    }

    static func milliseconds(
        _ path: String, _ range: ClosedRange<Int>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Duration> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        milliseconds(
            path, range, reload, get: { $0[keyPath: kp] }, set: { $0[keyPath: kp] = $1 }, note: note,
            example: example)
    }

    static func seconds(
        _ path: String, _ range: ClosedRange<Int>, _ reload: Reload,
        at kp: WritableKeyPath<Configuration, Duration> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey {
        make(
            path, .seconds(range), reload, note: note, example: example, at: kp,
            text: { String($0.milliseconds / 1000) },
            parse: { r, s, k in r.seconds(s, k, range) })
    }

    static func bool(
        _ path: String, _ reload: Reload, get: @escaping @Sendable (Configuration) -> Bool?,
        set: @escaping @Sendable (inout Configuration, Bool) -> Void, note: String = "", example: String,
        exampleContext: String = ""
    ) -> ConfigurationKey {
        make(
            path, .bool, reload, note: note, example: example, exampleContext: exampleContext, get: get,
            set: set,
            text: { String($0) }, parse: { r, s, k in r.bool(s, k) })
    }

    static func bool(
        _ path: String, _ reload: Reload, at kp: WritableKeyPath<Configuration, Bool> & Sendable,
        note: String = "",
        example: String, exampleContext: String = ""
    ) -> ConfigurationKey {
        bool(
            path, reload, get: { $0[keyPath: kp] }, set: { $0[keyPath: kp] = $1 }, note: note,
            example: example,
            exampleContext: exampleContext)
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ path: String, _: T.Type, _ reload: Reload, get: @escaping @Sendable (Configuration) -> T?,
        set: @escaping @Sendable (inout Configuration, T) -> Void, note: String = "", example: String
    ) -> ConfigurationKey where T.RawValue == String {
        make(
            path, .choice(T.allCases.map(\.rawValue)), reload, note: note, example: example, get: get,
            set: set,
            text: \.rawValue, parse: { r, s, k in r.choice(s, k, T.self) })
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ path: String, _ type: T.Type, _ reload: Reload, at kp: WritableKeyPath<Configuration, T> & Sendable,
        note: String = "", example: String
    ) -> ConfigurationKey where T.RawValue == String {
        choice(
            path, type, reload, get: { $0[keyPath: kp] }, set: { $0[keyPath: kp] = $1 }, note: note,
            example: example)
    }

    /// Text that `validate` accepts (it returns what is allowed, or nil); `note` documents it.
    static func text(
        _ path: String, _ reload: Reload, at kp: WritableKeyPath<Configuration, String> & Sendable,
        validate: @escaping @Sendable (String) -> String?, note: String, example: String,
        defaultText: String? = nil
    ) -> ConfigurationKey {
        make(
            path, .text, reload, note: note, example: example, defaultText: defaultText,
            at: kp, text: { $0 },
            parse: { r, s, k in r.string(s, k, validate: validate) })
    }

    /// A file path; relative paths in a file are resolved against its directory.
    static func path(
        _ path: String, _ reload: Reload, at kp: WritableKeyPath<Configuration, String> & Sendable,
        allowEmpty: Bool,
        note: String = "", example: String, defaultText: String? = nil
    ) -> ConfigurationKey {
        make(
            path, .path, reload, note: note, example: example, defaultText: defaultText,
            at: kp, text: { $0 },
            parse: { r, s, k in r.path(s, k, allowEmpty: allowEmpty) })
    }

    /// A key read by its section's code.
    static func custom(
        _ path: String, type: String, allowed: String, _ reload: Reload, form: Form = .scalar,
        note: String = "",
        defaultText: String? = nil, example: String? = nil, exampleContext: String = "",
        value: @escaping @Sendable (Configuration) -> String = { _ in "" }
    ) -> ConfigurationKey {
        ConfigurationKey(
            path: path, kind: .custom(type: type, allowed: allowed), form: form, reload: reload, note: note,
            defaultText: defaultText, example: example, exampleContext: exampleContext, value: value,
            read: nil, copy: nil)
    }
}

// MARK: - what is derived

extension ConfigurationKey {
    /// The documentation's "Type" column.
    var typeText: String {
        switch kind {
        case .number: "number"
        case .fractionalSeconds: "seconds"
        case .integer, .integerOneOf: "integer"
        case .vector3: "list of 3 numbers"
        case .milliseconds: "whole ms"
        case .seconds: "whole seconds"
        case .bool: "boolean"
        case .choice, .text: "text"
        case .path: "path"
        case .custom(let type, _): type
        }
    }

    /// The documentation's "Allowed" column: the bounds, then the note.
    var allowedText: String {
        let bounds: String
        switch kind {
        case .number(let r), .fractionalSeconds(let r):
            bounds = "\(format(r.lowerBound))–\(format(r.upperBound))"
        case .integer(let r), .milliseconds(let r), .seconds(let r):
            bounds = r.upperBound == Int.max ? "≥ \(r.lowerBound)" : "\(r.lowerBound)–\(r.upperBound)"
        case .integerOneOf(let values): bounds = values.map(String.init).joined(separator: ", ")
        case .vector3(let r): bounds = "each \(format(r.lowerBound))–\(format(r.upperBound))"
        case .choice(let values): bounds = values.map { "`\($0)`" }.joined(separator: ", ")
        case .bool, .text, .path: bounds = ""
        case .custom(_, let allowed): bounds = allowed
        }
        return [bounds, note].filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// What a reload does with a change, in the docs and `config show --all`: `applied` or `restart`.
    public var reloadText: String { reload == .live ? "applied" : "restart" }

    /// The documentation's "Default" column.
    var defaultColumn: String {
        if let defaultText { return defaultText }
        let v = value(StationConfiguration.defaults(environment: [:]))
        return v.isEmpty ? "empty" : "`\(v)`"
    }
}

/// A line selector as the file writes it: `GPIO17`, `17`, or `"17"` for a name that looks like a number.
func yamlLine(_ line: LineSelector) -> String {
    switch line {
    case .name(let n): Int(n) != nil ? "\"\(n)\"" : n
    case .offset(let o): String(o)
    }
}

/// `accelerometer.up` as the file writes it: `none`, an axis (`-y`), or a direction.
func yamlUp(_ v: SIMD3<Double>) -> String {
    if v == .zero { return "none" }
    for (i, axis) in ["x", "y", "z"].enumerated() where abs(v[i]) == 1 {
        return (v[i] > 0 ? "+" : "-") + axis
    }
    return yamlVector(v)
}

func yamlVector(_ v: SIMD3<Double>) -> String { "[\(format(v.x)), \(format(v.y)), \(format(v.z))]" }
