/// Detector settings that cannot work, each problem with its field, value and the valid range.
public struct DetectorSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var value: Double
        public var expected: String

        public var description: String { "\(field): expected \(expected), got \(value)" }
    }

    public var problems: [Problem]

    public var description: String {
        "invalid detector settings: " + problems.map(\.description).joined(separator: "; ")
    }
}
