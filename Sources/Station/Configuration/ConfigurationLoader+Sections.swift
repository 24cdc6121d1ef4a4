import HAL
import Logging

/// The sections of the file: every declared key with a reader of its own (`ConfigurationKeys`),
/// then the keys whose rules depend on another one, and the checks across fields.
extension ConfigurationLoader {
    typealias C = StationConfiguration
    typealias Section = ConfigurationReader.Section

    static func decode(_ root: ConfigNode, reader r: ConfigurationReader, environment: [String: String]) -> C
    {
        var c = C.defaults(environment: environment)
        let top = r.section(root, path: "", allowed: ConfigurationSchema.keys(at: []), schemaPath: [])

        func sub(_ parent: Section, _ key: String) -> Section {
            let path = parent.keyPath(key)
            let components = path.split(separator: ".").map(String.init)
            return r.section(
                parent.node(key), path: path, allowed: ConfigurationSchema.keys(at: components),
                schemaPath: components)
        }

        readDeclared(top, r, &c)
        for name in ["station", "i2c", "storage", "simulation", "logging"] {
            readDeclared(sub(top, name), r, &c)
        }
        decodeWeather(sub(top, "weather"), sub, r, &c)
        let accelerometer = sub(top, "accelerometer")
        decodeAccelerometer(accelerometer, sub, r, &c)
        decodeImpact(sub(top, "impact"), accelerometer, r, &c)
        decodeGPIO(sub(top, "gpio"), r, &c)
        decodeUpload(sub(top, "upload"), sub, r, &c)

        // Two sensors at one address on one bus. The address tables of the supported chips do
        // not overlap today; this guards a future chip that shares one.
        if c.weather.sensor != .none, c.accelerometer.sensor != .none,
            c.weather.address == c.accelerometer.address,
            let origin = accelerometer.origin(of: "address") ?? accelerometer.origin
        {
            r.report(
                origin, key: "accelerometer.address",
                "\(hex(c.accelerometer.address)) is also weather.address; two sensors cannot share an address on \(c.i2c.bus)"
            )
        }
        return c
    }

    /// Reads every key of the section that its declaration can read by itself.
    static func readDeclared(_ s: Section, _ r: ConfigurationReader, _ c: inout C) {
        for key in ConfigurationKeys.all where key.parent == s.path { key.read?(r, s, &c) }
    }

    /// Whether the file or the environment gave `key` a valid value.
    static func wrote(_ s: Section, _ key: String, _ r: ConfigurationReader) -> Bool {
        s.node(key) != nil && isValid(s, key, r)
    }

    // MARK: weather

    static func decodeWeather(
        _ s: Section, _ sub: (Section, String) -> Section, _ r: ConfigurationReader, _ c: inout C
    ) {
        readDeclared(s, r, &c)
        let sensor = c.weather.sensor
        let addresses =
            sensor == .none ? C.WeatherSensorKind.bme280.allowedAddresses : sensor.allowedAddresses
        let forChip = sensor == .none ? "" : " for the \(sensor.rawValue)"
        if let v = r.address(s, "address", allowed: addresses, context: forChip) { c.weather.address = v }

        let o = sub(s, "oversampling")
        readDeclared(o, r, &c)
        let allowed = C.Oversampling.allowed
        if sensor == .bmp280 {
            // The BMP280 has no humidity sensor: the default becomes 0, and only 0 is accepted.
            c.weather.oversampling.humidity = 0
            if let v = r.integer(o, "humidity", oneOf: allowed), v != 0, let origin = o.origin(of: "humidity")
            {
                r.report(
                    origin, key: o.keyPath("humidity"),
                    "expected 0 (the bmp280 has no humidity sensor), got \(v)")
            }
        } else if let v = r.integer(o, "humidity", oneOf: allowed) {
            c.weather.oversampling.humidity = v
        }
    }

    // MARK: accelerometer

