import Cloud
import Drivers
import HAL
import Logging

/// Every key of the configuration file, in the order of docs/configuration.md. Adding a key is
/// one entry here plus its field in `StationConfiguration` (and, for a key whose rules depend on
/// another one, its lines in the section's code).
public enum ConfigurationKeys {
    typealias K = ConfigurationKey
    typealias C = StationConfiguration

    public static let all: [ConfigurationKey] =
        station + hardware + weather + accelerometer + impact + gpio + storage
        + upload + alert + shadow + simulation + logging

    static let station: [K] = [
        .text(
            "station.thing_name", .restart, at: \.station.thingName,
            validate: ConfigurationLoader.validThingName,
            note:
                "AWS IoT thing name: 1–128 of `a-z A-Z 0-9 : _ -`; names the station in the cloud: the credentials request, the S3 path, the DynamoDB partition key (attribute `serial_number`), the Kinesis partition key",
            example: "pi-garage-2"),
        .text(
            "station.serial_number", .restart, at: \.station.serialNumber,
            validate: ConfigurationLoader.validSerialNumber,
            note:
                "1–64 printable ASCII characters, no spaces; the station's own serial, shown by `run`, `config check` and in alerts (DynamoDB items are keyed by `thing_name`)",
            example: "PI-0042"
        ),
        .text(
            "station.location.name", .restart, at: \.station.location.name,
            validate: {
                $0.count <= 80 && !$0.contains(where: \.isNewline) ? nil : "at most 80 characters on one line"
            },
            note: "the site's name, in every S3 line and DynamoDB item (`station.site.name`)",
            example: "Riverside pitch 3", defaultText: "none"),
        .optionalNumber(
            "station.location.latitude", -90...90, at: \.station.location.latitude,
            note: "degrees north (WGS 84)", example: "51.5072"),
        .optionalNumber(
            "station.location.longitude", -180...180, at: \.station.location.longitude,
            note: "degrees east (WGS 84)", example: "-0.1276"),
        .optionalNumber(
            "station.location.elevation_m", -500...9000, at: \.station.location.elevationM,
            note: "metres above sea level", example: "35"),
    ]

    static let hardware: [K] = [
        .choice(
            "hardware", C.HardwareKind.self, .restart, at: \.hardware,
            note: "`linux` uses the real `/dev/i2c-N` and `/dev/gpiochipN`", example: "linux"),
        .text(
            "i2c.bus", .restart, at: \.i2c.bus, validate: ConfigurationLoader.validI2CBus,
            note: "`/dev/i2c-N`. Whether it exists is checked when the bus is opened, not here.",
            example: "/dev/i2c-3"),
    ]

    static let weather: [K] = [
        .choice(
            "weather.sensor", C.WeatherSensorKind.self, .restart, at: \.weather.sensor, example: "bmp280"),
        .custom(
            "weather.address", type: "integer or text",
            allowed: "`0x76`, `0x77` (`0x76`, `118` and `\"0x76\"` are the same)",
            .restart, example: "0x77", value: { hex($0.weather.address) }),
        .seconds("weather.interval_s", 1...3600, .live, at: \.weather.interval, example: "30"),
        .oneOf(
            "weather.oversampling.temperature", C.Oversampling.allowed, .restart,
            at: \.weather.oversampling.temperature,
            note: "0 skips the measurement", example: "4"),
        .oneOf(
            "weather.oversampling.pressure", C.Oversampling.allowed, .restart,
            at: \.weather.oversampling.pressure,
            example: "8"),
        .custom(
            "weather.oversampling.humidity", type: "integer",
            allowed: "0, 1, 2, 4, 8, 16; only 0 for the bmp280, which has no humidity sensor",
            .restart, defaultText: "`1` (`0` for the bmp280)", example: "2",
            value: { String($0.weather.oversampling.humidity) }),
        .oneOf(
            "weather.iir_filter", [0, 2, 4, 8, 16], .restart, at: \.weather.iirFilter, note: "0 is off",
            example: "16"),
        .number(
            "weather.temperature_offset_c", -20...20, .live, at: \.weather.temperatureOffsetC,
            note: "subtracted from the reading (self-heating)", example: "1.5"),
    ]

