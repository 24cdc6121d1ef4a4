/// BME280/BMP280 trimming parameters (datasheet BME280 §4.2.2 table 16, BMP280 §3.11.2 table 17)
/// and the double-precision compensation of datasheet appendix 8.1 (BMP280 §8.1), with its
/// inverse, which the model uses to turn the scenario's weather into raw ADC values.
public struct BME280Calibration: Sendable, Equatable {
    public var t1: UInt16
    public var t2: Int16
    public var t3: Int16
    public var p1: UInt16
    public var p2: Int16
    public var p3: Int16
    public var p4: Int16
    public var p5: Int16
    public var p6: Int16
    public var p7: Int16
    public var p8: Int16
    public var p9: Int16
    public var h1: UInt8
    public var h2: Int16
    public var h3: UInt8
    /// 12-bit signed.
    public var h4: Int16
    /// 12-bit signed.
    public var h5: Int16
    public var h6: Int8

    public init(
        t1: UInt16, t2: Int16, t3: Int16, p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16,
        p7: Int16, p8: Int16, p9: Int16, h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8
    ) {
        self.t1 = t1
        self.t2 = t2
        self.t3 = t3
        self.p1 = p1
        self.p2 = p2
        self.p3 = p3
        self.p4 = p4
        self.p5 = p5
        self.p6 = p6
        self.p7 = p7
        self.p8 = p8
        self.p9 = p9
        self.h1 = h1
        self.h2 = h2
        self.h3 = h3
        self.h4 = h4
        self.h5 = h5
        self.h6 = h6
    }

    /// The worked example of the BMP280 datasheet (§3.12, table 16: T1..T3, P1..P9) plus plausible
    /// humidity coefficients (the datasheets give no humidity example).
    public static let datasheetExample = BME280Calibration(
        t1: 27504, t2: 26435, t3: -1000,
        p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
        h1: 75, h2: 362, h3: 0, h4: 324, h5: 50, h6: 30)

    // MARK: Register images

    /// calib00..calib25 at 0x88...0xA1 (26 bytes): T1..P9 as little-endian 16-bit words
    /// (0x88...0x9F), 0xA0 unused (0x00), dig_H1 at 0xA1.
    public var block0x88: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(26)
        func le(_ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
        le(t1); le(UInt16(bitPattern: t2)); le(UInt16(bitPattern: t3))
        le(p1)
        for p in [p2, p3, p4, p5, p6, p7, p8, p9] { le(UInt16(bitPattern: p)) }
        out.append(0x00)  // 0xA0: reserved
        out.append(h1)  // 0xA1
        return out
    }

    /// calib26..calib32 at 0xE1...0xE7 (7 bytes), BME280 only:
    /// 0xE1/0xE2 dig_H2 (LE), 0xE3 dig_H3, 0xE4 = dig_H4[11:4], 0xE5[3:0] = dig_H4[3:0],
    /// 0xE5[7:4] = dig_H5[3:0], 0xE6 = dig_H5[11:4], 0xE7 dig_H6.
    public var block0xE1: [UInt8] {
        let h2u = UInt16(bitPattern: h2)
        let h4u = UInt16(bitPattern: h4) & 0x0FFF
        let h5u = UInt16(bitPattern: h5) & 0x0FFF
        return [
            UInt8(h2u & 0xFF), UInt8(h2u >> 8),
            h3,
            UInt8(truncatingIfNeeded: h4u >> 4),
            UInt8(truncatingIfNeeded: (h4u & 0x0F) | ((h5u & 0x0F) << 4)),
            UInt8(truncatingIfNeeded: h5u >> 4),
            UInt8(bitPattern: h6),
        ]
    }

    // MARK: Double-precision compensation (datasheet appendix 8.1)

