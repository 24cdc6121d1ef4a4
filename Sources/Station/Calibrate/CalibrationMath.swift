import Foundation

/// A face of the station pointing up: the axis that reads +1 g (`+x`) or −1 g (`-x`) at rest.
public enum Face: String, Sendable, CaseIterable, Codable {
    case plusX = "+x", minusX = "-x", plusY = "+y", minusY = "-y", plusZ = "+z", minusZ = "-z"

    /// The order the six-position procedure asks for them.
    public static let sixPositionOrder: [Face] = [.plusZ, .minusZ, .plusX, .minusX, .plusY, .minusY]

    public var axis: Int {
        switch self {
        case .plusX, .minusX: 0
        case .plusY, .minusY: 1
        case .plusZ, .minusZ: 2
        }
    }

    public var sign: Double {
        switch self {
        case .plusX, .plusY, .plusZ: 1
        case .minusX, .minusY, .minusZ: -1
        }
    }

    /// Gravity's reading at rest with this face up, in g.
    public var gravity: SIMD3<Double> {
        var v = SIMD3<Double>.zero
        v[axis] = sign
        return v
    }

    /// "+X up".
    public var label: String { rawValue.uppercased() + " up" }

    /// How far `v` points from this face's axis, in degrees (0: straight along it).
    public func degrees(from v: SIMD3<Double>) -> Double {
        acos(min(1, abs(v[axis]) / (v * v).sum().squareRoot())) * 180 / .pi
    }

    /// The face nearest to up for a reading at rest.
    public static func nearest(to mean: SIMD3<Double>) -> Face {
        let axis = (0..<3).max { abs(mean[$0]) < abs(mean[$1]) } ?? 2
        let positive = mean[axis] >= 0
        switch axis {
        case 0: return positive ? .plusX : .minusX
        case 1: return positive ? .plusY : .minusY
        default: return positive ? .plusZ : .minusZ
        }
    }
}

/// Why a calibration step or result was refused, as the operator is told it.
public struct CalibrationRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The station moved or shook during the step.
        case moved
        /// It lay on another face than asked, or not on a face at all.
        case position
        /// Too few samples came (the sampler is faulted or stalls).
        case samples
    }
    public var kind: Kind
    public var description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// The arithmetic of accelerometer calibration (Analog Devices AN-1057, "Using an Accelerometer
/// for Inclination Sensing", offset and gain calibration): a station at rest reads gravity, 1 g
/// along its up axis, so what it reads beyond that is the chip's error.
///
/// - Level (one position, a face down on a level surface): each axis's offset is its reading
///   minus gravity's share (0 on the two level axes, ±1 g on the vertical one). The scale stays.
/// - Six positions (each axis up, then down): an axis reads `p = g·s + o` up and `n = −g·s + o`
///   down, so `o = (p + n) / 2` and the correction's scale is `2 / (p − n)`.
public enum CalibrationMath {
    /// The limits of a step at rest: the mean of each window may wander at most this far from
    /// the step's mean (g); at the chip's range/2000 when that is coarser (a ±400 g chip's LSB).
    public static func meanTolerance(rangeG: Double) -> Double { max(0.03, rangeG / 2000) }
    /// And the samples' spread (standard deviation per axis) at most this: noise, not handling.
    public static func spreadLimit(rangeG: Double) -> Double { max(0.06, rangeG / 1000) }

    /// Nil when the windows of one step show a station at rest, else what moved.
    public static func stillness(_ windows: [CalibrationWindow], rangeG: Double) -> CalibrationRefusal? {
        let whole = windows.reduce(CalibrationWindow()) { $0.combined(with: $1) }
        guard whole.count > 0 else { return CalibrationRefusal(.samples, "no samples came") }
        if whole.saturated > 0 {
            return CalibrationRefusal(
                .moved,
                "the station moved: \(whole.saturated) samples hit the end of the ±\(format(rangeG)) g range")
        }
        let tolerance = meanTolerance(rangeG: rangeG)
        var drift = 0.0
        for w in windows where w.count > 0 {
            let d = w.mean - whole.mean
            drift = max(drift, abs(d.x), abs(d.y), abs(d.z))
        }
        if drift > tolerance {
            return CalibrationRefusal(
                .moved,
                "the station moved: its reading changed by \(format(drift, 3)) g during the step (at most \(format(tolerance, 3)) g); hold it still"
            )
        }
        let spread = whole.standardDeviation.max()
        let limit = spreadLimit(rangeG: rangeG)
        if spread > limit {
            return CalibrationRefusal(
                .moved,
                "the station shook: its reading varied by \(format(spread, 3)) g (standard deviation; at most \(format(limit, 3)) g); put it on something that does not vibrate"
            )
        }
        return nil
    }

