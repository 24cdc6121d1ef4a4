import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Station

/// The Device Shadow's desired state read as configuration: the same validation and messages
/// as the file, refused whole, applied through the reload path, kept across restarts.
@Suite("Device Shadow: desired settings")
struct ShadowDesiredTests {
    static let file = """
        impact:
          threshold_g: 4
          rearm_g: 3
        upload:
          enabled: true
          region: us-east-1
          credentials_endpoint: c1abc.credentials.iot.us-east-1.amazonaws.com
          role_alias: station
          kinesis:
            stream: k1
        shadow:
          enabled: true
          endpoint: a1b2c3-ats.iot.us-east-1.amazonaws.com

        """

    static func load(_ overlay: ConfigurationOverlay) throws(ConfigurationError) -> StationConfiguration {
        try ConfigurationLoader.parse(
            file, source: "/etc/sensorstation/config.yaml", environment: [:], overlay: overlay)
    }

    static func reading(_ json: String, version: Int64 = 3) throws -> ShadowDesired.Reading {
        let value = try JSONValue.parse(Array(json.utf8))
        guard case .object(let o) = value else { throw TestServers.SetupError(description: "not an object") }
        return ShadowDesired.read(o, version: version)
    }

    @Test("a settable value goes over the file; streaming is a switch apart from the settings")
    func settable() throws {
        let r = try Self.reading(#"{"impact": {"threshold_g": 5.5, "post_ms": 900}, "streaming": true}"#)
        #expect(r.problems.isEmpty)
        #expect(r.streaming == true)
        #expect(r.overlay.values == ["impact.threshold_g": .double(5.5), "impact.post_ms": .int(900)])
        let c = try Self.load(r.overlay)
        #expect(c.impact.thresholdG == 5.5)
        #expect(c.impact.postWindow == .milliseconds(900))
        #expect(c.impact.rearmG == 3, "the file's other keys stay")
    }

    @Test("a value out of range gets the file's own message, naming the shadow's version instead of a line")
    func sameMessages() throws {
        let overlay = try Self.reading(#"{"impact": {"threshold_g": 200}}"#, version: 7).overlay
        let fromShadow: ConfigurationError
        do {
            _ = try Self.load(overlay)
            Issue.record("200 g was taken")
            return
        } catch { fromShadow = error }
        let fromFile: ConfigurationError
        do {
            _ = try ConfigurationLoader.parse(
                "impact:\n  threshold_g: 200\n", source: "config.yaml", environment: [:])
            Issue.record("200 g was taken from a file")
            return
        } catch { fromFile = error }
        #expect(fromShadow.problems.map(\.message) == fromFile.problems.map(\.message))
        #expect(
            fromShadow.problems.map(\.description) == [
                "shadow desired (version 7): impact.threshold_g: expected a number from 1.5 to 100, got 200"
            ])
    }

    @Test("rules across keys hold against the file: a rearm level above the file's threshold is refused")
    func crossKey() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try Self.load(try Self.reading(#"{"impact": {"rearm_g": 4.5}}"#).overlay)
        }
    }

    @Test("keys a shadow may not set, a streaming value that is not a boolean, and a misspelt key are named")
    func refusals() throws {
        let r = try Self.reading(
            #"{"storage": {"path": "/tmp/x.db"}, "streaming": "yes", "impact": {"treshold_g": 5}}"#)
        #expect(
            r.problems.map(\.description) == [
                "shadow desired (version 3): storage.path: not settable from the shadow; settable: streaming, "
                    + ShadowDesired.settableKeys.joined(separator: ", "),
                "shadow desired (version 3): streaming: expected true or false, got 'yes'",
            ])
        // The misspelt key goes to the loader, which suggests the right one as it does for a file.
        do {
            _ = try Self.load(r.overlay)
            Issue.record("an unknown key was taken")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "shadow desired (version 3): impact.treshold_g: unknown key 'treshold_g'; did you mean 'threshold_g'?"
                ])
        }
    }

    @Test("an empty or dotted key name is a problem, never a path (the empty one found by FuzzShadow)")
    func emptyKey() throws {
        let r = try Self.reading(#"{"": 4, "impact": {"": 1, "threshold_g": 5}, "impact.rearm_g": 1}"#)
        #expect(r.overlay.values == ["impact.threshold_g": .int(5)])
        #expect(
            r.problems.map(\.description) == [
                "shadow desired (version 3): desired: a key name is empty",
                #"shadow desired (version 3): impact: a key name is empty"#,
                #"shadow desired (version 3): desired: a key name holds '.' ('impact.rearm_g'); nest it: {"impact": {"threshold_g": …}}"#,
            ])
    }

    @Test(
        "every settable key is one the running station applies without a restart, and docs/shadow.md lists it"
    )
    func settableKeysAreLive() throws {
        let doc = try String(
            contentsOfFile: ConfigurationTests.repositoryRoot + "/docs/shadow.md", encoding: .utf8)
        for path in ShadowDesired.settableKeys {
            let key = try #require(ConfigurationKeys.key(path), "\(path) is not a configuration key")
            #expect(key.reload == .live, "\(path) needs a restart")
            #expect(doc.contains("`\(path)`"), "docs/shadow.md does not list \(path)")
        }
    }

    @Test("reported holds the settings nested as desired writes them, numbers as numbers")
    func reportedSettings() throws {
        let c = try Self.load(.empty)
        let r = ShadowDesired.reportedSettings(c)
        guard case .object(let impact)? = r["impact"] else {
            Issue.record("no impact object: \(r)")
            return
        }
        #expect(impact["threshold_g"] == .int(4))
        #expect(impact["post_ms"] == .int(Int64(c.impact.postWindow.milliseconds)))
        guard case .object(let upload)? = r["upload"] else {
            Issue.record("no upload object")
            return
        }
        #expect(upload["poll_interval_s"] == .int(5))
    }

    @Test(
        "the reloader refuses a bad overlay whole and keeps what runs; a good one reaches the live settings")
    func reloader() throws {
        let running = try Self.load(.empty)
        let live = LiveSettings(configuration: running)
        let reloader = ConfigurationReloader(
            load: { o throws(ConfigurationError) in try Self.load(o) }, running: running, live: live,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let seen = Mutex<[Duration]>([])
        reloader.onApply { c in seen.withLock { $0.append(c.upload.pollInterval) } }

        let bad = try Self.reading(#"{"impact": {"threshold_g": 5, "sustain_ms": -1}}"#).overlay
        #expect(throws: ConfigurationError.self) { try reloader.apply(overlay: bad) }
        #expect(live.current.values.detector.thresholdG == 4, "half of a refused desired was applied")
        #expect(reloader.overlay.isEmpty)

        let good = try Self.reading(#"{"impact": {"threshold_g": 5}, "upload": {"poll_interval_s": 30}}"#)
            .overlay
        let outcome = try reloader.apply(overlay: good)
        #expect(outcome.applied == ["impact.threshold_g 4 → 5", "upload.poll_interval_s 5 → 30"])
        #expect(live.current.values.detector.thresholdG == 5)
        let intervals = seen.withLock { $0 }
        #expect(intervals == [Duration.seconds(30)])
        // A SIGHUP keeps the shadow's settings over the file.
        #expect(reloader.reload()?.applied == [])
        #expect(reloader.running.impact.thresholdG == 5)
    }

    @Test("the kept settings survive a restart; a damaged file is an error naming it")
    func store() throws {
        let dir = try temporaryDirectory("shadow-store")
        let store = ShadowStore(databasePath: dir.appendingPathComponent("station.db").path)
        #expect(try store.load() == nil)
        let kept = ShadowStore.Kept(version: 12, values: ["impact.threshold_g": .double(5.5)])
        try store.save(kept)
        #expect(try store.load() == kept)
        #expect(store.path == dir.appendingPathComponent("shadow.json").path)
        try Data("{\"version\": 1}".utf8).write(to: URL(fileURLWithPath: store.path))
        #expect {
            try store.load()
        } throws: { error in
            "\(error)" == "\(store.path): not the station's kept shadow settings (version and values)"
        }
    }

    @Test("reported stays far below the service's 8 KiB with every fault long and many of them")
    func reportSize() throws {
        let state = StationState()
        for i in 0..<40 { state.raiseFault("component-\(i)", String(repeating: "x", count: 2000)) }
        state.setSampling(
            {
                var d = SamplingDrops(
                    overruns: 123_456, gaps: 98_765, missedSamples: 12_345_678, last: Date())
                d.interruptTimeouts = 4_321
                d.interruptUnusable = 21
                return d
            }())
        let report = ShadowReport(
            .init(
                configuration: try Self.load(.empty), snapshot: state.snapshot,
                sensors: ["accelerometer": "adxl345@0x53", "weather": "bme280@0x76"], version: "0.1.0",
                bootTime: Date(), startTime: Date(), now: Date(), clockSynchronised: true, alertsPending: 3,
                databaseBytes: 1 << 30, backlogRecords: 123_456,
                backlogOldest: Date(timeIntervalSinceNow: -86_400),
                desired: .refused(
                    version: 9, problems: Array(repeating: String(repeating: "y", count: 500), count: 20))))
        let bytes = report.updateDocument.utf8.count
        #expect(bytes < ShadowClient.maxStateBytes / 2, "\(bytes) bytes")
        // What the sampler lost goes with every report, among the figures that never cause one.
        #expect(
            report.metrics["samples_lost"]
                == .object([
                    "overruns": .int(123_456), "gaps": .int(98_765), "missed_samples": .int(12_345_678),
                    "interrupt_timeouts": .int(4_321), "interrupt_unusable": .int(21),
                ]))
    }
}

