import Drivers

/// An independent double-precision implementation of the BME280 compensation, transcribed from
/// the datasheet appendix 8.1 ("Compensation formulas in double precision floating point"), used
/// to check the driver's integer formulas. t_fine as the datasheet: the integer part of var1 + var2.
struct ReferenceDouble {
    let c: BME280.Calibration
    var tFine: Int32 = 0

    mutating func temperature(_ adcT: Int32) -> Double {
        let adc = Double(adcT), t1 = Double(c.t1), t2 = Double(c.t2), t3 = Double(c.t3)
        let var1 = (adc / 16384.0 - t1 / 1024.0) * t2
        let var2 = ((adc / 131072.0 - t1 / 8192.0) * (adc / 131072.0 - t1 / 8192.0)) * t3
        tFine = Int32(var1 + var2)
        return (var1 + var2) / 5120.0
    }

    func pressure(_ adcP: Int32) -> Double {
        var var1 = Double(tFine) / 2.0 - 64000.0
        var var2 = var1 * var1 * Double(c.p6) / 32768.0
        var2 = var2 + var1 * Double(c.p5) * 2.0
        var2 = (var2 / 4.0) + (Double(c.p4) * 65536.0)
        var1 = (Double(c.p3) * var1 * var1 / 524288.0 + Double(c.p2) * var1) / 524288.0
        var1 = (1.0 + var1 / 32768.0) * Double(c.p1)
        if var1 == 0 { return 0 }
        var p = 1048576.0 - Double(adcP)
        p = (p - (var2 / 4096.0)) * 6250.0 / var1
        var1 = Double(c.p9) * p * p / 2147483648.0
        var2 = p * Double(c.p8) / 32768.0
        return p + (var1 + var2 + Double(c.p7)) / 16.0
    }

    func humidity(_ adcH: Int32) -> Double {
        var h = Double(tFine) - 76800.0
        h =
            (Double(adcH) - (Double(c.h4) * 64.0 + Double(c.h5) / 16384.0 * h))
            * (Double(c.h2) / 65536.0
                * (1.0 + Double(c.h6) / 67108864.0 * h * (1.0 + Double(c.h3) / 67108864.0 * h)))
        h = h * (1.0 - Double(c.h1) * h / 524288.0)
        return min(max(h, 0), 100)
    }
}
