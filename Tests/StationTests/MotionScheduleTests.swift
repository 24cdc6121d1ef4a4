import Detection
import Drivers
import Testing

@testable import Station

/// How often the motion sampler reads when it polls: the FIFO collects a batch of at most 20 ms
/// and at most half its entries, so a read one whole interval late still finds room.
@Suite("Motion sampler: the read schedule")
struct MotionScheduleTests {
    static func sampler(_ odrHz: Double, fifo: Bool, model: ChipModel = .adxl345) -> MotionSampler {
        MotionSampler(
            model: model, address: 0x53, rangeG: 16, odrHz: odrHz, fifo: fifo, detector: DetectorSettings()
        )
    }

    @Test(
        "batch size and interval from the rate",
        arguments: [
            // (rate Hz, FIFO, samples per read, interval µs)
            (3200.0, true, 16, 5000),  // half the FIFO: 5 ms, 200 reads a second (was 8: 400)
            (1600, true, 16, 10_000),
            (800, true, 16, 20_000),
            (400, true, 8, 20_000),  // 20 ms brings 8
            (100, true, 2, 20_000),
            (25, true, 1, 40_000),  // slower than one sample per 20 ms: every sample
            (5376, true, 16, 2976),  // LIS3DH low power: the FIFO lasts 5.95 ms
            (1000, false, 1, 1000),  // polled, with an overrun flag: at the rate
            (400, false, 1, 2500),
            (3200, false, 1, 1000),  // never below 1 ms
        ])
    func schedule(_ odr: Double, _ fifo: Bool, _ batch: Int, _ intervalMicroseconds: Int64) {
        let s = Self.sampler(odr, fifo: fifo)
        #expect(s.samplesPerRead == batch)
        let interval = s.pollInterval
        #expect(abs((interval - .microseconds(intervalMicroseconds)) / .microseconds(1)) < 1, "\(interval)")
    }

    @Test("polled without an overrun flag (MPU-6050): twice the rate, never below 0.5 ms")
    func unflagged() {
        #expect(Self.sampler(200, fifo: false, model: .mpu6050).pollInterval == .microseconds(2500))
        #expect(Self.sampler(1000, fifo: false, model: .mpu6050).pollInterval == .microseconds(500))
        #expect(Self.sampler(200, fifo: false, model: .lis3dh).pollInterval == .milliseconds(5))
        // Through its FIFO (FIFO_OFLOW_INT is the flag): 16 samples a read, 62.5 reads a second at
        // 1 kHz where polling makes 2000; the 170-sample FIFO lasts ten such intervals.
        let fifo = Self.sampler(1000, fifo: true, model: .mpu6050)
        #expect(fifo.samplesPerRead == 16 && fifo.pollInterval == .milliseconds(16))
    }

    @Test(
        "at every rate of every FIFO chip, two intervals' samples fit in its FIFO",
        arguments: ChipModel.allCases.filter { $0.accelerometer?.hasFIFO == true })
    func neverOverflowsWithOneLateRead(_ model: ChipModel) throws {
        let cap = try #require(model.accelerometer)
        guard case .table(let rates) = cap.rates else { return }
        for rate in rates {
            let s = Self.sampler(rate, fifo: true)
            let perInterval = s.pollInterval.seconds * rate
            #expect(2 * perInterval <= Double(try #require(cap.fifoDepth)) + 1e-3, "\(model) \(rate) Hz")
        }
    }
}