    static let accelerometer: [K] = [
        .choice(
            "accelerometer.sensor", C.AccelerometerKind.self, .restart, at: \.accelerometer.sensor,
            example: "lis3dh"),
        .custom(
            "accelerometer.address", type: "integer or text", allowed: "per chip, see the table", .restart,
            defaultText: "per chip (first below)", example: "0x1d", value: { hex($0.accelerometer.address) }),
        .custom(
            "accelerometer.range_g", type: "integer", allowed: "per chip, ±g", .restart,
            defaultText: "per chip",
            example: "8", value: { String($0.accelerometer.rangeG) }),
        .custom(
            "accelerometer.odr_hz", type: "number", allowed: "per chip", .restart, defaultText: "per chip",
            example: "800", value: { format($0.accelerometer.odrHz) }),
        .custom(
            "accelerometer.fifo", type: "boolean", allowed: "`true` only where the table below gives a FIFO",
            .restart,
            defaultText: "`true` where the table below gives a FIFO", example: "false",
            value: { String($0.accelerometer.fifo) }),
        .vector3(
            "accelerometer.calibration.offset_g", -2...2, .live, at: \.accelerometer.calibration.offsetG,
            note: "g, subtracted from the raw reading", example: "[0.01, -0.02, 0.03]"),
        .vector3(
            "accelerometer.calibration.scale", 0.5...2, .live, at: \.accelerometer.calibration.scale,
            note: "then multiplied by this", example: "[1.01, 0.99, 1.5]"),
        K.make(
            "accelerometer.up",
            .custom(
                type: "text or list of 3 numbers",
                allowed: "`+x`, `-x`, `+y`, `-y`, `+z`, `-z`, a direction `[x, y, z]`, or `none`"),
            .live,
            note:
                "the chip's direction that points up as the station is mounted (at rest it reads +1 g along it): impacts get vertical and horizontal components",
            example: "-y", defaultText: "`none` (components not given)", at: \.accelerometer.up,
            text: yamlUp, parse: { r, s, k in r.up(s, k) }),
        .custom(
            "accelerometer.interrupt", type: "mapping or `none`", allowed: "write `none` to poll the chip",
            .restart, form: .scalarOrMapping, defaultText: "`none` (polled)", example: "none",
            exampleContext: "accelerometer:\n  interrupt: { line: GPIO24 }\n",
            value: { c in c.accelerometer.interrupt.map { "on \(yamlLine($0.line))" } ?? "none" }),
        // The interrupt's keys apply to the mapping the section's code creates (nothing when `none`).
        K.make(
            "accelerometer.interrupt.line",
            .custom(
                type: "text or integer",
                allowed: "as `gpio.leds[].line`; not a line an LED or the button uses"),
            .restart, note: "the line of `gpio.chip` the chip's INT1 pin is wired to (required)",
            example: "GPIO24", get: { $0.accelerometer.interrupt?.line },
            set: { $0.accelerometer.interrupt?.line = $1 }, text: yamlLine, parse: { r, s, k in r.line(s, k) }
        ),
        .bool(
            "accelerometer.interrupt.active_low", .restart, get: { $0.accelerometer.interrupt?.activeLow },
            set: { $0.accelerometer.interrupt?.activeLow = $1 },
            note: "the chip asserts INT1 low (a shared or pulled-up line)", example: "true",
            exampleContext: "accelerometer:\n  interrupt: { line: GPIO24 }\n"),
        .bool(
            "accelerometer.interrupt.open_drain", .restart, get: { $0.accelerometer.interrupt?.openDrain },
            set: { $0.accelerometer.interrupt?.openDrain = $1 },
            note: "open-drain INT1 with the line pulled up: only the H3LIS331DL and the MPU-6050 can",
            example: "true",
            exampleContext: "accelerometer:\n  sensor: h3lis331dl\n  interrupt: { line: GPIO24 }\n"),
    ]

