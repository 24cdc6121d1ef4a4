import Foundation

/// What the simulated sensors experience: weather, the accelerometer's orientation and noise,
/// and scheduled pulses (bumps, impacts, crashes). A pure value, deterministic from its seed:
/// the same scenario gives the same readings whatever the read pattern.
public struct Scenario: Sendable, Equatable {
    /// Seeds the accelerometer noise (and, for generated scenarios, the event schedule).
    public var seed: UInt64
    public var weather: WeatherModel
    /// Direction of gravity in the sensor frame (unit vector; at rest the sensor reads +1 g along
    /// it: a chip lying flat, z up, reads (0, 0, +1)).
    public var gravity: Vector3
    /// Standard deviation of the accelerometer noise, g per axis.
    public var noiseG: Double
    /// The accelerometer's own error (zero-g offset and sensitivity), which calibration removes.
    public var sensorError = SensorError()
    /// Pulses sorted by start time.
    public private(set) var pulses: [ScheduledPulse]
    /// The longest pulse, for the search window.
    private var longestPulse: Duration

    public init(
        seed: UInt64 = 0, weather: WeatherModel = WeatherModel(), gravity: Vector3 = Vector3(0, 0, 1),
        noiseG: Double = 0.01, pulses: [ScheduledPulse] = []
    ) {
        self.seed = seed
        self.weather = weather
        self.gravity = gravity.normalized
        self.noiseG = noiseG
        self.pulses = pulses.sorted { $0.at < $1.at }
        self.longestPulse = pulses.map(\.duration).max() ?? .zero
    }

    /// Adds a pulse, keeping the schedule sorted.
    public mutating func add(_ pulse: ScheduledPulse) {
        let i = pulses.firstIndex { $0.at > pulse.at } ?? pulses.endIndex
        pulses.insert(pulse, at: i)
        longestPulse = max(longestPulse, pulse.duration)
    }

    // MARK: Signals

    public func weather(at time: Duration) -> Weather {
        weather.weather(at: time)
    }

    /// Acceleration in g at `time`: gravity + noise + every active pulse.
    public func acceleration(at time: Duration) -> Vector3 {
        var a = gravity
        if noiseG > 0 {
            let ns = time.simNanoseconds
            a +=
                Vector3(
                    Noise.gaussian(seed: seed, nanoseconds: ns, axis: 1),
                    Noise.gaussian(seed: seed, nanoseconds: ns, axis: 2),
                    Noise.gaussian(seed: seed, nanoseconds: ns, axis: 3)) * noiseG
        }
        a += pulseAcceleration(at: time)
        return a
    }

