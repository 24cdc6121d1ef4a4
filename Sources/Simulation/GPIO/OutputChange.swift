/// A change on a simulated output line, for the demo's terminal view and for tests.
public struct OutputChange: Sendable, Equatable {
    public var offset: Int
    public var name: String?
    /// The consumer that requested the line (nil once released).
    public var consumer: String?
    /// The electrical level on the pin.
    public var physicalHigh: Bool
    /// The logical value the requester set (physical XOR active-low).
    public var active: Bool
    /// False when the change is the line being released (it keeps its level).
    public var isRequested: Bool
    /// Simulation clock time.
    public var timestamp: Duration

    public init(
        offset: Int, name: String?, consumer: String?, physicalHigh: Bool, active: Bool, isRequested: Bool,
        timestamp: Duration
    ) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.physicalHigh = physicalHigh
        self.active = active
        self.isRequested = isRequested
        self.timestamp = timestamp
    }
}