    static let impact: [K] = [
        .number(
            "impact.threshold_g", 1.5...100, .live, at: \.impact.thresholdG,
            note: "the band that matters is 4–6 g",
            example: "5.5"),
        .milliseconds(
            "impact.sustain_ms", 0...60_000, .live, at: \.impact.sustain,
            note: "the magnitude must stay above the threshold this long", example: "5"),
        .number(
            "impact.severe_g", 1.5...1000, .live, at: \.impact.severeG, note: "above `threshold_g`",
            example: "12"),
        .number(
            "impact.rearm_g", 1...100, .live, at: \.impact.rearmG, note: "below `threshold_g` (hysteresis)",
            example: "3"),
        .milliseconds(
            "impact.refractory_ms", 0...60_000, .live, at: \.impact.refractory,
            note: "no new impact this soon after one ended", example: "250"),
        .milliseconds(
            "impact.pre_ms", 0...10_000, .live, at: \.impact.preWindow,
            note: "raw samples kept before the trigger",
            example: "200"),
        .milliseconds(
            "impact.post_ms", 0...30_000, .live, at: \.impact.postWindow,
            note: "raw samples kept after the impact",
            example: "1500"),
        .number(
            "impact.free_fall_g", 0.05...0.9, .live, at: \.impact.freeFallG,
            note: "a free fall: the magnitude below this (at rest it is 1 g)…", example: "0.4"),
        .milliseconds(
            "impact.free_fall_ms", 20...10_000, .live, at: \.impact.freeFallMinimum,
            note: "…for this long; an impact that ends one records the height fallen", example: "150"),
    ]

    static let gpio: [K] = [
        .text(
            "gpio.chip", .restart, at: \.gpio.chip,
            validate: {
                $0.isEmpty || $0.contains(where: \.isWhitespace)
                    ? "a chip path (/dev/gpiochip0), name (gpiochip0) or label (pinctrl-bcm2711)" : nil
            },
            note: "a path (`/dev/gpiochip0`), name (`gpiochip0`) or label (`pinctrl-bcm2711`)",
            example: "gpiochip4"),
        .custom(
            "gpio.leds", type: "list", allowed: "any number of `{ role, line, active_low }`", .restart,
            form: .list,
            defaultText: "status GPIO17, impact GPIO27, streaming GPIO22",
            example: "[{ role: fault, line: GPIO5 }]",
            value: { c in
                "["
                    + c.gpio.leds.map {
                        "{ role: \($0.role.rawValue), line: \(yamlLine($0.line))\($0.activeLow ? ", active_low: true" : "") }"
                    }.joined(separator: ", ") + "]"
            }),
        .custom(
            "gpio.leds[].role", type: "text",
            allowed: C.LEDRole.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                + "; each at most once",
            .restart, defaultText: "required"),
        .custom(
            "gpio.leds[].line", type: "text or integer",
            allowed:
                "a line name (`GPIO17`) or an offset (`17`, ≥ 0); `\"17\"` in quotes is a name. No two LEDs on one line.",
            .restart, defaultText: "required"),
        .custom("gpio.leds[].active_low", type: "boolean", allowed: "", .restart, defaultText: "`false`"),
        .custom(
            "gpio.button", type: "mapping or `none`", allowed: "write `none` for no button", .restart,
            form: .scalarOrMapping,
            defaultText: "a button on `GPIO23`", example: "none",
            value: { $0.gpio.button == nil ? "none" : "on \($0.gpio.button!.line)" }),
        // The button's keys apply to the button the section's code creates (nothing when `none`).
        K.make(
            "gpio.button.line",
            .custom(type: "text or integer", allowed: "as `leds[].line`; not a line an LED uses"), .restart,
            note: "", example: "GPIO5", get: { $0.gpio.button?.line }, set: { $0.gpio.button?.line = $1 },
            text: yamlLine,
            parse: { r, s, k in r.line(s, k) }),
        .choice(
            "gpio.button.bias", Bias.self, .restart, get: { $0.gpio.button?.bias },
            set: { $0.gpio.button?.bias = $1 },
            example: "pull-down"),
        .bool(
            "gpio.button.active_low", .restart, get: { $0.gpio.button?.activeLow },
            set: { $0.gpio.button?.activeLow = $1 },
            note: "`true`: a switch to ground with a pull-up", example: "false"),
        .milliseconds(
            "gpio.button.debounce_ms", 0...500, .restart, get: { $0.gpio.button?.debounce },
            set: { $0.gpio.button?.debounce = $1 }, example: "50"),
        .milliseconds(
            "gpio.button.long_press_ms", 300...10_000, .restart, get: { $0.gpio.button?.longPress },
            set: { $0.gpio.button?.longPress = $1 }, example: "3000"),
    ]

