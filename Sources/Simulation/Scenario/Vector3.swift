/// A 3-axis quantity in the sensor frame (acceleration in g, or a direction).
public struct Vector3: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    public init(_ x: Double, _ y: Double, _ z: Double) {
        self.init(x: x, y: y, z: z)
    }

    public static let zero = Vector3(0, 0, 0)

    public var magnitude: Double { (x * x + y * y + z * z).squareRoot() }

    /// This vector scaled to length 1 (zero stays zero).
    public var normalized: Vector3 {
        let m = magnitude
        return m > 0 ? self / m : .zero
    }

    public static func + (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x + b.x, a.y + b.y, a.z + b.z) }
    public static func - (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x - b.x, a.y - b.y, a.z - b.z) }
    public static func * (a: Vector3, k: Double) -> Vector3 { Vector3(a.x * k, a.y * k, a.z * k) }
    public static func / (a: Vector3, k: Double) -> Vector3 { Vector3(a.x / k, a.y / k, a.z / k) }
    public static func += (a: inout Vector3, b: Vector3) { a = a + b }

    public func dot(_ b: Vector3) -> Double { x * b.x + y * b.y + z * b.z }

    public var description: String { "(\(x), \(y), \(z))" }
}
