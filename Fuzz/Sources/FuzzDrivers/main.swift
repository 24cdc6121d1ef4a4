import CFuzzerDriver
import Drivers
import HAL

/// Every driver against a bus that answers with the fuzz bytes (see `TapeDevice`).
///
/// Input: byte 0 picks the driver and how the tape ends (below), byte 1 the settings, the rest is
/// the tape. Each driver runs its full init (chip ID, reset polls, calibration, configuration) and
/// then up to eight reads, each a little later on the caller's timeline, exactly as the sampler
/// calls it. A `DriverError` is the expected answer to nonsense; anything else (a trap, a hang, a
/// non-finite value handed on, a sample that goes back in time) is a finding.
///
/// Then the pure functions, on the same bytes: BME280 calibration parsing, raw frame splitting and
/// the three compensation formulas (integer arithmetic that must not overflow for any trimming
/// values or ADC codes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard bytes.count >= 2 else { return 0 }
    let selector = bytes[0]
    let variant = Int(bytes[1])
    let tape = Array(bytes[2...])
    let kinds: [I2CErrorKind] = [.noDevice, .noAcknowledge, .timeout, .other]
    let device = TapeDevice(tape: tape, address: 0x53, exhausted: kinds[Int(selector >> 4) % kinds.count])
    exercise(driver: Int(selector & 0x0F) % 8, variant: variant, device: device)
    pureBME280(bytes)
    return 0
}

func exercise(driver: Int, variant: Int, device: TapeDevice) {
    // With an interrupt pin the reads are handed edge stamps too (SampleClock's bound from them).
    let pin = variant & 8 == 0 ? nil : InterruptPin()
    let drain = { (sensor: any Accelerometer) throws(DriverError) in
        try drainReads(sensor, edges: pin != nil)
    }
    do {
        switch driver {
        case 0, 1:
            let modes: [BME280.Mode] = [.forced, .normal]
            var settings = BME280.Settings()
            settings.mode = modes[variant % 2]
            settings.humidityOversampling = variant & 2 == 0 ? .x1 : .skip
            let sensor = try BME280(device: device, settings: settings, sleep: { _ in })
            for _ in 0..<8 {
                let r = try sensor.read()
                guard r.temperatureC.isFinite, r.pressurePa.isFinite, r.humidityPercent?.isFinite ?? true
                else {
                    fatalError("non-finite weather reading \(r)")
                }
            }
        case 2:
            let ranges: [Double] = [2, 4, 8, 16]
            try drain(
                ADXL345(
                    device: device, model: .adxl345,
                    settings: .init(
                        rangeG: ranges[variant % 4], odrHz: 100, fifo: variant & 4 == 0, watermark: 16,
                        interrupt: pin)))
        case 3:
            try drain(
                ADXL345(
                    device: device, model: .adxl375,
                    settings: .init(
                        rangeG: 200, odrHz: 800, fifo: variant & 4 == 0, watermark: 8, interrupt: pin)))
        case 4:
            let ranges: [Double] = [2, 4, 8, 16]
            try drain(
                LIS3DH(
                    device: device,
                    settings: .init(
                        rangeG: ranges[variant % 4], odrHz: 400,
                        fifo: variant & 4 == 0, watermark: 16, interrupt: pin)))
        case 5:
            let ranges: [Double] = [100, 200, 400]
            try drain(
                LIS331(
                    device: device, model: .h3lis331dl,
                    settings: .init(rangeG: ranges[variant % 3], interrupt: pin)))
        case 6:
            let ranges: [Double] = [6, 12, 24]
            try drain(
                LIS331(
                    device: device, model: .lis331hh,
                    settings: .init(rangeG: ranges[variant % 3], interrupt: pin)))
        default:
            let ranges: [Double] = [2, 4, 8, 16]
            try drain(
                MPU6050(
                    device: device,
                    settings: .init(
                        rangeG: ranges[variant % 4], odrHz: 500, fifo: variant & 4 == 0 && pin == nil,
                        interrupt: pin),
                    sleep: { _ in })
            )
        }
    } catch {
        if error.description.isEmpty { fatalError("DriverError with an empty message") }
    }
}

/// Up to eight reads 10 ms apart (with `edges`, each handed an edge stamped 300 µs before it),
/// checking what the sampler relies on: finite values no further out than the chip's most
/// extreme output code, and strictly increasing timestamps never later than `now`. The bound is
/// 1.6 × the nominal range: the LIS3DH at ±16 g has 12 mg/digit (datasheet table 4), so its
/// extreme 12-bit code is 2048 × 12 mg = 24.6 g.
func drainReads(_ sensor: any Accelerometer, edges: Bool) throws(DriverError) {
    var previous: Duration?
    for i in 1...8 {
        let now = Duration.milliseconds(10 * i)
        for s in try sensor.read(clock: { now }, edge: edges ? now - .microseconds(300) : nil) {
            guard s.x.isFinite, s.y.isFinite, s.z.isFinite else { fatalError("non-finite sample \(s)") }
            let limit = sensor.rangeG * 1.6
            guard abs(s.x) <= limit, abs(s.y) <= limit, abs(s.z) <= limit else {
                fatalError("\(sensor.model) sample \(s) beyond ±\(sensor.rangeG) g")
            }
            guard s.time <= now else { fatalError("sample at \(s.time) after now \(now)") }
            if let previous, s.time <= previous { fatalError("sample time \(s.time) not after \(previous)") }
            previous = s.time
        }
    }
}

/// The BME280's pure parsing and compensation over the input: the first 26 bytes as calibration
/// block 1, the next 7 as block 2, the next 8 as a data frame.
func pureBME280(_ bytes: [UInt8]) {
    guard bytes.count >= 26 + 7 + 8 else { return }
    guard let calibration = BME280.Calibration(block1: Array(bytes[0..<26]), block2: Array(bytes[26..<33]))
    else {
        fatalError("26 + 7 calibration bytes refused")
    }
    let raw = BME280.parseRaw(Array(bytes[33..<41]))
    let (_, tFine) = BME280.compensateTemperature(adcT: raw.temperature, calibration: calibration)
    _ = BME280.compensatePressure(adcP: raw.pressure, tFine: tFine, calibration: calibration)
    if let h = raw.humidity {
        let rh = BME280.compensateHumidity(adcH: h, tFine: tFine, calibration: calibration)
        // Q22.10 %RH, clamped to 0...100 % by the Bosch formula.
        guard rh <= 100 << 10 else { fatalError("humidity \(rh) above 100 %RH in Q22.10") }
    }
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzDrivers_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
