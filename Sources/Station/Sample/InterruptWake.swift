import HAL
import LinuxSystem

/// How the motion sampler sleeps between reads when the chip's INT1 is wired to a GPIO line: until
/// the chip asserts it (a rising edge, in logical terms), not on a timer.
///
/// Every chip holds INT1 asserted until the read that serves it (see `InterruptPin`), so:
/// - after each read the line's level is read: still asserted after a read that found a whole
///   batch means the next batch came during the read, and no new edge will come for it: read at
///   once;
/// - still asserted after two reads in a row that found less than a batch means nothing the
///   sampler does releases it (a line stuck active, or `active_low` the wrong way round): poll on
///   the timer for this read and say so. (Once can happen to a healthy line: a read delayed in the
///   middle of a drain while a whole batch arrives. Then the read made at once finds it.);
/// - no edge within `timeout` (an edge lost, e.g. one that came while the line was being read):
///   read anyway before the FIFO fills, and count it.
/// An edge also tells when the batch came: the kernel stamps it in its interrupt handler, on the
/// sample that made the batch. Only the first rising edge stamped after the previous read ended
/// says that (`SampleClock.interruptBatch`): one from the middle of a drain was raised by a FIFO that the
/// drain then emptied further.
/// Pure apart from the line: tests drive it with simulated lines.
struct InterruptWake {
    enum Outcome: Equatable {
        /// A rising edge: the chip has a batch. `at`: the stamp of the first rising edge after the
        /// previous read ended (nil: every rising edge was stamped before, or no end was given).
        case edge(at: Duration?)
        /// The line was still asserted after a read that found a batch: read at once.
        case asserted
        /// No edge within the timeout: read anyway.
        case timedOut
        /// The line cannot be trusted for this read: wait one poll interval.
        case poll(String)
        /// The sampler is stopping.
        case stopped

        /// What went wrong, for the journal; nil when the line did its job.
        var problem: String? {
            switch self {
            case .edge, .asserted, .stopped: nil
            case .timedOut: "no interrupt within the timeout: read anyway (an edge lost?)"
            case .poll(let why): why
            }
        }
    }

    /// The longest the sampler waits for an edge.
    let timeout: Duration
    /// How long one wait on the line may last before the stop signal is looked at.
    static let stopCheck = Duration.milliseconds(100)
    private(set) var timeouts = 0
    private(set) var stuck = 0
    private(set) var errors = 0
    /// The last read found less than a batch with the line still asserted.
    private var suspect = false

    init(timeout: Duration) { self.timeout = timeout }

    /// Waits for the next batch. `readFound` is how many samples the read just made returned;
    /// `batch` how many the chip asserts INT1 for (the FIFO watermark, or 1 for data ready);
    /// `readEnded` when that read ended, on the timeline of the line's edge stamps.
    mutating func wait(
        on line: any InputLine, readFound: Int, batch: Int, signal: StopSignal, readEnded: Duration? = nil,
        clock: () -> Duration = Clocks.monotonic
    ) -> Outcome {
        do {
            let asserted = try line.read()
            let small = asserted && readFound < batch
            defer { suspect = small }
            if asserted {
                if readFound >= batch || !suspect { return .asserted }
                stuck += 1
                return .poll(
                    "INT1 stays asserted after a read that served it (the line is stuck, or accelerometer.interrupt.active_low is the wrong way round): polling instead"
                )
            }
            let deadline = clock() + timeout
            while true {
                let left = deadline - clock()
                if left <= .zero {
                    timeouts += 1
                    return .timedOut
                }
                let events = try line.waitForEvents(timeout: min(left, Self.stopCheck))
                if events.contains(where: { $0.kind == .rising }) {
                    let stamp = readEnded.flatMap { end in
                        events.first { $0.kind == .rising && $0.timestamp > end }?.timestamp
                    }
                    return .edge(at: stamp)
                }
                if signal.isStopped { return .stopped }
            }
        } catch {
            errors += 1
            return .poll("\(error): polling instead")
        }
    }
}
