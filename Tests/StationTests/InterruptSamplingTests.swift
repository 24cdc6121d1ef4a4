import Drivers
import Foundation
import HAL
import LinuxSystem
import Logging
import Simulation
import Synchronization
import Testing

@testable import Station

/// Interrupt-driven sampling: each driver routes the event worth a read to INT1 as its datasheet
/// says, the simulated chip drives its pin from those registers, the GPIO line sees the edges, and
/// the sampler sleeps on them.
@Suite("Interrupt-driven sampling")
struct InterruptSamplingTests {
    struct Case: Sendable, CustomStringConvertible {
        var kind: SimulatedChipKind
        var odrHz: Double
        var fifo: Bool
        var watermark: Int
        /// Samples the FIFO holds when INT1 asserts: the ADXL345's watermark bit is set at
        /// `watermark` entries; the LIS3DH's WTM when the FIFO holds more than FTH (AN3308); one
        /// for data ready.
        var assertsAt: Int
        var description: String { "\(kind.rawValue) \(Int(odrHz)) Hz\(fifo ? " FIFO \(watermark)" : "")" }
    }

    static let cases: [Case] = [
        Case(kind: .adxl345, odrHz: 3200, fifo: true, watermark: 24, assertsAt: 24),
        Case(kind: .adxl345, odrHz: 100, fifo: false, watermark: 16, assertsAt: 1),
        Case(kind: .lis3dh, odrHz: 1344, fifo: true, watermark: 24, assertsAt: 25),
        Case(kind: .lis3dh, odrHz: 400, fifo: false, watermark: 16, assertsAt: 1),
        Case(kind: .h3lis331dl, odrHz: 1000, fifo: false, watermark: 1, assertsAt: 1),
        Case(kind: .mpu6050, odrHz: 1000, fifo: false, watermark: 1, assertsAt: 1),
    ]

    @Test(
        "INT1 asserts when the batch is there, the line sees one rising edge, the read releases it",
        arguments: cases, [false, true])
    func pinFollowsTheChip(_ c: Case, _ activeLow: Bool) throws {
        let clock = ManualSimulationClock()
        let station = SimulatedStation(clock: clock, chips: [.init(c.kind)])
        let wire = try #require(station.wireInterrupt(to: .name("GPIO24"), follow: false))
        let line = try station.gpio.requestInput(
            InputLineRequest(line: .name("GPIO24"), consumer: "test", activeLow: activeLow, edges: .rising))
        let model = try #require(ChipModel(rawValue: c.kind.rawValue))
        let cap = try #require(model.accelerometer)
        let accel = try AccelerometerFactory.open(
            model: model, device: station.bus.device(at: c.kind.defaultAddress),
            rangeG: Double(cap.defaultRangeG), odrHz: c.odrHz, fifo: c.fifo, watermark: c.watermark,
            interrupt: InterruptPin(activeLow: activeLow), sleep: { clock.advance(by: $0) })
        _ = try accel.read(now: clock.now)  // the reset's and the start's samples, if any
        let period = Duration.nanoseconds(Int64((1e9 / accel.odrHz).rounded()))
        _ = try line.waitForEvents(timeout: .zero)
        #expect(try line.read() == false, "idle after the read")
        // The physical level is the polarity's idle one.
        #expect(station.gpio.physicalValue(offset: wire.offset) == activeLow)

        for round in 0..<2 {
            // One sample short of the batch: not yet.
            // Half a period off the grid at first; each round then ends half a period past its batch.
            clock.advance(by: period * (c.assertsAt - 1) + (round == 0 ? period / 2 : .zero))
            wire.update()
            #expect(try line.read() == false, "round \(round): \(c.assertsAt - 1) samples")
            #expect(try line.waitForEvents(timeout: .zero).isEmpty)
            // The batch: asserted, one rising edge, the level as wired.
            clock.advance(by: period)
            wire.update()
            #expect(try line.read() == true, "round \(round): \(c.assertsAt) samples")
            let events = try line.waitForEvents(timeout: .zero)
            #expect(events.map(\.kind) == [.rising])
            #expect(station.gpio.physicalValue(offset: wire.offset) == !activeLow)
            // The read that serves it releases the pin (no falling event is asked for).
            let samples = try accel.read(now: clock.now)
            #expect(samples.count == (c.fifo ? c.assertsAt : 1))
            #expect(try line.read() == false, "round \(round): released by the read")
            #expect(try line.waitForEvents(timeout: .zero).isEmpty)
        }
    }

