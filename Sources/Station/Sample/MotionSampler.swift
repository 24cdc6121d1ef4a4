import Detection
import Drivers
import Foundation
import HAL
import LinuxSystem
import Logging
import Storage

/// The motion sampler: drains the accelerometer (FIFO where the chip has one) often enough that
/// the FIFO never overflows, folds samples into per-second summaries, and runs the impact
/// detector on every sample. On a trigger the impact LED latches at once; the finished event
/// (with its waveform) goes to the impact writer, which commits it durably.
public struct MotionSampler: Sendable {
    public var model: ChipModel
    public var address: I2CAddress
    public var rangeG: Double
    public var odrHz: Double
    public var fifo: Bool
    public var offsetG: SIMD3<Double>
    public var scale: SIMD3<Double>
    /// `accelerometer.up` (`.zero`: not known).
    public var up: SIMD3<Double>
    public var detector: DetectorSettings
    /// Keep raw samples in the log while streaming.
    public var rawWhileStreaming: Bool
    public var reprobeInterval: Duration
    /// Drain under SCHED_FIFO (real hardware). A simulated chip loses nothing to scheduling, and a
    /// real-time loop on a laptop, or in a test run with other stations, only starves the rest.
    public var realtime: Bool
    /// INT1 wired to a GPIO line (the line itself is handed to `service`): the sampler sleeps
    /// until the chip asserts it. Nil: it polls.
    public var interrupt: InterruptPin?

    public init(
        model: ChipModel, address: I2CAddress, rangeG: Double, odrHz: Double, fifo: Bool,
        offsetG: SIMD3<Double> = .zero, scale: SIMD3<Double> = .one, up: SIMD3<Double> = .zero,
        detector: DetectorSettings,
        rawWhileStreaming: Bool = false, reprobeInterval: Duration = .seconds(5), realtime: Bool = true,
        interrupt: InterruptPin? = nil
    ) {
        self.interrupt = interrupt
        self.model = model
        self.address = address
        self.rangeG = rangeG
        self.odrHz = odrHz
        self.fifo = fifo
        self.offsetG = offsetG
        self.scale = scale
        self.up = up
        self.detector = detector
        self.rawWhileStreaming = rawWhileStreaming
        self.reprobeInterval = reprobeInterval
        self.realtime = realtime
    }

    /// Opens the driver for the configured chip.
    public func open(bus: any I2CBus) throws -> any Accelerometer {
        try AccelerometerFactory.open(
            model: model, device: bus.device(at: address), rangeG: rangeG, odrHz: odrHz,
            fifo: fifo, watermark: samplesPerRead, interrupt: interrupt,
            sleep: { Thread.sleep(forTimeInterval: $0.seconds) })
    }

    /// The samples the FIFO collects between reads (with an interrupt line: its watermark): as
    /// many as 20 ms bring (a batch at least every 20 ms), at most half of the 32-entry FIFO when
    /// polling, so that a read a whole interval late still finds room (at 3200 Hz: 16 samples,
    /// 5 ms, 200 reads a second; the FIFO lasts 10 ms). With the line the chip says when the batch
    /// is there, so it may be three quarters (24: 7.5 ms, 133 reads a second, 2.5 ms to spare).
    /// One when reading a chip without a FIFO.
    var samplesPerRead: Int {
        guard fifo else { return 1 }
        let limit = interrupt == nil ? Self.fifoBatchLimit : Self.interruptBatchLimit
        return min(limit, max(1, Int((odrHz * 0.020).rounded(.down))))
    }

    /// Half of the ADXL345's and the LIS3DH's 32 FIFO entries.
    static let fifoBatchLimit = 16
    /// Three quarters of them.
    static let interruptBatchLimit = 24
    static let fifoCapacity = 32

