import Drivers
import HAL

/// The driver for each accelerometer model, configured from the station's settings.
public enum AccelerometerFactory {
    public static func open(
        model: ChipModel, device: any I2CDevice, rangeG: Double, odrHz: Double, fifo: Bool,
        watermark: Int = 16, interrupt: InterruptPin? = nil, sleep: @escaping (Duration) -> Void
    ) throws(DriverError) -> any Accelerometer {
        let fifoSettings = FIFOAccelerometerSettings(
            rangeG: rangeG, odrHz: odrHz, fifo: fifo, watermark: watermark, interrupt: interrupt)
        switch model {
        case .adxl345, .adxl375:
            return try ADXL345(device: device, model: model, settings: fifoSettings)
        case .lis3dh:
            return try LIS3DH(device: device, settings: fifoSettings)
        case .lis331hh, .h3lis331dl:
            return try LIS331(
                device: device, model: model,
                settings: .init(rangeG: rangeG, odrHz: odrHz, interrupt: interrupt))
        case .mpu6050:
            return try MPU6050(
                device: device,
                settings: .init(rangeG: rangeG, odrHz: odrHz, fifo: fifo, interrupt: interrupt),
                sleep: sleep)
        case .bme280, .bmp280:
            throw DriverError(
                kind: .invalidSetting(
                    "\(model.rawValue) as an accelerometer",
                    allowed: "adxl345, adxl375, lis3dh, lis331hh, h3lis331dl, mpu6050"),
                busPath: device.busPath, address: device.address)
        }
    }
}