    /// Checks that a station at rest lies with `face` up (nil: any face, for the level method)
    /// and returns the face it lies on. Refused when it reads far from 1 g, lies on another face,
    /// or is tilted more than the method allows: `tiltG` on the level axes (0.25 g, about 14°, for
    /// the level method, whose offsets absorb a tilt; 0.35 g for six positions, whose ± pairs
    /// cancel it in the offset, and whose result is refused when a tilt shows in the scale: see
    /// `maxResidualG`).
    public static func position(_ mean: SIMD3<Double>, expected face: Face?, tiltG: Double)
        throws(CalibrationRefusal)
        -> Face
    {
        let magnitude = (mean * mean).sum().squareRoot()
        guard (0.7...1.3).contains(magnitude) else {
            throw CalibrationRefusal(
                .position,
                "the station reads \(format(magnitude, 3)) g at rest, not about 1 g: is the chip's range or the configured sensor wrong?"
            )
        }
        let found = Face.nearest(to: mean)
        if let face, face != found {
            throw CalibrationRefusal(
                .position,
                "expected \(face.label), but the station lies \(found.label); turn it and try again")
        }
        let level = (0..<3).filter { $0 != found.axis }.map { abs(mean[$0]) }.max() ?? 0
        guard level <= tiltG else {
            let degrees = found.degrees(from: mean)
            throw CalibrationRefusal(
                .position,
                "the station is tilted about \(Int(degrees.rounded()))° from \(found.label) (level axes read up to \(format(level, 2)) g, at most \(format(tiltG, 2)) g); put it on a level surface, one face down"
            )
        }
        return found
    }

    /// Judges one step: `windows` measured in a row, `wanted` the samples the rate promised
    /// over them, `expected` the face asked for (nil: the level method, any face). Returns the
    /// face and the step's whole window, or why the step does not count: too few samples (a
    /// tenth of what the rate promises, and at least 10: a mean of a few hundred is as good as
    /// of thousands, but a sampler that barely reads is faulty), the station moved or shook, or
    /// lay otherwise than asked.
    public static func judge(
        _ windows: [CalibrationWindow], wanted: Int, expected: Face?, rangeG: Double
    ) throws(CalibrationRefusal) -> (face: Face, window: CalibrationWindow) {
        let whole = try atRest(windows, wanted: wanted, rangeG: rangeG)
        let face = try position(whole.mean, expected: expected, tiltG: expected == nil ? 0.25 : 0.35)
        return (face, whole)
    }

    /// The windows of one measurement as one, when enough samples came (see `judge`) and the
    /// station stayed still (`stillness`); whichever way it lay.
    public static func atRest(
        _ windows: [CalibrationWindow], wanted: Int, rangeG: Double
    ) throws(CalibrationRefusal) -> CalibrationWindow {
        let whole = windows.reduce(CalibrationWindow()) { $0.combined(with: $1) }
        if whole.count * 10 < wanted || whole.count < 10 {
            throw CalibrationRefusal(
                .samples,
                "only \(whole.count) of \(wanted) samples came; see sensorstation status for what sampling lost"
            )
        }
        if let moved = stillness(windows, rangeG: rangeG) { throw moved }
        return whole
    }

    public struct Result: Sendable, Equatable {
        public var offsetG: SIMD3<Double>
        public var scale: SIMD3<Double>
        /// The largest difference from 1 g left at the measured positions after the correction.
        public var residualG: Double?
    }

    /// Offsets from one position at rest (`mean`, lying `face` up), keeping `scale`: the
    /// corrected reading is then exactly gravity.
    public static func level(mean: SIMD3<Double>, face: Face, scale: SIMD3<Double>) -> Result {
        Result(offsetG: mean - face.gravity / scale, scale: scale, residualG: nil)
    }

    /// The most a six-position result may leave between a position's corrected reading and 1 g.
    /// A position tilted by θ reads its axis cos θ short, so that axis's scale comes out too large
    /// and the position reads more than 1 g: 20° gives 0.03 g and a 3 % scale error. A chip's own
    /// cross-axis sensitivity (ADXL345: ±1 %) stays within 0.01 g.
    public static let maxResidualG = 0.02

    /// Offset and scale per axis from the six positions' means (each face up once); refused when
    /// a position was tilted (see `maxResidualG`).
    public static func sixPosition(_ means: [Face: SIMD3<Double>]) throws(CalibrationRefusal) -> Result {
        var offset = SIMD3<Double>.zero
        var scale = SIMD3<Double>.one
        for axis in 0..<3 {
            let up = Face.allCases.first { $0.axis == axis && $0.sign > 0 }!
            let down = Face.allCases.first { $0.axis == axis && $0.sign < 0 }!
            guard let p = means[up]?[axis], let n = means[down]?[axis] else {
                throw CalibrationRefusal(.position, "\(up.label) and \(down.label) are both needed")
            }
            offset[axis] = (p + n) / 2
            scale[axis] = 2 / (p - n)
        }
        var residual = 0.0
        for mean in means.values {
            let corrected = (mean - offset) * scale
            residual = max(residual, abs((corrected * corrected).sum().squareRoot() - 1))
        }
        guard residual <= maxResidualG else {
            throw CalibrationRefusal(
                .position,
                "the positions were not square: corrected, one of them reads \(format(residual, 3)) g away from 1 g (at most \(format(maxResidualG, 2)) g); a tilted surface or a turn that was not a quarter: repeat them on a level surface"
            )
        }
        return Result(offsetG: offset, scale: scale, residualG: residual)
    }

    public static func format(_ v: Double, _ places: Int = 1) -> String {
        v == v.rounded() && places == 1 ? String(Int(v)) : String(format: "%.\(places)f", v)
    }
}
