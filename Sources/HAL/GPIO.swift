/// The GPIO contract shared by the libgpiod adapter (`/dev/gpiochipN`), the simulated chip and
/// test doubles. Lines are looked up by name (`GPIO17`) where the platform names them, or by
/// offset; values are logical (active-low is applied by the line, not by the caller).

/// Which line: a name as the kernel's device tree gives it, or an offset on the chip.
public enum LineSelector: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case offset(Int)

    public var description: String {
        switch self {
        case .name(let n): n
        case .offset(let o): "line \(o)"
        }
    }
}

public enum Bias: String, Sendable, CaseIterable {
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

public struct OutputLineRequest: Sendable, Equatable {
    public var line: LineSelector
    public var consumer: String
    public var activeLow: Bool
    public var initialValue: Bool

    public init(line: LineSelector, consumer: String, activeLow: Bool = false, initialValue: Bool = false) {
        self.line = line
        self.consumer = consumer
        self.activeLow = activeLow
        self.initialValue = initialValue
    }
}

/// Which edges an input line reports, in logical terms (active-low applied by the line).
public enum EdgeSelection: Sendable, Equatable {
    /// A button: press and release.
    case both
    /// An interrupt line: only its asserting edge, so the chip's release wakes nobody.
    case rising
    case falling
}

public struct InputLineRequest: Sendable, Equatable {
    public var line: LineSelector
    public var consumer: String
    public var activeLow: Bool
    public var bias: Bias
    /// Kernel debounce period where the platform has it (libgpiod 2.x); zero asks for none.
    /// The caller debounces in software where `InputLine.hasKernelDebounce` is false.
    public var debounce: Duration
    public var edges: EdgeSelection

    public init(
        line: LineSelector, consumer: String, activeLow: Bool = false, bias: Bias = .asIs,
        debounce: Duration = .zero, edges: EdgeSelection = .both
    ) {
        self.line = line
        self.consumer = consumer
        self.activeLow = activeLow
        self.bias = bias
        self.debounce = debounce
        self.edges = edges
    }
}

/// A line edge, in logical terms: `rising` means the line became active (pressed, for an
/// active-low button wired to ground).
public struct EdgeEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case rising, falling }
    public var kind: Kind
    /// Kernel timestamp of the edge (CLOCK_MONOTONIC), or the simulation's clock.
    public var timestamp: Duration

    public init(kind: Kind, timestamp: Duration) {
        self.kind = kind
        self.timestamp = timestamp
    }
}

/// Information about one line, for `gpio lines` and error messages.
public struct LineInfo: Sendable, Equatable {
    public var offset: Int
    public var name: String?
    public var consumer: String?
    public var isOutput: Bool
    public var isUsed: Bool

    public init(offset: Int, name: String?, consumer: String?, isOutput: Bool, isUsed: Bool) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.isOutput = isOutput
        self.isUsed = isUsed
    }
}

/// One GPIO chip. Requested lines are released when their handle is deinitialised.
public protocol GPIOChip: AnyObject, Sendable {
    /// The chip's path, e.g. `/dev/gpiochip0`.
    var path: String { get }
    /// The kernel's name (`gpiochip0`) and label (`pinctrl-bcm2711`).
    var name: String { get }
    var label: String { get }
    var lineCount: Int { get }

    func lineInfo() throws(GPIOError) -> [LineInfo]
    func requestOutput(_ request: OutputLineRequest) throws(GPIOError) -> any OutputLine
    func requestInput(_ request: InputLineRequest) throws(GPIOError) -> any InputLine
}

public protocol OutputLine: AnyObject {
    var offset: Int { get }
    /// Sets the logical value (true = active).
    func set(_ active: Bool) throws(GPIOError)
}

public protocol InputLine: AnyObject {
    var offset: Int { get }
    /// Whether the kernel debounces this line (libgpiod 2.x); if not, the caller must.
    var hasKernelDebounce: Bool { get }
    /// The logical value (true = active).
    func read() throws(GPIOError) -> Bool
    /// Blocks up to `timeout` for edge events; returns those that arrived (empty on timeout).
    /// Call from a dedicated thread, never from the cooperative pool.
    func waitForEvents(timeout: Duration) throws(GPIOError) -> [EdgeEvent]
}

public enum GPIOErrorKind: Equatable, Sendable {
    /// No chip with that path, name or label.
    case chipNotFound
    /// No line with that name on the chip, or the offset is out of range.
    case lineNotFound
    /// The line is already requested by another consumer (EBUSY).
    case lineBusy
    case permissionDenied
    /// The platform cannot do what was asked (e.g. bias on an old kernel).
    case unsupported
    case other
}

public struct GPIOError: Error, Equatable, Sendable, CustomStringConvertible {
    public var kind: GPIOErrorKind
    /// Chip path or the selector that was searched for.
    public var chip: String
    public var line: String?
    public var errno: Int32?
    public var message: String

    public init(kind: GPIOErrorKind, chip: String, line: String? = nil, errno: Int32? = nil, message: String)
    {
        self.kind = kind
        self.chip = chip
        self.line = line
        self.errno = errno
        self.message = message
    }

    public var description: String {
        var s = chip
        if let line { s += " \(line)" }
        s += ": \(message)"
        if let errno { s += " (errno \(errno))" }
        return s
    }
}
