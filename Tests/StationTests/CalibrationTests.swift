import Foundation
import Logging
import ServiceLifecycle
import Simulation
import Station
import TestSupport
import Testing

/// `sensorstation calibrate`'s arithmetic (AN-1057), its checks of a step at rest, the
/// calibration file and the loader that lays it over the configuration.
/// The largest component's size.
func largest(_ v: SIMD3<Double>) -> Double { max(abs(v.x), abs(v.y), abs(v.z)) }

@Suite("Accelerometer calibration")
struct CalibrationMathTests {
    // A chip with datasheet-sized errors (ADXL345: zero-g offset up to ±150 mg, sensitivity
    // ±10 %), each axis reading `true × gain + offset`.
    static let offset = SIMD3<Double>(0.040, -0.030, 0.080)
    static let gain = SIMD3<Double>(1.03, 0.97, 1.05)
    static func reads(_ face: Face) -> SIMD3<Double> { face.gravity * gain + offset }

    @Test("six positions: AN-1057's offset (A₊ + A₋)/2 and gain (A₊ − A₋)/2, so the scale is 1/gain")
    func sixPosition() throws {
        let means = Dictionary(uniqueKeysWithValues: Face.allCases.map { ($0, Self.reads($0)) })
        let r = try CalibrationMath.sixPosition(means)
        for axis in 0..<3 {
            #expect(abs(r.offsetG[axis] - Self.offset[axis]) < 1e-12)
            #expect(abs(r.scale[axis] - 1 / Self.gain[axis]) < 1e-12)
        }
        #expect(try #require(r.residualG) < 1e-12)
        // Every face then reads exactly gravity.
        for face in Face.allCases {
            let corrected = (Self.reads(face) - r.offsetG) * r.scale
            #expect(largest(corrected - face.gravity) < 1e-12)
        }
        // +X up on a surface tilted 20° about z: x reads cos 20°, y sin 20°. The x scale would
        // come out 3 % large; the result is refused.
        var tilted = means
        let c = cos(20 * Double.pi / 180)
        let s = sin(20 * Double.pi / 180)
        tilted[.plusX] = SIMD3(c, s, 0) * Self.gain + Self.offset
        #expect {
            _ = try CalibrationMath.sixPosition(tilted)
        } throws: { error in
            let r = error as! CalibrationRefusal
            return r.kind == .position && r.description.contains("the positions were not square")
        }
        var five = means
        five[.minusY] = nil
        #expect(throws: CalibrationRefusal.self) { try CalibrationMath.sixPosition(five) }
    }

    @Test("level: the offset is what each axis reads beyond gravity, the scale in force kept")
    func level() throws {
        let mean = Self.reads(.plusZ)  // (0.04, −0.03, 1.13)
        let face = try CalibrationMath.position(mean, expected: nil, tiltG: 0.25)
        #expect(face == .plusZ)
        let r = CalibrationMath.level(mean: mean, face: face, scale: SIMD3(1, 1, 1.1))
        #expect(largest(r.offsetG - SIMD3(0.04, -0.03, 1.13 - 1 / 1.1)) < 1e-12)
        #expect(r.scale == SIMD3(1, 1, 1.1))
        #expect(largest((mean - r.offsetG) * r.scale - SIMD3(0, 0, 1)) < 1e-12)
        // Upside down: gravity is −1 g on z.
        let down = try CalibrationMath.position(Self.reads(.minusZ), expected: nil, tiltG: 0.25)
        #expect(down == .minusZ)
        // Level absorbs the gain's error on the vertical axis: −1.05 + 0.08 read, −1 expected.
        let upsideDown = CalibrationMath.level(mean: Self.reads(.minusZ), face: down, scale: .one)
        #expect(largest(upsideDown.offsetG - SIMD3(0.04, -0.03, 0.03)) < 1e-12)
    }

    @Test("a step lying otherwise than asked, tilted, or far from 1 g is refused with what was found")
    func positions() {
        // The simulated demo's mount: acos(0.94 / 0.9956) = 19.2° off vertical.
        let tilted = SIMD3<Double>(0.26, -0.2, 0.94)
        #expect {
            _ = try CalibrationMath.position(tilted, expected: nil, tiltG: 0.25)
        } throws: { error in
            let r = error as! CalibrationRefusal
            return r.kind == .position && r.description.contains("tilted about 19° from +Z up")
        }
        #expect {
            _ = try CalibrationMath.position(SIMD3(0.01, 0.02, -0.99), expected: .plusX, tiltG: 0.35)
        } throws: { error in
            (error as! CalibrationRefusal).description.contains("expected +X up, but the station lies -Z up")
        }
        #expect {
            _ = try CalibrationMath.position(SIMD3(0, 0, 0.5), expected: nil, tiltG: 0.25)
        } throws: { error in
            (error as! CalibrationRefusal).description.contains("reads 0.500 g at rest, not about 1 g")
        }
        #expect((try? CalibrationMath.position(SIMD3(0.3, 0, 0.95), expected: .plusZ, tiltG: 0.35)) == .plusZ)
    }

    /// Windows of `n` samples each at `values`.
    static func windows(_ means: [SIMD3<Double>], noise: Double = 0, n: Int = 100) -> [CalibrationWindow] {
        means.map { m in
            var w = CalibrationWindow()
            for i in 0..<n { w.add(m + SIMD3(repeating: i % 2 == 0 ? noise : -noise), saturated: false) }
            return w
        }
    }

    @Test("stillness: window means wandering 0.05 g, a shaking spread or saturated samples are refused")
    func stillness() {
        let still = Self.windows(Array(repeating: SIMD3(0, 0, 1), count: 4), noise: 0.01)
        #expect(CalibrationMath.stillness(still, rangeG: 16) == nil)
        let moved = Self.windows([SIMD3(0, 0, 1), SIMD3(0, 0, 1), SIMD3(0.05, 0, 1), SIMD3(0, 0, 1)])
        let m = CalibrationMath.stillness(moved, rangeG: 16)
        #expect(
            m?.kind == .moved && m?.description.contains("changed by 0.038 g") == true,
            "\(String(describing: m))")
        let shaking = Self.windows(Array(repeating: SIMD3(0, 0, 1), count: 4), noise: 0.1)
        #expect(CalibrationMath.stillness(shaking, rangeG: 16)?.description.contains("shook") == true)
        // A ±400 g chip's noise is coarser; its limits follow its range.
        #expect(CalibrationMath.stillness(shaking, rangeG: 400) == nil)
        var saturated = still
        saturated[1].add(SIMD3(16, 0, 1), saturated: true)
        #expect(
            CalibrationMath.stillness(saturated, rangeG: 16)?.description.contains("1 samples hit the end")
                == true)
        #expect {
            _ = try CalibrationMath.judge(still, wanted: 5000, expected: nil, rangeG: 16)
        } throws: { ($0 as! CalibrationRefusal).kind == .samples }
    }

    @Test("windows combine exactly: two halves give the mean and spread of one pass")
    func windowsCombine() {
        var whole = CalibrationWindow()
        var a = CalibrationWindow()
        var b = CalibrationWindow()
        for i in 0..<1000 {
            let v = SIMD3(sin(Double(i)), cos(Double(i) * 0.7) + 1, Double(i % 17) / 17)
            whole.add(v, saturated: false)
            if i < 300 { a.add(v, saturated: false) } else { b.add(v, saturated: false) }
        }
        let c = a.combined(with: b)
        #expect(c.count == 1000)
        #expect(largest(c.mean - whole.mean) < 1e-12)
        #expect(largest(c.standardDeviation - whole.standardDeviation) < 1e-12)
        // Independently: the population standard deviation of x by the textbook formula.
        let xs = (0..<1000).map { sin(Double($0)) }
        let mx = xs.reduce(0, +) / 1000
        let sd = (xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +) / 1000).squareRoot()
        #expect(abs(c.standardDeviation.x - sd) < 1e-12)
    }
}

