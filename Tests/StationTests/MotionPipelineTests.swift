import Detection
import Drivers
import Foundation
import HAL
import Simulation
import Station
import Storage
import Testing

/// The motion path in-process: a simulated ADXL345 on a manual clock, read by its driver through
/// the FIFO every 20 ms exactly as the motion sampler's thread does, and each read handed to
/// `MotionPipeline`. The expectations come from the scenario (gravity, the pulse's shape and
/// time) and the chip's rate, not from the pipeline.
@Suite("Motion pipeline on a simulated chip")
struct MotionPipelineTests {
    static let wallStart = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let anchor = WallClockAnchor(timeline: .zero, wall: wallStart)

    /// An ADXL345 (±16 g, 400 Hz, FIFO) lying flat, with one 8 g, 20 ms half-sine along x at 2 s;
    /// with `fall`, it first falls for that long (a square pulse of 1 g upwards cancels gravity,
    /// as falling does), and the pulse is the landing.
    static func chip(
        pulseAt: Duration = .seconds(2), fall: Duration? = nil
    ) throws -> (any Accelerometer, ManualSimulationClock) {
        let clock = ManualSimulationClock()
        var pulses = [
            ScheduledPulse(at: pulseAt, peakG: 8, duration: .milliseconds(20), direction: Vector3(1, 0, 0))
        ]
        if let fall {
            pulses.append(
                ScheduledPulse(
                    at: pulseAt - fall, peakG: 1, duration: fall, direction: Vector3(0, 0, -1), shape: .square
                ))
        }
        let station = SimulatedStation(
            clock: clock, scenario: .quiet(gravity: Vector3(0, 0, 1), pulses: pulses),
            chips: [.init(.adxl345)])
        let driver = try AccelerometerFactory.open(
            model: .adxl345, device: try station.bus.device(at: 0x53), rangeG: 16, odrHz: 400, fifo: true,
            sleep: { _ in })
        return (driver, clock)
    }

    /// An ADXL345 (±16 g, 400 Hz, FIFO) mounted on its side, gravity along −y, nothing scheduled:
    /// the station, to drop it, and its driver.
    static func onItsSide() throws -> (SimulatedStation, any Accelerometer, ManualSimulationClock) {
        let clock = ManualSimulationClock()
        let station = SimulatedStation(
            clock: clock, scenario: .quiet(gravity: Vector3(0, -1, 0)), chips: [.init(.adxl345)])
        let driver = try AccelerometerFactory.open(
            model: .adxl345, device: try station.bus.device(at: 0x53), rangeG: 16, odrHz: 400, fifo: true,
            sleep: { _ in })
        return (station, driver, clock)
    }

    /// Reads every 20 ms for `seconds` and collects what the pipeline puts out, in order.
    static func run(
        _ pipeline: inout MotionPipeline, driver: any Accelerometer, clock: ManualSimulationClock,
        seconds: Int, keepRaw: Bool = false
    ) throws -> [MotionPipeline.Output] {
        var outputs: [MotionPipeline.Output] = []
        for _ in 0..<(seconds * 50) {
            clock.advance(by: .milliseconds(20))
            outputs.append(
                pipeline.process(try driver.read(now: clock.now), keepRaw: keepRaw, wallClock: anchor))
        }
        return outputs
    }

    @Test("one impact: the notice at the trigger, then one capture with the pulse's peak, rate and time")
    func oneImpact() throws {
        let (driver, clock) = try Self.chip()
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        let outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 4)

