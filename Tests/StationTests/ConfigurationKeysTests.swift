import Foundation
import Testing

@testable import Station

/// The declarations of `ConfigurationKeys` against what the loader, the reload and the docs do:
/// every key's example is read and given back by its `value`, a reload applies exactly the keys
/// declared live (and `LiveSettings` carries exactly those), and the key tables of
/// docs/configuration.md are the ones the declarations generate.
@Suite("configuration keys: one declaration each")
struct ConfigurationKeysTests {
    typealias C = StationConfiguration
    static let environment = ["HOME": "/home/pi"]

    static var keysWithExamples: [ConfigurationKey] { ConfigurationKeys.all.filter { $0.example != nil } }

    /// The configuration with the key's context, and with its example on top: lists are written in
    /// the file (they cannot come from the environment), every other key from its variable.
    static func load(_ key: ConfigurationKey, example: Bool) throws -> C {
        var yaml = key.exampleContext
        var environment = Self.environment
        if example, let value = key.example {
            if key.form == .list {
                let c = key.components
                for (depth, name) in c.enumerated() {
                    yaml +=
                        String(repeating: "  ", count: depth) + name + ":"
                        + (depth == c.count - 1 ? " \(value)" : "") + "\n"
                }
            } else {
                environment[ConfigurationSchema.environmentName(key.components)] = value
            }
        }
        if yaml.isEmpty { return try ConfigurationLoader.defaults(environment: environment) }
        return try ConfigurationLoader.parse(
            yaml, source: "/etc/sensorstation/config.yaml", environment: environment)
    }

    @Test(
        "every key but a list's items has an example, and every example is a new value that the key reads back",
        arguments: keysWithExamples.map(\.path))
    func exampleIsReadAndGivenBack(_ path: String) throws {
        let key = try #require(ConfigurationKeys.key(path))
        let base = try Self.load(key, example: false)
        let loaded = try Self.load(key, example: true)
        #expect(
            key.value(loaded) == key.example, "the example of \(path) read back as '\(key.value(loaded))'")
        #expect(key.value(base) != key.example, "the example of \(path) is its default")
    }

    @Test func onlyAListsItemsGoWithoutAnExample() {
        #expect(
            ConfigurationKeys.all.filter { $0.example == nil }.map(\.path) == [
                "gpio.leds[].role", "gpio.leds[].line", "gpio.leds[].active_low",
            ])
    }

    @Test(
        "a reload applies a key exactly when it is declared live; LiveSettings carries the same keys",
        arguments: keysWithExamples.map(\.path))
    func reloadFollowsTheDeclaration(_ path: String) throws {
        let key = try #require(ConfigurationKeys.key(path))
        let old = try Self.load(key, example: false)
        let new = try Self.load(key, example: true)
        let applied = ReloadPlan.applied(old: old, new: new).map { String($0.split(separator: " ")[0]) }
        let restart = ReloadPlan.needsRestart(old: old, new: new)
        // What runs after the reload: a changed range or rate that needs a restart must not reach
        // the detector either (its saturation level and rate follow the chip as configured).
        let running = ReloadPlan.applying(new, to: old)
        let liveChanged =
            LiveSettings.Values(configuration: old) != LiveSettings.Values(configuration: running)
        switch key.reload {
        case .live:
            #expect(applied == [path] && restart.isEmpty, "applied \(applied), restart \(restart)")
            #expect(liveChanged, "LiveSettings does not carry \(path)")
            #expect(key.value(running) == key.example, "a reload does not apply \(path)")
        case .restart:
            #expect(applied.isEmpty && restart.contains(path), "applied \(applied), restart \(restart)")
            #expect(!liveChanged, "LiveSettings changes with \(path), declared restart")
            #expect(running == old, "a reload changed the running \(path)")
        }
    }

    @Test func theApplyLineShowsBothValuesAsTheFileWritesThem() {
        let old = C.defaults(environment: [:])
        var new = old
        new.impact.thresholdG = 5.5
        new.impact.postWindow = .milliseconds(1500)
        new.gpio.chip = "gpiochip4"
        #expect(
            ReloadPlan.applied(old: old, new: new) == [
                "impact.threshold_g 4 → 5.5", "impact.post_ms 1000 → 1500",
            ])
        #expect(ReloadPlan.needsRestart(old: old, new: new) == ["gpio.chip"])
    }

    @Test(
        "the schema is the declarations: same keys in the same order, lists and none-able mappings where declared"
    )
    func schemaFromDeclarations() {
        #expect(
            ConfigurationSchema.keys(at: []) == [
                "station", "hardware", "i2c", "weather", "accelerometer", "impact", "gpio",
                "storage", "upload", "alert", "shadow", "simulation", "logging",
            ])
        #expect(
            ConfigurationSchema.keys(at: ["gpio", "button"]) == [
                "line", "bias", "active_low", "debounce_ms", "long_press_ms",
            ])
        #expect(ConfigurationSchema.listItemKeys("gpio.leds") == ["role", "line", "active_low"])
        let variables = Set(ConfigurationSchema.environmentVariables.map(\.name))
        #expect(
            variables.contains("SENSORSTATION_GPIO_BUTTON")
                && variables.contains("SENSORSTATION_UPLOAD_S3_BUCKET"))
        #expect(
            !variables.contains("SENSORSTATION_GPIO_LEDS")
                && !variables.contains("SENSORSTATION_ACCELEROMETER_CALIBRATION_SCALE"))
        let paths = ConfigurationKeys.all.map(\.path)
        #expect(Set(paths).count == paths.count, "a key declared twice")
    }

    // MARK: the docs

    static let docsPath = ConfigurationTests.repositoryRoot + "/docs/configuration.md"

    static func begin(_ section: String) -> String {
        "<!-- keys \(section): generated from Sources/Station/Configuration/ConfigurationKeys.swift; edit there -->\n"
    }
    static let end = "<!-- end keys -->"
    static let chipsBegin =
        "<!-- chips: generated from the drivers' AccelerometerCapabilities; edit there -->\n"

    /// docs/configuration.md with every section's table replaced by the generated one.
    static func regenerated(_ text: String) -> String {
        var out = text
        for section in ConfigurationKeys.sections {
            guard let start = out.range(of: begin(section)),
                let stop = out.range(of: end, range: start.upperBound..<out.endIndex)
            else { continue }
            out.replaceSubrange(
                start.upperBound..<stop.lowerBound, with: ConfigurationKeys.markdownTable(section: section))
        }
        if let start = out.range(of: chipsBegin),
            let stop = out.range(of: "<!-- end chips -->", range: start.upperBound..<out.endIndex)
        {
            out.replaceSubrange(
                start.upperBound..<stop.lowerBound, with: ConfigurationKeys.markdownChipTable())
        }
        return out
    }

    @Test(
        "docs/configuration.md has each section's key table, exactly as the declarations generate it (UPDATE_DOCS=1 rewrites it)"
    )
    func docsAgreeWithTheDeclarations() throws {
        let text = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        for section in ConfigurationKeys.sections {
            #expect(
                text.contains(Self.begin(section)),
                "docs/configuration.md has no generated table for \(section)")
        }
        #expect(text.contains(Self.chipsBegin), "docs/configuration.md has no generated chip table")
        let expected = Self.regenerated(text)
        if ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1", expected != text {
            try expected.write(toFile: Self.docsPath, atomically: true, encoding: .utf8)
        }
        #expect(
            expected == text,
            "docs/configuration.md disagrees with ConfigurationKeys; run the test with UPDATE_DOCS=1 to rewrite the tables"
        )
    }
}
