import Detection
import Foundation
import TestSupport

/// HIC's power: x^2.5.
func pow25(_ x: Double) -> Double { pow(x, 2.5) }

/// A pulse added to gravity: half-sine a(t) = A·sin(π(t − start)/T) or square a(t) = A on
/// [start, start + T), along `direction` (normalised here), amplitude in g with gravity removed.
struct Pulse: Sendable {
    enum Shape: Sendable { case halfSine, square }
    var shape: Shape
    var amplitude: Double
    var duration: Double
    var start: Double
    var direction: SIMD3<Double>

    init(
        _ shape: Shape, amplitude: Double, duration: Double, start: Double,
        direction: SIMD3<Double> = SIMD3(0, 0, 1)
    ) {
        self.shape = shape
        self.amplitude = amplitude
        self.duration = duration
        self.start = start
        let n = (direction * direction).sum().squareRoot()
        self.direction = direction / n
    }

    func value(at t: Double) -> Double {
        let u = t - start
        guard u >= 0, u < duration else { return 0 }
        switch shape {
        case .square: return amplitude
        case .halfSine: return amplitude * sin(.pi * u / duration)
        }
    }
}

/// A synthetic recording: samples at `rate` Hz for `length` seconds of gravity (a vector, any
/// orientation) plus pulses plus Gaussian noise, with optional missing stretches (gaps), per-axis
/// clipping at a full scale with the saturation flag, and timing jitter.
struct SyntheticTrace: Sendable {
    var rate: Double = 1000
    var length: Double = 3
    var gravity = SIMD3<Double>(0, 0, 1)
    var pulses: [Pulse] = []
    var noise = 0.0
    var seed: UInt64 = 1
    var gaps: [ClosedRange<Double>] = []
    var clipG: Double?
    /// Each time moved by up to ± this fraction of a period (uniform), keeping order.
    var jitter = 0.0

    var samples: [MotionSample] {
        var rng = SplitMix64(seed: seed)
        let n = Int((length * rate).rounded())
        var out: [MotionSample] = []
        out.reserveCapacity(n)
        for k in 0..<n {
            var t = Double(k) / rate
            if jitter > 0 { t += Double.random(in: -jitter...jitter, using: &rng) / rate }
            if gaps.contains(where: { $0.contains(t) }) { continue }
            var a = gravity
            for p in pulses { a += p.direction * p.value(at: t) }
            if noise > 0 { a += SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * noise }
            var saturated = false
            if let c = clipG {
                for i in 0..<3 where abs(a[i]) > c {
                    a[i] = a[i] > 0 ? c : -c
                    saturated = true
                }
            }
            out.append(MotionSample(t: t, x: a.x, y: a.y, z: a.z, saturated: saturated))
        }
        return out
    }
}

/// Runs a detector over samples to the end of the stream.
func detect(_ samples: [MotionSample], _ settings: DetectorSettings = DetectorSettings()) -> [ImpactEvent] {
    var d = ImpactDetector(settings: settings)
    var events: [ImpactEvent] = []
    for s in samples { events += d.process(s) }
    return events + d.finish()
}

func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
