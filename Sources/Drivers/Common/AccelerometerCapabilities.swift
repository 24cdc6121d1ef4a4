import HAL

/// What an accelerometer offers, one table per chip, next to its driver: the addresses, full-scale
/// ranges and output data rates the driver can set, the default of each, the FIFO the driver
/// drains, and the chip's interrupt pins. Configuration validation, `docs/configuration.md`'s chip
/// table and `sensorstation read` use this table; the drivers' register encodings are derived
/// from the same datasheet tables (`…Registers.swift`), and a test opens every driver at every
/// range and rate listed here on its simulated chip.
public struct AccelerometerCapabilities: Sendable, Equatable {
    /// The rates a chip takes: a datasheet table, or any rate in a range (a divided clock).
    public enum Rates: Sendable, Equatable {
        case table([Double])
        case range(ClosedRange<Double>)

        public func contains(_ hz: Double) -> Bool {
            switch self {
            case .table(let rates): rates.contains { abs($0 - hz) < 1e-9 * max(1, $0) }
            case .range(let r): r.contains(hz)
            }
        }
    }

    public var model: ChipModel
    /// First = the default (the address pin's usual level on breakout boards).
    public var addresses: [I2CAddress]
    /// ±g.
    public var rangesG: [Int]
    public var defaultRangeG: Int
    public var rates: Rates
    public var defaultODRHz: Double
    /// Samples the FIFO holds, where the driver reads through it; nil: the driver polls.
    public var fifoDepth: Int?
    /// The chip's interrupt output pins (for interrupt-driven sampling).
    public var interruptPins: [String]

    public var hasFIFO: Bool { fifoDepth != nil }

    /// Whether the driver reports overruns (`Accelerometer.overruns` non-nil) when it polls: the
    /// ADXL345's INT_SOURCE and the ST parts' STATUS_REG have a flag; the MPU-6050's comes only
    /// with its FIFO (FIFO_OFLOW_INT).
    public var reportsOverruns: Bool { model != .mpu6050 }

    /// Whether the chip can raise its interrupt pin at a FIFO watermark, so that a line wakes the
    /// sampler once per batch; the MPU-6050's FIFO has no watermark (its pin says data ready).
    public var fifoInterrupt: Bool { hasFIFO && model != .mpu6050 }

    /// Whether the interrupt pin can be open-drain (H3LIS331DL/LIS331HH PP_OD, MPU-6050
    /// INT_OPEN); the ADXL345's and the LIS3DH's are push-pull only.
    public var openDrainInterrupt: Bool {
        switch model {
        case .lis331hh, .h3lis331dl, .mpu6050: true
        default: false
        }
    }
}

extension ChipModel {
    /// The accelerometer table of this model; nil for the weather sensors.
    public var accelerometer: AccelerometerCapabilities? {
        switch self {
        case .adxl345, .adxl375: ADXL345.capabilities(self)
        case .lis3dh: LIS3DH.capabilities
        case .lis331hh, .h3lis331dl: LIS331.capabilities(self)
        case .mpu6050: MPU6050.capabilities
        case .bme280, .bmp280: nil
        }
    }

    /// The addresses the chip's address pin selects, from the identification table.
    public var addresses: [I2CAddress] {
        ChipIdentity.table.first { $0.model == self || $0.alsoMatches.contains(self) }?.addresses ?? []
    }
}

extension ADXL345 {
    /// ADXL345 datasheet rev E: DATA_FORMAT ranges ±2/4/8/16 g (the ADXL375: ±200 g fixed),
    /// BW_RATE table 7, a 32-entry FIFO, INT1 and INT2.
    static func capabilities(_ model: ChipModel) -> AccelerometerCapabilities {
        let ranges = model == .adxl375 ? [200] : [2, 4, 8, 16]
        return AccelerometerCapabilities(
            model: model, addresses: model.addresses, rangesG: ranges, defaultRangeG: ranges.last!,
            rates: .table(ADXL345Rate.printed), defaultODRHz: 3200, fifoDepth: 32,
            interruptPins: ["INT1", "INT2"])
    }
}

extension LIS3DH {
    /// LIS3DH datasheet tables 4 and 31: FS ±2/4/8/16 g, ODR up to 1.344 kHz (1.6 and 5.376 kHz
    /// in low-power mode), a 32-level FIFO, INT1 and INT2.
    static let capabilities = AccelerometerCapabilities(
        model: .lis3dh, addresses: ChipModel.lis3dh.addresses,
        rangesG: LIS3DHRegister.ranges.map { Int($0.g) },
        defaultRangeG: 16, rates: .table(LIS3DHRegister.odr.map(\.hz)), defaultODRHz: 1344,
        fifoDepth: LIS3DHRegister.fifoDepth, interruptPins: ["INT1", "INT2"])
}

extension LIS331 {
    /// LIS331HH / H3LIS331DL datasheets: three ranges each, DR 50–1000 Hz in normal mode, no
    /// FIFO, INT1 and INT2.
    static func capabilities(_ model: ChipModel) -> AccelerometerCapabilities {
        let ranges = LIS331Register.ranges(model).map { Int($0.g) }
        return AccelerometerCapabilities(
            model: model, addresses: model.addresses, rangesG: ranges,
            defaultRangeG: model == .h3lis331dl ? ranges.first! : ranges.last!,
            rates: .table(LIS331Register.odr.map(\.hz)), defaultODRHz: 1000, fifoDepth: nil,
            interruptPins: ["INT1", "INT2"])
    }
}

extension MPU6050 {
    /// MPU-6000/6050 register map rev 4.2: AFS_SEL ±2/4/8/16 g, a sample rate of 1 kHz divided
    /// by 1 + SMPLRT_DIV, a 1024-byte FIFO (170 samples of the accelerometer's 6 bytes), one INT
    /// pin (data ready or FIFO overflow: no watermark).
    static let capabilities = AccelerometerCapabilities(
        model: .mpu6050, addresses: ChipModel.mpu6050.addresses,
        rangesG: MPU6050Register.ranges.map { Int($0.g) },
        defaultRangeG: 16, rates: .range(4...1000), defaultODRHz: 1000,
        fifoDepth: MPU6050Register.fifoBytes / MPU6050Register.frameLength, interruptPins: ["INT"])
}
