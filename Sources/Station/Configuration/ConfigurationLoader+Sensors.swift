import HAL

extension ConfigurationLoader {
    // MARK: weather

    static func decodeWeather(
        _ section: Section, _ sub: (Section, String) -> Section, _ reader: ConfigurationReader,
        _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)
        let sensor = config.weather.sensor
        let addresses =
            sensor == .none
            ? StationConfiguration.WeatherSensorKind.bme280.allowedAddresses : sensor.allowedAddresses
        let forChip = sensor == .none ? "" : " for the \(sensor.rawValue)"
        if let v = reader.address(section, "address", allowed: addresses, context: forChip) {
            config.weather.address = v
        }

        let oversampling = sub(section, "oversampling")
        readDeclared(oversampling, reader, &config)
        let allowed = StationConfiguration.Oversampling.allowed
        if sensor == .bmp280 {
            // The BMP280 has no humidity sensor: the default becomes 0, and only 0 is accepted.
            config.weather.oversampling.humidity = 0
            if let v = reader.integer(oversampling, "humidity", oneOf: allowed), v != 0,
                let origin = oversampling.origin(of: "humidity")
            {
                reader.report(
                    origin, key: oversampling.keyPath("humidity"),
                    "expected 0 (the bmp280 has no humidity sensor), got \(v)")
            }
        } else if let v = reader.integer(oversampling, "humidity", oneOf: allowed) {
            config.weather.oversampling.humidity = v
        }
    }

    // MARK: accelerometer

    static func decodeAccelerometer(
        _ section: Section, _ sub: (Section, String) -> Section, _ reader: ConfigurationReader,
        _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)
        let chip = config.accelerometer.sensor
        if chip != .none {
            let forChip = " for the \(chip.rawValue)"
            config.accelerometer.address = chip.defaultAddress
            config.accelerometer.rangeG = chip.defaultRangeG
            config.accelerometer.odrHz = chip.defaultODRHz
            config.accelerometer.fifo = chip.hasFIFO
            if let v = reader.address(section, "address", allowed: chip.allowedAddresses, context: forChip) {
                config.accelerometer.address = v
            }
            if let v = reader.integer(section, "range_g", oneOf: chip.allowedRangesG, context: forChip) {
                config.accelerometer.rangeG = v
            }
            if let odr = chip.allowedODRRangeHz {
                if let v = reader.number(section, "odr_hz", odr, context: forChip) {
                    config.accelerometer.odrHz = v
                }
            } else {
                let table = chip.allowedODRsHz
                let expected = "one of \(table.map(format).joined(separator: ", "))\(forChip)"
                if let node = section.node("odr_hz") {
                    if case .scalar(let text, _) = node.kind, let v = parseNumber(text),
                        let match = table.first(where: { abs($0 - v) < 1e-9 * max(1, $0) })
                    {
                        config.accelerometer.odrHz = match
                    } else {
                        reader.report(
                            node.origin, key: section.keyPath("odr_hz"),
                            "expected \(expected), got \(node.described)")
                    }
                }
            }
            if let v = reader.bool(section, "fifo") {
                if v, !chip.hasFIFO, let origin = section.origin(of: "fifo") {
                    reader.report(
                        origin, key: section.keyPath("fifo"),
                        "expected false (the \(chip.rawValue) driver reads no FIFO), got true")
                } else {
                    config.accelerometer.fifo = v
                }
            }
        } else {
            // No accelerometer: its other keys are ignored (still type-checked loosely).
            config.accelerometer.fifo = false
            _ = reader.bool(section, "fifo")
        }
        readDeclared(sub(section, "calibration"), reader, &config)
        decodeInterrupt(section, reader, &config)
    }

    /// `accelerometer.interrupt`: absent, null or `none` = polled; a mapping names the line.
    static func decodeInterrupt(
        _ section: Section, _ reader: ConfigurationReader, _ config: inout StationConfiguration
    ) {
        config.accelerometer.interrupt = nil
        guard let node = section.node("interrupt") else { return }
        let keys = ConfigurationSchema.keys(at: ["accelerometer", "interrupt"])
        switch node.kind {
        case .null:
            return
        case .scalar(let text, _) where text == "none":
            return
        case .mapping:
            let s = reader.section(
                node, path: section.keyPath("interrupt"), allowed: keys,
                schemaPath: ["accelerometer", "interrupt"])
            guard s.isSet("line") else {
                reader.report(
                    node.origin, key: s.keyPath("line"),
                    "missing; expected the GPIO line INT1 is wired to, such as GPIO24 or an offset ≥ 0")
                return
            }
            config.accelerometer.interrupt = StationConfiguration.Interrupt(line: .offset(0))
            readDeclared(s, reader, &config)
            let chip = config.accelerometer.sensor
            if config.accelerometer.interrupt?.openDrain == true,
                chip.chipModel?.accelerometer?.openDrainInterrupt == false,
                let origin = s.origin(of: "open_drain")
            {
                reader.report(
                    origin, key: s.keyPath("open_drain"),
                    "expected false (the \(chip.rawValue)'s interrupt pins are push-pull only), got true")
            }
            if chip == .none {
                config.accelerometer.interrupt = nil
            }
            // A FIFO without a watermark interrupt (MPU-6050): the line says data ready, one
            // sample at a time, so the chip is read without its FIFO unless that is asked for.
            if let caps = chip.chipModel?.accelerometer, caps.hasFIFO, !caps.fifoInterrupt,
                config.accelerometer.interrupt != nil
            {
                if let origin = section.origin(of: "fifo"), config.accelerometer.fifo {
                    reader.report(
                        origin, key: section.keyPath("fifo"),
                        "expected false with accelerometer.interrupt (the \(chip.rawValue)'s FIFO has no watermark interrupt: its line says data ready, a sample at a time), got true"
                    )
                }
                config.accelerometer.fifo = false
            }
        default:
            reader.report(
                node.origin, key: section.keyPath("interrupt"),
                "expected a mapping with keys \(keys.joined(separator: ", ")) or none, got \(node.described)")
        }
    }

    // MARK: impact

    /// The checks across the impact keys (read from their declarations) and the range.
    static func decodeImpact(
        _ section: Section, _ accelerometer: Section, _ reader: ConfigurationReader,
        _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)
        // Which of them the user wrote validly, before the checks below add problems of their own.
        let (wroteThreshold, wroteSevere, wroteRearm) = (
            wrote(section, "threshold_g", reader), wrote(section, "severe_g", reader),
            wrote(section, "rearm_g", reader)
        )
        // Only compare values that are valid (an invalid one was reported already), and report on
        // a key the user wrote where possible.
        let invalid = { (key: String) in
            section.isSet(key) && section.origin(of: key) != nil && !isValid(section, key, reader)
        }
        guard !invalid("threshold_g") else { return }
        let t = config.impact.thresholdG
        let thresholdOrigin = section.origin(of: "threshold_g") ?? section.origin

        if !invalid("severe_g"), config.impact.severeG <= t {
            if wroteSevere, let origin = section.origin(of: "severe_g") {
                reader.report(
                    origin, key: section.keyPath("severe_g"),
                    "expected a value above impact.threshold_g (\(format(t))), got \(format(config.impact.severeG))"
                )
            } else if let origin = thresholdOrigin {
                reader.report(
                    origin, key: section.keyPath("threshold_g"),
                    "expected a value below impact.severe_g (\(format(config.impact.severeG)), the default), got \(format(t)); raise impact.severe_g too"
                )
            }
        }
        if !invalid("rearm_g"), config.impact.rearmG >= t {
            if wroteRearm, let origin = section.origin(of: "rearm_g") {
                reader.report(
                    origin, key: section.keyPath("rearm_g"),
                    "expected a value below impact.threshold_g (\(format(t))) so the detector re-arms, got \(format(config.impact.rearmG))"
                )
            } else if let origin = thresholdOrigin {
                reader.report(
                    origin, key: section.keyPath("threshold_g"),
                    "expected a value above impact.rearm_g (\(format(config.impact.rearmG)), the default), got \(format(t)); lower impact.rearm_g too"
                )
            }
        }
        let chip = config.accelerometer.sensor
        let range = Double(config.accelerometer.rangeG)
        let rangeInvalid = accelerometer.isSet("range_g") && !isValid(accelerometer, "range_g", reader)
        if chip != .none, !rangeInvalid, t > range {
            if wroteThreshold, let origin = section.origin(of: "threshold_g") {
                reader.report(
                    origin, key: section.keyPath("threshold_g"),
                    "expected at most \(format(range)) (accelerometer.range_g of the \(chip.rawValue), ±\(format(range)) g): a threshold above the range can never trigger, got \(format(t))"
                )
            } else if let origin = accelerometer.origin(of: "range_g") ?? accelerometer.origin {
                let enough = chip.allowedRangesG.filter { Double($0) >= t }.map(String.init).joined(
                    separator: ", ")
                reader.report(
                    origin, key: accelerometer.keyPath("range_g"),
                    "±\(format(range)) g is below impact.threshold_g (\(format(t)) g), so an impact can never trigger; expected one of \(enough.isEmpty ? "none" : enough) for the \(chip.rawValue)"
                )
            }
        }
    }

    /// Whether `key` produced no problem (used to skip cross-checks on values already reported).
    static func isValid(_ section: Section, _ key: String, _ reader: ConfigurationReader) -> Bool {
        let path = section.keyPath(key)
        return !reader.problems.contains { $0.key == path || $0.key.hasPrefix(path + "[") }
    }
}