    static let storage: [K] = [
        .path(
            "storage.path", .restart, at: \.storage.path, allowEmpty: false,
            note: "a file path; relative paths are against the configuration file's directory",
            example: "/srv/station.db",
            defaultText: "see below"),
        .milliseconds(
            "storage.commit_interval_ms", 100...60_000, .restart, at: \.storage.commitInterval, example: "500"
        ),
        .integer("storage.retention_days", 1...3650, .restart, at: \.storage.retentionDays, example: "90"),
        .integer("storage.max_size_mb", 16...1_048_576, .restart, at: \.storage.maxSizeMB, example: "256"),
        .bool(
            "storage.raw_while_streaming", .restart, at: \.storage.rawWhileStreaming,
            note: "keep raw acceleration while a client streams", example: "true"),
    ]

    static let upload: [K] = [
        .bool("upload.enabled", .restart, at: \.upload.enabled, example: "true", exampleContext: uploadReady),
        .text(
            "upload.region", .restart, at: \.upload.region, validate: ConfigurationLoader.validRegion,
            note: "an AWS region (`eu-west-1`, `us-gov-west-1`, …)", example: "us-gov-west-1"),
        .text(
            "upload.credentials_endpoint", .restart, at: \.upload.credentialsEndpoint,
            validate: { $0.isEmpty ? nil : ConfigurationLoader.validEndpoint($0) },
            note:
                "a host name without `https://`, e.g. `c1abc.credentials.iot.eu-west-1.amazonaws.com` (`aws iot describe-endpoint --endpoint-type iot:CredentialProvider`); an optional `:port` for a local test endpoint",
            example: "localhost:8443"),
        .text(
            "upload.role_alias", .restart, at: \.upload.roleAlias,
            validate: { $0.isEmpty ? nil : ConfigurationLoader.validRoleAlias($0) },
            note: "1–128 of `a-z A-Z 0-9 _ = , @ -`",
            example: "station-upload"),
        .path(
            "upload.certificate", .restart, at: \.upload.certificate, allowEmpty: true,
            example: "/etc/station/cert.pem"),
        .path(
            "upload.private_key", .restart, at: \.upload.privateKey, allowEmpty: true,
            example: "/etc/station/key.pem"),
        .custom(
            "upload.passphrase_file", type: "path", allowed: "empty or `null` = the key has no passphrase",
            .restart,
            defaultText: "none", example: "/etc/station/passphrase", value: { $0.upload.passphraseFile ?? "" }
        ),
        .path(
            "upload.ca_bundle", .restart, at: \.upload.caBundle, allowEmpty: true,
            example: "/etc/station/ca.pem"),
        .seconds(
            "upload.refresh_margin_s", 10...3600, .restart, at: \.upload.refreshMargin,
            note: "refresh credentials this long before they expire", example: "600"),
        .integer(
            "upload.rate_limit_kbps", 0...10_000_000, .restart, at: \.upload.rateLimitKbps,
            note: "0 is unlimited",
            example: "512"),
        .fractionalSeconds(
            "upload.poll_interval_s", 0.1...3600, .live, at: \.upload.pollInterval,
            note: "how often the uploader looks for new rows in the log", example: "0.5"),
        .path(
            "upload.clock_sync_marker", .restart, at: \.upload.clockSyncMarker, allowEmpty: false,
            note:
                "a file whose existence means the clock is synchronised (systemd-timesyncd writes the default); without it the kernel's NTP state (adjtimex) decides. Nothing is signed before; it also decides when what was logged before the clock was set is corrected, with upload on or off (docs/storage.md, \"No real-time clock\").",
            example: "/run/clock-ok"),
        .custom(
            "upload.s3", type: "mapping or `none`", allowed: "`none` (or no `bucket`) = off", .restart,
            form: .scalarOrMapping,
            defaultText: "off", example: "none", exampleContext: "upload:\n  s3:\n    bucket: b01\n",
            value: { $0.upload.s3 == nil ? "none" : "on" }),
        .custom(
            "upload.s3.bucket", type: "text", allowed: "an S3 bucket name (3–63 of `a-z 0-9 . -`)", .restart,
            defaultText: "off", example: "station-data", value: { $0.upload.s3?.bucket ?? "" }),
        .custom(
            "upload.s3.prefix", type: "text", allowed: "object key prefix, no leading or trailing `/`",
            .restart,
            defaultText: "`sensorstation`", example: "fleet/a",
            exampleContext: "upload:\n  s3:\n    bucket: b01\n",
            value: { $0.upload.s3?.prefix ?? "" }),
        .custom(
            "upload.s3.endpoint", type: "URL", allowed: "`http://…` or `https://…`, for a local test server",
            .restart,
            defaultText: "AWS", example: "http://localhost:5000",
            exampleContext: "upload:\n  s3:\n    bucket: b01\n",
            value: { $0.upload.s3?.endpoint ?? "" }),
        .custom(
            "upload.dynamodb", type: "mapping or `none`", allowed: "`none` (or no `table`) = off", .restart,
            form: .scalarOrMapping, defaultText: "off", example: "none",
            exampleContext: "upload:\n  dynamodb:\n    table: t01\n",
            value: { $0.upload.dynamodb == nil ? "none" : "on" }),
        .custom(
            "upload.dynamodb.table", type: "text", allowed: "3–255 of `a-z A-Z 0-9 _ . -`", .restart,
            defaultText: "off",
            example: "readings", value: { $0.upload.dynamodb?.table ?? "" }),
        .custom(
            "upload.dynamodb.endpoint", type: "URL", allowed: "", .restart, defaultText: "AWS",
            example: "http://localhost:5000", exampleContext: "upload:\n  dynamodb:\n    table: t01\n",
            value: { $0.upload.dynamodb?.endpoint ?? "" }),
        .custom(
            "upload.kinesis", type: "mapping or `none`", allowed: "`none` (or no `stream`) = off", .restart,
            form: .scalarOrMapping, defaultText: "off", example: "none",
            exampleContext: "upload:\n  kinesis:\n    stream: k1\n",
            value: { $0.upload.kinesis == nil ? "none" : "on" }),
        .custom(
            "upload.kinesis.stream", type: "text", allowed: "1–128 of `a-z A-Z 0-9 _ . -`", .restart,
            defaultText: "off",
            example: "live", value: { $0.upload.kinesis?.stream ?? "" }),
        .custom(
            "upload.kinesis.endpoint", type: "URL", allowed: "", .restart, defaultText: "AWS",
            example: "http://localhost:5000", exampleContext: "upload:\n  kinesis:\n    stream: k1\n",
            value: { $0.upload.kinesis?.endpoint ?? "" }),
        .custom(
            "upload.kinesis.raw_acceleration", type: "boolean",
            allowed:
                "while streaming, also send the raw acceleration samples (one record per 100 ms; see docs/upload.md)",
            .restart, defaultText: "`false`", example: "true",
            exampleContext: "upload:\n  kinesis:\n    stream: k1\n",
            value: { $0.upload.kinesis.map { String($0.rawAcceleration) } ?? "" }),
    ]

