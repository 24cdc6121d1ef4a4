/// What went wrong in a configuration, with enough context to fix it without reading the code:
/// where (file, line, column, or the environment variable), which key, the bad value and what
/// would be allowed.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file path, `"environment SENSORSTATION_X"` for an override, or the source name passed
    /// to `ConfigurationLoader.parse`.
    public var source: String
    /// 1-based line and column in `source`; `nil` for the environment and for whole-file problems.
    public var line: Int?
    public var column: Int?
    /// The dotted key (`impact.threshold_g`, `gpio.leds[1].line`); empty when the problem is
    /// about the file as a whole or an unknown variable.
    public var key: String
    /// What is wrong and what is allowed, e.g. `expected a number from 1.5 to 100, got 200`.
    public var message: String

    public init(source: String, line: Int? = nil, column: Int? = nil, key: String, message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `FILE:LINE:COL: key: message`, dropping the parts that are unknown.
    public var description: String {
        var s = source
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        s += ": "
        if !key.isEmpty { s += key + ": " }
        return s + message
    }
}

/// Every problem found in one load, reported together so that one edit can fix them all.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    /// One problem per line, in file order (environment problems after the file's).
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