    static func decodeAccelerometer(
        _ s: Section, _ sub: (Section, String) -> Section, _ r: ConfigurationReader, _ c: inout C
    ) {
        readDeclared(s, r, &c)
        let chip = c.accelerometer.sensor
        if chip != .none {
            let forChip = " for the \(chip.rawValue)"
            c.accelerometer.address = chip.defaultAddress
            c.accelerometer.rangeG = chip.defaultRangeG
            c.accelerometer.odrHz = chip.defaultODRHz
            c.accelerometer.fifo = chip.hasFIFO
            if let v = r.address(s, "address", allowed: chip.allowedAddresses, context: forChip) {
                c.accelerometer.address = v
            }
            if let v = r.integer(s, "range_g", oneOf: chip.allowedRangesG, context: forChip) {
                c.accelerometer.rangeG = v
            }
            if let odr = chip.allowedODRRangeHz {
                if let v = r.number(s, "odr_hz", odr, context: forChip) { c.accelerometer.odrHz = v }
            } else {
                let table = chip.allowedODRsHz
                let expected = "one of \(table.map(format).joined(separator: ", "))\(forChip)"
                if let node = s.node("odr_hz") {
                    if case .scalar(let text, _) = node.kind, let v = parseNumber(text),
                        let match = table.first(where: { abs($0 - v) < 1e-9 * max(1, $0) })
                    {
                        c.accelerometer.odrHz = match
                    } else {
                        r.report(
                            node.origin, key: s.keyPath("odr_hz"),
                            "expected \(expected), got \(node.described)")
                    }
                }
            }
            if let v = r.bool(s, "fifo") {
                if v, !chip.hasFIFO, let origin = s.origin(of: "fifo") {
                    r.report(
                        origin, key: s.keyPath("fifo"),
                        "expected false (the \(chip.rawValue) driver reads no FIFO), got true")
                } else {
                    c.accelerometer.fifo = v
                }
            }
        } else {
            // No accelerometer: its other keys are ignored (still type-checked loosely).
            c.accelerometer.fifo = false
            _ = r.bool(s, "fifo")
        }
        readDeclared(sub(s, "calibration"), r, &c)
    }

    // MARK: impact

    /// The checks across the impact keys (read from their declarations) and the range.
    static func decodeImpact(_ s: Section, _ accelerometer: Section, _ r: ConfigurationReader, _ c: inout C) {
        readDeclared(s, r, &c)
        // Which of them the user wrote validly, before the checks below add problems of their own.
        let (wroteThreshold, wroteSevere, wroteRearm) = (
            wrote(s, "threshold_g", r), wrote(s, "severe_g", r), wrote(s, "rearm_g", r)
        )
        // Only compare values that are valid (an invalid one was reported already), and report on
        // a key the user wrote where possible.
        let invalid = { (key: String) in s.isSet(key) && s.origin(of: key) != nil && !isValid(s, key, r) }
        guard !invalid("threshold_g") else { return }
        let t = c.impact.thresholdG
        let thresholdOrigin = s.origin(of: "threshold_g") ?? s.origin

        if !invalid("severe_g"), c.impact.severeG <= t {
            if wroteSevere, let origin = s.origin(of: "severe_g") {
                r.report(
                    origin, key: s.keyPath("severe_g"),
                    "expected a value above impact.threshold_g (\(format(t))), got \(format(c.impact.severeG))"
                )
            } else if let origin = thresholdOrigin {
                r.report(
                    origin, key: s.keyPath("threshold_g"),
                    "expected a value below impact.severe_g (\(format(c.impact.severeG)), the default), got \(format(t)); raise impact.severe_g too"
                )
            }
        }
        if !invalid("rearm_g"), c.impact.rearmG >= t {
            if wroteRearm, let origin = s.origin(of: "rearm_g") {
                r.report(
                    origin, key: s.keyPath("rearm_g"),
                    "expected a value below impact.threshold_g (\(format(t))) so the detector re-arms, got \(format(c.impact.rearmG))"
                )
            } else if let origin = thresholdOrigin {
                r.report(
                    origin, key: s.keyPath("threshold_g"),
                    "expected a value above impact.rearm_g (\(format(c.impact.rearmG)), the default), got \(format(t)); lower impact.rearm_g too"
                )
            }
        }
        let chip = c.accelerometer.sensor
        let range = Double(c.accelerometer.rangeG)
        let rangeInvalid = accelerometer.isSet("range_g") && !isValid(accelerometer, "range_g", r)
        if chip != .none, !rangeInvalid, t > range {
            if wroteThreshold, let origin = s.origin(of: "threshold_g") {
                r.report(
                    origin, key: s.keyPath("threshold_g"),
                    "expected at most \(format(range)) (accelerometer.range_g of the \(chip.rawValue), ±\(format(range)) g): a threshold above the range can never trigger, got \(format(t))"
                )
            } else if let origin = accelerometer.origin(of: "range_g") ?? accelerometer.origin {
                let enough = chip.allowedRangesG.filter { Double($0) >= t }.map(String.init).joined(
                    separator: ", ")
                r.report(
                    origin, key: accelerometer.keyPath("range_g"),
                    "±\(format(range)) g is below impact.threshold_g (\(format(t)) g), so an impact can never trigger; expected one of \(enough.isEmpty ? "none" : enough) for the \(chip.rawValue)"
                )
            }
        }
    }