        let notices = outputs.enumerated().flatMap { i, o in
            o.events.compactMap { if case .impact(let n) = $0 { (i, n) } else { nil } }
        }
        let captures = outputs.enumerated().flatMap { i, o in o.captures.map { (i, $0) } }
        try #require(
            notices.count == 1 && captures.count == 1, "\(notices.count) notices, \(captures.count) captures")
        let (noticeRead, notice) = notices[0]
        let (captureRead, capture) = captures[0]
        // The LED latches at the trigger, a post window (1 s = 50 reads) before the capture ends.
        #expect(captureRead - noticeRead >= 49)
        // |(8 sin, 0, 1)| crosses 4 g 3.3 ms into the pulse (8 sin(πt/20 ms) = √15): within the
        // read of 2.00–2.02 s, on the anchored wall clock.
        let triggerOffset = notice.time.timeIntervalSince(Self.wallStart)
        #expect(triggerOffset > 2.0 && triggerOffset < 2.01, "trigger at \(triggerOffset) s")
        // At 400 Hz the highest sample of a 20 ms half-sine lies within 1.25 ms of the crest
        // (cos(π·1.25/20) = 0.98), and the ADXL345's full resolution is 3.9 mg.
        let peak = (64.0 + 1).squareRoot()
        #expect(capture.record.peakG > 0.98 * 8 && capture.record.peakG <= peak + 0.02)
        #expect(abs(notice.peakG - capture.record.peakG) < 1e-9 || notice.peakG < capture.record.peakG)
        #expect(capture.record.sensor == "adxl345" && capture.record.thresholdG == 4)
        #expect(capture.record.waveformRateHz == 400 && capture.record.severity == "impact")
        // 0.5 s before the start and 1 s after the trigger, at 400 Hz.
        #expect(abs(capture.record.waveformCount - 600) <= 2, "\(capture.record.waveformCount) samples")
        #expect(capture.summary.hic15 != nil)
        // Lying still before it: no free fall, none carried.
        #expect(outputs.flatMap(\.events).allSatisfy { if case .freeFall = $0 { false } else { true } })
        #expect(capture.record.fallMs == nil && capture.record.dropM == nil)
    }

    @Test(
        "dropped 1 m, then the landing: one free fall of √(2 m / g) = 451.6 ms, which the impact carries as a 1.00 m drop"
    )
    func dropThenImpact() throws {
        let fall = (2.0 / 9.80665).squareRoot()
        let (driver, clock) = try Self.chip(fall: .nanoseconds(Int64(fall * 1e9)))
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        let outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 4)
        let falls = outputs.flatMap(\.events).compactMap { if case .freeFall(let f) = $0 { f } else { nil } }
        let recorded = try #require(falls.count == 1 ? falls.first : nil, "\(falls)")
        // Each edge is placed within a sample period (2.5 ms at 400 Hz) of the truth; dh = g·t·dt.
        #expect(abs(recorded.durationMs - fall * 1000) <= 5, "\(recorded.durationMs) ms")
        #expect(abs(recorded.time.timeIntervalSince(Self.wallStart) - (2 - fall)) <= 0.003)
        #expect(recorded.minG < 0.05)
        let capture = try #require(outputs.flatMap(\.captures).first)
        let fallMs = try #require(capture.record.fallMs)
        #expect(abs(fallMs - recorded.durationMs) < 1e-9)
        #expect(abs(try #require(capture.record.dropM) - 1.0) <= 0.025)
        let ms = Int(recorded.durationMs.rounded())
        #expect(
            StationEvent.impactRecorded(capture.summary).logLine.hasSuffix(
                "after a free fall of \(ms) ms (0.99 m from rest)"))
        #expect(StationEvent.freeFall(recorded).logLine.hasPrefix("free fall: \(ms) ms, 0.99 m from rest"))
        // The log's event row.
        let row = try #require(StorageSink.record(for: .freeFall(recorded), at: Date()))
        guard case .event(let e) = row else { Issue.record("\(row)"); return }
        #expect(
            e.kind == "free_fall"
                && e.payload?["drop_m"].flatMap(Double.init).map { abs($0 - 1) <= 0.025 } == true)
    }

    @Test("the demo's drop key (SimulatedStation.injectDrop): 1 m, then the landing, wherever gravity points")
    func demoDrop() throws {
        let (station, driver, clock) = try Self.onItsSide()
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        var outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 1)
        station.injectDrop(height: 1)
        outputs += try Self.run(&pipeline, driver: driver, clock: clock, seconds: 3)
        let capture = try #require(outputs.flatMap(\.captures).first)
        #expect(abs(try #require(capture.record.dropM) - 1) <= 0.025)
        // The landing takes away what the fall built: √(2 g · 1 m) = 4.43 m/s (trapezoid at 400 Hz).
        let v = (2 * 9.80665).squareRoot()
        #expect(abs(capture.record.deltaVMps - v) / v < 0.03, "ΔV \(capture.record.deltaVMps) m/s")
    }

    @Test(
        "with accelerometer.up, an impact's peak is split along it: a knock from the side is horizontal, a landing vertical and upward"
    )
    func mountedComponents() throws {
        // Lying flat (+z up), an 8 g knock along x: at the crest (8, 0, 1) g, so 1 g up (gravity)
        // and 8 g across.
        let (driver, clock) = try Self.chip()
        var flat = MotionPipeline(
            sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings(), up: SIMD3(0, 0, 1))
        let knock = try #require(
            try Self.run(&flat, driver: driver, clock: clock, seconds: 4).flatMap(\.captures).first?.record)
        let v = try #require(knock.verticalG)
        let h = try #require(knock.horizontalG)
        #expect(abs(v - 1) < 0.05 && abs(h - 8) < 0.2, "vertical \(v), horizontal \(h)")
        #expect(abs(v * v + h * h - knock.peakG * knock.peakG) < 1e-9)
        // Mounted on its side (−y up), dropped 1 m: the ground pushes up along −y.
        let (station, side, sideClock) = try Self.onItsSide()
        var mounted = MotionPipeline(
            sensor: "adxl345", rateHz: side.odrHz, detector: DetectorSettings(), up: SIMD3(0, -1, 0))
        _ = try Self.run(&mounted, driver: side, clock: sideClock, seconds: 1)
        station.injectDrop(height: 1)
        let landing = try #require(
            try Self.run(&mounted, driver: side, clock: sideClock, seconds: 3).flatMap(\.captures).first?
                .record)
        #expect(try #require(landing.verticalG) > 0.99 * landing.peakG)
        #expect(try #require(landing.horizontalG) < 0.2)
        // Without it: no components.
        let (plainDriver, plainClock) = try Self.chip()
        var plain = MotionPipeline(sensor: "adxl345", rateHz: plainDriver.odrHz, detector: DetectorSettings())
        let unmounted = try #require(
            try Self.run(&plain, driver: plainDriver, clock: plainClock, seconds: 4).flatMap(\.captures)
                .first?.record)
        #expect(unmounted.verticalG == nil && unmounted.horizontalG == nil)
        // A reload (SIGHUP, the shadow) brings a new mounting to the next impact.
        var values = LiveSettings.Values(configuration: StationConfiguration.defaults(environment: [:]))
        values.up = SIMD3(0, 1, 0)
        _ = plain.apply(values, wallClock: Self.anchor)
        #expect(plain.up == SIMD3(0, 1, 0))
    }

    @Test("a knock more than half a second after a fall is not its landing")
    func fallThenLateKnock() throws {
        // The fall ends at 1.4 s (0.3 s long), then the station rests 0.6 s before the pulse at 2 s.
        let clock = ManualSimulationClock()
        let pulses = [
            ScheduledPulse(
                at: .milliseconds(1100), peakG: 1, duration: .milliseconds(300), direction: Vector3(0, 0, -1),
                shape: .square),
            ScheduledPulse(
                at: .seconds(2), peakG: 8, duration: .milliseconds(20), direction: Vector3(1, 0, 0)),
        ]
        let station = SimulatedStation(
            clock: clock, scenario: .quiet(gravity: Vector3(0, 0, 1), pulses: pulses),
            chips: [.init(.adxl345)])
        let driver = try AccelerometerFactory.open(
            model: .adxl345, device: try station.bus.device(at: 0x53), rangeG: 16, odrHz: 400, fifo: true,
            sleep: { _ in })
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        let outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 4)
        #expect(outputs.flatMap(\.events).contains { if case .freeFall = $0 { true } else { false } })
        let capture = try #require(outputs.flatMap(\.captures).first)
        #expect(capture.record.fallMs == nil)
    }

    @Test("motion summaries: one per second, a second apart on the wall clock, 400 samples, gravity on z")
    func summaries() throws {
        let (driver, clock) = try Self.chip(pulseAt: .seconds(60))
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        let outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 5)
        let summaries = outputs.flatMap {
            $0.events.compactMap { if case .motion(let m) = $0 { m } else { nil } }
        }
        #expect(summaries.count == 4, "\(summaries.count) summaries in 5 s (the fifth second is still open)")
        for (a, b) in zip(summaries, summaries.dropFirst()) {
            #expect(b.time.timeIntervalSince(a.time) == 1)
        }
        for m in summaries.dropFirst() {
            #expect(m.sampleCount == 400, "\(m.sampleCount)")
            #expect(abs(m.meanZ - 1) < 0.01 && abs(m.meanX) < 0.01 && abs(m.meanG - 1) < 0.01)
        }
        #expect(outputs.allSatisfy { $0.captures.isEmpty && $0.raw.isEmpty })
    }

    @Test(
        "calibration is applied before everything: offsets and scale reach summaries, raw samples and impacts"
    )
    func calibration() throws {
        let (driver, clock) = try Self.chip()
        var pipeline = MotionPipeline(
            sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings(), offsetG: SIMD3(0, 0, 0.5),
            scale: SIMD3(0.5, 1, 1))
        let outputs = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 1, keepRaw: true)
        let raw = outputs.flatMap(\.raw)
        #expect(raw.count == 400)
        #expect(raw.allSatisfy { abs($0.z - 0.5) < 0.01 })
        // The halved x axis makes the 8 g pulse a 4 g one: |(4, 0, 0.5)| = 4.03 still triggers.
        let more = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 3)
        let capture = try #require(more.flatMap(\.captures).first)
        #expect(capture.record.peakG < (16 + 0.25).squareRoot() + 0.02 && capture.record.peakG > 3.9)
    }

    @Test("reloaded settings wait for the capture to finish and apply to the next event")
    func reload() throws {
        let (driver, clock) = try Self.chip()
        var pipeline = MotionPipeline(sensor: "adxl345", rateHz: driver.odrHz, detector: DetectorSettings())
        // Up to 3 s, inside the post window (the trigger at 2.003 s, 1 s after): the capture is
        // pending, so nothing may change.
        // (Reads stay 20 ms apart: the 32-entry FIFO holds 80 ms at 400 Hz.)
        let first = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 3)
        #expect(first.flatMap(\.captures).isEmpty)
        let pending = !pipeline.canApplySettings
        #expect(pending)
        let rest = try Self.run(&pipeline, driver: driver, clock: clock, seconds: 1)
        #expect(rest.flatMap(\.captures).count == 1)
        let free = pipeline.canApplySettings
        #expect(free)
        let values = LiveSettings.Values(
            detector: DetectorSettings(thresholdG: 5), offsetG: .zero, scale: .one,
            weatherInterval: .seconds(60),
            temperatureOffsetC: 0)
        #expect(pipeline.apply(values, wallClock: Self.anchor).isEmpty)
        #expect(pipeline.detectorSettings.thresholdG == 5)
    }
}