/// The Device Shadow against moto's IoT data plane (signature checking on), read back with boto3.
@Suite("Device Shadow against moto", .serialized, .timeLimit(.minutes(3)))
struct ShadowLiveTests {
    /// A shadow service over a reloader of `ShadowDesiredTests.file`, the log in a temporary
    /// directory; `client` may wrap the real one.
    final class Rig: @unchecked Sendable {
        /// How long a wait may take: a full test run starts dozens of servers at once on two
        /// cores, and moto answered the first report only after 20 s there once. A deadline,
        /// not a speed figure.
        static let patience = Duration.seconds(120)
        let moto: MotoStack
        let thing = "ShadowThing"
        let state = StationState()
        let reloader: ConfigurationReloader
        let live: LiveSettings
        let store: ShadowStore
        let client: ShadowClient
        var service: ShadowService
        var running: Task<Void, any Error>?
        var group: ServiceGroup?

        init(moto: MotoStack, dir: URL? = nil, wrap: ((ShadowClient) -> any ShadowAPI)? = nil) throws {
            self.moto = moto
            let dir = try dir ?? temporaryDirectory("shadow")
            store = ShadowStore(databasePath: dir.appendingPathComponent("station.db").path)
            let kept = try store.load()
            let running = try ShadowDesiredTests.load(kept?.overlay ?? .empty)
            live = LiveSettings(configuration: running)
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            reloader = ConfigurationReloader(
                load: { o throws(ConfigurationError) in try ShadowDesiredTests.load(o) }, running: running,
                overlay: kept?.overlay ?? .empty,
                live: live, logger: logger)
            client = ShadowClient(
                endpoint: moto.endpoint, region: "us-east-1", thing: thing,
                credentials: StaticCredentials(moto.user))
            service = ShadowService(
                client: wrap?(client) ?? client, reloader: reloader, store: store, state: state,
                database: nil,
                sensors: ["accelerometer": "adxl345@0x53"], destinations: [], gate: nil, logger: logger,
                version: SensorStationVersion.current,
                startOutcome: kept.map { .applied(version: $0.version) })
            service.tick = .milliseconds(50)
            service.minReportSpacing = 0.2
        }

