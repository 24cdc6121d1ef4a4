import HAL
import Simulation

/// Test helpers. Register addresses are re-declared here on purpose: the tests check the models
/// against the datasheets, not against the models' own constants.
enum BME {
    static let calib00: UInt8 = 0x88
    static let chipID: UInt8 = 0xD0
    static let reset: UInt8 = 0xE0
    static let calib26: UInt8 = 0xE1
    static let ctrlHum: UInt8 = 0xF2
    static let status: UInt8 = 0xF3
    static let ctrlMeas: UInt8 = 0xF4
    static let config: UInt8 = 0xF5
    static let pressMSB: UInt8 = 0xF7
    static let tempMSB: UInt8 = 0xFA
    static let humMSB: UInt8 = 0xFD
}

enum ADXL {
    static let devID: UInt8 = 0x00
    static let ofsX: UInt8 = 0x1E
    static let bwRate: UInt8 = 0x2C
    static let powerCtl: UInt8 = 0x2D
    static let intEnable: UInt8 = 0x2E
    static let intMap: UInt8 = 0x2F
    static let intSource: UInt8 = 0x30
    static let dataFormat: UInt8 = 0x31
    static let dataX0: UInt8 = 0x32
    static let dataZ1: UInt8 = 0x37
    static let fifoCtl: UInt8 = 0x38
    static let fifoStatus: UInt8 = 0x39
    static let measure: UInt8 = 0x08
    static let bypass: UInt8 = 0x00
    static let fifoMode: UInt8 = 0x40
    static let stream: UInt8 = 0x80
}

/// Little-endian signed 16-bit at `i`.
func le16(_ b: [UInt8], _ i: Int) -> Int {
    Int(Int16(bitPattern: UInt16(b[i]) | UInt16(b[i + 1]) << 8))
}

struct Rig {
    let clock = ManualSimulationClock()
    let bus: SimulatedI2CBus
    let device: any I2CDevice

    init(
        _ chip: (ManualSimulationClock) -> any SimulatedI2CChip, at address: I2CAddress, logCapacity: Int = 0
    ) throws {
        bus = SimulatedI2CBus(path: "sim:i2c-test", clock: clock, logCapacity: logCapacity)
        bus.attach(chip(clock), at: address)
        device = try bus.device(at: address)
    }

    func advance(ms: Double) {
        clock.advance(by: .nanoseconds(Int64((ms * 1e6).rounded())))
    }
}

/// Independent double-precision BME280 compensation (datasheet appendix 8.1), written from the
/// datasheet for the tests; calibration parsed from the register bytes the way a driver does.
struct ReferenceBME280 {
    var t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9, h1, h2, h3, h4, h5, h6: Double

    init(block1: [UInt8], block2: [UInt8]) {
        func u16(_ b: [UInt8], _ i: Int) -> Double { Double(UInt16(b[i]) | UInt16(b[i + 1]) << 8) }
        func s16(_ b: [UInt8], _ i: Int) -> Double { Double(le16(b, i)) }
        t1 = u16(block1, 0); t2 = s16(block1, 2); t3 = s16(block1, 4)
        p1 = u16(block1, 6); p2 = s16(block1, 8); p3 = s16(block1, 10); p4 = s16(block1, 12)
        p5 = s16(block1, 14); p6 = s16(block1, 16); p7 = s16(block1, 18); p8 = s16(block1, 20)
        p9 = s16(block1, 22)
        h1 = Double(block1[25])
        h2 = s16(block2, 0)
        h3 = Double(block2[2])
        h4 = Double(Int16(Int8(bitPattern: block2[3])) * 16 | Int16(block2[4] & 0x0F))
        h5 = Double(Int16(Int8(bitPattern: block2[5])) * 16 | Int16(block2[4] >> 4))
        h6 = Double(Int8(bitPattern: block2[6]))
    }

    /// (°C, t_fine as the datasheet's 32-bit integer)
    func temperature(_ adc: Int) -> (Double, Double) {
        let a = Double(adc)
        let v1 = (a / 16384.0 - t1 / 1024.0) * t2
        let v2 = (a / 131072.0 - t1 / 8192.0) * (a / 131072.0 - t1 / 8192.0) * t3
        return ((v1 + v2) / 5120.0, Double(Int32(v1 + v2)))
    }

    func pressure(_ adc: Int, tFine: Double) -> Double {
        var v1 = tFine / 2.0 - 64000.0
        var v2 = v1 * v1 * p6 / 32768.0
        v2 = v2 + v1 * p5 * 2.0
        v2 = v2 / 4.0 + p4 * 65536.0
        v1 = (p3 * v1 * v1 / 524288.0 + p2 * v1) / 524288.0
        v1 = (1.0 + v1 / 32768.0) * p1
        var p = 1048576.0 - Double(adc)
        p = (p - v2 / 4096.0) * 6250.0 / v1
        v1 = p9 * p * p / 2147483648.0
        v2 = p * p8 / 32768.0
        return p + (v1 + v2 + p7) / 16.0
    }

    func humidity(_ adc: Int, tFine: Double) -> Double {
        var h = tFine - 76800.0
        h =
            (Double(adc) - (h4 * 64.0 + h5 / 16384.0 * h))
            * (h2 / 65536.0 * (1.0 + h6 / 67108864.0 * h * (1.0 + h3 / 67108864.0 * h)))
        h = h * (1.0 - h1 * h / 524288.0)
        return min(100, max(0, h))
    }

    /// The datasheet's 32-bit integer temperature (0.01 °C) and 64-bit pressure (Q24.8 Pa).
    func integerTemperature(_ adc: Int32) -> (centi: Int32, tFine: Int32) {
        let t1 = Int32(self.t1), t2 = Int32(self.t2), t3 = Int32(self.t3)
        let var1 = (((adc >> 3) - (t1 << 1)) * t2) >> 11
        let var2 = (((((adc >> 4) - t1) * ((adc >> 4) - t1)) >> 12) * t3) >> 14
        let tFine = var1 + var2
        return ((tFine * 5 + 128) >> 8, tFine)
    }

    func integerPressure(_ adc: Int32, tFine: Int32) -> UInt32 {
        var var1 = Int64(tFine) - 128000
        var var2 = var1 * var1 * Int64(p6)
        var2 = var2 + ((var1 * Int64(p5)) << 17)
        var2 = var2 + (Int64(p4) << 35)
        var1 = ((var1 * var1 * Int64(p3)) >> 8) + ((var1 * Int64(p2)) << 12)
        var1 = (((Int64(1) << 47) + var1) * Int64(p1)) >> 33
        if var1 == 0 { return 0 }
        var p = Int64(1_048_576) - Int64(adc)
        p = (((p << 31) - var2) * 3125) / var1
        var1 = (Int64(p9) * (p >> 13) * (p >> 13)) >> 25
        var2 = (Int64(p8) * p) >> 19
        p = ((p + var1 + var2) >> 8) + (Int64(p7) << 4)
        return UInt32(p)
    }
}

/// Splits a BME280 data burst (8 bytes from 0xF7) into (adc_P, adc_T, adc_H).
func splitBME280(_ d: [UInt8]) -> (p: Int, t: Int, h: Int) {
    let p = Int(d[0]) << 12 | Int(d[1]) << 4 | Int(d[2]) >> 4
    let t = Int(d[3]) << 12 | Int(d[4]) << 4 | Int(d[5]) >> 4
    let h = Int(d[6]) << 8 | Int(d[7])
    return (p, t, h)
}
