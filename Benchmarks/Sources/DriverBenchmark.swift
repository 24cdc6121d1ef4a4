import Drivers
import Foundation
import HAL
import Simulation
import Station

/// `sensorstation-bench drivers [--seconds N] [--only throughput|fifo]`: each accelerometer
/// driver against its register-level model on the simulated bus.
///
/// 1. Throughput: driver `read` calls per second, samples per second and CPU time per sample
///    (CLOCK_PROCESS_CPUTIME_ID), on a manual clock advanced between reads so every read finds
///    data (FIFO chips: 16 samples per drain; polled chips: one), best of three.
/// 2. Real time: the FIFO path at the chip's top rate on a `RealtimeSimulationClock` for N seconds
///    (default 60), drained like the service does (sleep ~2.5 ms between drains), counting the
///    samples read against the model's generated/popped/lost counters. ADXL345 at 3200 Hz, then
///    the LIS3DH at 1344 Hz (12-bit) and 5376 Hz (8-bit low power).
///
/// What is measured is the driver plus the simulated bus and chip model (the model's share is
/// part of the CPU figure); on hardware the I2C transfer time dominates instead (see README).
enum DriverBenchmark {
    struct Setup {
        var label: String
        var kind: SimulatedChipKind
        var rangeG: Double
        var odrHz: Double
        var fifo: Bool

        func open(_ device: any I2CDevice) throws -> any Accelerometer {
            switch kind {
            case .adxl345, .adxl375:
                return try ADXL345(
                    device: device, model: kind == .adxl345 ? .adxl345 : .adxl375,
                    settings: .init(rangeG: rangeG, odrHz: odrHz, fifo: fifo))
            case .lis3dh:
                return try LIS3DH(device: device, settings: .init(rangeG: rangeG, odrHz: odrHz, fifo: fifo))
            case .lis331hh, .h3lis331dl:
                return try LIS331(
                    device: device, model: kind == .lis331hh ? .lis331hh : .h3lis331dl,
                    settings: .init(rangeG: rangeG, odrHz: odrHz))
            case .mpu6050:
                return try MPU6050(
                    device: device, settings: .init(rangeG: rangeG, odrHz: odrHz), sleep: { _ in })
            case .bme280, .bmp280:
                throw BenchmarkError("\(kind.rawValue) is not an accelerometer")
            }
        }
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static let throughputSetups: [Setup] = [
        .init(label: "ADXL345 FIFO 3200 Hz ±16 g", kind: .adxl345, rangeG: 16, odrHz: 3200, fifo: true),
        .init(label: "ADXL345 polled 100 Hz ±16 g", kind: .adxl345, rangeG: 16, odrHz: 100, fifo: false),
        .init(label: "ADXL375 FIFO 3200 Hz ±200 g", kind: .adxl375, rangeG: 200, odrHz: 3200, fifo: true),
        .init(label: "LIS3DH FIFO 1344 Hz ±16 g", kind: .lis3dh, rangeG: 16, odrHz: 1344, fifo: true),
        .init(label: "LIS3DH FIFO 5376 Hz ±16 g (8-bit)", kind: .lis3dh, rangeG: 16, odrHz: 5376, fifo: true),
        .init(label: "LIS3DH polled 100 Hz ±16 g", kind: .lis3dh, rangeG: 16, odrHz: 100, fifo: false),
        .init(label: "LIS331HH polled 1000 Hz ±24 g", kind: .lis331hh, rangeG: 24, odrHz: 1000, fifo: false),
        .init(
            label: "H3LIS331DL polled 1000 Hz ±400 g", kind: .h3lis331dl, rangeG: 400, odrHz: 1000,
            fifo: false),
        .init(label: "MPU-6050 polled 1000 Hz ±16 g", kind: .mpu6050, rangeG: 16, odrHz: 1000, fifo: false),
    ]

    static func run(_ args: [String]) throws {
        var seconds = 60.0
        if let i = args.firstIndex(of: "--seconds"), i + 1 < args.count, let n = Double(args[i + 1]), n > 0 {
            seconds = n
        }
        let only = args.firstIndex(of: "--only").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
        if only == nil || only == "throughput" { try throughput() }
        if only == nil || only == "fifo" {
            try realtime(
                .init(label: "ADXL345 FIFO 3200 Hz", kind: .adxl345, rangeG: 16, odrHz: 3200, fifo: true),
                seconds: seconds)
            try realtime(
                .init(label: "LIS3DH FIFO 1344 Hz", kind: .lis3dh, rangeG: 16, odrHz: 1344, fifo: true),
                seconds: seconds)
            try realtime(
                .init(label: "LIS3DH FIFO 5376 Hz", kind: .lis3dh, rangeG: 16, odrHz: 5376, fifo: true),
                seconds: seconds)
        }
    }

    // MARK: Throughput

