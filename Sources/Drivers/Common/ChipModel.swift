import HAL

/// Every sensor chip the station knows. `rawValue` is the spelling used in configuration files and
/// JSON output, so it must never change.
public enum ChipModel: String, Sendable, CaseIterable, Codable {
    case bme280, bmp280, adxl345, adxl375, lis3dh, lis331hh, h3lis331dl, mpu6050

    /// The name as the vendor prints it, for messages ("BME280", "MPU-6050").
    public var displayName: String {
        switch self {
        case .bme280: "BME280"
        case .bmp280: "BMP280"
        case .adxl345: "ADXL345"
        case .adxl375: "ADXL375"
        case .lis3dh: "LIS3DH"
        case .lis331hh: "LIS331HH"
        case .h3lis331dl: "H3LIS331DL"
        case .mpu6050: "MPU-6050"
        }
    }
}

/// One row of the identification table: where a chip family can live, which register holds its
/// ID, and the ID value. The probe and every driver's chip-ID check use this one table, so the
/// error messages ("expected chip ID 0x60 (BME280) or 0x58 (BMP280)") and the scan agree.
public struct ChipIdentity: Sendable, Equatable {
    public var addresses: [I2CAddress]
    public var idRegister: UInt8
    public var chipID: UInt8
    /// The model the probe reports for this ID.
    public var model: ChipModel
    /// Other models that return the same ID from the same register and cannot be told apart by it.
    public var alsoMatches: [ChipModel]

    public static let table: [ChipIdentity] = [
        // Bosch BME280 datasheet §5.4.1 "id" 0xD0 = 0x60; BMP280 datasheet §4.3.1 0xD0 = 0x58.
        // SDO pin low → 0x76, high → 0x77.
        ChipIdentity(
            addresses: [0x76, 0x77], idRegister: 0xD0, chipID: 0x60, model: .bme280, alsoMatches: []),
        ChipIdentity(
            addresses: [0x76, 0x77], idRegister: 0xD0, chipID: 0x58, model: .bmp280, alsoMatches: []),
        // ADI ADXL345 rev E register map: DEVID 0x00 = 0xE5 (0345 octal). The ADXL375 is the same
        // die family with the same register map and the same DEVID 0xE5, so no ID register tells
        // them apart; only the measured scale (20.5 vs 256 LSB/g) would. The probe reports the
        // common part (adxl345) and lists adxl375; the configuration must name the real part.
        // ALT ADDRESS pin high → 0x1D, low → 0x53.
        ChipIdentity(
            addresses: [0x53, 0x1D], idRegister: 0x00, chipID: 0xE5, model: .adxl345, alsoMatches: [.adxl375]),
        // ST LIS3DH: WHO_AM_I 0x0F = 0x33. SA0 low → 0x18, high → 0x19.
        ChipIdentity(
            addresses: [0x18, 0x19], idRegister: 0x0F, chipID: 0x33, model: .lis3dh, alsoMatches: []),
        // ST LIS331HH and H3LIS331DL both answer WHO_AM_I 0x0F = 0x32 and share the register map
        // and FS bit encoding (only the g per step differs: ±6/12/24 g vs ±100/200/400 g), so they
        // cannot be told apart from software. The probe reports h3lis331dl because that is the
        // high-g part the station recommends for impacts (it does not saturate on real impacts);
        // lis331hh is listed as the alternative, and the configuration must name the real part.
        ChipIdentity(
            addresses: [0x18, 0x19], idRegister: 0x0F, chipID: 0x32, model: .h3lis331dl,
            alsoMatches: [.lis331hh]),
        // InvenSense MPU-6000/6050 register map rev 4.2: WHO_AM_I 0x75 = 0x68 (bits 6:1 of the
        // address; the AD0 pin is not reflected, so 0x69 also reads 0x68).
        ChipIdentity(
            addresses: [0x68, 0x69], idRegister: 0x75, chipID: 0x68, model: .mpu6050, alsoMatches: []),
    ]

    /// "0x60 (BME280)" style names for the IDs known at `register`, for error messages.
    static func describe(id: UInt8, register: UInt8) -> String {
        let names = table.filter { $0.idRegister == register && $0.chipID == id }
            .flatMap { [$0.model] + $0.alsoMatches }
            .map(\.displayName)
        return names.isEmpty ? hex(id) : "\(hex(id)) (\(names.joined(separator: "/")))"
    }
}