    /// What `upload.enabled: true` needs beside it to be valid (the example of that key).
    static let uploadReady = """
        upload:
          credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com
          role_alias: station
          kinesis:
            stream: k1

        """

    static let alert: [K] = [
        .bool(
            "alert.enabled", .restart, at: \.alert.enabled,
            note:
                "tell a person of each impact through Amazon SNS; needs `upload.enabled` for the credentials",
            example: "true", exampleContext: alertReady),
        .text(
            "alert.topic_arn", .restart, at: \.alert.topicArn,
            validate: { SNSClient.problem(topicArn: $0) },
            note: "required when enabled; a `.fifo` topic also removes a duplicate sent after a crash",
            example: "arn:aws:sns:eu-west-1:123456789012:impact-alerts.fifo", defaultText: "none"),
        .text(
            "alert.endpoint", .restart, at: \.alert.endpoint,
            validate: {
                $0.hasPrefix("https://") || $0.hasPrefix("http://")
                    ? nil : "a URL such as http://localhost:5000"
            },
            note: "for a local test server", example: "http://127.0.0.1:4566", defaultText: "AWS"),
        .seconds(
            "alert.cancel_window_s", 0...600, .restart, at: \.alert.cancelWindow,
            note: "a long press within this time after an impact cancels its alert; 0 sends at once",
            example: "45"),
        .seconds(
            "alert.severe_cancel_window_s", 0...600, .restart, at: \.alert.severeCancelWindow,
            note: "the same for severe impacts", example: "5"),
        .seconds(
            "alert.coalesce_s", 0...3600, .restart, at: \.alert.coalesce,
            note: "impacts this close to a pending alert's first one join it", example: "120"),
        .integer(
            "alert.max_per_hour", 1...3600, .restart, at: \.alert.maxPerHour,
            note: "more wait, and say they were delayed", example: "4"),
        .seconds(
            "alert.summary_after_s", 60...604_800, .restart, at: \.alert.summaryAfter,
            note: "alerts older than this when they can go (after an outage) go as one summary",
            example: "7200"),
        .text(
            "alert.location", .restart, at: \.alert.location,
            validate: {
                $0.count <= 80 && !$0.contains(where: \.isNewline) ? nil : "at most 80 characters on one line"
            },
            note: "where the station is, said in the alert", example: "Pitch 3, Riverside",
            defaultText: "none"),
    ]

