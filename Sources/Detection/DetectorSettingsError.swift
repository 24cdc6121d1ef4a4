/// Detector settings that cannot work, each problem with its field, value and the valid range.
public struct DetectorSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var value: Double
        public var expected: String

        public init(field: String, value: Double, expected: String) {
            self.field = field
            self.value = value
            self.expected = expected
        }

        public var description: String { "\(field): expected \(expected), got \(value)" }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        "invalid detector settings: " + problems.map(\.description).joined(separator: "; ")
    }
}