    /// Not the MPU-6050: the driver enables DATA_RDY to poll INT_STATUS (it reports only enabled
    /// interrupts), so its INT pin pulses with every sample whatever the wiring (register map
    /// §4.15); unwired, nobody listens.
    @Test(
        "without an interrupt pin nothing is routed: the line stays idle",
        arguments: cases.filter { $0.kind != .mpu6050 })
    func noRouting(_ c: Case) throws {
        let clock = ManualSimulationClock()
        let station = SimulatedStation(clock: clock, chips: [.init(c.kind)])
        let wire = try #require(station.wireInterrupt(to: .name("GPIO24"), follow: false))
        let model = try #require(ChipModel(rawValue: c.kind.rawValue))
        let cap = try #require(model.accelerometer)
        _ = try AccelerometerFactory.open(
            model: model, device: station.bus.device(at: c.kind.defaultAddress),
            rangeG: Double(cap.defaultRangeG), odrHz: c.odrHz, fifo: c.fifo, watermark: c.watermark,
            sleep: { clock.advance(by: $0) })
        clock.advance(by: .milliseconds(50))
        wire.update()
        #expect(station.gpio.physicalValue(offset: wire.offset) == false)
    }

    @Test(
        "an open-drain pin is refused where the chip has only push-pull",
        arguments: [SimulatedChipKind.adxl345, .lis3dh])
    func openDrainRefused(_ kind: SimulatedChipKind) throws {
        let station = SimulatedStation(clock: ManualSimulationClock(), chips: [.init(kind)])
        let model = try #require(ChipModel(rawValue: kind.rawValue))
        #expect(model.accelerometer?.openDrainInterrupt == false)
        let error = #expect(throws: DriverError.self) {
            _ = try AccelerometerFactory.open(
                model: model, device: station.bus.device(at: kind.defaultAddress), rangeG: 16, odrHz: 100,
                fifo: true, interrupt: InterruptPin(openDrain: true), sleep: { _ in })
        }
        #expect(error?.description.contains("open-drain interrupt pin") == true)
        #expect(error?.description.contains("push-pull") == true)
    }

    // MARK: The wait

    /// A simulated chip with line 5 requested for rising edges, the way the sampler requests INT1.
    struct Wire {
        let clock = ManualSimulationClock()
        let gpio: SimulatedGPIOChip
        let line: any InputLine
        init() throws {
            gpio = SimulatedGPIOChip.raspberryPi(clock: clock)
            line = try gpio.requestInput(InputLineRequest(line: .offset(5), consumer: "test", edges: .rising))
        }
        /// The chip drives INT1 (line 5).
        func drive(_ high: Bool) { gpio.drive(offset: 5, high: high) }
    }

    @Test("an edge ends the wait; a falling edge is not even queued")
    func edge() throws {
        let w = try Wire()
        let line = w.line
        var wake = InterruptWake(timeout: .seconds(30))
        w.drive(true)
        w.drive(false)
        #expect(wake.wait(on: line, readFound: 0, batch: 24, signal: StopSignal()) == .edge(at: nil))
        #expect(try line.waitForEvents(timeout: .zero).isEmpty)
        #expect(wake.timeouts == 0 && wake.stuck == 0)
    }

    @Test(
        "the edge's stamp is the first rising edge's after the read ended: one from inside the drain says nothing"
    )
    func edgeStamp() throws {
        let w = try Wire()
        var wake = InterruptWake(timeout: .seconds(30))
        // Raised and released inside the drain (stamped at 1 ms and 1.2 ms); the read ends at 2 ms;
        // the batch's edge at 3 ms, another (after a release nobody made here) at 4 ms.
        for (ms, high) in [(1.0, true), (1.2, false), (3, true), (3.5, false), (4, true)] {
            w.clock.set(to: .microseconds(Int64(ms * 1000)))
            w.drive(high)
        }
        w.drive(false)
        #expect(
            wake.wait(on: w.line, readFound: 0, batch: 24, signal: StopSignal(), readEnded: .milliseconds(2))
                == .edge(at: .milliseconds(3)))
        // Every rising edge before the read's end: a wake, with no stamp to use.
        w.drive(true)
        w.drive(false)
        #expect(
            wake.wait(on: w.line, readFound: 0, batch: 24, signal: StopSignal(), readEnded: .milliseconds(5))
                == .edge(at: nil))
    }

    @Test("still asserted after a read that found a batch: read again at once, no wait")
    func assertedAfterABatch() throws {
        let w = try Wire()
        let line = w.line
        var wake = InterruptWake(timeout: .seconds(30))
        w.drive(true)
        _ = try line.waitForEvents(timeout: .zero)
        #expect(wake.wait(on: line, readFound: 24, batch: 24, signal: StopSignal()) == .asserted)
        #expect(wake.stuck == 0)
    }

    @Test(
        "still asserted after two reads in a row that found less than a batch: stuck, poll instead, counted"
    )
    func stuck() throws {
        let w = try Wire()
        let line = w.line
        var wake = InterruptWake(timeout: .seconds(30))
        w.drive(true)
        // Once: a batch may have come during a delayed read; read again at once.
        #expect(wake.wait(on: line, readFound: 3, batch: 24, signal: StopSignal()) == .asserted)
        #expect(wake.stuck == 0)
        let outcome = wake.wait(on: line, readFound: 3, batch: 24, signal: StopSignal())
        guard case .poll(let why) = outcome else {
            Issue.record("expected poll, got \(outcome)")
            return
        }
        #expect(why.contains("accelerometer.interrupt.active_low"))
        #expect(wake.stuck == 1)
    }

    @Test("no edge within the timeout: read anyway, counted")
    func timeout() throws {
        let w = try Wire()
        let line = w.line
        var wake = InterruptWake(timeout: .milliseconds(5))
        #expect(wake.wait(on: line, readFound: 24, batch: 24, signal: StopSignal()) == .timedOut)
        #expect(wake.wait(on: line, readFound: 0, batch: 24, signal: StopSignal()) == .timedOut)
        #expect(wake.timeouts == 2)
    }

    @Test("a stop ends a long wait (looked at between slices)")
    func stop() throws {
        let w = try Wire()
        let line = w.line
        var wake = InterruptWake(timeout: .seconds(600))
        let signal = StopSignal()
        signal.stop()
        #expect(wake.wait(on: line, readFound: 0, batch: 24, signal: signal) == .stopped)
        #expect(wake.timeouts == 0)
    }

    @Test(
        "the timeout: before the FIFO fills (halfway from the watermark), two periods polled",
        arguments: [
            // (rate Hz, FIFO, watermark, timeout µs)
            (3200.0, true, 24, 8750),  // 28 of 32 entries; the FIFO lasts 10 ms
            (100, true, 2, 170_000),  // 2 + 15
            (1000, false, 1, 2000),
        ])
    func timeoutFromTheRate(_ odr: Double, _ fifo: Bool, _ watermark: Int, _ micros: Int64) {
        let s = MotionSampler(
            model: .adxl345, address: 0x53, rangeG: 16, odrHz: odr, fifo: fifo, detector: .init(),
            interrupt: InterruptPin())
        #expect(s.samplesPerRead == watermark)
        #expect(
            abs((s.interruptTimeout - .microseconds(micros)) / .microseconds(1)) < 1, "\(s.interruptTimeout)")
    }

    // MARK: Sample times from the edges

    /// A driver that records the edge each read is given, and fails when told to.
    final class EdgeRecorder: Accelerometer {
        let model = ChipModel.adxl345
        let rangeG = 16.0
        let odrHz = 100.0
        let usesFIFO = false
        let overruns: Int? = 0
        let missedSamples = 0
        var edges: [Duration?] = []
        var fail = false
        func read(clock: () -> Duration, edge: Duration?) throws(DriverError) -> [AccelerationSample] {
            edges.append(edge)
            if fail { throw DriverError(kind: .notReady("test"), busPath: "test", address: 0x53) }
            return []
        }
    }

    @Test(
        "each edge's stamp serves one read; a stamp from the future, or one before a failed read or a reset, serves none"
    )
    func edgeStampsServeOneRead() throws {
        let chip = EdgeRecorder()
        var stamps = EdgeStamps()
        var now = Duration.seconds(10)
        _ = try stamps.read(chip, clock: { now })
        #expect(stamps.readEnded == .seconds(10))
        stamps.woke(.edge(at: .milliseconds(10_005)), now: .milliseconds(10_006))
        _ = try stamps.read(chip, clock: { now })
        _ = try stamps.read(chip, clock: { now })
        // A stamp later than the wake (another clock), and wakes that carry none.
        stamps.woke(.edge(at: .seconds(1_765_000_000)), now: .seconds(11))
        _ = try stamps.read(chip, clock: { now })
        stamps.woke(.timedOut, now: .seconds(11))
        stamps.woke(.edge(at: nil), now: .seconds(11))
        _ = try stamps.read(chip, clock: { now })
        // A failed read leaves no end to compare the next edge with; a reset drops a pending edge.
        now = .seconds(12)
        chip.fail = true
        #expect(throws: DriverError.self) { _ = try stamps.read(chip, clock: { now }) }
        #expect(stamps.readEnded == nil)
        chip.fail = false
        stamps.woke(.edge(at: .milliseconds(11_999)), now: .seconds(12))
        stamps.reset()
        _ = try stamps.read(chip, clock: { now })
        #expect(chip.edges == [nil, .milliseconds(10_005), nil, nil, nil, nil, nil])
    }

    struct TimedRun {
        var worst = 0.0
        var samples = 0
        var missed = 0
    }

    /// A simulated chip read on its interrupt line the way the sampler does it (`EdgeStamps`,
    /// `InterruptWake`), on a manual clock: the wire stamps each edge 2–40 µs after the chip
    /// asserts INT1, the sampler is awake 30–300 µs after the stamp, and the read takes no time.
    /// `edges`: the driver is given the edges' stamps (false: the same reads without them).
    /// Returns the worst |time − truth| in periods over the last 40 of 60 s. The truth: the
    /// chips start sampling when the driver configures them (at 1 s; the clock stands still while
    /// it does), and take sample k (k = 1, 2, ...) k periods later; nothing is lost (checked), so
    /// the n-th sample read is the n-th taken.
    static func timedRun(
        _ kind: SimulatedChipKind, odrHz: Double, fifo: Bool, rateError: Double, edges: Bool
    ) throws -> TimedRun {
        let clock = ManualSimulationClock(start: .seconds(1))
        var scenario = Scenario(noiseG: 0)
        scenario.sensorError.rateError = rateError
        let station = SimulatedStation(clock: clock, scenario: scenario, chips: [.init(kind)])
        let chip = try #require(station.interruptSource)
        let random = Mutex(SeededGenerator(seed: 3))
        let draw: @Sendable () -> Double = { random.withLock { Double.random(in: 0..<1, using: &$0) } }
        let wire = SimulatedInterruptWire(
            source: chip, gpio: station.gpio, offset: try station.gpio.offset(of: .name("GPIO24")),
            clock: clock,
            latency: { .nanoseconds(Int64(2_000 + draw() * 38_000)) })
        let line = try station.gpio.requestInput(
            InputLineRequest(line: .name("GPIO24"), consumer: "sensorstation-int1", edges: .rising))
        let sampler = MotionSampler(
            model: try #require(ChipModel(rawValue: kind.rawValue)), address: kind.defaultAddress,
            rangeG: kind == .h3lis331dl ? 100 : 16, odrHz: odrHz, fifo: fifo, detector: .init(),
            realtime: false,
            interrupt: InterruptPin())
        let accel = try sampler.open(bus: station.bus)
        // The chip's true period: the ADXL345 model's is whole nanoseconds, off by its error.
        let periodNs: (Int64) -> Int64 =
            kind == .adxl345
            ? { k in k * Int64((1e9 / (odrHz * (1 + rateError))).rounded()) }
            : { k in k * 1_000_000_000 / Int64(odrHz) }
        let period = Double(periodNs(1_000_000)) / 1e6
        var wake = InterruptWake(timeout: sampler.interruptTimeout)
        var stamps = EdgeStamps()
        var result = TimedRun()
        var taken: Int64 = 0
        while clock.now < .seconds(61) {
            let read = try stamps.read(accel, clock: { clock.now })
            for sample in read {
                taken += 1
                if clock.now > .seconds(21) {
                    let truth = Duration.seconds(1) + .nanoseconds(periodNs(taken))
                    let error = abs((sample.time - truth) / .nanoseconds(1)) / period
                    result.worst = max(result.worst, error)
                    result.samples += 1
                }
            }
            // The sampler finds the line released and waits; meanwhile (the first time the wait
            // looks at its clock) the simulated time runs until the edge is stamped, and the
            // sampler is awake 30–300 µs later.
            let edgeDue = try #require(wire.update())
            var ran = false
            // The wait's own clock (for its timeout) runs 0.1 ms a look, not in real time, so a
            // loaded machine cannot time a wait out before it has looked at the line.
            var waited = Duration.zero
            let outcome = wake.wait(
                on: line, readFound: read.count, batch: sampler.samplesPerRead, signal: StopSignal(),
                readEnded: stamps.readEnded,
                clock: {
                    if !ran {
                        ran = true
                        clock.set(to: edgeDue)
                        wire.update()
                        clock.advance(by: .nanoseconds(Int64(30_000 + draw() * 270_000)))
                    }
                    waited += .microseconds(100)
                    return waited
                })
            guard case .edge(.some) = outcome else {
                Issue.record("\(outcome) at \(clock.now)")
                return result
            }
            if edges { stamps.woke(outcome, now: clock.now) }
        }
        result.missed = accel.missedSamples + (accel.overruns ?? 0)
        let counters =
            (chip as? SimulatedADXL345)?.counters ?? (chip as? SimulatedLIS3DH)?.counters
            ?? (chip as? SimulatedLIS331)?.counters ?? (chip as? SimulatedMPU6050)?.counters
        #expect(counters?.lost == 0 && counters?.popped == Int(taken), "\(counters.map(\.description) ?? "")")
        return result
    }

    @Test(
        "simulated chips read on their interrupt line (off nominal, jitter on the edges): every sample within a tenth of a period of when the chip took it, where the same reads without the edges' stamps are up to half a period off",
        arguments: [
            (SimulatedChipKind.adxl345, 3200.0, true, 0.02), (.adxl345, 400, true, -0.02),
            (.adxl345, 100, false, 0.02),
            (.lis3dh, 1344, true, 0), (.lis3dh, 400, false, 0), (.h3lis331dl, 400, false, 0),
            (.mpu6050, 200, false, 0),
        ])
    func sampleTimesFromEdges(kind: SimulatedChipKind, odrHz: Double, fifo: Bool, rateError: Double) throws {
        let run = try Self.timedRun(kind, odrHz: odrHz, fifo: fifo, rateError: rateError, edges: true)
        #expect(run.missed == 0)
        #expect(run.samples >= Int(odrHz * 39))
        #expect(run.worst <= 0.1, "worst \(run.worst) periods")
        let blind = try Self.timedRun(kind, odrHz: odrHz, fifo: fifo, rateError: rateError, edges: false)
        if odrHz <= 400 { #expect(blind.worst > 0.2, "without the edges: worst \(blind.worst) periods") }
        print(
            "simulated \(kind.rawValue) at \(Int(odrHz)) Hz\(fifo ? " FIFO" : ""), \(rateError * 100) % off, \(run.samples) samples: worst \(run.worst) periods with the edges, \(blind.worst) without"
        )
    }

    // MARK: The running sampler

    @Test("the running sampler at 3200 Hz, woken by the line, reads a watermark of 24 samples a wake")
    func runningSampler() async throws {
        let clock = RealtimeSimulationClock()
        let station = SimulatedStation(clock: clock, chips: [.init(.adxl345)], logCapacity: 100_000)
        let wire = try #require(station.wireInterrupt(to: .name("GPIO24")))
        defer { wire.stop() }
        let line = try station.gpio.requestInput(
            InputLineRequest(line: .name("GPIO24"), consumer: "sensorstation-int1", edges: .rising))
        let sampler = MotionSampler(
            model: .adxl345, address: 0x53, rangeG: 16, odrHz: 3200, fifo: true, detector: .init(),
            realtime: false, interrupt: InterruptPin())
        let state = StationState()
        let (impacts, continuation) = AsyncStream.makeStream(of: ImpactCapture.self)
        _ = impacts
        let service = sampler.service(
            bus: station.bus, line: line, state: state, recorder: nil, impacts: continuation,
            now: { clock.now },
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await service.run() }
        // Until 2 s of samples were read (a guard against a hang, not a timing assertion).
        let deadline = ContinuousClock.now + .seconds(120)
        let chip = try #require(station.accelerometer)
        while chip.counters.popped < 6400, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = try? await task.value
        let popped = chip.counters.popped
        #expect(popped >= 6400)
        // Each FIFO_STATUS read is one read of the sampler. Woken by the watermark, a read finds
        // 24 samples (more when the wake is late); polled, it would find 16. A timeout read (an
        // edge lost) or a read at once (a batch that came during the read) find fewer, and are rare.
        let reads = station.bus.transactions.filter { $0.register == 0x39 }.count
        #expect(reads > 0)
        #expect(Double(popped) / Double(reads) >= 20, "\(popped) samples in \(reads) reads")
        print(
            "interrupt-driven sampler: \(popped) samples in \(reads) reads; \(state.snapshot.sampling?.text ?? "")"
        )
        let drops = try #require(state.snapshot.sampling)
        #expect(drops.interruptUnusable == 0, "\(drops.text)")
    }
}
