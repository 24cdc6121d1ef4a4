import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage

extension StationConfiguration.UploadSettings {
    /// Where the private key's passphrase comes from: `upload.passphrase_file` when set, else the
    /// systemd credential `$CREDENTIALS_DIRECTORY/key-passphrase` when the unit's
    /// `LoadCredential=key-passphrase:…` provides it, else none (an unencrypted key). Never the
    /// command line. `run` and `credentials check` both use this, so they cannot disagree.
    public func passphraseSource(
        environment: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    )
        -> PassphraseSource?
    {
        if let file = passphraseFile, !file.isEmpty { return .file(file) }
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty,
            fileExists((dir as NSString).appendingPathComponent("key-passphrase"))
        {
            return .systemdCredential(directory: dir, name: "key-passphrase")
        }
        return nil
    }

    /// The credentials provider's configuration from `upload.*` and the thing name.
    /// `endpointPort` and `caBundle` are the test overrides of `credentials check`.
    public func credentialsConfiguration(
        thingName: String, environment: [String: String], endpointPort: Int? = nil,
        caBundle: String? = nil, maxAttempts: Int = 5,
        backoff: Backoff = Backoff()
    ) -> CredentialsProviderConfiguration {
        var endpoint = credentialsEndpoint
        if let endpointPort { endpoint += ":\(endpointPort)" }
        return CredentialsProviderConfiguration(
            endpoint: endpoint, roleAlias: roleAlias, thingName: thingName, certificatePath: certificate,
            privateKeyPath: privateKey, passphrase: passphraseSource(environment: environment),
            caBundlePath: caBundle ?? self.caBundle, refreshMargin: refreshMargin, maxAttempts: maxAttempts,
            backoff: backoff)
    }

    /// `rate_limit_kbps` (kilobits per second) as the uploader's bytes per second; nil: no cap.
    public var maxBytesPerSecond: Int? { rateLimitKbps > 0 ? rateLimitKbps * 1000 / 8 : nil }
}

/// The uploader's and the streamer's state as `sensorstation status` shows it, sent over the
/// control socket by the running service. Times are ISO 8601 UTC text.
public struct UploadLiveStatus: Codable, Sendable, Equatable {
    public struct Destination: Codable, Sendable, Equatable {
        public var name: String
        public var sentRecords: Int
        public var lastSuccess: String?
        public var lastError: String?
        public var lastErrorTime: String?

        public init(
            name: String, sentRecords: Int = 0, lastSuccess: String? = nil, lastError: String? = nil,
            lastErrorTime: String? = nil
        ) {
            self.name = name
            self.sentRecords = sentRecords
            self.lastSuccess = lastSuccess
            self.lastError = lastError
            self.lastErrorTime = lastErrorTime
        }
    }

    public struct Streaming: Codable, Sendable, Equatable {
        public var stream: String
        public var active: Bool
        public var sentRecords: Int
        public var dropped: Int
        public var lastSuccess: String?
        public var lastError: String?
    }

    /// `valid`, `waiting_for_clock`, `fetching`, `failing`, `not_fetched`, or `unavailable` (the
    /// provider could not be built: bad certificate, key or passphrase).
    public var credentialsState: String
    /// The credentials line (`credentials: ASIA… valid until …`, or the precise error).
    public var credentials: String
    public var credentialsExpiry: String?
    /// The last look at the clock: synchronised or not, and how that was found out (the marker
    /// file, the kernel's NTP state, or that the kernel's state could not be read).
    public var clock: String?
    /// What was done about the rows logged before the clock was set (`ClockWatch.Status.summary`).
    public var clockCorrection: String?
    public var destinations: [Destination]
    public var streaming: Streaming?

    public init(
        credentialsState: String, credentials: String, credentialsExpiry: String? = nil, clock: String? = nil,
        clockCorrection: String? = nil, destinations: [Destination] = [], streaming: Streaming? = nil
    ) {
        self.credentialsState = credentialsState
        self.credentials = credentials
        self.credentialsExpiry = credentialsExpiry
        self.clock = clock
        self.clockCorrection = clockCorrection
        self.destinations = destinations
        self.streaming = streaming
    }

