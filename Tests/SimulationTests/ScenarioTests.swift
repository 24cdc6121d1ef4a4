import HAL
import Simulation
import Testing

@Suite("Scenario and clocks")
struct ScenarioTests {
    @Test("manual clock advances only forward")
    func manualClock() {
        let c = ManualSimulationClock()
        c.advance(by: .milliseconds(5))
        c.advance(by: .milliseconds(-3))
        #expect(c.now == .milliseconds(5))
        c.set(to: .seconds(1))
        c.set(to: .zero)
        #expect(c.now == .seconds(1))
    }

    @Test("realtime clock is monotonic and can run fast")
    func realtimeClock() {
        let c = RealtimeSimulationClock(offset: .seconds(100), speed: 60)
        let a = c.now
        let b = c.now
        #expect(a >= .seconds(100))
        #expect(b >= a)
    }

    @Test("half-sine and square pulses")
    func pulses() {
        let half = ScheduledPulse(
            at: .seconds(1), peakG: 6, duration: .milliseconds(10), direction: Vector3(0, 3, 4))
        #expect(half.direction == Vector3(0, 0.6, 0.8))
        let mid = half.acceleration(at: .seconds(1) + .milliseconds(5))
        #expect(abs(mid.magnitude - 6) < 1e-9)
        #expect(
            abs(half.acceleration(at: .seconds(1) + .microseconds(2500)).magnitude - 6 * 0.7071067811865476)
                < 1e-9)
        #expect(half.acceleration(at: .seconds(1) + .milliseconds(10)) == .zero)
        #expect(half.acceleration(at: .milliseconds(999)) == .zero)
        let square = ScheduledPulse(
            at: .zero, peakG: 2, duration: .milliseconds(3), direction: Vector3(1, 0, 0), shape: .square)
        #expect(square.acceleration(at: .milliseconds(2)) == Vector3(2, 0, 0))
    }

    @Test("acceleration: gravity in the configured orientation plus overlapping pulses")
    func acceleration() {
        let s = Scenario.quiet(
            gravity: Vector3(1, 0, 1),
            pulses: [
                ScheduledPulse(
                    at: .seconds(2), peakG: 3, duration: .seconds(1), direction: Vector3(0, 1, 0),
                    shape: .square),
                ScheduledPulse(
                    at: .seconds(1), peakG: 1, duration: .seconds(5), direction: Vector3(0, 0, -1),
                    shape: .square),
            ])
        let g = 0.7071067811865476
        #expect((s.acceleration(at: .milliseconds(500)) - Vector3(g, 0, g)).magnitude < 1e-12)
        let a = s.acceleration(at: .milliseconds(2500))
        #expect(abs(a.x - g) < 1e-12 && a.y == 3 && abs(a.z - (g - 1)) < 1e-12)
    }

    @Test("noise is deterministic, about 0.01 g, and depends on the seed")
    func noise() {
        let s = Scenario(
            seed: 3, weather: .constant(temperatureC: 20, pressurePa: 1e5, humidityPercent: 50), noiseG: 0.01)
        let times = (0..<20_000).map { Duration.microseconds(312 * $0) }
        let xs = times.map { s.acceleration(at: $0).x }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)).squareRoot()
        #expect(abs(mean) < 0.001)
        #expect(abs(sd - 0.01) < 0.001)
        #expect(xs == times.map { s.acceleration(at: $0).x })
        var other = s
        other.seed = 4
        #expect(other.acceleration(at: .seconds(1)) != s.acceleration(at: .seconds(1)))
    }

    @Test("weather drifts over the day within its ranges; humidity falls as temperature rises")
    func weather() {
        let s = Scenario.demo(seed: 1)
        let day = (0..<288).map { s.weather(at: .seconds($0 * 300)) }
        let temps = day.map(\.temperatureC)
        #expect(abs(temps.min()! - 14) < 0.01)
        #expect(abs(temps.max()! - 24) < 0.01)
        #expect(
            day.allSatisfy { abs($0.pressurePa - 101_325) <= 300 && (40...70).contains($0.humidityPercent) })
        let warmest = day.max { $0.temperatureC < $1.temperatureC }!
        let coldest = day.min { $0.temperatureC < $1.temperatureC }!
        #expect(abs(warmest.humidityPercent - 40) < 0.01)
        #expect(abs(coldest.humidityPercent - 70) < 0.01)
        #expect(s.weather(at: .seconds(15 * 3600)).temperatureC == 24)
    }

    @Test("the demo has a bump about every 20 s, an impact every 45–60 s and severe ones")
    func demoSchedule() {
        let s = Scenario.demo(seed: 9, horizon: .seconds(3600))
        let bumps = s.pulses.filter { $0.peakG < 4 }
        let impacts = s.pulses.filter { $0.peakG >= 4 }
        #expect(bumps.allSatisfy { (1.5...3).contains($0.peakG) })
        #expect((150...215).contains(bumps.count))
        #expect((58...82).contains(impacts.count))
        #expect(impacts.first!.at == .seconds(30))
        #expect(
            zip(impacts, impacts.dropFirst()).allSatisfy {
                ($1.at - $0.at) >= .seconds(45) && ($1.at - $0.at) <= .seconds(60)
            })
        let severe = impacts.filter { $0.peakG > 9 }
        #expect(severe.first.map { $0.at < .seconds(300) } == true)
        #expect(severe.count >= 10)
        #expect(Scenario.demo(seed: 9, horizon: .seconds(3600)) == s)
    }
}

@Suite("Simulated station")
struct SimulatedStationTests {
    @Test("the standard station: BME280 at 0x76, ADXL345 at 0x53, Pi GPIO names")
    func standard() throws {
        let station = SimulatedStation(clock: ManualSimulationClock(), scenario: .quiet())
        #expect(station.bus.presentAddresses == [0x53, 0x76])
        #expect(try station.bus.device(at: 0x76).readByte(register: 0xD0) == 0x60)
        #expect(try station.bus.device(at: 0x53).readByte(register: 0x00) == 0xE5)
        #expect(station.environmentalSensor?.variant == .bme280)
        #expect(station.accelerometer?.variant == .adxl345)
        #expect(station.gpio.offset(named: "GPIO27") == 27)
    }

    @Test("chip variants are selectable")
    func variants() throws {
        let station = SimulatedStation(
            clock: ManualSimulationClock(), scenario: .quiet(),
            chips: [SimulatedChipPlacement(.bmp280, at: 0x77), SimulatedChipPlacement(.adxl375, at: 0x1D)])
        #expect(station.bus.presentAddresses == [0x1D, 0x77])
        #expect(try station.bus.device(at: 0x77).readByte(register: 0xD0) == 0x58)
        #expect(station.accelerometer?.variant == .adxl375)
    }
}