    /// How long the sampler waits for the interrupt before it reads anyway (an edge lost): with a
    /// FIFO, until it is halfway from the watermark to full (28 of 32 entries at 3200 Hz:
    /// 8.75 ms, before the 10 ms the FIFO lasts); without, two sample periods. At least 1 ms.
    var interruptTimeout: Duration {
        let period = SampleClock.period(hz: odrHz)
        guard fifo else { return max(.milliseconds(1), period * 2) }
        let n = samplesPerRead + (Self.fifoCapacity - samplesPerRead) / 2
        return max(.milliseconds(1), period * n)
    }

    /// How long the sampler sleeps between reads: `samplesPerRead` sample periods, at least 1 ms.
    /// Polling, one period for a chip whose overrun flag reports what a late read lost; half a
    /// period (at least 0.5 ms) for one without (MPU-6050): read at its rate, every read would
    /// still find one new sample after a loss, so no loss could be seen at all.
    /// Reads keep a fixed rate on the monotonic clock (the next is due one interval after the
    /// last was due, however long a read took); a late one is made at once.
    var pollInterval: Duration {
        let period = SampleClock.period(hz: odrHz)
        guard fifo else {
            let flagged = model.accelerometer?.reportsOverruns ?? true
            return flagged ? max(.milliseconds(1), period) : max(.microseconds(500), period / 2)
        }
        return max(.milliseconds(1), period * samplesPerRead)
    }