        func start() {
            let group = ServiceGroup(
                configuration: .init(
                    services: [service], logger: Logger(label: "lifecycle") { _ in SwiftLogNoOpLogHandler() })
            )
            self.group = group
            running = Task { try await group.run() }
        }

        func stop() async throws {
            await group?.triggerGracefulShutdown()
            try await running?.value
        }

        /// Asks for a sync as `sensorstation shadow sync` does and waits until it is answered.
        @discardableResult
        func sync() async throws -> ShadowLiveStatus {
            let n = state.requestShadowSync()
            try await AlertServiceTests.eventually("sync \(n)", within: Rig.patience) {
                (state.snapshot.shadow?.requestsAnswered ?? 0) >= n
            }
            return try #require(state.snapshot.shadow)
        }

        /// The shadow as boto3 reads it.
        func shadow() throws -> [String: Any] {
            try moto.readback(["shadow-get", thing]) as? [String: Any] ?? [:]
        }

        func desire(_ json: String) throws {
            _ = try moto.readback(["shadow-desire", thing, json])
        }
    }

    static func reported(_ shadow: [String: Any]) -> [String: Any] {
        (shadow["state"] as? [String: Any])?["reported"] as? [String: Any] ?? [:]
    }

    /// How many values (not objects) a JSON tree holds.
    static func leaves(_ value: Any?) -> Int {
        guard let value else { return 0 }
        if let o = value as? [String: Any] { return o.values.map { leaves($0) }.reduce(0, +) }
        return 1
    }

