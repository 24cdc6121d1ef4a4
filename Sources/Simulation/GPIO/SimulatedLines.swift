import Dispatch
import HAL

/// An output line of a `SimulatedGPIOChip`; releases the line when deinitialised.
public final class SimulatedOutputLine: OutputLine {
    public let chip: SimulatedGPIOChip
    public let offset: Int
    let requestID: UInt64

    init(chip: SimulatedGPIOChip, offset: Int, requestID: UInt64) {
        self.chip = chip
        self.offset = offset
        self.requestID = requestID
    }

    deinit {
        chip.release(offset: offset, requestID: requestID)
    }

    public func set(_ active: Bool) throws(GPIOError) {
        try chip.setOutput(offset: offset, requestID: requestID, active: active)
    }
}

/// An input line of a `SimulatedGPIOChip` with edge events on the requested edges; releases the
/// line when deinitialised. No kernel debounce (as with libgpiod 1.6 on Debian 12): the caller
/// debounces.
public final class SimulatedInputLine: InputLine {
    public let chip: SimulatedGPIOChip
    public let offset: Int
    public var hasKernelDebounce: Bool { false }
    let requestID: UInt64
    let signal: DispatchSemaphore

    init(chip: SimulatedGPIOChip, offset: Int, requestID: UInt64, signal: DispatchSemaphore) {
        self.chip = chip
        self.offset = offset
        self.requestID = requestID
        self.signal = signal
    }

    deinit {
        chip.release(offset: offset, requestID: requestID)
    }

    public func read() throws(GPIOError) -> Bool {
        try chip.readInput(offset: offset, requestID: requestID)
    }

    /// Returns queued edge events at once if there are any; otherwise blocks (real time, not
    /// simulation time) until one arrives or `timeout` passes.
    public func waitForEvents(timeout: Duration) throws(GPIOError) -> [EdgeEvent] {
        let ns = max(0, min(timeout.simNanoseconds, Int64(Int.max)))
        let deadline = DispatchTime.now() + .nanoseconds(Int(ns))
        while true {
            let events = try chip.drainEvents(offset: offset, requestID: requestID)
            if !events.isEmpty { return events }
            if signal.wait(timeout: deadline) == .timedOut {
                return try chip.drainEvents(offset: offset, requestID: requestID)
            }
        }
    }
}
