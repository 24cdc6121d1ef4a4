import HAL
import Logging

/// The sections of the file: every declared key with a reader of its own (`ConfigurationKeys`),
/// then the keys whose rules depend on another one, and the checks across fields.
extension ConfigurationLoader {
    typealias Section = ConfigurationReader.Section

    static func decode(_ root: ConfigNode, reader: ConfigurationReader, environment: [String: String])
        -> StationConfiguration
    {
        var config = StationConfiguration.defaults(environment: environment)
        let top = reader.section(root, path: "", allowed: ConfigurationSchema.keys(at: []), schemaPath: [])

        func sub(_ parent: Section, _ key: String) -> Section {
            let path = parent.keyPath(key)
            let components = path.split(separator: ".").map(String.init)
            return reader.section(
                parent.node(key), path: path, allowed: ConfigurationSchema.keys(at: components),
                schemaPath: components)
        }

        readDeclared(top, reader, &config)
        for name in ["station", "i2c", "storage", "simulation", "logging"] {
            readDeclared(sub(top, name), reader, &config)
        }
        decodeWeather(sub(top, "weather"), sub, reader, &config)
        let accelerometer = sub(top, "accelerometer")
        decodeAccelerometer(accelerometer, sub, reader, &config)
        decodeImpact(sub(top, "impact"), accelerometer, reader, &config)
        decodeGPIO(sub(top, "gpio"), reader, &config)
        decodeUpload(sub(top, "upload"), sub, reader, &config)

        // Two sensors at one address on one bus. The address tables of the supported chips do
        // not overlap today; this guards a future chip that shares one.
        if config.weather.sensor != .none, config.accelerometer.sensor != .none,
            config.weather.address == config.accelerometer.address,
            let origin = accelerometer.origin(of: "address") ?? accelerometer.origin
        {
            reader.report(
                origin, key: "accelerometer.address",
                "\(hex(config.accelerometer.address)) is also weather.address; two sensors cannot share an address on \(config.i2c.bus)"
            )
        }
        return config
    }

    /// Reads every key of the section that its declaration can read by itself.
    static func readDeclared(
        _ section: Section, _ reader: ConfigurationReader, _ config: inout StationConfiguration
    ) {
        for key in ConfigurationKeys.all where key.parent == section.path {
            key.read?(reader, section, &config)
        }
    }

    /// Whether the file or the environment gave `key` a valid value.
    static func wrote(_ section: Section, _ key: String, _ reader: ConfigurationReader) -> Bool {
        section.node(key) != nil && isValid(section, key, reader)
    }

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

    // MARK: gpio

    static func decodeGPIO(
        _ section: Section, _ reader: ConfigurationReader, _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)

        // LEDs, with who uses which line and role, for the checks across entries.
        var usedLines: [LineSelector: (path: String, role: String, line: Int?)] = [:]
        var usedRoles: [StationConfiguration.LEDRole: (path: String, line: Int?)] = [:]
        if let node = section.node("leds") {
            switch node.kind {
            case .null:
                config.gpio.leds = []
            case .sequence(let items):
                var leds: [StationConfiguration.LED] = []
                let ledKeys = ConfigurationSchema.listItemKeys(section.keyPath("leds"))
                for (i, item) in items.enumerated() {
                    let path = "\(section.keyPath("leds"))[\(i)]"
                    let e = reader.section(item, path: path, allowed: ledKeys)
                    guard item.entries != nil else {
                        if item.isNull {
                            reader.report(
                                item.origin, key: path,
                                "expected a mapping with keys \(ledKeys.joined(separator: ", ")), got nothing"
                            )
                        }
                        continue
                    }
                    for key in ["role", "line"] where !e.isSet(key) {
                        reader.report(
                            item.origin, key: e.keyPath(key),
                            key == "role"
                                ? "missing; expected one of \(StationConfiguration.LEDRole.allCases.map(\.rawValue).joined(separator: ", "))"
                                : "missing; expected a line name such as GPIO17 or an offset ≥ 0")
                    }
                    let role = reader.choice(e, "role", StationConfiguration.LEDRole.self)
                    let line = reader.line(e, "line")
                    let activeLow = reader.bool(e, "active_low") ?? false
                    guard let role, let line else { continue }
                    if let other = usedRoles[role] {
                        reader.report(
                            e.origin(of: "role")!, key: e.keyPath("role"),
                            "'\(role.rawValue)' is already the role of \(other.path)\(at(other.line)); each role drives one LED"
                        )
                    } else {
                        usedRoles[role] = (path, e.origin(of: "role")?.line)
                    }
                    if let other = usedLines[line] {
                        reader.report(
                            e.origin(of: "line")!, key: e.keyPath("line"),
                            "\(line) is already used by \(other.path) (\(other.role)\(other.line.map { ", line \($0)" } ?? "")); expected a different line"
                        )
                    } else {
                        usedLines[line] = (path, role.rawValue, e.origin(of: "line")?.line)
                    }
                    leds.append(StationConfiguration.LED(role: role, line: line, activeLow: activeLow))
                }
                config.gpio.leds = leds
            default:
                reader.report(
                    node.origin, key: section.keyPath("leds"),
                    "expected a list of LEDs such as '- { role: status, line: GPIO17 }', got \(node.described)"
                )
            }
        }