    static func desired(_ shadow: [String: Any]) -> [String: Any]? {
        (shadow["state"] as? [String: Any])?["desired"] as? [String: Any]
    }

    @Test(
        "reported reaches the shadow; desired settings and streaming are applied, kept, reported back, and streaming leaves desired"
    )
    func roundTrip() async throws {
        let rig = try Rig(moto: try MotoStack())
        rig.start()
        try await AlertServiceTests.eventually("the first report", within: Rig.patience) {
            rig.state.snapshot.shadow?.lastReport != nil
        }
        var reported = Self.reported(try rig.shadow())
        let health = try #require(reported["health"] as? [String: Any])
        #expect(health["version"] as? String == SensorStationVersion.current)
        #expect(reported["streaming"] as? Bool == false)
        #expect((reported["impact"] as? [String: Any])?["threshold_g"] as? Int == 4)

        try rig.desire(
            #"{"impact": {"threshold_g": 5.5}, "upload": {"poll_interval_s": 30}, "streaming": true}"#)
        let status = try await rig.sync()
        #expect(status.lastError == nil)
        #expect(rig.live.current.values.detector.thresholdG == 5.5)
        #expect(rig.reloader.running.upload.pollInterval == .seconds(30))
        #expect(rig.state.snapshot.indication.streaming)
        #expect(status.overrides == ["impact.threshold_g = 5.5", "upload.poll_interval_s = 30"])
        let kept = try #require(try rig.store.load())
        #expect(kept.values == ["impact.threshold_g": .double(5.5), "upload.poll_interval_s": .int(30)])

        let shadow = try rig.shadow()
        reported = Self.reported(shadow)
        #expect((reported["impact"] as? [String: Any])?["threshold_g"] as? Double == 5.5)
        #expect(reported["streaming"] as? Bool == true)
        #expect((reported["desired_status"] as? [String: Any])?["applied"] as? Bool == true)
        #expect(Self.desired(shadow)?["streaming"] == nil, "streaming stayed in desired: \(shadow)")
        // moto writes an empty object for a nested key whose values agree; nothing is left.
        #expect(Self.leaves((shadow["state"] as? [String: Any])?["delta"]) == 0, "a delta is left: \(shadow)")

        // A change worth telling goes at once, without a sync.
        let before = rig.state.snapshot.shadow?.syncs
        rig.state.raiseFault("weather", "no BME280 at 0x76 on /dev/i2c-1")
        try await AlertServiceTests.eventually("the fault in reported", within: Rig.patience) {
            let faults = (Self.reported(try rig.shadow())["health"] as? [String: Any])?["faults"] as? [String]
            return faults == ["weather: no BME280 at 0x76 on /dev/i2c-1"]
        }
        #expect(rig.state.snapshot.shadow?.syncs == before)
        try await rig.stop()

        // A restart, the shadow out of reach: the kept settings run from the start.
        try rig.moto.setOutage(true)
        let again = try Rig(
            moto: rig.moto, dir: URL(fileURLWithPath: rig.store.path).deletingLastPathComponent())
        #expect(again.live.current.values.detector.thresholdG == 5.5)
        again.start()
        let offline = try await again.sync()
        #expect(offline.lastError != nil)
        #expect(offline.nextSync != nil)
        #expect(again.live.current.values.detector.thresholdG == 5.5)
        try rig.moto.setOutage(false)
        let back = try await again.sync()
        #expect(back.lastError == nil, "\(back)")
        try await again.stop()
    }

    @Test("moto checks the shadow requests' signatures: a wrong secret is refused on read and on write")
    func signaturesAreChecked() async throws {
        let moto = try MotoStack()
        var wrong = moto.user
        wrong.secretAccessKey = "not-the-secret"
        let client = ShadowClient(
            endpoint: moto.endpoint, region: "us-east-1", thing: "ShadowThing",
            credentials: StaticCredentials(wrong))
        for attempt in ["get", "update"] {
            do {
                if attempt == "get" {
                    _ = try await client.get()
                } else {
                    try await client.update(#"{"state":{}}"#)
                }
                Issue.record("\(attempt) with a wrong secret was accepted")
            } catch {
                guard case .service(_, _, 403, _, _) = error else {
                    Issue.record("\(attempt): \(error)")
                    continue
                }
            }
        }
    }

    @Test(
        "a refused desired value is reported with the file's message and nothing of that desired is applied")
    func refused() async throws {
        let rig = try Rig(moto: try MotoStack())
        rig.start()
        try rig.desire(#"{"impact": {"threshold_g": 5.0, "sustain_ms": 99999999}, "streaming": true}"#)
        let status = try await rig.sync()
        #expect(rig.live.current.values.detector.thresholdG == 4, "half applied")
        #expect(
            !rig.state.snapshot.indication.streaming, "the streaming switch of a refused desired was applied")
        #expect(
            Self.desired(try rig.shadow())?["streaming"] as? Bool == true, "a refused switch left desired")
        #expect(status.desired?.contains("refused") == true, "\(status)")
        let shadow = try rig.shadow()
        let outcome = try #require(Self.reported(shadow)["desired_status"] as? [String: Any])
        #expect(outcome["applied"] as? Bool == false)
        #expect(
            (outcome["errors"] as? [String])?.first?.hasSuffix(
                "impact.sustain_ms: expected a whole number of milliseconds from 0 to 60000, got 99999999")
                == true,
            "\(outcome)")
        // The delta is what is not applied.
        let delta = (shadow["state"] as? [String: Any])?["delta"] as? [String: Any]
        #expect((delta?["impact"] as? [String: Any])?["sustain_ms"] != nil, "\(shadow)")
        #expect(try rig.store.load() == nil, "a refused desired was kept")
        try await rig.stop()
    }

