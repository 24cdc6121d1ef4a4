import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Upload inside `sensorstation run`: the credentials provider, the store-and-forward uploader
/// (which also streams the logged rows while streaming is on) and the live streamer of raw
/// samples, built from `upload.*`, plus a monitor that publishes their state for
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

    /// What every S3 line and DynamoDB item says of the station: `{"thing", "serial", "site"}`,
    /// the site with what `station.location` gives.
    public static func stationIdentity(_ s: StationConfiguration.StationSettings) -> JSONValue {
        var fields: [String: JSONValue] = ["thing": .string(s.thingName), "serial": .string(s.serialNumber)]
        let l = s.location
        if !l.isEmpty {
            var site: [String: JSONValue] = [:]
            if !l.name.isEmpty { site["name"] = .string(l.name) }
            if let v = l.latitude { site["latitude"] = .double(v) }
            if let v = l.longitude { site["longitude"] = .double(v) }
            if let v = l.elevationM { site["elevation_m"] = .double(v) }
            fields["site"] = .object(site)
        }
        return .object(fields)
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
            // The live path, for the raw samples the log does not keep.
            runtime.streamer = Streamer(
                configuration: .init(stream: k.stream), client: client, clock: ContinuousClock(),
                logger: logger, gate: clockWatch?.gate)
        }
        if let database {
            let uploader = Uploader(
                database: database, destinations: destinations,
                configuration: .init(
                    thingName: thing, maxBytesPerSecond: u.maxBytesPerSecond,
                    pollInterval: u.pollInterval, station: stationIdentity(c.station)),
                logger: logger, gate: clockWatch?.gate)
            runtime.uploader = uploader
            runtime.services.append(uploader)
        } else {
            logger.warning(
                "upload: no log to send from (the database could not be opened); only raw samples stream live"
            )
        }
        if let k = u.kinesis {
            StreamFeed.attach(
                runtime.streamer, uploader: runtime.uploader, to: state, partitionKey: thing,
                rawAcceleration: k.rawAcceleration)
        }
        if let streamer = runtime.streamer { runtime.services.append(streamer) }
        runtime.services.append(
            UploadMonitor(
                provider: provider, uploader: runtime.uploader, streamer: runtime.streamer,
                state: state, clockWatch: clockWatch))
        return runtime
    }
}