        // The button: absent = the default button (a station has one, like its LEDs);
        // null or `none` = no button.
        guard let node = section.node("button") else { return }
        let buttonKeys = ConfigurationSchema.keys(at: ["gpio", "button"])
        switch node.kind {
        case .null:
            config.gpio.button = nil
        case .scalar(let text, _) where text == "none":
            config.gpio.button = nil
        case .mapping:
            let b = reader.section(
                node, path: section.keyPath("button"), allowed: buttonKeys, schemaPath: ["gpio", "button"])
            config.gpio.button = StationConfiguration.Button()
            readDeclared(b, reader, &config)
            if let line = config.gpio.button?.line, let other = usedLines[line], isValid(b, "line", reader),
                let origin = b.origin(of: "line") ?? b.origin
            {
                reader.report(
                    origin, key: b.keyPath("line"),
                    "\(line) is already used by \(other.path) (\(other.role)\(other.line.map { ", line \($0)" } ?? "")); expected a different line"
                )
            }
        default:
            reader.report(
                node.origin, key: section.keyPath("button"),
                "expected a mapping with keys \(buttonKeys.joined(separator: ", ")) or none, got \(node.described)"
            )
        }
    }

    private static func at(_ line: Int?) -> String { line.map { " (line \($0))" } ?? "" }

    // MARK: upload

    static func decodeUpload(
        _ section: Section, _ sub: (Section, String) -> Section, _ reader: ConfigurationReader,
        _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)
        var upload = config.upload
        if let node = section.node("passphrase_file"), node.isNull {
            upload.passphraseFile = nil
        } else if let v = reader.path(section, "passphrase_file", allowEmpty: true) {
            upload.passphraseFile = v.isEmpty ? nil : v
        }

        // Destinations: absent, null, `none` or an empty name = off.
        func destination(_ key: String) -> Section? {
            guard let node = section.node(key), !node.isNull else { return nil }
            if case .scalar(let text, _) = node.kind {
                if text != "none" {
                    reader.report(
                        node.origin, key: section.keyPath(key),
                        "expected a mapping with keys \(ConfigurationSchema.keys(at: ["upload", key]).joined(separator: ", ")) or none, got \(node.described)"
                    )
                }
                return nil
            }
            return sub(section, key)
        }
        if let destination = destination("s3"),
            let bucket = reader.string(
                destination, "bucket", optional: true, validate: { $0.isEmpty ? nil : validBucket($0) }),
            !bucket.isEmpty
        {
            var s3 = StationConfiguration.S3Destination(bucket: bucket)
            if let v = reader.string(
                destination, "prefix",
                validate: {
                    $0.hasPrefix("/") || $0.hasSuffix("/")
                        ? "a key prefix without a leading or trailing '/'" : nil
                })
            {
                s3.prefix = v
            }
            s3.endpoint = endpoint(destination, reader)
            upload.s3 = s3
        }
        if let destination = destination("dynamodb"),
            let table = reader.string(
                destination, "table", optional: true, validate: { $0.isEmpty ? nil : validTable($0) }),
            !table.isEmpty
        {
            upload.dynamodb = StationConfiguration.DynamoDBDestination(
                table: table, endpoint: endpoint(destination, reader))
        }
        if let destination = destination("kinesis"),
            let stream = reader.string(
                destination, "stream", optional: true, validate: { $0.isEmpty ? nil : validStream($0) }),
            !stream.isEmpty
        {
            upload.kinesis = StationConfiguration.KinesisDestination(
                stream: stream, endpoint: endpoint(destination, reader),
                rawAcceleration: reader.bool(destination, "raw_acceleration") ?? false)
        }

        if upload.enabled, let enabledOrigin = section.origin(of: "enabled") {
            let required: [(String, String, Bool)] = [
                ("region", "an AWS region such as eu-west-1", upload.region.isEmpty),
                (
                    "credentials_endpoint",
                    "a host name such as c1abc.credentials.iot.eu-west-1.amazonaws.com",
                    upload.credentialsEndpoint.isEmpty
                ),
                (
                    "role_alias", "the AWS IoT role alias, 1 to 128 of the characters a-z A-Z 0-9 _ = , @ -",
                    upload.roleAlias.isEmpty
                ),
                ("certificate", "the device certificate's path", upload.certificate.isEmpty),
                ("private_key", "the private key's path", upload.privateKey.isEmpty),
            ]
            for (key, what, missing) in required where missing && isValid(section, key, reader) {
                reader.report(
                    section.origin(of: key) ?? enabledOrigin, key: section.keyPath(key),
                    "required when upload.enabled is true; expected \(what)")
            }
            if !upload.hasDestination {
                reader.report(
                    enabledOrigin, key: section.keyPath("enabled"),
                    "upload is enabled but has no destination; set upload.s3.bucket, upload.dynamodb.table or upload.kinesis.stream"
                )
            }
        }
        config.upload = upload
    }

    private static func endpoint(_ destination: Section, _ reader: ConfigurationReader) -> String? {
        let v = reader.string(destination, "endpoint", optional: true) { text in
            text.isEmpty || text.hasPrefix("https://") || text.hasPrefix("http://")
                ? nil : "a URL such as https://s3.eu-west-1.amazonaws.com or http://localhost:5000"
        }
        return v?.isEmpty == false ? v : nil
    }

    // MARK: validators (return what is allowed, or nil when the value is fine)

    static func validThingName(_ section: String) -> String? {
        (1...128).contains(section.count)
            && section.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":_-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 : _ -"
    }

    static func validSerialNumber(_ section: String) -> String? {
        (1...64).contains(section.unicodeScalars.count)
            && section.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
            ? nil : "1 to 64 printable ASCII characters without spaces"
    }

    static func validI2CBus(_ section: String) -> String? {
        let digits = section.dropFirst("/dev/i2c-".count)
        return section.hasPrefix("/dev/i2c-") && !digits.isEmpty
            && digits.allSatisfy({ $0.isASCII && $0.isNumber })
            ? nil : "a bus device such as /dev/i2c-1"
    }

    static func validRegion(_ section: String) -> String? {
        // eu-west-1, us-gov-west-1, ap-southeast-2, cn-north-1, us-isob-east-1
        let parts = section.split(separator: "-", omittingEmptySubsequences: false)
        let ok =
            parts.count >= 3 && parts[0].count == 2
            && parts.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy({ $0.isASCII && $0.isLowercase }) })
            && parts.last!.allSatisfy({ $0.isASCII && $0.isNumber }) && !parts.last!.isEmpty
        return ok ? nil : "an AWS region such as eu-west-1"
    }

    static func validHostName(_ section: String) -> String? {
        let labels = section.split(separator: ".", omittingEmptySubsequences: false)
        // One label is a host name too (localhost, a name on the local network).
        let ok =
            !section.contains("://") && section.count <= 253
            && labels.allSatisfy({
                (1...63).contains($0.count) && $0.first != "-" && $0.last != "-"
                    && $0.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            })
        return ok
            ? nil : "a host name without a scheme, such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
    }

    /// A host name with an optional `:port` (1–65535; a local test endpoint).
    static func validEndpoint(_ section: String) -> String? {
        if let colon = section.lastIndex(of: ":"), !section[section.index(after: colon)...].isEmpty,
            section[section.index(after: colon)...].allSatisfy(\.isASCII),
            section[section.index(after: colon)...].allSatisfy(\.isNumber)
        {
            guard let port = Int(section[section.index(after: colon)...]), (1...65535).contains(port) else {
                return
                    "a host name with an optional :port (1–65535), such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
            }
            return validHostName(String(section[..<colon]))
        }
        return validHostName(section)
    }

    static func validRoleAlias(_ section: String) -> String? {
        (1...128).contains(section.count)
            && section.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_=,@-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 _ = , @ -"
    }

    static func validBucket(_ section: String) -> String? {
        let ok =
            (3...63).contains(section.count)
            && section.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
            && section.first!.isLetterOrDigit && section.last!.isLetterOrDigit && !section.contains("..")
        return ok
            ? nil : "an S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit"
    }

    static func validTable(_ section: String) -> String? {
        (3...255).contains(section.count)
            && section.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -"
    }

    static func validStream(_ section: String) -> String? {
        (1...128).contains(section.count)
            && section.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a Kinesis stream name: 1 to 128 of a-z A-Z 0-9 _ . -"
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}
