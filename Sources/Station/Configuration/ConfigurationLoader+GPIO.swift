import HAL

extension ConfigurationLoader {
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
}
