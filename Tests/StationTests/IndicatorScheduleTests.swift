import Foundation
import HAL
import LinuxSystem
import Logging
import ServiceLifecycle
import Simulation
import Testing

@testable import Station

/// The indicator thread sleeps until an LED's pattern next changes or the state changes.
@Suite("Indicators: wake at pattern changes and state changes only")
struct IndicatorScheduleTests {
    /// Brute force from `isOn`, independent of the edge tables: the whole milliseconds in
    /// `range` at which the level differs from the one a millisecond before.
    static func scannedChanges(_ p: LEDPattern, in range: Range<Int64>) -> [Int64] {
        range.filter { p.isOn(at: .milliseconds($0)) != p.isOn(at: .milliseconds($0 - 1)) }
    }

    @Test(
        "nextChange is the next edge of isOn, at every millisecond of the longest period and past it",
        arguments: LEDPattern.allCases)
    func nextChangeMatchesIsOn(_ p: LEDPattern) {
        // Every pattern's period is at most 2 s: the scan reaches one period past the last t.
        // Monotonic times are positive (`Duration.milliseconds` truncates toward zero, so below
        // zero a fraction would read as the millisecond above).
        let changes = Self.scannedChanges(p, in: 1..<4200)
        var wrong: [String] = []
        var next = changes.startIndex
        for ms in Int64(0)..<2100 {
            while next < changes.endIndex, changes[next] <= ms { next += 1 }
            let expected = next < changes.endIndex ? Duration.milliseconds(changes[next]) : nil
            for frac in [Duration.zero, .microseconds(400)] {
                let t = Duration.milliseconds(ms) + frac
                if p.nextChange(after: t) != expected {
                    wrong.append("\(t): \(String(describing: p.nextChange(after: t)))")
                }
            }
        }
        #expect(wrong.isEmpty, "\(p): \(wrong.prefix(5))")
        #expect((p == .off || p == .steady) == changes.isEmpty)
    }

    @Test("a state change lights an LED at once, though the thread would otherwise sleep a minute")
    func doorbell() async throws {
        let chip = SimulatedGPIOChip.raspberryPi()
        let state = StationState()
        // Only the streaming LED: steady on or off, so nothing but the doorbell can wake the thread
        // within its 60 s.
        let leds = [
            Indicators.LED(
                role: .streaming,
                line: try chip.requestOutput(
                    OutputLineRequest(line: .name("GPIO22"), consumer: "test-streaming")))
        ]
        let indicators = Indicators(leds: leds, state: state, logger: Logger(label: "test"))
        let service = indicators.service(
            maxWait: .seconds(60), lampTest: .milliseconds(10), now: Clocks.monotonic)
        let group = ServiceGroup(
            services: [service], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let streamingLED = try #require(chip.offset(named: "GPIO22"))
        try await Task.sleep(for: .milliseconds(300))  // past the lamp test: off, asleep
        #expect(!chip.physicalValue(offset: streamingLED))
        state.setStreaming(true, cause: "test")
        let rung = ContinuousClock.now
        while !chip.physicalValue(offset: streamingLED), ContinuousClock.now - rung < .seconds(50) {
            try await Task.sleep(for: .milliseconds(5))
        }
        // Not a speed figure: without the ring the thread sleeps its 60 s. (This task's own sleeps
        // run on the cooperative pool, which the suite's blocking tests can hold for many seconds
        // on a loaded machine: 21.9 s once while a VM image was being built.)
        #expect(ContinuousClock.now - rung < .seconds(50), "the streaming LED waited for a timer")
        #expect(chip.physicalValue(offset: streamingLED))
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        #expect(!chip.physicalValue(offset: streamingLED), "all off at the end")
    }
}
