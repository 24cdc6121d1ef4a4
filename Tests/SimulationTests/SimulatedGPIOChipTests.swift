import Dispatch
import HAL
import Simulation
import Synchronization
import Testing

@Suite("Simulated GPIO chip")
struct SimulatedGPIOChipTests {
    let clock = ManualSimulationClock()
    var chip: SimulatedGPIOChip { SimulatedGPIOChip.raspberryPi(clock: clock) }

    @Test("Raspberry-Pi-like naming")
    func naming() throws {
        let c = chip
        #expect(c.lineCount == 28)
        #expect(c.offset(named: "GPIO17") == 17)
        #expect(c.name == "gpiochip0")
        #expect(c.label == "pinctrl-sim")
        #expect(
            try c.lineInfo()[26]
                == LineInfo(offset: 26, name: "GPIO26", consumer: nil, isOutput: false, isUsed: false))
    }

    @Test("outputs apply active-low and are observable", arguments: [false, true])
    func output(activeLow: Bool) throws {
        let c = chip
        let seen = Mutex<[OutputChange]>([])
        c.setOutputObserver { change in seen.withLock { $0.append(change) } }
        let led = try c.requestOutput(
            OutputLineRequest(line: .name("GPIO26"), consumer: "fault-led", activeLow: activeLow))
        #expect(c.isRequested(offset: 26))
        #expect(c.physicalValue(offset: 26) == activeLow)  // logical off
        clock.advance(by: .milliseconds(5))
        try led.set(true)
        #expect(c.physicalValue(offset: 26) == !activeLow)
        #expect(
            try c.lineInfo()[26]
                == LineInfo(offset: 26, name: "GPIO26", consumer: "fault-led", isOutput: true, isUsed: true))
        let changes = seen.withLock { $0 }
        #expect(changes.count == 2)
        #expect(
            changes.last
                == OutputChange(
                    offset: 26, name: "GPIO26", consumer: "fault-led", physicalHigh: !activeLow, active: true,
                    isRequested: true,
                    timestamp: .milliseconds(5)))
    }

    @Test("a button to ground with pull-up and active-low: press is a rising (active) edge")
    func buttonEdges() throws {
        let c = chip
        let button = try c.requestInput(
            InputLineRequest(line: .name("GPIO17"), consumer: "button", activeLow: true, bias: .pullUp))
        #expect(c.physicalValue(offset: 17))  // pulled up
        #expect(try button.read() == false)
        #expect(!button.hasKernelDebounce)
        clock.advance(by: .milliseconds(100))
        c.press(offset: 17)
        #expect(try button.read() == true)
        clock.advance(by: .milliseconds(250))
        c.release(offset: 17)
        c.release(offset: 17)  // no change, no event
        #expect(
            try button.waitForEvents(timeout: .zero) == [
                EdgeEvent(kind: .rising, timestamp: .milliseconds(100)),
                EdgeEvent(kind: .falling, timestamp: .milliseconds(350)),
            ])
        #expect(try button.waitForEvents(timeout: .zero) == [])
    }

    @Test("pull-down, active-high input: driving high is rising")
    func pullDown() throws {
        let c = chip
        let line = try c.requestInput(
            InputLineRequest(line: .offset(5), consumer: "sensor-int", bias: .pullDown))
        #expect(try line.read() == false)
        c.drive(offset: 5, high: true)
        c.float(offset: 5)
        #expect(try line.waitForEvents(timeout: .zero).map(\.kind) == [.rising, .falling])
    }

    @Test("a line requested twice is busy, naming the consumer; released on deinit")
    func busy() throws {
        let c = chip
        var first: (any OutputLine)? = try c.requestOutput(
            OutputLineRequest(line: .name("GPIO22"), consumer: "status-led"))
        let error = #expect(throws: GPIOError.self) {
            try c.requestInput(InputLineRequest(line: .offset(22), consumer: "other"))
        }
        #expect(error?.kind == .lineBusy)
        #expect(error?.errno == 16)
        #expect(error?.message.contains("\"status-led\"") == true)
        #expect(first != nil)
        first = nil
        #expect(!c.isRequested(offset: 22))
        _ = try c.requestInput(InputLineRequest(line: .offset(22), consumer: "other"))
    }

    @Test("unknown lines are not found, naming the chip")
    func unknownLine() {
        let c = chip
        let byName = #expect(throws: GPIOError.self) {
            try c.requestOutput(OutputLineRequest(line: .name("GPIO99"), consumer: "x"))
        }
        #expect(byName?.kind == .lineNotFound)
        #expect(byName?.line == "GPIO99")
        #expect(byName?.message.contains("gpiochip0") == true)
        let byOffset = #expect(throws: GPIOError.self) {
            try c.requestInput(InputLineRequest(line: .offset(28), consumer: "x"))
        }
        #expect(byOffset?.kind == .lineNotFound)
    }

    @Test("waitForEvents times out in real time with no events")
    func timeout() throws {
        let c = chip
        let line = try c.requestInput(InputLineRequest(line: .offset(4), consumer: "t", bias: .pullUp))
        let start = ContinuousClock.now
        #expect(try line.waitForEvents(timeout: .milliseconds(80)) == [])
        let waited = start.duration(to: .now)
        #expect(waited >= .milliseconds(75))
        #expect(waited < .seconds(2))
    }

    @Test("waitForEvents wakes when an edge arrives from another thread")
    func wakes() throws {
        let c = chip
        let line = try c.requestInput(
            InputLineRequest(line: .offset(4), consumer: "t", activeLow: true, bias: .pullUp))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { c.press(offset: 4) }
        let start = ContinuousClock.now
        let events = try line.waitForEvents(timeout: .seconds(5))
        #expect(events.map(\.kind) == [.rising])
        #expect(start.duration(to: .now) < .seconds(4))
    }

    @Test("a bouncing press gives alternating edges with spaced timestamps")
    func bounce() throws {
        let c = chip
        let line = try c.requestInput(
            InputLineRequest(line: .offset(17), consumer: "b", activeLow: true, bias: .pullUp))
        clock.advance(by: .seconds(1))
        c.bouncyPress(offset: 17, bounces: 2, interval: .microseconds(200))
        let events = try line.waitForEvents(timeout: .zero)
        #expect(events.map(\.kind) == [.rising, .falling, .rising, .falling, .rising])
        #expect(events.map(\.timestamp) == (0..<5).map { .seconds(1) + .microseconds(200) * $0 })
        #expect(try line.read() == true)
    }

    @Test("output changes arrive on an AsyncStream")
    func stream() async throws {
        let c = chip
        let changes = c.outputChanges()
        let led = try c.requestOutput(OutputLineRequest(line: .offset(6), consumer: "led"))
        try led.set(true)
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next()?.active == false)
        #expect(await iterator.next()?.active == true)
    }
}
