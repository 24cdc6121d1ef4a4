/// One accelerometer reading: time on the sampler's monotonic timeline and the three axes as the
/// sensor measured them, gravity included (about 1 g at rest, in whatever direction the sensor sits).
public struct MotionSample: Sendable, Equatable {
    /// Seconds on a monotonic timeline (only differences matter; never the wall clock).
    public var t: Double
    /// Acceleration along the sensor's axes, in g (1 g = 9.80665 m/s²).
    public var x: Double
    public var y: Double
    public var z: Double
    /// The driver saw at least one axis at the full-scale limit: the true value may be larger.
    public var saturated: Bool

    public init(t: Double, x: Double, y: Double, z: Double, saturated: Bool = false) {
        self.t = t
        self.x = x
        self.y = y
        self.z = z
        self.saturated = saturated
    }

    /// The vector magnitude |a| = sqrt(x² + y² + z²) in g, gravity included.
    @inlinable public var magnitude: Double { magnitudeSquared.squareRoot() }

    /// x² + y² + z² in g². The detector compares this with squared thresholds: no square root per
    /// sample, and "at or above the threshold" means exactly the same everywhere.
    @inlinable public var magnitudeSquared: Double { x * x + y * y + z * z }

    /// The axes as a vector, in g.
    @inlinable public var vector: SIMD3<Double> { SIMD3(x, y, z) }
}