    /// Whether `key` produced no problem (used to skip cross-checks on values already reported).
    static func isValid(_ s: Section, _ key: String, _ r: ConfigurationReader) -> Bool {
        let path = s.keyPath(key)
        return !r.problems.contains { $0.key == path || $0.key.hasPrefix(path + "[") }
    }

    // MARK: gpio

    static func decodeGPIO(_ s: Section, _ r: ConfigurationReader, _ c: inout C) {
        readDeclared(s, r, &c)

        // LEDs, with who uses which line and role, for the checks across entries.
        var usedLines: [LineSelector: (path: String, role: String, line: Int?)] = [:]
        var usedRoles: [C.LEDRole: (path: String, line: Int?)] = [:]
        if let node = s.node("leds") {
            switch node.kind {
            case .null:
                c.gpio.leds = []
            case .sequence(let items):
                var leds: [C.LED] = []
                let ledKeys = ConfigurationSchema.listItemKeys(s.keyPath("leds"))
                for (i, item) in items.enumerated() {
                    let path = "\(s.keyPath("leds"))[\(i)]"
                    let e = r.section(item, path: path, allowed: ledKeys)
                    guard item.entries != nil else {
                        if item.isNull {
                            r.report(
                                item.origin, key: path,
                                "expected a mapping with keys \(ledKeys.joined(separator: ", ")), got nothing"
                            )
                        }
                        continue
                    }
                    for key in ["role", "line"] where !e.isSet(key) {
                        r.report(
                            item.origin, key: e.keyPath(key),
                            key == "role"
                                ? "missing; expected one of \(C.LEDRole.allCases.map(\.rawValue).joined(separator: ", "))"
                                : "missing; expected a line name such as GPIO17 or an offset ≥ 0")
                    }
                    let role = r.choice(e, "role", C.LEDRole.self)
                    let line = r.line(e, "line")
                    let activeLow = r.bool(e, "active_low") ?? false
                    guard let role, let line else { continue }
                    if let other = usedRoles[role] {
                        r.report(
                            e.origin(of: "role")!, key: e.keyPath("role"),
                            "'\(role.rawValue)' is already the role of \(other.path)\(at(other.line)); each role drives one LED"
                        )
                    } else {
                        usedRoles[role] = (path, e.origin(of: "role")?.line)
                    }
                    if let other = usedLines[line] {
                        r.report(
                            e.origin(of: "line")!, key: e.keyPath("line"),
                            "\(line) is already used by \(other.path) (\(other.role)\(other.line.map { ", line \($0)" } ?? "")); expected a different line"
                        )
                    } else {
                        usedLines[line] = (path, role.rawValue, e.origin(of: "line")?.line)
                    }
                    leds.append(C.LED(role: role, line: line, activeLow: activeLow))
                }
                c.gpio.leds = leds
            default:
                r.report(
                    node.origin, key: s.keyPath("leds"),
                    "expected a list of LEDs such as '- { role: status, line: GPIO17 }', got \(node.described)"
                )
            }
        }

        // The button: absent = the default button (a station has one, like its LEDs);
        // null or `none` = no button.
        guard let node = s.node("button") else { return }
        let buttonKeys = ConfigurationSchema.keys(at: ["gpio", "button"])
        switch node.kind {
        case .null:
            c.gpio.button = nil
        case .scalar(let text, _) where text == "none":
            c.gpio.button = nil
        case .mapping:
            let b = r.section(
                node, path: s.keyPath("button"), allowed: buttonKeys, schemaPath: ["gpio", "button"])
            c.gpio.button = C.Button()
            readDeclared(b, r, &c)
            if let line = c.gpio.button?.line, let other = usedLines[line], isValid(b, "line", r),
                let origin = b.origin(of: "line") ?? b.origin
            {
                r.report(
                    origin, key: b.keyPath("line"),
                    "\(line) is already used by \(other.path) (\(other.role)\(other.line.map { ", line \($0)" } ?? "")); expected a different line"
                )
            }
        default:
            r.report(
                node.origin, key: s.keyPath("button"),
                "expected a mapping with keys \(buttonKeys.joined(separator: ", ")) or none, got \(node.described)"
            )
        }
    }

