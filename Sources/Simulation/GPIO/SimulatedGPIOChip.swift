import Dispatch
import HAL
import Synchronization

/// A GPIO chip in memory with the character device's behaviour: lines by name or offset, one
/// consumer per line (EBUSY otherwise), active-low applied by the line, bias as the idle level of
/// an undriven input, edge events with simulation-clock timestamps, release on handle deinit.
///
/// The test or demo plays the outside world: `drive`/`float` (or `press`/`release` for a button
/// wired to ground) set the level on an input pin; `physicalValue` and `outputChanges()` show
/// what outputs do.
public final class SimulatedGPIOChip: GPIOChip {
    public let path: String
    public let name: String
    public let label: String
    public var lineCount: Int { lineNames.count }
    public let lineNames: [String?]
    private let clock: any SimulationClock
    private let state: Mutex<State>

    /// Edge events a line queues before dropping new ones (the kernel's buffer is similar in size).
    public static let eventBufferSize = 256

    struct Line {
        var consumer: String?
        var requestID: UInt64?
        var isOutput = false
        var activeLow = false
        var bias: Bias = .disabled
        /// Level the line drives when it is an output.
        var outputHigh = false
        /// Level the outside world drives on the pin; nil when floating.
        var driven: Bool?
        var edges: EdgeSelection = .both
        var events: [EdgeEvent] = []
        var droppedEvents = 0
        var signal: DispatchSemaphore?

        /// The electrical level: an output drives it; otherwise the outside world, else the bias
        /// (a floating pin without pull-up reads low).
        var physical: Bool {
            if isOutput { return outputHigh }
            return driven ?? (bias == .pullUp)
        }
    }

    struct State {
        var lines: [Line]
        var nextID: UInt64 = 1
        var observer: (@Sendable (OutputChange) -> Void)?
        var streams: [UInt64: AsyncStream<OutputChange>.Continuation] = [:]
    }

    /// - Parameters:
    ///   - name: the kernel's chip name; the path is `sim:/dev/<name>`.
    ///   - label: the kernel's label, e.g. `pinctrl-bcm2711` on a Pi 4.
    ///   - lineNames: one entry per line (nil: unnamed).
    public init(
        name: String = "gpiochip0", label: String = "pinctrl-sim", lineNames: [String?],
        clock: any SimulationClock = RealtimeSimulationClock()
    ) {
        self.name = name
        self.label = label
        self.path = "sim:/dev/\(name)"
        self.lineNames = lineNames
        self.clock = clock
        self.state = Mutex(State(lines: Array(repeating: Line(), count: lineNames.count)))
    }

    /// A Raspberry-Pi-like header chip: lines GPIO0...GPIO27.
    public static func raspberryPi(
        name: String = "gpiochip0", label: String = "pinctrl-sim",
        clock: any SimulationClock = RealtimeSimulationClock()
    ) -> SimulatedGPIOChip {
        SimulatedGPIOChip(name: name, label: label, lineNames: (0..<28).map { "GPIO\($0)" }, clock: clock)
    }

    // MARK: GPIOChip

    public func lineInfo() throws(GPIOError) -> [LineInfo] {
        let names = lineNames
        return state.withLock { s in
            s.lines.enumerated().map { i, l in
                LineInfo(
                    offset: i, name: names[i], consumer: l.consumer, isOutput: l.isOutput,
                    isUsed: l.requestID != nil)
            }
        }
    }

    public func requestOutput(_ request: OutputLineRequest) throws(GPIOError) -> any OutputLine {
        let offset = try offset(of: request.line)
        let now = clock.now
        let result: Result<(UInt64, OutputChange), GPIOError> = state.withLock { s in
            if let busy = busyError(s, offset) { return .failure(busy) }
            let id = s.nextID
            s.nextID += 1
            s.lines[offset].requestID = id
            s.lines[offset].consumer = request.consumer
            s.lines[offset].isOutput = true
            s.lines[offset].activeLow = request.activeLow
            s.lines[offset].outputHigh = request.initialValue != request.activeLow
            return .success((id, makeChange(s, offset, now)))
        }
        let (id, change) = try result.get()
        notify(change)
        return SimulatedOutputLine(chip: self, offset: offset, requestID: id)
    }