    /// An upload section that is on and validates: what `alert` and `shadow` need beside them.
    static let uploadOn = """
        upload:
          enabled: true
          credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com
          role_alias: station
          kinesis:
            stream: k1

        """

    /// What `alert.enabled: true` needs beside it to be valid (the example of that key).
    static let alertReady =
        uploadOn + """
            alert:
              topic_arn: arn:aws:sns:eu-west-1:123456789012:impact-alerts

            """

    static let shadow: [K] = [
        .bool(
            "shadow.enabled", .restart, at: \.shadow.enabled,
            note:
                "report health to the AWS IoT Device Shadow and take the settings its `desired` state lists (docs/shadow.md); needs `upload.enabled` for the credentials",
            example: "true", exampleContext: shadowReady),
        .text(
            "shadow.endpoint", .restart, at: \.shadow.endpoint,
            validate: {
                $0.contains(where: { $0 == " " || $0.isNewline }) || $0.isEmpty
                    ? "the account's IoT data endpoint, e.g. a1b2c3-ats.iot.eu-west-1.amazonaws.com" : nil
            },
            note:
                "required when enabled: `aws iot describe-endpoint --endpoint-type iot:Data-ATS`; a URL for a local test server",
            example: "a1b2c3-ats.iot.eu-west-1.amazonaws.com", defaultText: "none"),
        .seconds(
            "shadow.heartbeat_s", 10...86_400, .live, at: \.shadow.heartbeat,
            note: "`reported` at least this often (and at once on a change); `desired` is read after each",
            example: "600"),
    ]