@Suite("The calibration file")
struct CalibrationFileTests {
    static let sample = CalibrationFile(
        sensor: "adxl345", address: 0x53, method: .sixPosition, measuredAt: "2026-12-06T19:30:00Z",
        offsetG: SIMD3(0.021, -0.013, 0.048), scale: SIMD3(1.004, 0.998, 1.012), residualG: 0.004)

    @Test("round trip, and every malformed field named")
    func decode() throws {
        #expect(try CalibrationFile.decode(Array(Self.sample.encoded.utf8)) == Self.sample)
        #expect(
            Self.sample.encoded
                == #"{"sensor":"adxl345","address":"0x53","method":"six_position","measured_at":"2026-12-06T19:30:00Z","offset_g":[0.021,-0.013,0.048],"scale":[1.004,0.998,1.012],"residual_g":0.004}"#
                + "\n")
        func problem(_ text: String) -> String {
            do {
                _ = try CalibrationFile.decode(Array(text.utf8))
                return "decoded"
            } catch { return error.description }
        }
        #expect(problem("garbage") == "not a JSON object: not a calibration file")
        #expect(problem(#"{"sensor":1}"#) == #""sensor" is not a text"#)
        #expect(
            problem(#"{"sensor":"adxl345","address":"53"}"#).contains(#""address" is not an I2C address"#))
        #expect(
            problem(#"{"sensor":"adxl345","address":"0x53","method":"guess"}"#)
                == #""method" is 'guess'; expected level or six_position"#)
        #expect(
            problem(
                #"{"sensor":"adxl345","address":"0x53","method":"level","offset_g":[0,0],"scale":[1,1,1]}"#
            )
            .contains(#""offset_g" is not a list of three numbers"#))
        #expect(
            problem(
                #"{"sensor":"adxl345","address":"0x53","method":"level","offset_g":[0,0,1e300],"scale":[1,1,1]}"#
            )
            .contains(#""offset_g" is not a list of three numbers (each within ±1000)"#))
    }

    /// A configuration file with its log (and so its calibration file) in a fresh directory.
    static func station(_ yaml: String = "") throws -> (config: String, calibration: String) {
        let dir = try temporaryDirectory("calibration").path
        let config = dir + "/config.yaml"
        try ("storage:\n  path: station.db\n" + yaml).write(toFile: config, atomically: true, encoding: .utf8)
        return (config, dir + "/calibration.json")
    }

    @Test("the loader lays the file over accelerometer.calibration and says where the values come from")
    func applied() throws {
        let (config, path) = try Self.station(
            "accelerometer:\n  calibration:\n    offset_g: [0.5, 0.5, 0.5]\n")
        let before = try ConfigurationLoader.load(path: config, environment: [:])
        #expect(before.accelerometer.calibration.offsetG == SIMD3(0.5, 0.5, 0.5))
        #expect(before.accelerometer.calibrationSource == nil)
        try Self.sample.write(to: path)
        let (c, origins) = try ConfigurationLoader.loadTracingOrigins(path: config, environment: [:])
        #expect(c.accelerometer.calibration.offsetG == Self.sample.offsetG)
        #expect(c.accelerometer.calibration.scale == Self.sample.scale)
        #expect(
            c.accelerometer.calibrationSource
                == .file(path: path, method: .sixPosition, measuredAt: "2026-12-06T19:30:00Z"))
        #expect(origins["accelerometer.calibration.offset_g"] == "calibration file \(path)")
        // The shadow's overlay still goes over everything (it cannot set these lists, but its
        // keys are not lost under the calibration layer).
        let shadowed = try ConfigurationLoader.loadTracingOrigins(
            path: config, environment: [:],
            overlay: ConfigurationOverlay(source: "shadow", values: ["impact.threshold_g": .double(5.5)]))
        #expect(shadowed.configuration.impact.thresholdG == 5.5)
        #expect(shadowed.configuration.accelerometer.calibration.offsetG == Self.sample.offsetG)
    }

    @Test(
        "a file for another chip is not applied, and says why; a corrupt or out-of-range one is an error naming it"
    )
    func refused() throws {
        let (config, path) = try Self.station("accelerometer:\n  sensor: lis3dh\n  address: 0x18\n")
        try Self.sample.write(to: path)
        let c = try ConfigurationLoader.load(path: config, environment: [:])
        #expect(c.accelerometer.calibration == .init())
        guard case .ignored(_, let reason)? = c.accelerometer.calibrationSource else {
            Issue.record("not ignored: \(String(describing: c.accelerometer.calibrationSource))")
            return
        }
        #expect(reason.contains("measured on the adxl345 at 0x53, the configuration has the lis3dh at 0x18"))

        // Damaged, or a value the configuration refuses: not applied, and no command locked out.
        let (config2, path2) = try Self.station()
        try "{\"sensor\": \"adxl345\"".write(toFile: path2, atomically: true, encoding: .utf8)
        let damaged = try ConfigurationLoader.load(path: config2, environment: [:])
        #expect(damaged.accelerometer.calibration == .init())
        let damagedText = try #require(damaged.accelerometer.calibrationSource?.text)
        #expect(
            damagedText.contains("\(path2) not applied") && damagedText.contains("not a JSON object")
                && damagedText.contains("run sensorstation calibrate again, or remove the file"),
            "\(damagedText)")
        var wild = Self.sample
        wild.scale = SIMD3(1, 3, 1)
        try wild.write(to: path2)
        let refused = try ConfigurationLoader.loadTracingOrigins(path: config2, environment: [:])
        #expect(refused.configuration.accelerometer.calibration == .init())
        let wildText = try #require(refused.configuration.accelerometer.calibrationSource?.text)
        #expect(
            wildText.contains("calibration file \(path2)")
                && wildText.contains("accelerometer.calibration.scale"),
            "\(wildText)")
        #expect(refused.origins["accelerometer.calibration.scale"] != "calibration file \(path2)")
    }
}