    public func requestInput(_ request: InputLineRequest) throws(GPIOError) -> any InputLine {
        let offset = try offset(of: request.line)
        let signal = DispatchSemaphore(value: 0)
        let result: Result<UInt64, GPIOError> = state.withLock { s in
            if let busy = busyError(s, offset) { return .failure(busy) }
            let id = s.nextID
            s.nextID += 1
            s.lines[offset].requestID = id
            s.lines[offset].consumer = request.consumer
            s.lines[offset].isOutput = false
            s.lines[offset].activeLow = request.activeLow
            s.lines[offset].edges = request.edges
            if request.bias != .asIs { s.lines[offset].bias = request.bias }
            s.lines[offset].events = []
            s.lines[offset].droppedEvents = 0
            s.lines[offset].signal = signal
            return .success(id)
        }
        let id = try result.get()
        return SimulatedInputLine(chip: self, offset: offset, requestID: id, signal: signal)
    }

    // MARK: The outside world (tests, demo)

    /// The offset of the line called `name`, if any.
    public func offset(named name: String) -> Int? {
        lineNames.firstIndex { $0 == name }
    }

    /// The electrical level on the pin.
    public func physicalValue(offset: Int) -> Bool {
        state.withLock { $0.lines[offset].physical }
    }

    public func isRequested(offset: Int) -> Bool {
        state.withLock { $0.lines[offset].requestID != nil }
    }

    public func consumer(offset: Int) -> String? {
        state.withLock { $0.lines[offset].consumer }
    }

    /// Edge events dropped because the line's buffer was full.
    public func droppedEvents(offset: Int) -> Int {
        state.withLock { $0.lines[offset].droppedEvents }
    }

    /// Drives the pin high or low from outside (a button, a signal generator).
    public func drive(offset: Int, high: Bool) {
        setDriven(offset: offset, level: high, timestamp: clock.now)
    }

    /// Drives the pin with the edge (if the level changes) stamped `timestamp`, as a kernel stamps
    /// in its interrupt handler before anyone reads the line (an interrupt wire).
    public func drive(offset: Int, high: Bool, stampedAt timestamp: Duration) {
        setDriven(offset: offset, level: high, timestamp: timestamp)
    }

    /// Stops driving the pin: it returns to its bias level.
    public func float(offset: Int) {
        setDriven(offset: offset, level: nil, timestamp: clock.now)
    }

    /// A button wired between the pin and ground is pressed: the pin is pulled low.
    public func press(offset: Int) {
        drive(offset: offset, high: false)
    }

    /// The button is released: the pin floats back to its bias (high with a pull-up).
    public func release(offset: Int) {
        float(offset: offset)
    }

    /// A bouncing contact: the pin takes `levels` in turn (true = driven high, false = low,
    /// nil = floating), with edge timestamps `interval` apart from now, without moving the clock.
    /// The last level stays.
    public func bounce(offset: Int, levels: [Bool?], interval: Duration = .microseconds(300)) {
        let start = clock.now
        for (i, level) in levels.enumerated() {
            setDriven(offset: offset, level: level, timestamp: start + interval * i)
        }
    }

    /// A bouncing press of a button to ground: `bounces` short low/float pairs, then held low.
    public func bouncyPress(offset: Int, bounces: Int = 3, interval: Duration = .microseconds(300)) {
        var levels: [Bool?] = []
        for _ in 0..<bounces { levels += [false, nil] }
        levels.append(false)
        bounce(offset: offset, levels: levels, interval: interval)
    }

    /// Calls `observer` (on the thread that changed the output) for every output change; nil stops.
    public func setOutputObserver(_ observer: (@Sendable (OutputChange) -> Void)?) {
        state.withLock { $0.observer = observer }
    }

