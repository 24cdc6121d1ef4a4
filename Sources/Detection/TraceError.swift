/// A trace that cannot be read: the 1-based line and what is wrong with it, in words a person
/// can act on. The reader does not know the file's name; the caller prefixes it
/// (`FILE:LINE: message`).
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