    private static func at(_ line: Int?) -> String { line.map { " (line \($0))" } ?? "" }

    // MARK: upload

    static func decodeUpload(
        _ s: Section, _ sub: (Section, String) -> Section, _ r: ConfigurationReader, _ c: inout C
    ) {
        readDeclared(s, r, &c)
        var u = c.upload
        if let node = s.node("passphrase_file"), node.isNull {
            u.passphraseFile = nil
        } else if let v = r.path(s, "passphrase_file", allowEmpty: true) {
            u.passphraseFile = v.isEmpty ? nil : v
        }

        // Destinations: absent, null, `none` or an empty name = off.
        func destination(_ key: String) -> Section? {
            guard let node = s.node(key), !node.isNull else { return nil }
            if case .scalar(let text, _) = node.kind {
                if text != "none" {
                    r.report(
                        node.origin, key: s.keyPath(key),
                        "expected a mapping with keys \(ConfigurationSchema.keys(at: ["upload", key]).joined(separator: ", ")) or none, got \(node.described)"
                    )
                }
                return nil
            }
            return sub(s, key)
        }
        if let d = destination("s3"),
            let bucket = r.string(
                d, "bucket", optional: true, validate: { $0.isEmpty ? nil : validBucket($0) }),
            !bucket.isEmpty
        {
            var s3 = C.S3Destination(bucket: bucket)
            if let v = r.string(
                d, "prefix",
                validate: {
                    $0.hasPrefix("/") || $0.hasSuffix("/")
                        ? "a key prefix without a leading or trailing '/'" : nil
                })
            {
                s3.prefix = v
            }
            s3.endpoint = endpoint(d, r)
            u.s3 = s3
        }
        if let d = destination("dynamodb"),
            let table = r.string(d, "table", optional: true, validate: { $0.isEmpty ? nil : validTable($0) }),
            !table.isEmpty
        {
            u.dynamodb = C.DynamoDBDestination(table: table, endpoint: endpoint(d, r))
        }
        if let d = destination("kinesis"),
            let stream = r.string(
                d, "stream", optional: true, validate: { $0.isEmpty ? nil : validStream($0) }),
            !stream.isEmpty
        {
            u.kinesis = C.KinesisDestination(
                stream: stream, endpoint: endpoint(d, r),
                rawAcceleration: r.bool(d, "raw_acceleration") ?? false)
        }

        if u.enabled, let enabledOrigin = s.origin(of: "enabled") {
            let required: [(String, String, Bool)] = [
                ("region", "an AWS region such as eu-west-1", u.region.isEmpty),
                (
                    "credentials_endpoint",
                    "a host name such as c1abc.credentials.iot.eu-west-1.amazonaws.com",
                    u.credentialsEndpoint.isEmpty
                ),
                (
                    "role_alias", "the AWS IoT role alias, 1 to 128 of the characters a-z A-Z 0-9 _ = , @ -",
                    u.roleAlias.isEmpty
                ),
                ("certificate", "the device certificate's path", u.certificate.isEmpty),
                ("private_key", "the private key's path", u.privateKey.isEmpty),
            ]
            for (key, what, missing) in required where missing && isValid(s, key, r) {
                r.report(
                    s.origin(of: key) ?? enabledOrigin, key: s.keyPath(key),
                    "required when upload.enabled is true; expected \(what)")
            }
            if !u.hasDestination {
                r.report(
                    enabledOrigin, key: s.keyPath("enabled"),
                    "upload is enabled but has no destination; set upload.s3.bucket, upload.dynamodb.table or upload.kinesis.stream"
                )
            }
        }
        c.upload = u
    }

