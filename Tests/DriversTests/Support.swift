import Drivers
import HAL
import TestSupport
import Testing

/// Runs `body` and returns the DriverError it threw (nil if it returned). Any other error type
/// is a test failure: the drivers throw only DriverError.
func driverError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> DriverError?
{
    do {
        _ = try body()
        return nil
    } catch let error as DriverError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Records the driver's injected sleeps instead of sleeping.
final class SleepRecorder {
    private(set) var sleeps: [Duration] = []
    var total: Duration { sleeps.reduce(.zero, +) }
    func sleep(_ d: Duration) { sleeps.append(d) }
}

/// BME280 register addresses, re-declared from the datasheet (§5.3) rather than imported.
enum BMEReg {
    static let id: UInt8 = 0xD0
    static let reset: UInt8 = 0xE0
    static let calib00: UInt8 = 0x88
    static let calib26: UInt8 = 0xE1
    static let ctrlHum: UInt8 = 0xF2
    static let status: UInt8 = 0xF3
    static let ctrlMeas: UInt8 = 0xF4
    static let config: UInt8 = 0xF5
    static let pressMSB: UInt8 = 0xF7
}

/// ADXL345 register addresses, re-declared from the datasheet register map.
enum ADXLReg {
    static let devID: UInt8 = 0x00
    static let bwRate: UInt8 = 0x2C
    static let powerCtl: UInt8 = 0x2D
    static let intSource: UInt8 = 0x30
    static let dataFormat: UInt8 = 0x31
    static let dataX0: UInt8 = 0x32
    static let fifoCtl: UInt8 = 0x38
    static let fifoStatus: UInt8 = 0x39
}

/// The BMP280/BME280 datasheet's worked example trimming values (BMP280 §3.12 table), with the
/// humidity parameters of a real BME280 (typical values: H1 75, H2 362, H3 0, H4 313, H5 50, H6 30).
let exampleCalibration = BME280.Calibration(
    t1: 27504, t2: 26435, t3: -1000,
    p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
    h1: 75, h2: 362, h3: 0, h4: 313, h5: 50, h6: 30)

/// Encodes trimming values into the chip's two blocks (0x88...0xA1, 0xE1...0xE7), written here
/// independently of the driver from the datasheet's table 16.
func encode(_ c: BME280.Calibration) -> (block1: [UInt8], block2: [UInt8]) {
    func le(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func le(_ v: Int16) -> [UInt8] { le(UInt16(bitPattern: v)) }
    var b1: [UInt8] = le(c.t1) + le(c.t2) + le(c.t3) + le(c.p1)
    b1 += [c.p2, c.p3, c.p4, c.p5, c.p6, c.p7, c.p8, c.p9].flatMap { le($0) }
    b1 += [0x00, c.h1]  // 0xA0 unused, 0xA1 dig_H1
    let h4 = UInt16(bitPattern: c.h4) & 0x0FFF, h5 = UInt16(bitPattern: c.h5) & 0x0FFF
    let b2: [UInt8] =
        le(c.h2) + [
            c.h3,
            UInt8(h4 >> 4),  // 0xE4: dig_H4[11:4]
            UInt8(h4 & 0x0F) | UInt8(h5 & 0x0F) << 4,  // 0xE5: dig_H4[3:0], dig_H5[3:0]
            UInt8(h5 >> 4),  // 0xE6: dig_H5[11:4]
            UInt8(bitPattern: c.h6),
        ]
    return (b1, b2)
}

/// Raw data burst 0xF7...0xFE for the given ADC values (20-bit P and T, 16-bit H).
func dataBytes(adcP: Int32, adcT: Int32, adcH: Int32) -> [UInt8] {
    [
        UInt8(adcP >> 12 & 0xFF), UInt8(adcP >> 4 & 0xFF), UInt8(adcP & 0x0F) << 4,
        UInt8(adcT >> 12 & 0xFF), UInt8(adcT >> 4 & 0xFF), UInt8(adcT & 0x0F) << 4,
        UInt8(adcH >> 8 & 0xFF), UInt8(adcH & 0xFF),
    ]
}

/// A register-map BME280 (or BMP280) that passes init: ID, trimming, status clear, data loaded.
func fakeBME280(
    id: UInt8 = 0x60, calibration: BME280.Calibration = exampleCalibration,
    adcP: Int32 = 415148, adcT: Int32 = 519888, adcH: Int32 = 30000
) -> FakeRegisterDevice {
    let dev = FakeRegisterDevice(address: 0x76)
    dev[BMEReg.id] = id
    let (b1, b2) = encode(calibration)
    dev.load(b1, at: BMEReg.calib00)
    if id == 0x60 { dev.load(b2, at: BMEReg.calib26) }
    dev.load(dataBytes(adcP: adcP, adcT: adcT, adcH: adcH), at: BMEReg.pressMSB)
    return dev
}