/// The procedure against the whole service in-process: the motion sampler's tap, the control
/// socket, the file and the reload path, on a simulated chip with a known error.
@Suite("Calibration on the running station")
struct CalibrationStationTests {
    @Test(
        "six positions on a chip with datasheet-sized errors recover them, a knock or a wrong face is refused, the result applies at once, reset undoes it"
    )
    func sixPositionsOnTheStation() async throws {
        let dir = try temporaryDirectory("calibrate-station").path
        let file = dir + "/config.yaml"
        try """
        hardware: simulated
        storage:
          path: station.db
        accelerometer:
          odr_hz: 400
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ConfigurationLoader.load(path: file, environment: [:])
        var scenario = Scenario.quiet(noiseG: 0.01)
        scenario.sensorError = SensorError(
            offsetG: Vector3(0.040, -0.030, 0.080), gain: Vector3(1.03, 0.97, 1.05))
        let clock = RealtimeSimulationClock()
        let sim = SimulatedStation(
            clock: clock, scenario: scenario, chips: [.init(.adxl345, at: config.accelerometer.address)])
        let state = StationState()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let assembly = try StationAssembly(
            configuration: config, source: file,
            hardware: StationHardware(bus: sim.bus, gpio: nil, now: { clock.now }),
            state: state, logger: logger, environment: [:],
            reload: { overlay throws(ConfigurationError) in
                try ConfigurationLoader.loadTracingOrigins(path: file, environment: [:], overlay: overlay)
                    .configuration
            }, notifier: SystemdNotifier(environment: [:]))
        let group = ServiceGroup(configuration: .init(services: assembly.services, logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        let client = ControlClient(path: ControlSocket.path(forDatabase: config.storage.path))
        func send(_ r: CalibrationRequest) throws -> ControlResponse {
            try client.send(.calibration(r), timeoutMs: 10_000)
        }
        // The socket is up once the service answers.
        let deadline = ContinuousClock.now + .seconds(120)
        while (try? send(.show)) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let shown = try send(.show)
        #expect(shown.calibration?.sensor == "adxl345" && shown.calibration?.source == nil)

        /// One step as the command measures it: two half-second windows, then judged.
        func step(_ face: Face?, during: (() -> Void)? = nil) throws -> (
            face: Face, window: CalibrationWindow
        ) {
            var windows: [CalibrationWindow] = []
            var wanted = 0
            for i in 0..<2 {
                if i == 1 { during?() }
                let r = try send(.measure(milliseconds: 500))
                #expect(r.ok, "\(r.message)")
                windows.append(try #require(r.calibration?.window))
                wanted += try #require(r.calibration?.wanted)
            }
            return try CalibrationMath.judge(windows, wanted: wanted, expected: face, rangeG: 16)
        }
        func turn(_ face: Face) {
            let g = face.gravity
            sim.turn(gravity: Vector3(g.x, g.y, g.z))
            Thread.sleep(forTimeInterval: 0.1)  // what the FIFO held from before the turn is read
        }

        // A knock in the middle of a step: refused as moved.
        turn(.plusZ)
        #expect {
            _ = try step(.plusZ) { sim.injectImpact(peakG: 6, duration: .milliseconds(20)) }
        } throws: { ($0 as? CalibrationRefusal)?.kind == .moved }
        // Asked for +X while it lies +Z up.
        #expect {
            _ = try step(.plusX)
        } throws: { ($0 as? CalibrationRefusal)?.description.contains("lies +Z up") == true }

        var means: [Face: SIMD3<Double>] = [:]
        for face in Face.sixPositionOrder {
            turn(face)
            means[face] = try step(face).window.mean
        }
        let result = try CalibrationMath.sixPosition(means)
        let truthOffset = SIMD3<Double>(0.040, -0.030, 0.080)
        let truthScale = 1 / SIMD3<Double>(1.03, 0.97, 1.05)
        // The chip's 3.9 mg steps and 10 mg noise over 400 samples: a few mg at most.
        #expect(largest(result.offsetG - truthOffset) < 0.005, "\(result.offsetG)")
        #expect(largest(result.scale - truthScale) < 0.005, "\(result.scale)")

        let saved = try send(
            .save(
                CalibrationFile(
                    sensor: "adxl345", address: 0x53, method: .sixPosition, measuredAt: "now",
                    offsetG: result.offsetG, scale: result.scale, residualG: result.residualG)))
        #expect(saved.ok, "\(saved.message)")
        #expect(saved.calibration?.source?.hasPrefix(dir + "/calibration.json (six-position") == true)
        // Applied at once: the live settings the sampler reads, and what it now records.
        #expect(largest(assembly.live.current.values.offsetG - result.offsetG) < 1e-5)
        // The second one-second summary after a turn is all corrected samples of the new face.
        turn(.plusX)
        var seen: [Date] = []
        let waitMotion = ContinuousClock.now + .seconds(60)
        while seen.count < 3, ContinuousClock.now < waitMotion {
            if let t = state.snapshot.lastMotion?.time, t != seen.last { seen.append(t) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let m = try #require(state.snapshot.lastMotion)
        #expect(abs(m.meanX - 1) < 0.01 && abs(m.meanY) < 0.01 && abs(m.meanZ) < 0.01, "\(m)")

        // A file for another chip is refused by the service, and nothing changes.
        let other = try send(
            .save(
                CalibrationFile(
                    sensor: "lis3dh", address: 0x18, method: .level, measuredAt: "", offsetG: .zero,
                    scale: .one)))
        #expect(!other.ok && other.message.contains("the station samples the adxl345 at 0x53"))
        // A scale the configuration refuses is not kept: the file stays as it was.
        let wild = try send(
            .save(
                CalibrationFile(
                    sensor: "adxl345", address: 0x53, method: .level, measuredAt: "", offsetG: .zero,
                    scale: SIMD3(1, 3, 1))))
        #expect(!wild.ok && wild.message.contains("accelerometer.calibration.scale"), "\(wild.message)")
        #expect(try CalibrationFile.read(dir + "/calibration.json")?.method == .sixPosition)

        // Reset: the configuration's (default) calibration applies again.
        let reset = try send(.reset)
        #expect(reset.ok && reset.calibration?.source == nil && reset.calibration?.offsetG == .zero)
        #expect(!FileManager.default.fileExists(atPath: dir + "/calibration.json"))
        #expect(assembly.live.current.values.offsetG == .zero)

        await group.triggerGracefulShutdown()
        try await running.value
        await assembly.shutdown()
    }
}
