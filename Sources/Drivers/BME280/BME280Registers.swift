/// BME280 / BMP280 register map and bit fields.
/// Bosch BME280 datasheet rev 1.x §5.3 (memory map) and §5.4 (register description);
/// BMP280 datasheet §4.2/§4.3 (same map without ctrl_hum 0xF2 and the humidity registers).
enum BME280Register {
    /// "id", chip ID: 0x60 BME280, 0x58 BMP280 (§5.4.1).
    static let chipID: UInt8 = 0xD0
    /// "reset": writing 0xB6 performs a power-on reset (§5.4.2). Other values are ignored.
    static let reset: UInt8 = 0xE0
    static let resetCommand: UInt8 = 0xB6

    /// Trimming block 1: dig_T1..dig_P9 at 0x88...0x9F, 0xA0 unused, dig_H1 at 0xA1 (§4.2.2, table 16).
    static let calibration1: UInt8 = 0x88
    static let calibration1Length = 26  // 0x88...0xA1
    /// Trimming block 2 (BME280 only): dig_H2...dig_H6 at 0xE1...0xE7.
    static let calibration2: UInt8 = 0xE1
    static let calibration2Length = 7  // 0xE1...0xE7

    /// "ctrl_hum" osrs_h[2:0] (§5.4.3). Takes effect only after the next write to ctrl_meas.
    static let ctrlHum: UInt8 = 0xF2
    /// "status" (§5.4.4): bit 3 measuring, bit 0 im_update (NVM data being copied to image registers).
    static let status: UInt8 = 0xF3
    static let statusMeasuring: UInt8 = 1 << 3
    static let statusImUpdate: UInt8 = 1 << 0
    /// "ctrl_meas" (§5.4.5): osrs_t[7:5], osrs_p[4:2], mode[1:0].
    static let ctrlMeas: UInt8 = 0xF4
    static let osrsTShift: UInt8 = 5
    static let osrsPShift: UInt8 = 2
    /// mode[1:0]: 00 sleep, 01 (or 10) forced, 11 normal.
    static let modeSleep: UInt8 = 0b00
    static let modeForced: UInt8 = 0b01
    static let modeNormal: UInt8 = 0b11
    /// "config" (§5.4.6): t_sb[7:5], filter[4:2], spi3w_en[0]. Writes in normal mode may be
    /// ignored, so it is written in sleep mode.
    static let config: UInt8 = 0xF5
    static let standbyShift: UInt8 = 5
    static let filterShift: UInt8 = 2

    /// press_msb 0xF7 ... hum_lsb 0xFE (§5.4.7–5.4.9): pressure 20 bit, temperature 20 bit,
    /// humidity 16 bit, read in one burst so all belong to the same measurement (§4: "data
    /// shadowing" holds the registers consistent only within one burst read).
    static let data: UInt8 = 0xF7
    /// Raw value of a skipped (or not yet performed) temperature/pressure measurement (§5.4.7/8).
    static let skippedTP: Int32 = 0x80000
    /// Raw value of a skipped humidity measurement.
    static let skippedH: Int32 = 0x8000
}

/// What differs between the chips this driver handles (in the style of the Linux bmp280 driver's
/// chip_info table).
struct BME280Variant: Sendable {
    var model: ChipModel
    var chipID: UInt8
    var hasHumidity: Bool
    /// Data burst length from 0xF7: 8 with humidity (to 0xFE), 6 without (to 0xFC).
    var dataLength: Int
    /// t_sb codes 0...7 in ms (BME280 §5.4.6 table 27; BMP280 §3.6.3 table 11: codes 6, 7 differ).
    var standbyMs: [Double]

    static let bme280 = BME280Variant(
        model: .bme280, chipID: 0x60, hasHumidity: true, dataLength: 8,
        standbyMs: [0.5, 62.5, 125, 250, 500, 1000, 10, 20])
    static let bmp280 = BME280Variant(
        model: .bmp280, chipID: 0x58, hasHumidity: false, dataLength: 6,
        standbyMs: [0.5, 62.5, 125, 250, 500, 1000, 2000, 4000])
    static let all = [bme280, bmp280]
}
