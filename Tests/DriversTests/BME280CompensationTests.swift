import Drivers
import TestSupport
import Testing

@Suite("BME280 compensation (pure math)")
struct BME280CompensationTests {
    @Test("datasheet worked example: temperature 25.08 °C, t_fine 128422")
    func workedExampleTemperature() {
        let (centi, tFine) = BME280.compensateTemperature(adcT: 519888, calibration: exampleCalibration)
        #expect(tFine == 128422)
        #expect(centi == 2508)
    }

    @Test("datasheet worked example: pressure 25767233 Q24.8 = 100653.25 Pa")
    func workedExamplePressure() {
        let p = BME280.compensatePressure(adcP: 415148, tFine: 128422, calibration: exampleCalibration)
        // The datasheet prints 25767236 (100653.27 Pa), but executing its own int64 formula on
        // these inputs gives 25767233; the Linux bmp280 driver and Bosch's C code agree. The
        // printed figure was evidently computed another way; the code is the reference.
        #expect(p == 25767233)
        #expect(Double(p) / 256 == 100653.25390625)
    }

    @Test("parsing the trimming blocks recovers every parameter, including the nibble-shared H4/H5")
    func parseCalibration() throws {
        let (b1, b2) = encode(exampleCalibration)
        #expect(b1.count == 26)
        #expect(b2.count == 7)
        let parsed = try #require(BME280.Calibration(block1: b1, block2: b2))
        #expect(parsed == exampleCalibration)
        // Negative 12-bit H4/H5 sign-extend.
        var c = exampleCalibration
        c.h4 = -300
        c.h5 = -2048
        let (n1, n2) = encode(c)
        #expect(BME280.Calibration(block1: n1, block2: n2) == c)
    }

