import Foundation
import TestSupport
import Testing

/// The Device Shadow as a fleet owner uses it: the real binary (simulated station, credentials
/// from the mTLS endpoint) and moto's IoT data plane (signature checking on), the shadow read and
/// written with boto3 as `aws iot-data` would.
@Suite("sensorstation run keeps its Device Shadow", .serialized)
struct ShadowEndToEndTests {
    static func shadow(_ moto: MotoStack) throws -> [String: Any] {
        try moto.readback(["shadow-get", "TestThing"]) as? [String: Any] ?? [:]
    }

    static func reported(_ moto: MotoStack) throws -> [String: Any] {
        ((try shadow(moto))["state"] as? [String: Any])?["reported"] as? [String: Any] ?? [:]
    }

    @Test(
        "health reaches the shadow; desired settings and streaming reach the station through shadow sync; status, SIGHUP and a restart keep them"
    )
    func fleetOwner() async throws {
        let moto = try MotoStack()
        let endpoint = try CredentialsEndpointServer(moto: moto)
        let dir = try temporaryDirectory("shadow-e2e").path
        let config = try RunUploadEndToEndTests.configuration(
            moto, endpoint, directory: dir, scenario: "quiet",
            extra: """
                shadow:
                  enabled: true
                  endpoint: "\(moto.endpoint)"
                  heartbeat_s: 60

                """)
        var station = try RunningStation(config: config, directory: dir)

        // The first report: who the station is and how it is.
        try await eventually("the first report", limit: .seconds(120)) {
            let health = (try? Self.reported(moto))?["health"] as? [String: Any]
            return (health?["sensors"] as? [String: Any])?.count == 2
        }
        let health = try #require(try Self.reported(moto)["health"] as? [String: Any])
        #expect(health["clock_synchronised"] as? Bool == true)
        #expect(health["started_at"] as? String != nil)
        #expect((health["faults"] as? [Any])?.isEmpty == true, "\(health)\n\(station.log)")

        // The owner sets a threshold and switches streaming on; the station takes both now.
        _ = try moto.readback([
            "shadow-desire", "TestThing", #"{"impact": {"threshold_g": 5.5}, "streaming": true}"#,
        ])
        let sync = try StationBinary.run(["shadow", "sync", "--config", config, "--timeout", "120"])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)\n\(station.log)")
        #expect(sync.stdout.contains("shadow     desired version"), "\(sync.stdout)")
        #expect(
            sync.stdout.contains("shadow     sets impact.threshold_g = 5.5 (over the file)"), "\(sync.stdout)"
        )
        let reported = try Self.reported(moto)
        #expect((reported["impact"] as? [String: Any])?["threshold_g"] as? Double == 5.5)
        #expect(reported["streaming"] as? Bool == true)
        let status = try StationBinary.run(["status", "--config", config])
        #expect(status.stdout.contains("shadow     sets impact.threshold_g = 5.5"), "\(status.stdout)")
        #expect(status.stdout.contains("shadow     synced "), "\(status.stdout)")
        #expect(station.log.contains("reload: applied impact.threshold_g 4 → 5.5"), "\(station.log)")

        // SIGHUP reads the file again; the shadow's setting stays over it.
        kill(station.process.processIdentifier, SIGHUP)
        try await eventually("the reload", limit: .seconds(120)) {
            station.log.contains("reload: nothing changed")
        }

        // A restart while the shadow cannot be reached: the kept setting runs from the start.
        #expect(await station.terminate() == 0, "\(station.log)")
        try moto.setOutage(true)
        station = try RunningStation(config: config, directory: dir)
        try await eventually("the start", limit: .seconds(120)) {
            station.log.contains("shadow: starting with the settings of desired version")
        }
        let offline = try StationBinary.run(["shadow", "sync", "--config", config, "--timeout", "120"])
        #expect(offline.status == 1, "\(offline.stdout)\(offline.stderr)")
        #expect(offline.stderr.isEmpty, "\(offline.stderr)")
        #expect(offline.stdout.contains("shadow     last error"), "\(offline.stdout)")
        #expect(offline.stdout.contains("shadow     sets impact.threshold_g = 5.5"), "\(offline.stdout)")
        try moto.setOutage(false)
        let back = try StationBinary.run(["shadow", "sync", "--config", config, "--json", "--timeout", "120"])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any]
        #expect(json?["lastError"] == nil, "\(back.stdout)")
        #expect(await station.terminate() == 0, "\(station.log)")
    }
}