    /// - Parameters:
    ///   - impacts: where finished impacts go (the impact writer); finished when the sampler stops.
    ///   - recorder: the log for summaries and raw samples; nil without storage.
    ///   - logger: says which scheduling the thread got (a warning when real-time was refused).
    ///   - line: the GPIO line INT1 is wired to (requested for rising edges, with the chip's
    ///     polarity), when `interrupt` is set.
    public func service(
        bus: any I2CBus, line: (any InputLine)? = nil, state: StationState, recorder: Recorder?,
        impacts: AsyncStream<ImpactCapture>.Continuation,
        now: @escaping @Sendable () -> Duration, live: LiveSettings? = nil, logger: Logger,
        heartbeat: @escaping @Sendable () -> Void = {}
    ) -> ThreadService {
        let config = self
        nonisolated(unsafe) let line = config.interrupt == nil ? nil : line
        return ThreadService(name: "motion") { signal in
            // A 32-entry FIFO at 3200 Hz lasts 10 ms: keep ordinary work from delaying the drain.
            if !config.realtime {
                logger.info("motion sampling under ordinary scheduling (simulated hardware)")
            } else if let refused = RealtimePriority.raiseCurrentThread(to: RealtimePriority.samplingPriority)
            {
                logger.warning("motion sampling under ordinary scheduling: \(refused)")
            } else {
                logger.info("motion sampling under SCHED_FIFO priority \(RealtimePriority.samplingPriority)")
            }
            var liveVersion = live?.current.version ?? 0
            var nextRead = Clocks.monotonic()
            defer { impacts.finish() }
            var accel: (any Accelerometer)?
            var pipeline = MotionPipeline(
                sensor: config.model.rawValue, rateHz: config.odrHz, detector: config.detector,
                offsetG: config.offsetG, scale: config.scale, up: config.up)
            // Sample times are on the timeline `now`; the anchor maps them onto the wall clock and
            // follows it when it is set (NTP after a boot without a battery clock).
            var anchor = WallClockAnchor(timeline: now(), wall: Date())
            // Losses are counted from the start, so "none" in `status` means measured, not unknown.
            var drops = DropCounter()
            var lastDropWarning: Duration?
            state.setSampling(drops.drops)
            var wake = InterruptWake(timeout: config.interruptTimeout)
            // Per kind of trouble (a lost edge, a line that cannot be used): one does not hide the other.
            var lastWakeWarning: [Bool: Duration] = [:]
            var lastCount = 0
            // The edges' stamps pin the sample times down (`SampleClock.interruptBatch`).
            var stamps = EdgeStamps()
            while !signal.isStopped {
                let before = now(), wall = Date(), after = now()
                anchor.follow(before: before, wall: wall, after: after)
                do {
                    let a: any Accelerometer
                    if let accel {
                        a = accel
                    } else {
                        state.markProbed("accelerometer")
                        a = try config.open(bus: bus)
                        accel = a
                        pipeline.rateHz = a.odrHz
                        drops.reopened()
                        state.clearFault("accelerometer")
                    }
                    heartbeat()
                    // A reload (SIGHUP) takes effect between events, never in the middle of a capture.
                    if let live, live.current.version != liveVersion, pipeline.canApplySettings {
                        let (version, values) = live.current
                        liveVersion = version
                        for c in pipeline.apply(values, wallClock: anchor) { impacts.yield(c) }
                    }
                    let samples = try stamps.read(a, clock: now)
                    lastCount = samples.count
                    state.calibrationTap.offer(samples)
                    if drops.observe(overruns: a.overruns, missedSamples: a.missedSamples, at: wall) {
                        state.setSampling(drops.drops)
                        // At most one warning a minute; each gives the totals so far.
                        let t = now()
                        if lastDropWarning.map({ t - $0 >= .seconds(60) }) ?? true {
                            lastDropWarning = t
                            logger.warning(
                                "motion sampling lost samples: \(drops.drops.text); reads do not keep up with the \(config.model.rawValue) at \(a.odrHz) Hz (a busy CPU, a slow or shared bus, or sampling without real-time priority)"
                            )
                        }
                    }
                    let streaming = state.indication.streaming
                    let keepRaw = config.rawWhileStreaming && recorder != nil && streaming
                    let sendRaw = streaming && state.wantsRaw
                    let out = pipeline.process(samples, keepRaw: keepRaw || sendRaw, wallClock: anchor)
                    for event in out.events {
                        if case .motion(let m) = event {
                            state.record(event, at: m.time)
                        } else {
                            state.record(event)
                        }
                    }
                    for c in out.captures { impacts.yield(c) }
                    if !out.raw.isEmpty {
                        if keepRaw { recorder?.record(.raw(out.raw)) }
                        if sendRaw { state.recordRaw(out.raw) }
                    }
                } catch {
                    stamps.reset()
                    accel = nil
                    state.raiseFault("accelerometer", "\(error)")
                    heartbeat()
                    if signal.wait(for: config.reprobeInterval) { break }
                    continue
                }
                if let line {
                    // Sleep until the chip asserts INT1; see InterruptWake for the level check and
                    // the recovery from a lost edge.
                    let outcome = wake.wait(
                        on: line, readFound: lastCount, batch: config.samplesPerRead, signal: signal,
                        readEnded: stamps.readEnded)
                    if signal.isStopped { break }
                    stamps.woke(outcome, now: now())
                    if let problem = outcome.problem {
                        drops.interrupt(timeouts: wake.timeouts, unusable: wake.stuck + wake.errors)
                        state.setSampling(drops.drops)
                        // At most one warning a minute of each kind; each gives the totals so far.
                        let t = now()
                        let kind = outcome == .timedOut
                        if lastWakeWarning[kind].map({ t - $0 >= .seconds(60) }) ?? true {
                            lastWakeWarning[kind] = t
                            logger.warning(
                                "accelerometer interrupt on line \(line.offset): \(problem) (\(drops.drops.interruptText))"
                            )
                        }
                    }
                    if case .poll = outcome {
                        nextRead = Clocks.monotonic() + config.pollInterval
                        if signal.wait(for: config.pollInterval) { break }
                    }
                    continue
                }
                nextRead += config.pollInterval
                let t = Clocks.monotonic()
                if nextRead < t { nextRead = t }
                if signal.wait(for: nextRead - t) { break }
            }
            // Whatever the detector still holds (an event in its post window) is not lost.
            for c in pipeline.finish(wallClock: anchor) { impacts.yield(c) }
        }
    }
}