    @Test("byte layout of 0xE4...0xE6 as table 16 describes it")
    func h4h5Layout() throws {
        var block1 = [UInt8](repeating: 1, count: 26)
        block1[25] = 0x4B
        // dig_H4 = 0xE4 << 4 | 0xE5[3:0] = 0x13 << 4 | 0x9 = 0x139 = 313
        // dig_H5 = 0xE6 << 4 | 0xE5[7:4] = 0x03 << 4 | 0x2 = 0x032 = 50
        let c = try #require(
            BME280.Calibration(block1: block1, block2: [0x6A, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1E]))
        #expect(c.h1 == 75)
        #expect(c.h2 == 362)
        #expect(c.h3 == 0)
        #expect(c.h4 == 313)
        #expect(c.h5 == 50)
        #expect(c.h6 == 30)
    }

    @Test("wrong block lengths give nil, not a trap", arguments: [0, 1, 25, 27])
    func wrongLength(count: Int) {
        #expect(BME280.Calibration(block1: [UInt8](repeating: 0x55, count: count), block2: nil) == nil)
        #expect(
            BME280.Calibration(
                block1: [UInt8](repeating: 0x55, count: 26),
                block2: [UInt8](repeating: 1, count: count % 7 == 0 ? 6 : count)) == nil)
    }

    /// Random trimming values in the ranges real parts show (from published register dumps of
    /// many BME280/BMP280 units, widened).
    static func plausibleCalibration(_ rng: inout SplitMix64) -> BME280.Calibration {
        func i(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        return BME280.Calibration(
            t1: UInt16(i(26000...29500)), t2: Int16(i(25000...27500)), t3: Int16(i(-1000...50)),
            p1: UInt16(i(35000...39000)), p2: Int16(i(-11000...(-10000))), p3: Int16(i(2900...3300)),
            p4: Int16(i(2000...10000)), p5: Int16(i(-200...200)), p6: Int16(i(-10...0)),
            p7: Int16(i(9800...15500)), p8: Int16(i(-14600...(-10000))), p9: Int16(i(4200...6000)),
            h1: UInt8(i(70...80)), h2: Int16(i(340...380)), h3: UInt8(i(0...5)),
            h4: Int16(i(280...340)), h5: Int16(i(30...60)), h6: Int8(i(25...35)))
    }

    @Test("integer compensation agrees with the datasheet's double-precision formulas (10 000 random cases)")
    func againstDoubleReference() {
        var rng = SplitMix64(seed: 0x5EED_B0E2_8000)
        var worst = (t: 0.0, p: 0.0, h: 0.0)
        var checked = 0
        var worstTFine = 0
        for _ in 0..<10_000 {
            let c = Self.plausibleCalibration(&rng)
            let adcT = Int32.random(in: 380_000...640_000, using: &rng)
            let adcP = Int32.random(in: 200_000...500_000, using: &rng)
            let adcH = Int32.random(in: 15_000...50_000, using: &rng)
            var ref = ReferenceDouble(c: c)
            let tRef = ref.temperature(adcT)
            guard (-40...85).contains(tRef) else { continue }  // the chip's operating range
            let pRef = ref.pressure(adcP)
            guard (30_000...110_000).contains(pRef) else { continue }  // 300...1100 hPa
            let hRef = ref.humidity(adcH)
            let (centi, tFine) = BME280.compensateTemperature(adcT: adcT, calibration: c)
            worstTFine = max(worstTFine, abs(Int(tFine) - Int(ref.tFine)))
            let p = Double(BME280.compensatePressure(adcP: adcP, tFine: tFine, calibration: c)) / 256
            let h = Double(BME280.compensateHumidity(adcH: adcH, tFine: tFine, calibration: c)) / 1024
            worst.t = max(worst.t, abs(Double(centi) / 100 - tRef))
            worst.p = max(worst.p, abs(p - pRef))
            worst.h = max(worst.h, abs(h - hRef))
            checked += 1
        }
        #expect(checked > 3000)
        // t_fine (1/5120 °C per unit): the integer version truncates at >> 3, >> 4, >> 11, >> 12,
        // >> 14, the double one only at the end, so they differ by a few units, well under 0.01 °C.
        #expect(worstTFine <= 51, "worst t_fine difference \(worstTFine)")
        // Temperature: the integer result is rounded to 0.01 °C, so ≤ 0.005 °C plus t_fine's
        // truncation (1/5120 °C): within 0.01 °C.
        #expect(worst.t <= 0.01, "worst temperature difference \(worst.t) °C")
        // Pressure: the int64 formula truncates intermediate shifts (>> 33, >> 13, >> 19); its
        // resolution is 1/256 Pa and Bosch quotes it as equivalent to the double version; allow 1 Pa.
        #expect(worst.p <= 1.0, "worst pressure difference \(worst.p) Pa")
        // Humidity: int32 Q22.10 with truncating shifts; within 0.1 %RH.
        #expect(worst.h <= 0.1, "worst humidity difference \(worst.h) %RH")
        print(
            "BME280 int vs double, \(checked) cases: worst Δt_fine \(worstTFine), ΔT \(worst.t) °C, Δp \(worst.p) Pa, ΔH \(worst.h) %RH"
        )
    }

    @Test("humidity with realistic trimming over the whole 0...100 %RH span and clamping")
    func humidityRealistic() {
        var ref = ReferenceDouble(c: exampleCalibration)
        _ = ref.temperature(519888)  // 25.08 °C
        let tFine = BME280.compensateTemperature(adcT: 519888, calibration: exampleCalibration).tFine
        var sawZero = false, sawHundred = false, sawMiddle = false
        for adcH in stride(from: Int32(0), through: 65535, by: 97) {
            let h =
                Double(BME280.compensateHumidity(adcH: adcH, tFine: tFine, calibration: exampleCalibration))
                / 1024
            #expect((0...100).contains(h))
            #expect(abs(h - ref.humidity(adcH)) <= 0.1, "adc_H \(adcH): \(h) vs \(ref.humidity(adcH))")
            if h == 0 { sawZero = true } else if h == 100 { sawHundred = true } else { sawMiddle = true }
        }
        #expect(sawZero && sawHundred && sawMiddle)
    }

    @Test("any bytes from the bus: parsing and compensation never trap (20 000 random and edge cases)")
    func garbageNeverTraps() {
        var rng = SplitMix64(seed: 0xBAD_B17E5)
        var cases: [([UInt8], [UInt8], [UInt8])] = [
            (
                [UInt8](repeating: 0xFF, count: 26), [UInt8](repeating: 0xFF, count: 7),
                [UInt8](repeating: 0xFF, count: 8)
            ),
            (
                [UInt8](repeating: 0x00, count: 26), [UInt8](repeating: 0x00, count: 7),
                [UInt8](repeating: 0x00, count: 8)
            ),
            (
                [UInt8](repeating: 0x80, count: 26), [UInt8](repeating: 0x80, count: 7),
                [UInt8](repeating: 0x80, count: 8)
            ),
            (
                [UInt8](repeating: 0x7F, count: 26), [UInt8](repeating: 0x7F, count: 7),
                [UInt8](repeating: 0x7F, count: 8)
            ),
        ]
        for _ in 0..<20_000 {
            cases.append(
                (
                    (0..<26).map { _ in UInt8.random(in: 0...255, using: &rng) },
                    (0..<7).map { _ in UInt8.random(in: 0...255, using: &rng) },
                    (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
                ))
        }
        for (b1, b2, data) in cases {
            guard let c = BME280.Calibration(block1: b1, block2: b2) else {
                Issue.record("right-length blocks must parse")
                continue
            }
            let raw = BME280.parseRaw(data)
            #expect((0...0xFFFFF).contains(raw.pressure) && (0...0xFFFFF).contains(raw.temperature))
            let (_, tFine) = BME280.compensateTemperature(adcT: raw.temperature, calibration: c)
            _ = BME280.compensatePressure(adcP: raw.pressure, tFine: tFine, calibration: c)
            let h = BME280.compensateHumidity(adcH: raw.humidity ?? 0, tFine: tFine, calibration: c)
            #expect(h <= 102_400)
            // Also with extreme t_fine values the formulas must not trap.
            for t in [Int32.min, -1, 0, Int32.max] {
                _ = BME280.compensatePressure(adcP: raw.pressure, tFine: t, calibration: c)
                _ = BME280.compensateHumidity(adcH: raw.humidity ?? 0, tFine: t, calibration: c)
            }
        }
        // Extreme ADC inputs outside 20 bits, too.
        for adc in [Int32.min, -1, 0x80000, 0xFFFFF, Int32.max] {
            let (_, tFine) = BME280.compensateTemperature(adcT: adc, calibration: exampleCalibration)
            _ = BME280.compensatePressure(adcP: adc, tFine: tFine, calibration: exampleCalibration)
            _ = BME280.compensateHumidity(adcH: adc, tFine: tFine, calibration: exampleCalibration)
        }
    }

    @Test("dig_P1 = 0 gives 0 (the datasheet's guard), not a division trap")
    func pressureDivisionGuard() {
        var c = exampleCalibration
        c.p1 = 0
        #expect(BME280.compensatePressure(adcP: 415148, tFine: 128422, calibration: c) == 0)
    }

    @Test(
        "maximum measurement time, datasheet §9.1",
        arguments: [
            (BME280.Oversampling.x1, BME280.Oversampling.x1, BME280.Oversampling.x1, true, 9300),
            (.x16, .x16, .x16, true, 112_800),
            (.x1, .x1, .skip, true, 6425),
            (.x2, .x16, .x1, false, 43_225),  // BMP280 "ultra high resolution": 43.2 ms max
        ])
    func measurementTime(
        t: BME280.Oversampling, p: BME280.Oversampling, h: BME280.Oversampling, humidity: Bool, us: Int
    ) {
        let s = BME280.Settings(temperatureOversampling: t, pressureOversampling: p, humidityOversampling: h)
        #expect(s.maxMeasurementMicroseconds(humidity: humidity) == us)
    }
}