    /// Every output change from now on (newest 256 kept if the reader falls behind).
    public func outputChanges() -> AsyncStream<OutputChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: OutputChange.self, bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.streams[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Line handles

    func release(offset: Int, requestID: UInt64) {
        let now = clock.now
        let released: OutputChange? = state.withLock { s in
            guard s.lines[offset].requestID == requestID else { return nil }
            s.lines[offset].requestID = nil
            s.lines[offset].consumer = nil
            s.lines[offset].events = []
            s.lines[offset].signal = nil
            return s.lines[offset].isOutput ? makeChange(s, offset, now) : nil
        }
        if let released { notify(released) }
    }

    func setOutput(offset: Int, requestID: UInt64, active: Bool) throws(GPIOError) {
        let now = clock.now
        let result: Result<OutputChange, GPIOError> = state.withLock { s in
            guard s.lines[offset].requestID == requestID else { return .failure(notRequested(offset)) }
            s.lines[offset].outputHigh = active != s.lines[offset].activeLow
            return .success(makeChange(s, offset, now))
        }
        notify(try result.get())
    }

    func readInput(offset: Int, requestID: UInt64) throws(GPIOError) -> Bool {
        let result: Result<Bool, GPIOError> = state.withLock { s in
            let l = s.lines[offset]
            guard l.requestID == requestID else { return .failure(notRequested(offset)) }
            return .success(l.physical != l.activeLow)
        }
        return try result.get()
    }

    func drainEvents(offset: Int, requestID: UInt64) throws(GPIOError) -> [EdgeEvent] {
        let result: Result<[EdgeEvent], GPIOError> = state.withLock { s in
            guard s.lines[offset].requestID == requestID else { return .failure(notRequested(offset)) }
            let events = s.lines[offset].events
            s.lines[offset].events.removeAll()
            return .success(events)
        }
        return try result.get()
    }

    // MARK: Internals

    private func setDriven(offset: Int, level: Bool?, timestamp: Duration) {
        let signal: DispatchSemaphore? = state.withLock { s in
            var l = s.lines[offset]
            let before = l.physical
            l.driven = level
            let after = l.physical
            var signal: DispatchSemaphore?
            if before != after, l.requestID != nil, !l.isOutput {
                // Events are logical: rising = became active.
                let active = after != l.activeLow
                let wanted = l.edges == .both || (l.edges == .rising) == active
                if !wanted {
                    // Not an edge the request asked for.
                } else if l.events.count < Self.eventBufferSize {
                    l.events.append(EdgeEvent(kind: active ? .rising : .falling, timestamp: timestamp))
                    signal = l.signal
                } else {
                    l.droppedEvents += 1
                }
            }
            s.lines[offset] = l
            return signal
        }
        signal?.signal()
    }

    /// The offset a name or offset selects, as a line request resolves it.
    public func offset(of selector: LineSelector) throws(GPIOError) -> Int {
        switch selector {
        case .name(let n):
            guard let i = offset(named: n) else {
                throw GPIOError(
                    kind: .lineNotFound, chip: path, line: n,
                    message: "no line named \"\(n)\" on \(name) [\(label)]")
            }
            return i
        case .offset(let o):
            guard (0..<lineCount).contains(o) else {
                throw GPIOError(
                    kind: .lineNotFound, chip: path, line: selector.description,
                    message: "\(name) [\(label)] has lines 0...\(lineCount - 1), not \(o)")
            }
            return o
        }
    }

    private func lineDescription(_ offset: Int) -> String {
        if let n = lineNames[offset] { return "\(n) (line \(offset))" }
        return "line \(offset)"
    }

    private func busyError(_ s: State, _ offset: Int) -> GPIOError? {
        guard s.lines[offset].requestID != nil else { return nil }
        let holder = s.lines[offset].consumer.map { "\"\($0)\"" } ?? "another consumer"
        return GPIOError(
            kind: .lineBusy, chip: path, line: lineNames[offset] ?? "line \(offset)", errno: 16,
            message: "\(lineDescription(offset)) is busy: requested by \(holder)")
    }

    private func notRequested(_ offset: Int) -> GPIOError {
        GPIOError(
            kind: .other, chip: path, line: lineNames[offset] ?? "line \(offset)",
            message: "\(lineDescription(offset)) is no longer requested by this handle")
    }

    private func makeChange(_ s: State, _ offset: Int, _ now: Duration) -> OutputChange {
        let l = s.lines[offset]
        return OutputChange(
            offset: offset, name: lineNames[offset], consumer: l.consumer, physicalHigh: l.outputHigh,
            active: l.outputHigh != l.activeLow, isRequested: l.requestID != nil, timestamp: now)
    }

    private func notify(_ change: OutputChange) {
        let (observer, streams) = state.withLock { s in (s.observer, Array(s.streams.values)) }
        observer?(change)
        for c in streams { c.yield(change) }
    }
}
