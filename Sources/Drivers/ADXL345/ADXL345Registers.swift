/// ADXL345 / ADXL375 register map and bit fields (ADI ADXL345 datasheet rev E, "Register Map"
/// table 19 and "Register Definitions"; the ADXL375 datasheet has the same map).
enum ADXL345Register {
    /// DEVID, fixed 0xE5 (both ADXL345 and ADXL375).
    static let devID: UInt8 = 0x00
    static let devIDValue: UInt8 = 0xE5

    /// BW_RATE: bit 4 LOW_POWER, bits 3:0 rate code (table 7: code n → 3200 / 2^(15 − n) Hz).
    static let bwRate: UInt8 = 0x2C
    /// POWER_CTL: bit 5 Link, bit 4 AUTO_SLEEP, bit 3 Measure, bit 2 Sleep, bits 1:0 Wakeup.
    /// 0x00 = standby (configure here), 0x08 = measure.
    static let powerCtl: UInt8 = 0x2D
    static let measure: UInt8 = 1 << 3
    /// INT_SOURCE: bit 7 DATA_READY, 1 Watermark, 0 Overrun. DATA_READY, watermark and overrun are
    /// set whatever INT_ENABLE says, so polling them needs no interrupt configuration.
    static let intSource: UInt8 = 0x30
    static let dataReady: UInt8 = 1 << 7
    static let overrun: UInt8 = 1 << 0
    static let watermark: UInt8 = 1 << 1
    /// INT_ENABLE: the same bits as INT_SOURCE; a set bit drives its function's INT pin.
    static let intEnable: UInt8 = 0x2E
    /// INT_MAP: a set bit sends that function to INT2, a clear one to INT1.
    static let intMap: UInt8 = 0x2F
    /// DATA_FORMAT bit 5: interrupts active low. (The pins are push-pull only.)
    static let intInvert: UInt8 = 1 << 5
    /// DATA_FORMAT: bit 7 SELF_TEST, 6 SPI, 5 INT_INVERT, 3 FULL_RES, 2 Justify, 1:0 Range
    /// (00 ±2 g, 01 ±4 g, 10 ±8 g, 11 ±16 g). ADXL375: bits 3 and 1:0 must read as 1 (0x0B).
    static let dataFormat: UInt8 = 0x31
    static let fullRes: UInt8 = 1 << 3
    /// DATAX0 (x LSB) ... DATAZ1 (z MSB): 16-bit little-endian two's complement, right-justified
    /// and sign-extended. Read all six in one burst: a 6-byte read pops one FIFO entry, and the
    /// datasheet recommends a multiple-byte read so the axes belong to one sample.
    static let dataX0: UInt8 = 0x32
    static let dataLength = 6
    /// FIFO_CTL: bits 7:6 FIFO_MODE (00 bypass, 01 FIFO, 10 stream, 11 trigger), bit 5 Trigger,
    /// bits 4:0 samples (the watermark level). Switching to bypass clears the FIFO.
    static let fifoCtl: UInt8 = 0x38
    static let fifoBypass: UInt8 = 0b00 << 6
    static let fifoStream: UInt8 = 0b10 << 6
    /// FIFO_STATUS: bit 7 FIFO_TRIG, bits 5:0 Entries (values stored in the FIFO; at most 32, plus
    /// one more may be waiting in the data registers).
    static let fifoStatus: UInt8 = 0x39
    static let entriesMask: UInt8 = 0x3F
    static let maxEntries = 33
}

/// BW_RATE rate codes (datasheet table 7 / table 8): the printed rates and the exact ones.
enum ADXL345Rate {
    /// Rates as the datasheet prints them, by code 0x0...0xF.
    static let printed: [Double] = [
        0.10, 0.20, 0.39, 0.78, 1.56, 3.13, 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600, 3200,
    ]
    /// The exact rate of code n: 3200 Hz / 2^(15 − n) (the printed values are these rounded:
    /// code 0 is 0.09765625 Hz, code 5 is 3.125 Hz).
    static func exact(code: UInt8) -> Double { 3200 / Double(1 << (15 - Int(code & 0x0F))) }

    /// The code whose printed or exact rate is within 1 % of `hz`.
    static func code(for hz: Double) -> UInt8? {
        for code in 0..<16 {
            let e = exact(code: UInt8(code))
            if abs(hz - printed[code]) <= printed[code] * 0.01 || abs(hz - e) <= e * 0.01 {
                return UInt8(code)
            }
        }
        return nil
    }
}
