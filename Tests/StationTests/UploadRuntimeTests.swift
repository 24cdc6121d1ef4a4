import Cloud
import Foundation
import LinuxSystem
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Station

/// Answers every credentials request with one fixed HTTP answer.
final class FixedCredentialsTransport: CredentialsTransport {
    let status: Int
    let body: String
    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
    func get(url: String, headers: [HTTPField], timeout: Duration) async throws(CredentialsError)
        -> (status: Int, headers: [HTTPField], body: [UInt8])
    {
        (status, [HTTPField("x-amzn-ErrorType", "ForbiddenException:")], Array(body.utf8))
    }
    func shutdown() async {}
}

@Suite("Upload inside run: passphrase source, composition, faults, status, streaming feed")
struct UploadRuntimeTests {

    @Test("passphrase: upload.passphrase_file wins, else systemd's key-passphrase credential, else none")
    func passphrase() throws {
        let dir = try temporaryDirectory("upload-runtime").path
        FileManager.default.createFile(atPath: dir + "/key-passphrase", contents: Data("s3cret\n".utf8))
        var u = StationConfiguration.UploadSettings()
        u.passphraseFile = "/etc/sensorstation/pass"
        #expect(
            u.passphraseSource(environment: ["CREDENTIALS_DIRECTORY": dir])
                == .file("/etc/sensorstation/pass"))
        u.passphraseFile = nil
        #expect(
            u.passphraseSource(environment: ["CREDENTIALS_DIRECTORY": dir])
                == .systemdCredential(directory: dir, name: "key-passphrase"))
        #expect(
            try u.passphraseSource(environment: ["CREDENTIALS_DIRECTORY": dir])?.read()
                == Array("s3cret".utf8))
        #expect(u.passphraseSource(environment: ["CREDENTIALS_DIRECTORY": "/nonexistent"]) == nil)
        #expect(u.passphraseSource(environment: [:]) == nil)
        u.passphraseFile = ""
        #expect(u.passphraseSource(environment: [:]) == nil)
    }

    @Test("rate_limit_kbps is kilobits: 80 kbit/s = 10,000 bytes/s; 0 = no cap")
    func rate() {
        var u = StationConfiguration.UploadSettings()
        #expect(u.maxBytesPerSecond == nil)
        u.rateLimitKbps = 80
        #expect(u.maxBytesPerSecond == 10_000)
    }

    @Test("upload keys: endpoint with a test port, poll interval, clock-sync marker")
    func configurationKeys() throws {
        let yaml = """
            upload:
              enabled: true
              credentials_endpoint: 127.0.0.1:8443
              role_alias: sensorstation
              poll_interval_s: 0.5
              clock_sync_marker: /run/chrony/synchronised
              s3: { bucket: my-bucket }
            """
        let c = try ConfigurationLoader.parse(yaml, source: "c.yaml", environment: [:])
        #expect(c.upload.credentialsEndpoint == "127.0.0.1:8443")
        #expect(c.upload.pollInterval == .milliseconds(500))
        #expect(c.upload.clockSyncMarker == "/run/chrony/synchronised")
        let d = try ConfigurationLoader.parse(
            "upload:\n  role_alias: a\n", source: "c.yaml", environment: [:])
        #expect(d.upload.pollInterval == .seconds(5))
        #expect(d.upload.clockSyncMarker == "/run/systemd/timesync/synchronized")
        #expect(
            d.upload.credentialsConfiguration(thingName: "T", environment: [:], endpointPort: 8443).endpoint
                == ":8443")
    }

    @Test(
        "credentials_endpoint: single-label host names and addresses, with or without a port",
        arguments: [
            "localhost:8443", "localhost", "credentials:443", "127.0.0.1:8443",
            "c1abc.credentials.iot.eu-west-1.amazonaws.com",
        ])
    func endpointAccepted(endpoint: String) throws {
        let c = try ConfigurationLoader.parse(
            "upload:\n  credentials_endpoint: \(endpoint)\n", source: "c.yaml", environment: [:])
        #expect(c.upload.credentialsEndpoint == endpoint)
    }

    @Test(
        "bad upload keys name the key and what is allowed",
        arguments: [
            (
                "credentials_endpoint: c1abc.credentials.iot.eu-west-1.amazonaws.com:99999",
                "upload.credentials_endpoint: expected a host name with an optional :port (1–65535)"
            ),
            ("poll_interval_s: 0", "upload.poll_interval_s: expected a number from 0.1 to 3600"),
            (
                "credentials_endpoint: a..b",
                "upload.credentials_endpoint: expected a host name without a scheme"
            ),
            (
                "credentials_endpoint: -local:8443",
                "upload.credentials_endpoint: expected a host name without a scheme"
            ),
            (
                "credentials_endpoint: 'local host'",
                "upload.credentials_endpoint: expected a host name without a scheme"
            ),
        ])
    func badKeys(line: String, expected: String) {
        do {
            _ = try ConfigurationLoader.parse("upload:\n  \(line)\n", source: "c.yaml", environment: [:])
            Issue.record("accepted: \(line)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    static func enabled(certificate: String, key: String) -> StationConfiguration {
        var c = StationConfiguration.defaults(environment: [:])
        c.upload.enabled = true
        c.upload.credentialsEndpoint = "c1abc.credentials.iot.eu-west-1.amazonaws.com"
        c.upload.roleAlias = "sensorstation"
        c.upload.certificate = certificate
        c.upload.privateKey = key
        c.upload.s3 = StationConfiguration.S3Destination(bucket: "b", endpoint: "http://127.0.0.1:9")
        c.upload.kinesis = StationConfiguration.KinesisDestination(
            stream: "s", endpoint: "http://127.0.0.1:9")
        return c
    }

    @Test("a certificate that cannot be read raises the upload fault naming it; nothing else stops")
    func badCertificate() throws {
        let dir = try temporaryDirectory("upload-runtime").path
        let state = StationState()
        let runtime = UploadRuntime.make(
            configuration: Self.enabled(certificate: dir + "/missing.pem.crt", key: dir + "/missing.key"),
            database: nil, state: state, logger: Logger(label: "test"), environment: [:])
        #expect(runtime.services.isEmpty && runtime.provider == nil)
        let s = state.snapshot
        let fault = try #require(s.faultMessages["upload"])
        #expect(fault.contains(dir + "/missing"))
        #expect(fault.contains("uploads wait until this is fixed and the service restarted"))
        #expect(s.indication.faults.contains("upload"))
        #expect(s.upload?.credentialsState == "unavailable")
    }

    @Test("upload off: nothing is built and no fault")
    func off() {
        let state = StationState()
        let runtime = UploadRuntime.make(
            configuration: .defaults(environment: [:]), database: nil, state: state,
            logger: Logger(label: "test"), environment: [:])
        #expect(runtime.services.isEmpty)
        #expect(state.snapshot.faultMessages.isEmpty && state.snapshot.upload == nil)
    }

    @Test(
        "a 403 from the credentials provider becomes the upload fault and the status line, with the precise message"
    )
    func rejectedCertificate() async throws {
        let config = CredentialsProviderConfiguration(
            endpoint: "creds.example", roleAlias: "sensorstation", thingName: "T",
            certificatePath: "/c", privateKeyPath: "/k", maxAttempts: 1)
        let env = CredentialsEnvironment(
            now: { Date(timeIntervalSince1970: 1_795_413_600) }, sleep: { _ in },
            random: { 0 }, clockState: { .marker("/run/systemd/timesync/synchronized") })
        let provider = CredentialsProvider(
            configuration: config,
            transport: FixedCredentialsTransport(
                status: 403, body: #"{"message":"Certificate is invalid on this endpoint"}"#),
            environment: env)
        await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        let state = StationState()
        await UploadMonitor(provider: provider, uploader: nil, streamer: nil, state: state).publish()
        let s = state.snapshot
        #expect(
            s.faultMessages["upload"]?.contains("creds.example refused the device certificate (HTTP 403")
                == true)
        let lines = try #require(s.upload?.lines)
        #expect(
            lines.first?.hasPrefix(
                "credentials  failing: creds.example refused the device certificate (HTTP 403 \"Certificate is invalid on this endpoint\")"
            ) == true)
        // The control socket's `state` answer carries it to `sensorstation status`.
        let answer = ControlRequest.state.apply(to: state, cause: "test")
        #expect(answer.upload == s.upload)
        let wire = try JSONDecoder().decode(ControlResponse.self, from: answer.encoded())
        #expect(wire.upload == s.upload)
    }

    @Test("the upload LED blinks while a backlog of 100 rows or more is being sent with valid credentials")
    func uploadingBacklog() {
        var s = Uploader.Status()
        s.backlog = ["s3": [.weather: 60], "dynamodb": [.motion: 39]]
        #expect(!UploadMonitor.uploadingBacklog(uploader: s, credentialsValid: true))
        s.backlog["dynamodb"]?[.motion] = 40
        #expect(UploadMonitor.uploadingBacklog(uploader: s, credentialsValid: true))
        #expect(
            !UploadMonitor.uploadingBacklog(uploader: s, credentialsValid: false), "nothing is being sent")
        #expect(!UploadMonitor.uploadingBacklog(uploader: nil, credentialsValid: true))
        let state = StationState()
        state.changes.drain()
        state.setUploadingBacklog(true)
        #expect(state.changes.drain(), "the indicator thread is woken")
        #expect(state.indication.topState == .uploading)
        #expect(StatusModel.patterns(for: state.indication, roles: [.upload])[.upload] == .slowBlink)
        state.setUploadingBacklog(false)
        #expect(StatusModel.patterns(for: state.indication, roles: [.upload])[.upload] == .off)
    }

    @Test("clock not synchronised: the status says so and why, and it is not a fault")
    func waitingForClock() async throws {
        let config = CredentialsProviderConfiguration(
            endpoint: "creds.example", roleAlias: "a", thingName: "T",
            certificatePath: "/c", privateKeyPath: "/k")
        // ProtectClock=yes: no timesyncd marker, and adjtimex refused.
        let env = CredentialsEnvironment(
            now: { Date(timeIntervalSince1970: 1_795_413_600) }, sleep: { _ in },
            random: { 0 },
            clockState: {
                .kernelUnreadable(marker: "/run/systemd/timesync/synchronized", errno: EPERM)
            })
        let provider = CredentialsProvider(
            configuration: config, transport: FixedCredentialsTransport(status: 500, body: "{}"),
            environment: env)
        _ = try? await provider.fetch(clockWait: .seconds(5))
        let state = StationState()
        await UploadMonitor(provider: provider, uploader: nil, streamer: nil, state: state).publish()
        #expect(state.snapshot.upload?.credentialsState == "waiting_for_clock")
        #expect(
            state.snapshot.upload?.lines == [
                "credentials  waiting for clock synchronisation (NTP); nothing is signed before",
                "clock        unknown, so not trusted: no marker file /run/systemd/timesync/synchronized, and the kernel's NTP "
                    + "state is unreadable: adjtimex refused (EPERM); under ProtectClock=yes only the timesyncd marker or "
                    + "upload.clock_sync_marker can tell",
            ])
        #expect(state.snapshot.faultMessages["upload"] == nil)
        // `status --json` carries the same reason.
        let wire = try JSONDecoder().decode(
            ControlResponse.self, from: ControlRequest.state.apply(to: state, cause: "t").encoded())
        #expect(wire.upload?.clock?.contains("adjtimex refused (EPERM)") == true)
    }

    @Test(
        "streaming on: the uploader drains Kinesis live and the streamer takes only raw samples; off: the last raw record, then both stop"
    )
    func feedGating() throws {
        let state = StationState()
        let streamer = Streamer(configuration: .init(stream: "s"), clock: ContinuousClock()) { _ in }
        let path = try temporaryDirectory("feed").appendingPathComponent("station.db").path
        let clock = Mutex(Date(timeIntervalSince1970: 1_795_478_400))
        let uploader = Uploader(
            database: try StationDatabase.openForWriting(path: path).0, destinations: [],
            configuration: .init(thingName: "Thing"), now: { clock.withLock { $0 } })
        StreamFeed.attach(
            streamer, uploader: uploader, to: state, partitionKey: "Thing", rawAcceleration: true)
        let m = MotionSummary(
            time: Date(), sampleCount: 1, minG: 1, maxG: 1, meanG: 1, rmsG: 1, meanX: 0, meanY: 0, meanZ: 1,
            saturatedCount: 0, lastX: 0, lastY: 0, lastZ: 1)
        let raw = (0..<3).map {
            RawSampleRecord(
                time: Date().addingTimeInterval(Double($0) / 100), x: 0, y: 0, z: 1, saturated: false)
        }
        state.recordRaw(raw)
        #expect(streamer.buffered == 0 && !uploader.isLive)
        state.setStreaming(true, cause: "button")
        #expect(uploader.isLive && streamer.status.active)
        // Logged rows go by the uploader's Kinesis cursor only: never a second copy through the streamer.
        state.record(.motion(m))
        state.record(
            .weather(
                WeatherRecord(
                    time: Date(), sensor: "bme280", temperatureC: 20, humidityPercent: 40, pressurePa: 1e5)))
        #expect(streamer.buffered == 0)
        state.recordRaw(raw)
        state.setStreaming(false, cause: "command")
        #expect(streamer.buffered == 1)  // the 3 raw samples held, sent as the last record
        #expect(streamer.status.active == false)
        // Kinesis stays live 3 s more: the "off" event and the last rows reach the log within 1 s.
        #expect(uploader.isLive)
        clock.withLock { $0 += 3.5 }
        #expect(!uploader.isLive)
    }
}
