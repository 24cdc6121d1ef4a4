/// Pure compensation math for the BME280/BMP280: no I/O. The integer formulas of the BME280
/// datasheet §4.2.3 (and §8.2 / BMP280 §3.11.3), as implemented by the Linux bmp280 IIO driver:
/// temperature in int32 producing t_fine, pressure in int64 (Q24.8 Pa), humidity in int32 (Q22.10 %RH).
///
/// Overflow: the datasheet's C relies on int32/int64 arithmetic not overflowing for real
/// trimming values. Bus garbage can make it overflow (undefined behaviour in C, a trap in Swift).
/// So the intermediate values are computed in Int64 with wrapping operators (&+ &- &* &<<): for
/// every input where the C code does not overflow the result is bit-identical, and for any other
/// input the result is garbage but never a crash. Shifts of negative values are arithmetic, as in
/// the reference C on every compiler Bosch supports.
extension BME280 {
    /// Trimming parameters (§4.2.2 table 16). Little-endian; T1, P1 unsigned 16-bit; H1, H3
    /// unsigned 8-bit; H4, H5 signed 12-bit; H6 signed 8-bit; the rest signed 16-bit.
    public struct Calibration: Sendable, Equatable {
        public var t1: UInt16, t2: Int16, t3: Int16
        public var p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16
        public var p6: Int16, p7: Int16, p8: Int16, p9: Int16
        public var h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8

        public init(
            t1: UInt16, t2: Int16, t3: Int16,
            p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16, p7: Int16, p8: Int16,
            p9: Int16,
            h1: UInt8 = 0, h2: Int16 = 0, h3: UInt8 = 0, h4: Int16 = 0, h5: Int16 = 0, h6: Int8 = 0
        ) {
            (self.t1, self.t2, self.t3) = (t1, t2, t3)
            (self.p1, self.p2, self.p3, self.p4, self.p5) = (p1, p2, p3, p4, p5)
            (self.p6, self.p7, self.p8, self.p9) = (p6, p7, p8, p9)
            (self.h1, self.h2, self.h3, self.h4, self.h5, self.h6) = (h1, h2, h3, h4, h5, h6)
        }

        /// Parses the raw trimming bytes: `block1` = 26 bytes from 0x88...0xA1, `block2` = 7 bytes
        /// from 0xE1...0xE7 (nil on a BMP280: humidity parameters stay 0). Nil if a block has the
        /// wrong length.
        public init?(block1 b: [UInt8], block2 h: [UInt8]?) {
            guard b.count == BME280Register.calibration1Length else { return nil }
            if let h, h.count != BME280Register.calibration2Length { return nil }
            func u16(_ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
            func s16(_ i: Int) -> Int16 { Int16(bitPattern: u16(i)) }
            t1 = u16(0); t2 = s16(2); t3 = s16(4)  // 0x88, 0x8A, 0x8C
            p1 = u16(6); p2 = s16(8); p3 = s16(10); p4 = s16(12); p5 = s16(14)  // 0x8E...0x97
            p6 = s16(16); p7 = s16(18); p8 = s16(20); p9 = s16(22)  // 0x98...0x9F; 0xA0 unused
            h1 = b[25]  // 0xA1
            if let h {
                h2 = Int16(bitPattern: UInt16(h[0]) | UInt16(h[1]) << 8)  // 0xE1/0xE2
                h3 = h[2]  // 0xE3
                // dig_H4 = 0xE4[7:0] << 4 | 0xE5[3:0]; dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4]; both
                // signed 12-bit (the Linux driver's sign_extend32(..., 11)).
                h4 = Int16(signExtend(Int32(h[3]) << 4 | Int32(h[4] & 0x0F), bits: 12))
                h5 = Int16(signExtend(Int32(h[5]) << 4 | Int32(h[4] >> 4), bits: 12))
                h6 = Int8(bitPattern: h[6])  // 0xE7
            } else {
                h2 = 0; h3 = 0; h4 = 0; h5 = 0; h6 = 0
            }
        }

        /// Why no real chip has this block, or nil. All 0x00 or all 0xFF is what a floating
        /// (pulled-up) or shorted bus returns; dig_T1 = 0 or dig_P1 = 0 cannot be trimmed values
        /// (real parts have ~27000 and ~36000; P1 = 0 would divide by zero).
        static func implausibility(_ bytes: [UInt8]) -> String? {
            if bytes.allSatisfy({ $0 == 0x00 }) { return "all bytes 0x00 (bus stuck low or no chip?)" }
            if bytes.allSatisfy({ $0 == 0xFF }) { return "all bytes 0xff (floating bus?)" }
            return nil
        }
    }

