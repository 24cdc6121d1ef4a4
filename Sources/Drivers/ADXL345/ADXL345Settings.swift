extension ADXL345 {
    public struct Settings: Sendable, Equatable {
        /// Full scale ±g: 2, 4, 8 or 16 on the ADXL345; 200 (fixed) on the ADXL375.
        public var rangeG: Double
        /// Output data rate, one of the datasheet's rates (table 7): 0.1, 0.2, 0.39, 0.78, 1.56,
        /// 3.13, 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600, 3200 Hz. Rates ≥ 800 Hz need a
        /// 400 kHz bus and the FIFO to keep up.
        public var odrHz: Double
        /// Stream-mode FIFO (the chip buffers 32 samples; `read` drains it) instead of polling
        /// DATA_READY.
        public var fifo: Bool
        /// FIFO watermark, 1...31 entries (FIFO_CTL samples bits): the level at which INT_SOURCE's
        /// watermark bit is set. Only used with `fifo`.
        public var watermark: Int

        public init(rangeG: Double = 16, odrHz: Double = 100, fifo: Bool = true, watermark: Int = 16) {
            self.rangeG = rangeG
            self.odrHz = odrHz
            self.fifo = fifo
            self.watermark = watermark
        }

        /// Defaults for the ADXL375 (±200 g fixed).
        public static let adxl375 = Settings(rangeG: 200)
    }

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
