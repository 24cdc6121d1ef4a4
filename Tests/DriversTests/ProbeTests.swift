import Drivers
import HAL
import Testing

@Suite("Probe")
struct ProbeTests {
    static let bus = FakeI2CBus([
        0x76: .registers([0xD0: 0x60]),  // BME280
        0x77: .registers([0xD0: 0x42]),  // something else at a BME280 address
        0x53: .registers([0x00: 0xE5]),  // ADXL345 (or ADXL375)
        0x19: .registers([0x0F: 0x32]),  // H3LIS331DL or LIS331HH
        0x18: .registers([0x0F: 0x33]),  // LIS3DH
        0x68: .registers([0x75: 0x68]),  // MPU-6050
        0x50: .registers([:]),  // an EEPROM: unknown
        0x3C: .failing(.busy),  // a kernel driver owns it
        0x40: .failing(.timeout),
        0x41: .failing(.noAcknowledge),  // address NAK reported as EREMOTEIO: nothing there
    ])

    @Test("scan finds and identifies each device, reports busy and timeout, skips empty addresses")
    func scan() {
        let results = Probe.scan(Self.bus)
        #expect(results.map(\.address) == [0x18, 0x19, 0x3C, 0x40, 0x50, 0x53, 0x68, 0x76, 0x77])
        let by = Dictionary(uniqueKeysWithValues: results.map { ($0.address, $0) })
        #expect(by[0x76] == ProbeResult(address: 0x76, model: .bme280, chipID: 0x60, idRegister: 0xD0))
        #expect(by[0x76]?.name == "bme280")
        #expect(
            by[0x53]
                == ProbeResult(
                    address: 0x53, model: .adxl345, chipID: 0xE5, idRegister: 0x00, alsoMatches: [.adxl375]))
        #expect(by[0x19]?.model == .h3lis331dl)
        #expect(by[0x19]?.alsoMatches == [.lis331hh])
        #expect(by[0x18]?.model == .lis3dh)
        #expect(by[0x68]?.model == .mpu6050)
        #expect(by[0x50] == ProbeResult(address: 0x50))
        #expect(by[0x50]?.name == "unknown device")
        #expect(by[0x77] == ProbeResult(address: 0x77, chipID: 0x42, idRegister: 0xD0))
        #expect(by[0x77]?.name == "unknown device")
        #expect(by[0x3C]?.error?.kind == .busy)
        #expect(by[0x3C]?.error?.explanation.contains("kernel driver") == true)
        #expect(by[0x40]?.error?.kind == .timeout)
    }

    @Test("identify: nil where nothing answers")
    func identifyNothing() {
        #expect(Probe.identify(Self.bus, address: 0x10) == nil)
        #expect(Probe.identify(Self.bus, address: 0x41) == nil)
        #expect(Probe.identify(Self.bus, address: 0x76)?.model == .bme280)
    }

    @Test("BMP280 ID, and a narrowed scan range")
    func bmp280() {
        let bus = FakeI2CBus([0x77: .registers([0xD0: 0x58]), 0x76: .registers([0xD0: 0x60])])
        #expect(
            Probe.scan(bus, addresses: 0x77...0x77) == [
                ProbeResult(address: 0x77, model: .bmp280, chipID: 0x58, idRegister: 0xD0)
            ])
    }
}