    /// The sum of the scheduled pulses at `time` (g, gravity excluded).
    public func pulseAcceleration(at time: Duration) -> Vector3 {
        guard !pulses.isEmpty else { return .zero }
        // First pulse starting after `time`; candidates start within `longestPulse` before it.
        var lo = 0
        var hi = pulses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pulses[mid].at <= time { lo = mid + 1 } else { hi = mid }
        }
        var sum = Vector3.zero
        var i = lo - 1
        let earliest = time - longestPulse
        while i >= 0, pulses[i].at >= earliest {
            sum += pulses[i].acceleration(at: time)
            i -= 1
        }
        return sum
    }

    /// Pulses that overlap `range` (for tests and the demo's event list).
    public func pulses(in range: Range<Duration>) -> [ScheduledPulse] {
        pulses.filter { $0.at < range.upperBound && $0.end > range.lowerBound }
    }

    // MARK: Presets

    /// Still weather, no events, an optional noise level: for tests.
    public static func quiet(
        seed: UInt64 = 0,
        weather: WeatherModel = .constant(temperatureC: 20, pressurePa: 101_325, humidityPercent: 50),
        gravity: Vector3 = Vector3(0, 0, 1), noiseG: Double = 0, pulses: [ScheduledPulse] = []
    ) -> Scenario {
        Scenario(seed: seed, weather: weather, gravity: gravity, noiseG: noiseG, pulses: pulses)
    }

    /// A scenario for a person watching: weather drifting over the day (14–24 °C, ±300 Pa,
    /// 40–70 %RH), a sensor tilted off vertical, a bump (1.5–3 g, 40–80 ms) about every 20 s and
    /// an impact (5–8 g, 8–20 ms) every 45–60 s; every fifth impact, from the third on, is severe
    /// (9.5–13 g). Events are generated for `horizon` from the scenario start.
    public static func demo(seed: UInt64 = 1, horizon: Duration = .seconds(24 * 3600)) -> Scenario {
        demo(seed: seed, horizon: horizon, firstImpact: 30, impactEvery: 45...60)
    }

    /// The demo's weather, mount and bumps with an impact every 3–5 s from about 2 s on (every
    /// fifth from the third severe): for crash tests, end-to-end tests and tuning thresholds.
    public static func frequentImpacts(seed: UInt64 = 1, horizon: Duration = .seconds(24 * 3600)) -> Scenario
    {
        demo(seed: seed, horizon: horizon, firstImpact: 2, impactEvery: 3...5)
    }

    static func demo(seed: UInt64, horizon: Duration, firstImpact: Double, impactEvery: ClosedRange<Double>)
        -> Scenario
    {
        var rng = SeededGenerator(seed: seed)
        func direction() -> Vector3 {
            // Mostly horizontal hits with some vertical component.
            let angle = Double.random(in: 0..<(2 * Double.pi), using: &rng)
            let z = Double.random(in: -0.5...0.5, using: &rng)
            return Vector3(cosine(angle), sine(angle), z).normalized
        }
        func ms(_ range: ClosedRange<Int>) -> Duration { .milliseconds(Int.random(in: range, using: &rng)) }

        var pulses: [ScheduledPulse] = []
        let horizonS = horizon.simSeconds
        // Bumps: every 20 s ± 3 s, first at about 10 s.
        var t = 10.0
        while t < horizonS {
            pulses.append(
                ScheduledPulse(
                    at: .milliseconds(Int64(t * 1000)), peakG: Double.random(in: 1.5...3, using: &rng),
                    duration: ms(40...80), direction: direction(), shape: .halfSine))
            t += Double.random(in: 17...23, using: &rng)
        }
        // Impacts: the first at `firstImpact` s, then every `impactEvery` s.
        t = firstImpact
        var n = 0
        while t < horizonS {
            let severe = n >= 2 && (n - 2) % 5 == 0
            pulses.append(
                ScheduledPulse(
                    at: .milliseconds(Int64(t * 1000)),
                    peakG: severe
                        ? Double.random(in: 9.5...13, using: &rng) : Double.random(in: 5...8, using: &rng),
                    duration: ms(8...20), direction: direction(), shape: .halfSine))
            n += 1
            t += Double.random(in: impactEvery, using: &rng)
        }
        let weather = WeatherModel(pressurePhase: Double.random(in: 0..<1, using: &rng))
        // Tilted mount: about 20° off vertical.
        return Scenario(
            seed: seed, weather: weather, gravity: Vector3(0.26, -0.2, 0.94), noiseG: 0.01, pulses: pulses)
    }
}

private func cosine(_ x: Double) -> Double { cos(x) }
private func sine(_ x: Double) -> Double { sin(x) }

/// An accelerometer's per-axis error as datasheets give it: each axis reads
/// `true × gain + offsetG` (ADXL345: zero-g offset up to ±150 mg, sensitivity ±10 %).
public struct SensorError: Sendable, Equatable {
    public var offsetG: Vector3
    public var gain: Vector3
    /// How far the chip's oscillator is off: its output data rate is nominal × (1 + rateError)
    /// (datasheets allow a few per cent). Modelled by the ADXL345/ADXL375.
    public var rateError: Double

    public init(offsetG: Vector3 = .zero, gain: Vector3 = Vector3(1, 1, 1), rateError: Double = 0) {
        self.offsetG = offsetG
        self.gain = gain
        self.rateError = rateError
    }

    /// What the chip reads for the true acceleration `a`.
    public func measured(_ a: Vector3) -> Vector3 {
        Vector3(a.x * gain.x + offsetG.x, a.y * gain.y + offsetG.y, a.z * gain.z + offsetG.z)
    }
}