    /// Temperature in °C and t_fine (the datasheet stores t_fine as a 32-bit integer, truncated).
    public func temperature(adcT: Int32) -> (celsius: Double, tFine: Int32) {
        let (sum, tFine) = temperatureSum(adcT: Double(adcT))
        return (sum / 5120.0, tFine)
    }

    private func temperatureSum(adcT: Double) -> (Double, Int32) {
        let t1 = Double(self.t1)
        let var1 = (adcT / 16384.0 - t1 / 1024.0) * Double(t2)
        let d = adcT / 131072.0 - t1 / 8192.0
        let var2 = d * d * Double(t3)
        return (var1 + var2, Int32(var1 + var2))
    }

    /// Pressure in Pa (0 when the coefficients would divide by zero, as the datasheet does).
    public func pressure(adcP: Int32, tFine: Int32) -> Double {
        var var1 = Double(tFine) / 2.0 - 64000.0
        var var2 = var1 * var1 * Double(p6) / 32768.0
        var2 = var2 + var1 * Double(p5) * 2.0
        var2 = var2 / 4.0 + Double(p4) * 65536.0
        var1 = (Double(p3) * var1 * var1 / 524288.0 + Double(p2) * var1) / 524288.0
        var1 = (1.0 + var1 / 32768.0) * Double(p1)
        if var1 == 0 { return 0 }
        var p = 1048576.0 - Double(adcP)
        p = (p - var2 / 4096.0) * 6250.0 / var1
        var1 = Double(p9) * p * p / 2147483648.0
        var2 = p * Double(p8) / 32768.0
        return p + (var1 + var2 + Double(p7)) / 16.0
    }

    /// Relative humidity in %RH, clamped to 0...100 as the datasheet does.
    public func humidity(adcH: Int32, tFine: Int32) -> Double {
        min(100, max(0, humidityUnclamped(adcH: adcH, tFine: tFine)))
    }

    func humidityUnclamped(adcH: Int32, tFine: Int32) -> Double {
        var h = Double(tFine) - 76800.0
        h =
            (Double(adcH) - (Double(h4) * 64.0 + Double(h5) / 16384.0 * h))
            * (Double(h2) / 65536.0
                * (1.0 + Double(h6) / 67108864.0 * h * (1.0 + Double(h3) / 67108864.0 * h)))
        return h * (1.0 - Double(h1) * h / 524288.0)
    }

    // MARK: Inverse (bisection over the ADC value)

    /// The 20-bit adc_T whose compensated temperature is nearest to `celsius`.
    public func rawTemperature(celsius: Double) -> Int32 {
        Self.nearest(in: 0...0xFFFFF, to: celsius) { temperatureSum(adcT: Double($0)).0 / 5120.0 }
    }

    /// The 20-bit adc_P whose compensated pressure (with `tFine`) is nearest to `pascal`.
    public func rawPressure(pascal: Double, tFine: Int32) -> Int32 {
        Self.nearest(in: 0...0xFFFFF, to: pascal) { pressure(adcP: $0, tFine: tFine) }
    }

    /// The 16-bit adc_H whose compensated humidity (with `tFine`) is nearest to `percent`.
    public func rawHumidity(percent: Double, tFine: Int32) -> Int32 {
        Self.nearest(in: 0...0xFFFF, to: percent) { humidityUnclamped(adcH: $0, tFine: tFine) }
    }

    /// The x in `range` with f(x) nearest to `target`, for f monotonic over `range`.
    static func nearest(in range: ClosedRange<Int32>, to target: Double, _ f: (Int32) -> Double) -> Int32 {
        let increasing = f(range.upperBound) >= f(range.lowerBound)
        func reached(_ x: Int32) -> Bool { increasing ? f(x) >= target : f(x) <= target }
        if !reached(range.upperBound) { return range.upperBound }
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if reached(mid) { hi = mid } else { lo = mid + 1 }
        }
        if lo > range.lowerBound, abs(f(lo - 1) - target) <= abs(f(lo) - target) { return lo - 1 }
        return lo
    }
}