    /// Plain lines for `status`, one per fact.
    public var lines: [String] {
        var out: [String] = []
        switch credentialsState {
        case "waiting_for_clock":
            out.append("credentials  waiting for clock synchronisation (NTP); nothing is signed before")
            if let clock { out.append("clock        \(clock)") }
        default:
            out.append(
                "credentials  "
                    + (credentials.hasPrefix("credentials: ")
                        ? String(credentials.dropFirst(13)) : credentials))
        }
        if let clockCorrection { out.append("clock        \(clockCorrection)") }
        for d in destinations {
            var line = "\(d.name)  sent \(d.sentRecords)"
            line += ", last success " + (d.lastSuccess ?? "never")
            if let e = d.lastError {
                line += "; last error" + (d.lastErrorTime.map { " at \($0)" } ?? "") + ": \(e)"
            }
            out.append(line)
        }
        if let s = streaming {
            var line = "stream \(s.stream)  \(s.active ? "on" : "off"), sent \(s.sentRecords)"
            line += ", last success " + (s.lastSuccess ?? "never")
            if s.dropped > 0 { line += ", \(s.dropped) left to store-and-forward" }
            if let e = s.lastError { line += "; last error: \(e)" }
            out.append(line)
        }
        return out
    }
}

/// Station events as Kinesis records while streaming is on: per-second motion summaries,
/// weather readings, and the streaming on/off events themselves. Each record is one JSON object
/// with the same `kind`, `time_us` and column names as the row the log stores for it, so a
/// consumer dedupes the live record and the store-and-forward copy by (partition key = thing
/// name, `kind`, `time_us`).
public enum StreamFeed {
    public static func record(for event: StationEvent, at time: Date) -> [UInt8]? {
        var fields: [(String, JSONValue)]
        let t: Date
        switch event {
        case .weather(let w):
            t = w.time
            fields = [
                ("kind", .string("weather")), ("sensor", .string(w.sensor)),
                ("temperature_c", .double(w.temperatureC)),
                ("humidity_percent", w.humidityPercent.map(JSONValue.double) ?? .null),
                ("pressure_pa", .double(w.pressurePa)),
            ]
        case .motion(let m):
            t = m.time
            fields = [
                ("kind", .string("motion")), ("sample_count", .int(Int64(m.sampleCount))),
                ("min_g", .double(m.minG)),
                ("max_g", .double(m.maxG)), ("mean_g", .double(m.meanG)), ("rms_g", .double(m.rmsG)),
                ("peak_g", .double(m.maxG)), ("mean_x_g", .double(m.meanX)), ("mean_y_g", .double(m.meanY)),
                ("mean_z_g", .double(m.meanZ)), ("saturated_count", .int(Int64(m.saturatedCount))),
            ]
        case .streaming(let on, let cause):
            t = time
            fields = [
                ("kind", .string("event")), ("event", .string("streaming")),
                ("detail", .string(on ? "on" : "off")),
                ("cause", .string(cause)),
            ]
        default:
            return nil
        }
        let us = TimeCodec.micros(t)
        fields.insert(
            contentsOf: [("time_us", .int(us)), ("time", .string(TimeCodec.iso(micros: us)))], at: 1)
        return Array(JSONValue.object(fields).utf8)
    }