    /// Writes the shadow once, between the service's read and its versioned update.
    final class Interleaver: ShadowAPI, @unchecked Sendable {
        let inner: ShadowClient
        let lock = Mutex((armed: true, conflicts: 0))
        init(_ inner: ShadowClient) { self.inner = inner }
        var endpoint: String { inner.endpoint }
        func get() async throws(AWSRequestError) -> ShadowClient.Document? { try await inner.get() }
        func update(_ document: String) async throws(AWSRequestError) -> Int64 {
            // The service's removal of the streaming switch, guarded by the version it read.
            if document.contains(#""streaming":null"#), lock.withLock({ $0.armed }) {
                lock.withLock { $0.armed = false }
                // Someone switches streaming off meanwhile: the service must not remove that.
                try await inner.update(#"{"state":{"desired":{"streaming":false}}}"#)
            }
            do { return try await inner.update(document) } catch {
                if ShadowClient.isConflict(error) { lock.withLock { $0.conflicts += 1 } }
                throw error
            }
        }
    }

    @Test("a 409 while streaming leaves desired reads the shadow again and applies the newer desired")
    func conflict() async throws {
        let moto = try MotoStack()
        var interleaver: Interleaver?
        let rig = try Rig(moto: moto) { client in
            let i = Interleaver(client)
            interleaver = i
            return i
        }
        rig.start()
        try rig.desire(#"{"streaming": true}"#)
        let status = try await rig.sync()
        #expect(status.lastError == nil, "\(status)")
        #expect(interleaver?.lock.withLock { $0.conflicts } == 1)
        #expect(rig.state.snapshot.indication.streaming == false, "the newer desired (off) was not applied")
        let shadow = try rig.shadow()
        #expect(Self.desired(shadow)?["streaming"] == nil, "\(shadow)")
        #expect(Self.reported(shadow)["streaming"] as? Bool == false)
        try await rig.stop()
    }
}
