import HAL

/// The chip models the simulated station can place on its bus. Each model is one file under
/// `Chips/`; adding a chip (LIS3DH, H3LIS331DL, MPU-6050, ...) is a case here plus its file.
public enum SimulatedChipKind: String, Sendable, CaseIterable {
    case bme280, bmp280, adxl345, adxl375
    /// ST accelerometers and the InvenSense MPU-6050; rawValues match the drivers' `ChipModel`.
    case lis3dh, lis331hh, h3lis331dl, mpu6050

    /// The address the chip usually sits at on a Raspberry Pi board.
    public var defaultAddress: I2CAddress {
        switch self {
        case .bme280, .bmp280: 0x76
        case .adxl345, .adxl375: 0x53
        // LIS3DH SA0 low (0x18); the LIS331 boards ship with SA0 high (0x19); MPU-6050 AD0 low.
        case .lis3dh: 0x18
        case .lis331hh, .h3lis331dl: 0x19
        case .mpu6050: 0x68
        }
    }

    /// A new model of this chip.
    public func makeModel(
        clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector?
    ) -> any SimulatedI2CChip {
        switch self {
        case .bme280: SimulatedBME280(variant: .bme280, clock: clock, scenario: scenario)
        case .bmp280: SimulatedBME280(variant: .bmp280, clock: clock, scenario: scenario)
        case .adxl345:
            SimulatedADXL345(variant: .adxl345, clock: clock, scenario: scenario, injector: injector)
        case .adxl375:
            SimulatedADXL345(variant: .adxl375, clock: clock, scenario: scenario, injector: injector)
        case .lis3dh: SimulatedLIS3DH(clock: clock, scenario: scenario, injector: injector)
        case .lis331hh:
            SimulatedLIS331(variant: .lis331hh, clock: clock, scenario: scenario, injector: injector)
        case .h3lis331dl:
            SimulatedLIS331(variant: .h3lis331dl, clock: clock, scenario: scenario, injector: injector)
        case .mpu6050: SimulatedMPU6050(clock: clock, scenario: scenario, injector: injector)
        }
    }
}

/// One chip on the simulated bus.
public struct SimulatedChipPlacement: Sendable, Equatable {
    public var kind: SimulatedChipKind
    public var address: I2CAddress

    public init(_ kind: SimulatedChipKind, at address: I2CAddress? = nil) {
        self.kind = kind
        self.address = address ?? kind.defaultAddress
    }

    /// BME280 at 0x76 and ADXL345 at 0x53.
    public static let standard: [SimulatedChipPlacement] = [.init(.bme280), .init(.adxl345)]
}
