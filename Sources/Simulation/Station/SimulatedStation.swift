import HAL

/// The whole simulated hardware of a station: an I2C bus with the chip models, a GPIO chip named
/// like a Raspberry Pi's, one clock, one scenario and a live impact injector.
///
/// The executable hands `bus` and `gpio` to the service instead of the Linux adapters; tests and
/// the demo reach the models through `chips`, `environmentalSensor` and `accelerometer`.
public final class SimulatedStation: Sendable {
    public let clock: any SimulationClock
    public let scenario: Scenario
    public let injector: ImpactInjector
    public let bus: SimulatedI2CBus
    public let gpio: SimulatedGPIOChip
    /// The models by address.
    public let chips: [I2CAddress: any SimulatedI2CChip]

    /// - Parameters:
    ///   - clock: a `ManualSimulationClock` in tests, a `RealtimeSimulationClock` in the demo.
    ///   - chips: which models at which addresses (default: BME280 at 0x76, ADXL345 at 0x53).
    ///   - busPath: the bus's name in messages.
    ///   - logCapacity: transactions the bus keeps for inspection (0: none).
    public init(
        clock: any SimulationClock, scenario: Scenario = .demo(),
        chips: [SimulatedChipPlacement] = SimulatedChipPlacement.standard,
        busPath: String = "sim:i2c-1", logCapacity: Int = 0
    ) {
        self.clock = clock
        self.scenario = scenario
        let injector = ImpactInjector(clock: clock)
        self.injector = injector
        let bus = SimulatedI2CBus(path: busPath, clock: clock, logCapacity: logCapacity)
        var models: [I2CAddress: any SimulatedI2CChip] = [:]
        for placement in chips {
            let model = placement.kind.makeModel(clock: clock, scenario: scenario, injector: injector)
            bus.attach(model, at: placement.address)
            models[placement.address] = model
        }
        self.bus = bus
        self.chips = models
        self.gpio = SimulatedGPIOChip.raspberryPi(clock: clock)
    }

    /// The first BME280/BMP280 model, by address.
    public var environmentalSensor: SimulatedBME280? {
        chips.sorted { $0.key < $1.key }.lazy.compactMap { $0.value as? SimulatedBME280 }.first
    }

    /// The first ADXL345/ADXL375 model, by address.
    public var accelerometer: SimulatedADXL345? {
        chips.sorted { $0.key < $1.key }.lazy.compactMap { $0.value as? SimulatedADXL345 }.first
    }

    /// The first accelerometer model by address (any of the simulated kinds).
    public var interruptSource: (any SimulatedInterruptSource)? {
        chips.sorted { $0.key < $1.key }.lazy.compactMap { $0.value as? any SimulatedInterruptSource }.first
    }

    /// Wires the accelerometer's INT1 pin to `line` of the GPIO chip, as a board's wiring would,
    /// and (`follow`) starts the wire's thread for a real-time clock. Nil when there is no
    /// accelerometer or no such line.
    @discardableResult
    public func wireInterrupt(to line: LineSelector, follow: Bool = true) -> SimulatedInterruptWire? {
        guard let source = interruptSource, let offset = try? gpio.offset(of: line) else { return nil }
        let wire = SimulatedInterruptWire(source: source, gpio: gpio, offset: offset, clock: clock)
        if follow { wire.start() }
        return wire
    }

    /// Gravity's direction in the sensor frame now: the scenario's until the station is turned.
    public var gravity: Vector3 { injector.gravity ?? scenario.gravity }

    /// Turns the station so that gravity reads along `gravity` (see `ImpactInjector.turn`).
    public func turn(gravity: Vector3) {
        injector.turn(gravity: gravity)
    }

    /// The six ways a box can lie, each face up once, in the order the demo's key turns it:
    /// +z (lying flat), −z, +x, −x, +y, −y up. At rest the sensor reads +1 g along the up axis.
    public static let faces: [Vector3] = [
        Vector3(0, 0, 1), Vector3(0, 0, -1), Vector3(1, 0, 0), Vector3(-1, 0, 0), Vector3(0, 1, 0),
        Vector3(0, -1, 0),
    ]

    /// Turns the station onto the next of `faces` after the one nearest to where it lies now
    /// (the demo's key); returns the new up direction.
    @discardableResult
    public func turnToNextFace() -> Vector3 {
        let now = gravity
        let nearest = Self.faces.indices.max { Self.faces[$0].dot(now) < Self.faces[$1].dot(now) } ?? 0
        let next = Self.faces[(nearest + 1) % Self.faces.count]
        turn(gravity: next)
        return next
    }

    /// Adds an impact now (the demo's key): see `ImpactInjector.inject`.
    @discardableResult
    public func injectImpact(
        peakG: Double = 7, duration: Duration = .milliseconds(15), direction: Vector3 = Vector3(1, 0, 0)
    ) -> ScheduledPulse {
        injector.inject(peakG: peakG, duration: duration, direction: direction)
    }

    /// Drops the station from `height` metres at rest (the demo's key): for √(2h/g) it reads no
    /// gravity (a 1 g square pulse against it, as falling does), then lands: a half-sine along
    /// gravity's reading lasting `landing` that takes away the √(2gh) the fall built (ΔV), so its
    /// peak is √(2gh)·π / (2·landing) — 14.2 g for 1 m in 50 ms. Returns the landing.
    @discardableResult
    public func injectDrop(height: Double = 1, landing: Duration = .milliseconds(50)) -> ScheduledPulse {
        let g0 = 9.80665
        let fall = Duration.nanoseconds(Int64((2 * height / g0).squareRoot() * 1e9))
        let speed = (2 * g0 * height).squareRoot()
        let peak = speed * Double.pi / (2 * landing.simSeconds) / g0
        let down = gravity
        injector.inject(peakG: 1, duration: fall, direction: down * -1, shape: .square)
        return injector.inject(peakG: peak, duration: landing, direction: down, delay: fall)
    }
}