    static func throughput() throws {
        print("drivers: throughput on the simulated bus (manual clock; best of 3 runs of ≥ 200 000 samples)")
        for setup in throughputSetups {
            var best: (wall: Double, cpu: Double, reads: Int, samples: Int, transfers: Int)?
            for _ in 0..<3 {
                let r = try throughputRun(setup, samples: 200_000)
                if best == nil || r.cpu < best!.cpu { best = r }
            }
            let b = best!
            let label = setup.label.padding(toLength: 34, withPad: " ", startingAt: 0)
            print(
                "  " + label
                    + String(
                        format:
                            " %9.0f reads/s %10.0f samples/s  %6.2f µs CPU/sample  %4.2f transfers/sample",
                        Double(b.reads) / b.wall, Double(b.samples) / b.wall,
                        b.cpu / Double(b.samples) * 1e6, Double(b.transfers) / Double(b.samples)))
        }
    }

    static func throughputRun(_ setup: Setup, samples target: Int) throws -> (
        wall: Double, cpu: Double, reads: Int, samples: Int, transfers: Int
    ) {
        let clock = ManualSimulationClock()
        let station = SimulatedStation(clock: clock, scenario: .demo(seed: 7), chips: [.init(setup.kind)])
        let driver = try setup.open(try station.bus.device(at: setup.kind.defaultAddress))
        // FIFO: 16 samples per drain (half the FIFO, like the service at 2.5–5 ms); polled: one.
        let perRead = setup.fifo ? 16.0 : 1.0
        let step = Duration.nanoseconds(Int64((perRead / setup.odrHz * 1e9).rounded(.up)))
        let transfersBefore = station.bus.counters.transfers
        var samples = 0
        var reads = 0
        let wall0 = ContinuousClock.now
        let cpu0 = cpuSeconds()
        while samples < target {
            clock.advance(by: step)
            samples += try driver.read(now: clock.now).count
            reads += 1
        }
        let cpu = cpuSeconds() - cpu0
        let wall = (ContinuousClock.now - wall0).seconds
        return (wall, cpu, reads, samples, station.bus.counters.transfers - transfersBefore)
    }

    // MARK: Real time

    static func realtime(_ setup: Setup, seconds: Double) throws {
        // As the service's motion thread does (motion.realtime_priority, default 10).
        let policy =
            RealtimePriority.raiseCurrentThread(to: 10).map { "ordinary scheduling (\($0))" }
            ?? "SCHED_FIFO 10"
        print("drivers: real-time loop under \(policy)")
        let clock = RealtimeSimulationClock()
        let station = SimulatedStation(clock: clock, scenario: .demo(seed: 7), chips: [.init(setup.kind)])
        let driver = try setup.open(try station.bus.device(at: setup.kind.defaultAddress))
        let period = 1 / setup.odrHz
        var read = 0
        var drains = 0
        var largestDrain = 0
        var longestInterval = 0.0
        var lateGaps = 0  // consecutive timestamps more than 1.5 periods apart
        var previousTime: Duration?
        var lastDrain = clock.now
        let cpu0 = cpuSeconds()
        let end = Duration.seconds(seconds)
        while clock.now < end {
            let now = clock.now
            longestInterval = max(longestInterval, (now - lastDrain).seconds)
            lastDrain = now
            let samples = try driver.read(now: now)
            drains += 1
            largestDrain = max(largestDrain, samples.count)
            for s in samples {
                if let p = previousTime, (s.time - p).seconds > 1.5 * period { lateGaps += 1 }
                previousTime = s.time
            }
            read += samples.count
            Thread.sleep(forTimeInterval: 0.0025)
        }
        // Final drain, so only what arrives after it is still in the chip.
        read += try driver.read(now: clock.now).count
        let cpu = cpuSeconds() - cpu0
        let (generated, popped, lost) = counters(station)
        let held = generated - popped - lost
        print(
            "drivers: \(setup.label)"
                + String(
                    format:
                        " for %.0f s real time (drain, sleep 2.5 ms): generated %d, read %d, lost %d (model), held %d; "
                        + "%d drains, largest %d samples, longest interval %.1f ms; %d timestamp gaps > 1.5 periods; "
                        + "overrun reads %d; CPU %.1f %% of one core, %.2f µs/sample",
                    seconds, generated, read, lost, held, drains, largestDrain, longestInterval * 1000,
                    lateGaps, driver.overruns ?? 0, cpu / seconds * 100, cpu / Double(max(read, 1)) * 1e6))
        if read != popped {
            print("  note: driver read \(read) samples but the model popped \(popped)")
        }
    }

    static func counters(_ station: SimulatedStation) -> (generated: Int, popped: Int, lost: Int) {
        switch station.chips.values.first {
        case let m as SimulatedADXL345: (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedLIS3DH: (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedLIS331: (m.counters.generated, m.counters.popped, m.counters.lost)
        case let m as SimulatedMPU6050: (m.counters.generated, m.counters.popped, m.counters.lost)
        default: (0, 0, 0)
        }
    }

    /// CPU time this process used, seconds (user + system, all threads).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
