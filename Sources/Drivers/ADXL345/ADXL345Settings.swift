extension ADXL345 {
    /// Range (2, 4, 8 or 16 g on the ADXL345; 200, fixed, on the ADXL375), one of the datasheet's
    /// rates (table 7: 0.1 … 3200 Hz; ≥ 800 Hz needs a 400 kHz bus and the FIFO), FIFO and
    /// watermark (FIFO_CTL samples bits, INT_SOURCE's watermark bit).
    public typealias Settings = FIFOAccelerometerSettings

    /// g per LSB. ADXL345 full resolution keeps 256 LSB/g typical at every range (datasheet
    /// table 1, "scale factor 3.9 mg/LSB" = 1/256 g = 3.90625 mg rounded). We use exactly 1/256 g:
    /// it is the datasheet's typical sensitivity, so 1 g reads 256 counts. (The Linux driver's
    /// 0.038300 m/s² per count is 3.9055 mg: the same 3.9 mg/LSB rounded once more into m/s².)
    /// The "4 mg/LSB" of some libraries is 2.4 % high. ADXL375: 49 mg/LSB typical (20.5 LSB/g).
    static func scale(model: ChipModel) -> Double {
        model == .adxl375 ? 0.049 : 1.0 / 256.0
    }

    /// Output code limits. Full resolution: 10 bits at ±2 g, 11 at ±4 g, 12 at ±8 g, 13 at ±16 g
    /// (always 256 LSB/g); ADXL375: 13 bits. The chip clamps at these codes.
    static func codeBits(model: ChipModel, rangeG: Double) -> Int {
        if model == .adxl375 { return 13 }
        switch rangeG {
        case 2: return 10
        case 4: return 11
        case 8: return 12
        default: return 13
        }
    }

    /// Range bits 1:0 of DATA_FORMAT.
    static func rangeCode(_ rangeG: Double) -> UInt8? {
        switch rangeG {
        case 2: 0b00
        case 4: 0b01
        case 8: 0b10
        case 16: 0b11
        default: nil
        }
    }
}