    /// Feeds `streamer` from `state`: on/off follows the station's streaming state (button,
    /// `stream start|stop`); records are offered only while it is on. With `rawAcceleration`,
    /// the raw samples go too, packed by `RawAccelerationPacker`.
    public static func attach<C: Clock>(
        _ streamer: Streamer<C>, to state: StationState, partitionKey: String,
        rawAcceleration: Bool = false
    )
    where C.Duration == Duration {
        streamer.setActive(state.indication.streaming)
        let packer = rawAcceleration ? RawAccelerationPacker() : nil
        if let packer {
            state.addRawSink { samples in
                for data in packer.add(samples) {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
            }
        }
        state.addSink { time, event in
            if case .streaming(let on, _) = event {
                // "on" goes out as the first record, "off" as the last, after the raw samples held.
                if on { streamer.setActive(true) }
                if !on, let data = packer?.flush() {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
                if let data = record(for: event, at: time) {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
                if !on { streamer.setActive(false) }
                return
            }
            guard let data = record(for: event, at: time) else { return }
            streamer.offer(.init(partitionKey: partitionKey, data: data))
        }
    }
}

/// Upload inside `sensorstation run`: the credentials provider, the store-and-forward uploader
/// and the live streamer, built from `upload.*`, plus a monitor that publishes their state for
/// `status` and raises the `upload` fault when an operator must act.
public struct UploadRuntime: Sendable {
    /// In start order: uploader, streamer, monitor. The service group stops them in reverse
    /// order and before the recorder (which must be started before them) flushes.
    public var services: [any Service] = []
    public var uploader: Uploader?
    public var streamer: Streamer<ContinuousClock>?
    public var provider: CredentialsProvider?

    public init() {}

    /// Destination names: the cursor keys in the database. Keep them stable.
    public static func destinationNames(_ u: StationConfiguration.UploadSettings) -> [String] {
        guard u.enabled else { return [] }
        var names: [String] = []
        if u.s3 != nil { names.append("s3") }
        if u.dynamodb != nil { names.append("dynamodb") }
        if u.kinesis != nil { names.append("kinesis") }
        return names
    }

    /// The kinds a destination receives: DynamoDB only weather readings and impacts; the others
    /// every kind. `status` counts the backlog of these only.
    public static func sentKinds(destination name: String) -> Set<UploadKind> {
        name == "dynamodb" ? [.weather, .impact] : Set(UploadKind.allCases)
    }

    /// Builds what `upload` asks for. Never throws: a certificate, key or passphrase that cannot
    /// be used raises the `upload` fault (LED and `status`) and leaves sampling and logging
    /// running; store-and-forward sends the log once it is fixed and the service restarted.
    /// - Parameter clockWatch: the service's watch of the clock; its gate holds the uploader and
    ///   the streamer until what was logged before the clock was set has been corrected.
    public static func make(
        configuration c: StationConfiguration, database: StationDatabase?, state: StationState,
        logger: Logger, environment: [String: String],
        credentialsEnvironment: CredentialsEnvironment? = nil, clockWatch: ClockWatch? = nil
    ) -> UploadRuntime {
        var runtime = UploadRuntime()
        let u = c.upload
        guard u.enabled else { return runtime }
        let thing = c.station.thingName
        let provider: CredentialsProvider
        do {
            provider = try CredentialsProvider(
                configuration: u.credentialsConfiguration(thingName: thing, environment: environment),
                environment: credentialsEnvironment ?? .live(clockSyncMarker: u.clockSyncMarker),
                logger: logger)
        } catch {
            let message =
                "\(error); uploads wait until this is fixed and the service restarted (the log keeps everything)"
            state.raiseFault("upload", message)
            state.setUpload(UploadLiveStatus(credentialsState: "unavailable", credentials: "\(error)"))
            return runtime
        }
        runtime.provider = provider
        var destinations: [UploadDestination] = []
        if let s3 = u.s3 {
            destinations.append(
                UploadDestination(
                    name: "s3",
                    target: .s3(
                        S3Client(
                            bucket: s3.bucket, region: u.region, credentials: provider, endpoint: s3.endpoint),
                        prefix: s3.prefix)))
        }
        if let d = u.dynamodb {
            // One table for weather readings and impacts (keyed serial_number + timestamp).
            destinations.append(
                UploadDestination(
                    name: "dynamodb",
                    target: .dynamoDB(
                        DynamoDBClient(region: u.region, credentials: provider, endpoint: d.endpoint),
                        tables: Dictionary(
                            uniqueKeysWithValues: sentKinds(destination: "dynamodb").map { ($0, d.table) }))))
        }
        if let k = u.kinesis {
            let client = KinesisClient(region: u.region, credentials: provider, endpoint: k.endpoint)
            destinations.append(
                UploadDestination(name: "kinesis", target: .kinesis(client, stream: k.stream)))
            let streamer = Streamer(
                configuration: .init(stream: k.stream), client: client, clock: ContinuousClock(),
                logger: logger, gate: clockWatch?.gate)
            StreamFeed.attach(streamer, to: state, partitionKey: thing, rawAcceleration: k.rawAcceleration)
            runtime.streamer = streamer
        }
        if let database {
            let uploader = Uploader(
                database: database, destinations: destinations,
                configuration: .init(
                    thingName: thing, maxBytesPerSecond: u.maxBytesPerSecond,
                    pollInterval: u.pollInterval),
                logger: logger, gate: clockWatch?.gate)
            runtime.uploader = uploader
            runtime.services.append(uploader)
        } else {
            logger.warning(
                "upload: no log to send from (the database could not be opened); only live streaming runs")
        }
        if let streamer = runtime.streamer { runtime.services.append(streamer) }
        runtime.services.append(
            UploadMonitor(
                provider: provider, uploader: runtime.uploader, streamer: runtime.streamer,
                state: state, clockWatch: clockWatch))
        return runtime
    }
}

/// Publishes the upload state once a second for `status`, and raises the `upload` fault while
/// the credentials need an operator (a documented 4xx, an unusable file); clears it once
/// credentials are valid again. Waiting for the clock is a status, not a fault.
public struct UploadMonitor: Service {
    let provider: CredentialsProvider
    let uploader: Uploader?
    let streamer: Streamer<ContinuousClock>?
    let state: StationState
    var clockWatch: ClockWatch? = nil
    var interval: Duration = .seconds(1)

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await publish()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func publish() async {
        let credentials = await provider.status
        let live = Self.status(
            credentials: credentials, uploader: uploader?.status, streamer: streamer?.status,
            stream: streamer?.configuration.stream, clock: clockWatch?.status)
        state.setUpload(live)
        switch credentials.state {
        case .valid:
            state.clearFault("upload")
        case .failing:
            if let e = credentials.lastError, !e.isTransient, e != .clockNotSynchronised {
                state.raiseFault("upload", e.description)
            }
        case .notFetched, .fetching, .waitingForClock:
            break
        }
    }

    static func status(
        credentials: CredentialsStatus, uploader: Uploader.Status?,
        streamer: Streamer<ContinuousClock>.Status?,
        stream: String?, clock: ClockWatch.Status? = nil
    ) -> UploadLiveStatus {
        var credentials = credentials
        // Until the clock is set and what was logged before corrected, the uploader does not ask
        // for credentials: the watch's look at the clock says why it waits.
        if credentials.state == .notFetched, let clock, !clock.corrected {
            credentials.state = .waitingForClock
            credentials.clock = clock.clock
        }
        let stateName: String =
            switch credentials.state {
            case .notFetched: "not_fetched"
            case .waitingForClock: "waiting_for_clock"
            case .fetching: "fetching"
            case .valid: "valid"
            case .failing: "failing"
            }
        var live = UploadLiveStatus(
            credentialsState: stateName, credentials: credentials.summary,
            credentialsExpiry: credentials.expiration.map(AWSDate.iso8601),
            clock: credentials.clock?.description, clockCorrection: clock?.summary)
        if let uploader {
            live.destinations = uploader.destinations.keys.sorted().map { name in
                let d = uploader.destinations[name] ?? Uploader.DestinationStatus()
                return UploadLiveStatus.Destination(
                    name: name, sentRecords: d.sentRecords,
                    lastSuccess: d.lastSuccess.map(AWSDate.iso8601),
                    lastError: d.lastError, lastErrorTime: d.lastErrorTime.map(AWSDate.iso8601))
            }
        }
        if let streamer, let stream {
            live.streaming = .init(
                stream: stream, active: streamer.active, sentRecords: streamer.sentRecords,
                dropped: streamer.dropped, lastSuccess: streamer.lastSuccess.map(AWSDate.iso8601),
                lastError: streamer.lastError)
        }
        return live
    }
}