    /// What `shadow.enabled: true` needs beside it to be valid (the example of that key).
    static let shadowReady =
        uploadOn + """
            shadow:
              endpoint: a1b2c3-ats.iot.eu-west-1.amazonaws.com

            """

    static let simulation: [K] = [
        K.make(
            "simulation.seed", .integer(0...Int.max), .restart, note: "the same seed gives the same run",
            example: "7",
            get: { Int(exactly: $0.simulation.seed) }, set: { $0.simulation.seed = UInt64($1) },
            text: { String($0) },
            parse: { r, s, k in r.integer(s, k, 0...Int.max) }),
        .choice(
            "simulation.scenario", C.SimulationScenario.self, .restart, at: \.simulation.scenario,
            note:
                "`demo`: weather drift, vibration, drops and crashes, an impact every 45–60 s; `impacts`: the same with an impact every 3–5 s, for tests and tuning thresholds; `quiet`: no impacts",
            example: "impacts"),
        .choice(
            "simulation.gpio", C.SimulationGPIO.self, .restart, at: \.simulation.gpio,
            note:
                "`simulated`: LEDs drawn in the terminal, keys press the button; `linux`: the real `gpio.chip` through libgpiod",
            example: "linux"),
    ]

    static let logging: [K] = [
        .choice("logging.level", Logger.Level.self, .restart, at: \.logging.level, example: "debug")
    ]

    /// The top-level sections, in order (`hardware` is one with a single key).
    public static var sections: [String] {
        var out: [String] = []
        for key in all where !out.contains(key.components[0]) { out.append(key.components[0]) }
        return out
    }

    /// The key table of docs/configuration.md for a top-level section.
    public static func markdownTable(section: String) -> String {
        var lines = ["| Key | Type | Default | Allowed | Reload |", "|---|---|---|---|---|"]
        for key in all where key.components[0] == section {
            let name = key.components.count > 1 ? key.components.dropFirst().joined(separator: ".") : key.path
            lines.append(
                "| `\(name)` | \(key.typeText) | \(key.defaultColumn) | \(key.allowedText) | \(key.reloadText) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The accelerometer table of docs/configuration.md, from the drivers' capability tables.
    public static func markdownChipTable() -> String {
        func bold<T: Equatable>(_ values: [T], _ def: T, _ text: (T) -> String) -> String {
            values.map { $0 == def ? "**\(text($0))**" : text($0) }.joined(separator: ", ")
        }
        var lines = [
            "| Chip | Addresses | `range_g` (default **bold**) | `odr_hz` (default **bold**) | FIFO (samples) | Interrupt pins |",
            "|---|---|---|---|---|---|",
        ]
        for kind in C.AccelerometerKind.allCases {
            guard let cap = kind.capabilities else { continue }
            let rates: String
            switch cap.rates {
            case .table(let table): rates = bold(table, cap.defaultODRHz, format)
            case .range(let r):
                rates =
                    "any from \(format(r.lowerBound)) to \(format(r.upperBound)) (**\(format(cap.defaultODRHz))**)"
            }
            lines.append(
                "| \(kind.rawValue) | \(bold(cap.addresses, cap.addresses[0], hex)) | \(bold(cap.rangesG, cap.defaultRangeG) { String($0) }) | \(rates) | \(cap.fifoDepth.map(String.init) ?? "no") | \(cap.interruptPins.joined(separator: ", ")) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The declaration of `path`.
    public static func key(_ path: String) -> ConfigurationKey? { all.first { $0.path == path } }
}
