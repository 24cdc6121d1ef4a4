import Drivers
import Foundation
import HAL
import Simulation
import Testing

@testable import Station

/// Each accelerometer driver against its register-level model on the simulated bus: the driver
/// reads the scenario's gravity vector at every range within the chip's resolution, and FIFO
/// drains (and data-ready polling) lose nothing over simulated minutes.
@Suite("Drivers on simulated chips")
struct DriversOnSimulatedChipsTests {
    /// A chip, a range and a rate, with the chip's sensitivity from its datasheet (g per LSB),
    /// written here independently of the drivers and the models.
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: SimulatedChipKind
        var rangeG: Double
        var odrHz: Double
        var gPerLSB: Double
        var fifo: Bool = true
        var testDescription: String { "\(kind.rawValue) ±\(rangeG) g \(odrHz) Hz\(fifo ? "" : " polled")" }
    }

    static let cases: [Case] = [
        // ADXL345 full resolution: 3.9 mg/LSB (1/256 g) at every range; ADXL375: 49 mg/LSB.
        .init(kind: .adxl345, rangeG: 2, odrHz: 100, gPerLSB: 1.0 / 256),
        .init(kind: .adxl345, rangeG: 4, odrHz: 100, gPerLSB: 1.0 / 256),
        .init(kind: .adxl345, rangeG: 8, odrHz: 100, gPerLSB: 1.0 / 256),
        .init(kind: .adxl345, rangeG: 16, odrHz: 100, gPerLSB: 1.0 / 256),
        .init(kind: .adxl345, rangeG: 16, odrHz: 100, gPerLSB: 1.0 / 256, fifo: false),
        .init(kind: .adxl375, rangeG: 200, odrHz: 100, gPerLSB: 0.049),
        // LIS3DH table 4: high resolution 1/2/4/12 mg/digit; low power 16/32/64/192.
        .init(kind: .lis3dh, rangeG: 2, odrHz: 100, gPerLSB: 0.001),
        .init(kind: .lis3dh, rangeG: 4, odrHz: 100, gPerLSB: 0.002),
        .init(kind: .lis3dh, rangeG: 8, odrHz: 100, gPerLSB: 0.004),
        .init(kind: .lis3dh, rangeG: 16, odrHz: 100, gPerLSB: 0.012),
        .init(kind: .lis3dh, rangeG: 16, odrHz: 100, gPerLSB: 0.012, fifo: false),
        .init(kind: .lis3dh, rangeG: 2, odrHz: 1600, gPerLSB: 0.016),
        .init(kind: .lis3dh, rangeG: 16, odrHz: 5376, gPerLSB: 0.192),
        // LIS331HH 3/6/12 mg/digit; H3LIS331DL 49/98/195 mg/digit.
        .init(kind: .lis331hh, rangeG: 6, odrHz: 100, gPerLSB: 0.003, fifo: false),
        .init(kind: .lis331hh, rangeG: 12, odrHz: 100, gPerLSB: 0.006, fifo: false),
        .init(kind: .lis331hh, rangeG: 24, odrHz: 100, gPerLSB: 0.012, fifo: false),
        .init(kind: .h3lis331dl, rangeG: 100, odrHz: 100, gPerLSB: 0.049, fifo: false),
        .init(kind: .h3lis331dl, rangeG: 200, odrHz: 100, gPerLSB: 0.098, fifo: false),
        .init(kind: .h3lis331dl, rangeG: 400, odrHz: 100, gPerLSB: 0.195, fifo: false),
        // MPU-6050 AFS_SEL: 16384/8192/4096/2048 LSB/g.
        .init(kind: .mpu6050, rangeG: 2, odrHz: 100, gPerLSB: 1.0 / 16384, fifo: false),
        .init(kind: .mpu6050, rangeG: 4, odrHz: 100, gPerLSB: 1.0 / 8192, fifo: false),
        .init(kind: .mpu6050, rangeG: 8, odrHz: 100, gPerLSB: 1.0 / 4096, fifo: false),
        .init(kind: .mpu6050, rangeG: 16, odrHz: 100, gPerLSB: 1.0 / 2048, fifo: false),
        .init(kind: .mpu6050, rangeG: 2, odrHz: 100, gPerLSB: 1.0 / 16384),
        .init(kind: .mpu6050, rangeG: 16, odrHz: 1000, gPerLSB: 1.0 / 2048),
    ]

    /// The driver for `c` on `device`.
    static func open(_ c: Case, _ device: any I2CDevice) throws -> any Accelerometer {
        switch c.kind {
        case .adxl345, .adxl375:
            let model: ChipModel = c.kind == .adxl345 ? .adxl345 : .adxl375
            return try ADXL345(
                device: device, model: model, settings: .init(rangeG: c.rangeG, odrHz: c.odrHz, fifo: c.fifo))
        case .lis3dh:
            return try LIS3DH(device: device, settings: .init(rangeG: c.rangeG, odrHz: c.odrHz, fifo: c.fifo))
        case .lis331hh, .h3lis331dl:
            return try LIS331(
                device: device, model: c.kind == .lis331hh ? .lis331hh : .h3lis331dl,
                settings: .init(rangeG: c.rangeG, odrHz: c.odrHz))
        case .mpu6050:
            return try MPU6050(
                device: device, settings: .init(rangeG: c.rangeG, odrHz: c.odrHz, fifo: c.fifo),
                sleep: { _ in })
        case .bme280, .bmp280:
            throw DriverError(
                kind: .invalidSetting("\(c.kind) is not an accelerometer", allowed: "accelerometers"),
                busPath: device.busPath, address: device.address)
        }
    }

    /// The station with one chip of `kind` at its default address, on a manual clock.
    static func station(_ kind: SimulatedChipKind, scenario: Scenario) -> (
        SimulatedStation, ManualSimulationClock
    ) {
        let clock = ManualSimulationClock()
        return (SimulatedStation(clock: clock, scenario: scenario, chips: [.init(kind)]), clock)
    }

    /// The capability tables (what configuration validation and the docs offer) against the
    /// drivers: every listed range and rate opens on the simulated chip, through the FIFO exactly
    /// when the table says the driver reads one, and a range outside the table is refused.
    @Test(
        "every range and rate of a chip's capability table opens its driver on the simulated chip",
        arguments: ChipModel.allCases.filter { $0.accelerometer != nil })
    func capabilitiesOpen(_ model: ChipModel) throws {
        let cap = try #require(model.accelerometer)
        let kind = try #require(SimulatedChipKind(rawValue: model.rawValue))
        #expect(cap.addresses.contains(kind.defaultAddress))
        let rates: [Double]
        switch cap.rates {
        case .table(let table): rates = table
        case .range(let r): rates = [r.lowerBound, 100, cap.defaultODRHz, r.upperBound]
        }
        #expect(cap.rangesG.contains(cap.defaultRangeG) && cap.rates.contains(cap.defaultODRHz))
        for range in cap.rangesG {
            for rate in rates {
                let (station, _) = Self.station(kind, scenario: .quiet(gravity: Vector3(0, 0, 1)))
                let device = try station.bus.device(at: kind.defaultAddress)
                do {
                    let driver = try AccelerometerFactory.open(
                        model: model, device: device, rangeG: Double(range), odrHz: rate,
                        fifo: cap.hasFIFO, sleep: { _ in })
                    #expect(driver.usesFIFO == cap.hasFIFO, "\(model) ±\(range) g \(rate) Hz")
                } catch {
                    Issue.record("\(model) ±\(range) g \(rate) Hz: \(error)")
                }
            }
        }
        let (station, _) = Self.station(kind, scenario: .quiet(gravity: Vector3(0, 0, 1)))
        #expect(throws: DriverError.self) {
            _ = try AccelerometerFactory.open(
                model: model, device: try station.bus.device(at: kind.defaultAddress), rangeG: 3,
                odrHz: cap.defaultODRHz, fifo: false, sleep: { _ in })
        }
    }

    @Test("every simulated accelerometer kind is a driver ChipModel")
    func kindsMatchModels() {
        for kind in SimulatedChipKind.allCases {
            #expect(ChipModel(rawValue: kind.rawValue) != nil, "\(kind.rawValue)")
        }
    }

    @Test("the driver reads the scenario's gravity within half a step", arguments: cases)
    func gravity(_ c: Case) throws {
        // Tilted ~20° as in the demo; no noise, so the only error is the chip's rounding.
        let g = Vector3(0.26, -0.2, 0.94).normalized
        let (station, clock) = Self.station(c.kind, scenario: .quiet(gravity: g))
        let driver = try Self.open(c, try station.bus.device(at: c.kind.defaultAddress))
        #expect(driver.usesFIFO == c.fifo)
        clock.advance(by: .milliseconds(100))
        let samples = try driver.read(now: clock.now)
        // 100 ms: the FIFO holds every sample (at most its 32; the MPU-6050's 170); polling finds
        // the newest.
        let depth = c.kind == .mpu6050 ? 170 : 32
        #expect(samples.count == (c.fifo ? min(depth, Int(c.odrHz / 10)) : 1))
        for s in samples {
            #expect(abs(s.x - g.x) <= c.gPerLSB / 2 + 1e-9, "x \(s.x) vs \(g.x)")
            #expect(abs(s.y - g.y) <= c.gPerLSB / 2 + 1e-9, "y \(s.y) vs \(g.y)")
            #expect(abs(s.z - g.z) <= c.gPerLSB / 2 + 1e-9, "z \(s.z) vs \(g.z)")
            #expect(!s.saturated)
        }
        #expect(try driver.read(now: clock.now).isEmpty)  // nothing new
    }

    @Test(
        "an impact beyond the range reads as saturated at ± full scale",
        arguments: [
            Case(kind: .adxl345, rangeG: 2, odrHz: 800, gPerLSB: 1.0 / 256),
            Case(kind: .lis3dh, rangeG: 2, odrHz: 400, gPerLSB: 0.001),
            Case(kind: .lis331hh, rangeG: 6, odrHz: 1000, gPerLSB: 0.003, fifo: false),
            Case(kind: .mpu6050, rangeG: 2, odrHz: 1000, gPerLSB: 1.0 / 16384, fifo: false),
            Case(kind: .mpu6050, rangeG: 2, odrHz: 1000, gPerLSB: 1.0 / 16384),
        ])
    func saturation(_ c: Case) throws {
        let (station, clock) = Self.station(c.kind, scenario: .quiet(noiseG: 0))
        let driver = try Self.open(c, try station.bus.device(at: c.kind.defaultAddress))
        station.injector.inject(
            peakG: 12, duration: .milliseconds(50), direction: Vector3(1, 0, 0), shape: .square)
        clock.advance(by: .milliseconds(10))
        let samples = try driver.read(now: clock.now)
        #expect(!samples.isEmpty)
        for s in samples {
            #expect(s.saturated)
            #expect(s.x >= c.rangeG * 0.98 && s.x <= c.rangeG * 1.03, "x \(s.x)")
        }
    }

    @Test(
        "draining every few milliseconds loses nothing for simulated minutes",
        arguments: [
            // (case, read interval ms, simulated seconds)
            (Case(kind: .adxl345, rangeG: 16, odrHz: 3200, gPerLSB: 1.0 / 256), 5.0, 120),
            (Case(kind: .lis3dh, rangeG: 16, odrHz: 1344, gPerLSB: 0.012), 10, 120),
            (Case(kind: .lis3dh, rangeG: 16, odrHz: 5376, gPerLSB: 0.192), 2.5, 60),
            (Case(kind: .h3lis331dl, rangeG: 100, odrHz: 400, gPerLSB: 0.049, fifo: false), 1, 60),
            (Case(kind: .mpu6050, rangeG: 16, odrHz: 200, gPerLSB: 1.0 / 2048, fifo: false), 2.5, 60),
            // its FIFO, read as the service does at 1 kHz: 16 samples (96 bytes) a read
            (Case(kind: .mpu6050, rangeG: 16, odrHz: 1000, gPerLSB: 1.0 / 2048), 16, 60),
        ])
    func noLoss(_ c: Case, intervalMs: Double, seconds: Int) throws {
        let (station, clock) = Self.station(c.kind, scenario: .quiet(noiseG: 0))
        let driver = try Self.open(c, try station.bus.device(at: c.kind.defaultAddress))
        let interval = Duration.nanoseconds(Int64(intervalMs * 1e6))
        let end = Duration.seconds(seconds)
        var read = 0
        var previous: Duration?
        var worstGap = Duration.zero
        var firstGap = Duration.zero
        var drops = DropCounter()
        while clock.now < end {
            clock.advance(by: interval)
            let samples = try driver.read(now: clock.now)
            let lost = drops.observe(
                overruns: driver.overruns, missedSamples: driver.missedSamples, at: Date())
            #expect(!lost)
            for s in samples {
                if let previous {
                    #expect(s.time > previous)
                    // The clock's first second: its interval closes in from one period wide.
                    if clock.now > .seconds(1) {
                        worstGap = max(worstGap, s.time - previous)
                    } else {
                        firstGap = max(firstGap, s.time - previous)
                    }
                }
                previous = s.time
                read += 1
            }
        }
        let expected = Int((Double(seconds) * c.odrHz).rounded(.down))
        let counters = Self.counters(station)
        #expect(counters?.generated == expected)
        #expect(counters?.lost == 0)
        #expect(counters?.popped == read)
        // Everything generated was read except what arrived since the last drain (< one interval).
        #expect(expected - read <= Int((intervalMs / 1000 * c.odrHz).rounded(.up)))
        // Timestamps advance at the ODR: no gap much longer than one period (none of two at first).
        #expect(worstGap.simSeconds <= 1.1 / c.odrHz, "worst gap \(worstGap)")
        #expect(firstGap.simSeconds < 2 / c.odrHz, "worst gap in the first second \(firstGap)")
        #expect((driver.overruns ?? 0) == 0 && drops.drops.isEmpty)
    }

    @Test(
        "reading too slowly: the chip's overrun flag is counted, and the samples found missing are what the model lost",
        arguments: [
            // (case, read interval ms, whether the chip has a flag for it); the first: 64 due, 32 kept
            (Case(kind: .adxl345, rangeG: 16, odrHz: 3200, gPerLSB: 1.0 / 256), 20.0, true),
            (Case(kind: .adxl345, rangeG: 16, odrHz: 100, gPerLSB: 1.0 / 256, fifo: false), 30, true),
            (Case(kind: .lis3dh, rangeG: 16, odrHz: 1344, gPerLSB: 0.012), 50, true),
            (Case(kind: .lis3dh, rangeG: 16, odrHz: 100, gPerLSB: 0.012, fifo: false), 40, true),
            (Case(kind: .h3lis331dl, rangeG: 100, odrHz: 400, gPerLSB: 0.049, fifo: false), 10, true),
            (Case(kind: .mpu6050, rangeG: 16, odrHz: 200, gPerLSB: 1.0 / 2048, fifo: false), 20, false),
            // its FIFO holds 170 samples (170 ms at 1 kHz): read every 200 ms, each read finds it
            // overflowed, resets it and loses all
            (Case(kind: .mpu6050, rangeG: 16, odrHz: 1000, gPerLSB: 1.0 / 2048), 200, true),
        ])
    func slowReads(_ c: Case, intervalMs: Double, flagged: Bool) throws {
        let (station, clock) = Self.station(c.kind, scenario: .quiet(noiseG: 0))
        let driver = try Self.open(c, try station.bus.device(at: c.kind.defaultAddress))
        let interval = Duration.nanoseconds(Int64(intervalMs * 1e6))
        var drops = DropCounter()
        func observe() {
            _ = drops.observe(overruns: driver.overruns, missedSamples: driver.missedSamples, at: Date())
        }
        // The first read finds the FIFO (or data register) as a prompt reader would, so every
        // loss the model counts happens between reads the counter sees.
        clock.advance(by: SampleClock.period(hz: c.odrHz) * 2)
        _ = try driver.read(now: clock.now)
        observe()
        let lostBefore = try #require(Self.counters(station)).lost
        let reads = 200
        for _ in 0..<reads {
            clock.advance(by: interval)
            _ = try driver.read(now: clock.now)
            observe()
        }
        let lost = try #require(Self.counters(station)).lost - lostBefore
        #expect(lost > 0)
        if flagged {
            // The chip's flag: every read after a loss says so, and each leaves a gap.
            let overruns = try #require(driver.overruns)
            #expect(abs(overruns - reads) <= 1, "\(overruns) overruns in \(reads) reads")
            #expect(drops.drops.overruns == overruns && drops.drops.gaps == overruns)
        } else {
            #expect(driver.overruns == nil)
            // From the times alone, once the clock has its first few reads (4).
            #expect(drops.drops.gaps >= reads - 5 && drops.drops.gaps <= reads)
        }
        // How many, from the sample clock, against the model's own count (within one sample a gap;
        // without a flag, what the first reads lost is not seen).
        let unseen = flagged ? 0 : 5 * Int((intervalMs / 1000 * c.odrHz).rounded(.up))
        #expect(
            abs(drops.drops.missedSamples - lost) <= drops.drops.gaps + unseen,
            "missed \(drops.drops.missedSamples), lost \(lost)")
        #expect(drops.drops.last != nil)
    }

    /// The model's counters, whichever model it is.
    static func counters(_ station: SimulatedStation) -> (generated: Int, popped: Int, lost: Int)? {
        guard let chip = station.chips.values.first else { return nil }
        switch chip {
        case let m as SimulatedADXL345: return (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedLIS3DH: return (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedLIS331: return (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedMPU6050: return (m.counters.generated, m.counters.popped, m.counters.lost)
        default: return nil
        }
    }
}

extension Duration {
    fileprivate var simSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