    private static func endpoint(_ d: Section, _ r: ConfigurationReader) -> String? {
        let v = r.string(d, "endpoint", optional: true) { text in
            text.isEmpty || text.hasPrefix("https://") || text.hasPrefix("http://")
                ? nil : "a URL such as https://s3.eu-west-1.amazonaws.com or http://localhost:5000"
        }
        return v?.isEmpty == false ? v : nil
    }

    // MARK: validators (return what is allowed, or nil when the value is fine)

    static func validThingName(_ s: String) -> String? {
        (1...128).contains(s.count)
            && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":_-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 : _ -"
    }

    static func validSerialNumber(_ s: String) -> String? {
        (1...64).contains(s.unicodeScalars.count)
            && s.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
            ? nil : "1 to 64 printable ASCII characters without spaces"
    }

    static func validI2CBus(_ s: String) -> String? {
        let digits = s.dropFirst("/dev/i2c-".count)
        return s.hasPrefix("/dev/i2c-") && !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber })
            ? nil : "a bus device such as /dev/i2c-1"
    }

    static func validRegion(_ s: String) -> String? {
        // eu-west-1, us-gov-west-1, ap-southeast-2, cn-north-1, us-isob-east-1
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        let ok =
            parts.count >= 3 && parts[0].count == 2
            && parts.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy({ $0.isASCII && $0.isLowercase }) })
            && parts.last!.allSatisfy({ $0.isASCII && $0.isNumber }) && !parts.last!.isEmpty
        return ok ? nil : "an AWS region such as eu-west-1"
    }

    static func validHostName(_ s: String) -> String? {
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        // One label is a host name too (localhost, a name on the local network).
        let ok =
            !s.contains("://") && s.count <= 253
            && labels.allSatisfy({
                (1...63).contains($0.count) && $0.first != "-" && $0.last != "-"
                    && $0.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            })
        return ok
            ? nil : "a host name without a scheme, such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
    }

    /// A host name with an optional `:port` (1–65535; a local test endpoint).
    static func validEndpoint(_ s: String) -> String? {
        if let colon = s.lastIndex(of: ":"), !s[s.index(after: colon)...].isEmpty,
            s[s.index(after: colon)...].allSatisfy(\.isASCII),
            s[s.index(after: colon)...].allSatisfy(\.isNumber)
        {
            guard let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) else {
                return
                    "a host name with an optional :port (1–65535), such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
            }
            return validHostName(String(s[..<colon]))
        }
        return validHostName(s)
    }

    static func validRoleAlias(_ s: String) -> String? {
        (1...128).contains(s.count)
            && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_=,@-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 _ = , @ -"
    }

    static func validBucket(_ s: String) -> String? {
        let ok =
            (3...63).contains(s.count)
            && s.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
            && s.first!.isLetterOrDigit && s.last!.isLetterOrDigit && !s.contains("..")
        return ok
            ? nil : "an S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit"
    }

    static func validTable(_ s: String) -> String? {
        (3...255).contains(s.count)
            && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -"
    }

    static func validStream(_ s: String) -> String? {
        (1...128).contains(s.count)
            && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a Kinesis stream name: 1 to 128 of a-z A-Z 0-9 _ . -"
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}
