import Foundation
import HAL
import Logging
import ServiceLifecycle
import Simulation
import Station
import Storage
import TestSupport
import Testing

/// The whole station as `sensorstation run` starts it, built and run in-process on the simulated
/// hardware with a real SQLite file and a real control socket: what the executable adds (argument
/// parsing, the console) is not needed to see the data flow from the chip to the log.
@Suite("The station assembled in-process")
struct StationAssemblyTests {
    @Test(
        "sample → detect → record, button and socket → streaming: all of it reaches the log, and stopping flushes it"
    )
    func wholeStation() async throws {
        let dir = try temporaryDirectory("assembly")
        var config = StationConfiguration.defaults(environment: [:])
        config.hardware = .simulated
        config.accelerometer.odrHz = 400
        config.weather.interval = .seconds(1)
        config.storage.path = dir.appendingPathComponent("station.db").path
        let clock = RealtimeSimulationClock()
        let sim = SimulatedStation(
            clock: clock, scenario: .quiet(noiseG: 0.005),
            chips: [
                .init(.bme280, at: config.weather.address), .init(.adxl345, at: config.accelerometer.address),
            ])
        let state = StationState()
        let assembly = try StationAssembly(
            configuration: config, source: "test",
            hardware: StationHardware(bus: sim.bus, gpio: sim.gpio, now: { clock.now }),
            state: state, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, environment: [:],
            reload: nil, notifier: SystemdNotifier(environment: [:]))
        let group = ServiceGroup(
            configuration: .init(
                services: assembly.services,
                logger: Logger(label: "lifecycle") { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }

        // The station's services are threads, but this test's own task is on the cooperative pool,
        // which the suite's blocking tests (processes waited on) can hold for a minute and more
        // on two cores: deadlines, not durations.
        func until(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(240)
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    Issue.record("timed out waiting for \(what)")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try await until("both sensors and a reading") {
            let s = state.snapshot
            return s.probed == ["weather", "accelerometer"] && s.lastWeather != nil && s.lastMotion != nil
        }
        #expect(state.snapshot.faultMessages.isEmpty, "\(state.snapshot.faultMessages)")

        // An 8 g pulse: the LED latches, then the capture is committed with its database id.
        sim.injectImpact(peakG: 8, duration: .milliseconds(20))
        try await until("the impact latched") { state.indication.impactLatched }
        try await until("the impact recorded") { state.snapshot.lastRecordedImpact?.id != nil }

        // A short press through the simulated GPIO line: streaming on (cause button).
        // Held 150 ms on a thread of its own: a test task the pool resumed late would make it a
        // long press (acknowledge) instead.
        let button = try #require(sim.gpio.offset(named: "GPIO23"))
        let gpio = sim.gpio
        let pressed = Thread {
            gpio.press(offset: button)
            Thread.sleep(forTimeInterval: 0.15)
            gpio.release(offset: button)
        }
        pressed.start()
        try await until("streaming on") { state.indication.streaming }
        // The socket: stop streaming and acknowledge, as `sensorstation stream stop` and `ack` do.
        let socket = ControlSocket.path(forDatabase: config.storage.path)
        let stop = try ControlClient(path: socket).send(.command(.stream(.stop)))
        #expect(stop.message == "streaming stopped" && stop.streaming == false)
        let ack = try ControlClient(path: socket).send(.command(.acknowledgeImpact))
        #expect(ack.message == "impact acknowledged" && !state.indication.impactLatched)

        await group.triggerGracefulShutdown()
        try await running.value
        await assembly.shutdown()

        let db = try StationDatabase.openReadOnly(path: config.storage.path)
        let all = (Date(timeIntervalSince1970: 0), Date().addingTimeInterval(60))
        #expect(try db.count(.impact, since: all.0, until: all.1) == 1)
        let id = try #require(state.snapshot.lastRecordedImpact?.id)
        let impact = try #require(try db.impact(id: id))
        #expect(impact.peakG > 7.8 && impact.peakG < 8.2 && impact.sensor == "adxl345")
        #expect(try db.count(.weather, since: all.0, until: all.1) >= 1)
        #expect(try db.count(.motion, since: all.0, until: all.1) >= 1)
        // What the operator did, in order: streaming on (button) and the press that did it, off
        // and the acknowledgement (the socket, naming the peer's uid).
        let events = try db.query(QueryRequest(kind: .events, since: all.0, until: all.1))
        let rows: [String] = events.rows.map { row in
            row.dropFirst().compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(
                separator: " | ")
        }.filter { !$0.hasPrefix("fault") }
        let uid = "command from uid \(getuid())"
        try #require(rows.count == 4, "\(rows)")
        #expect(rows[0] == #"streaming | on | {"cause":"button"}"#)
        #expect(rows[1].hasPrefix("button | streaming on | ") && rows[1].contains(#""press":"short""#))
        #expect(rows[2] == #"streaming | off | {"cause":"\#(uid)"}"#)
        #expect(rows[3] == #"ack | impact acknowledged | {"cause":"\#(uid)"}"#)
        // The socket is gone with the service.
        #expect(!FileManager.default.fileExists(atPath: socket))
    }
}