    /// Temperature (§4.2.3 "BME280_compensate_T_int32"). `adcT`: 20-bit raw value.
    /// Returns the temperature in 0.01 °C (5123 = 51.23 °C) and t_fine, the fine temperature shared
    /// by the pressure and humidity formulas (units of 1/5120 °C).
    public static func compensateTemperature(adcT: Int32, calibration c: Calibration) -> (
        centiCelsius: Int32, tFine: Int32
    ) {
        let adc = Int64(adcT), t1 = Int64(c.t1), t2 = Int64(c.t2), t3 = Int64(c.t3)
        let var1 = (((adc >> 3) &- (t1 << 1)) &* t2) >> 11
        let d = (adc >> 4) &- t1
        let var2 = (((d &* d) >> 12) &* t3) >> 14
        let tFine = Int32(truncatingIfNeeded: var1 &+ var2)
        let t = (Int64(tFine) &* 5 &+ 128) >> 8
        return (Int32(truncatingIfNeeded: t), tFine)
    }

    /// Pressure (§4.2.3 "BME280_compensate_P_int64"). `adcP`: 20-bit raw value.
    /// Returns Pa in Q24.8 (24674867 = 96386.2 Pa), as the datasheet's uint32; 0 when the
    /// formula would divide by zero (dig_P1 = 0).
    public static func compensatePressure(adcP: Int32, tFine: Int32, calibration c: Calibration) -> UInt32 {
        let p1 = Int64(c.p1), p2 = Int64(c.p2), p3 = Int64(c.p3), p4 = Int64(c.p4), p5 = Int64(c.p5)
        let p6 = Int64(c.p6), p7 = Int64(c.p7), p8 = Int64(c.p8), p9 = Int64(c.p9)
        var var1 = Int64(tFine) &- 128000
        var var2 = var1 &* var1 &* p6
        var2 = var2 &+ ((var1 &* p5) &<< 17)
        var2 = var2 &+ (p4 &<< 35)
        var1 = ((var1 &* var1 &* p3) >> 8) &+ ((var1 &* p2) &<< 12)
        var1 = (((Int64(1) << 47) &+ var1) &* p1) >> 33
        guard var1 != 0 else { return 0 }  // avoid division by zero (datasheet: "return 0")
        var p = 1_048_576 &- Int64(adcP)
        // C's int64 division truncates toward zero, as Swift's does; dividedReportingOverflow
        // avoids the one trapping case (Int64.min / -1) that only garbage can produce.
        p = ((p &<< 31) &- var2) &* 3125
        p = p.dividedReportingOverflow(by: var1).partialValue
        var1 = (p9 &* (p >> 13) &* (p >> 13)) >> 25
        var2 = (p8 &* p) >> 19
        p = ((p &+ var1 &+ var2) >> 8) &+ (p7 &<< 4)
        return UInt32(truncatingIfNeeded: p)
    }

    /// Humidity (§4.2.3 "bme280_compensate_H_int32"). `adcH`: 16-bit raw value.
    /// Returns %RH in Q22.10 (47445 = 46.333 %RH), clamped to 0...100 %RH (0...102400).
    public static func compensateHumidity(adcH: Int32, tFine: Int32, calibration c: Calibration) -> UInt32 {
        let h1 = Int64(c.h1), h2 = Int64(c.h2), h3 = Int64(c.h3)
        let h4 = Int64(c.h4), h5 = Int64(c.h5), h6 = Int64(c.h6)
        let adc = Int64(adcH)
        var v = Int64(tFine) &- 76800
        let a = (((adc &<< 14) &- (h4 &<< 20) &- (h5 &* v)) &+ 16384) >> 15
        let b =
            ((((((v &* h6) >> 10) &* (((v &* h3) >> 11) &+ 32768)) >> 10) &+ 2_097_152) &* h2 &+ 8192) >> 14
        v = a &* b
        v = v &- (((((v >> 15) &* (v >> 15)) >> 7) &* h1) >> 4)
        v = min(max(v, 0), 419_430_400)  // 0...100 %RH in Q22.10 << 12
        return UInt32(v >> 12)
    }
}
