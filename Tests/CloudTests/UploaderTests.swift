import Foundation
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Cloud

/// A station database in a temporary directory, filled through the Storage API.
struct TestDatabase {
    let database: StationDatabase
    let path: String

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uploader-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("station.db").path
        database = try StationDatabase.openForWriting(path: path).0
    }

    /// `count` weather rows one second apart from `start`, and `impacts` impacts.
    func fill(weather count: Int, impacts: Int, start: Date) async throws {
        let recorder = Recorder(
            database: database, retention: RetentionPolicy(), logger: Logger(label: "test"))
        for i in 0..<count {
            recorder.record(
                .weather(
                    WeatherRecord(
                        time: start.addingTimeInterval(Double(i)), sensor: "bme280",
                        temperatureC: 20 + Double(i % 10) / 10, humidityPercent: 50,
                        pressurePa: 101_325 + Double(i))))
        }
        await recorder.flush()
        for i in 0..<impacts {
            let t = start.addingTimeInterval(Double(i) * 60 + 0.5)
            _ = try await recorder.recordImpact(
                ImpactRecord(
                    triggerTime: t, startTime: t, endTime: t.addingTimeInterval(0.02),
                    peakTime: t.addingTimeInterval(0.01),
                    peakG: 8 + Double(i), peakXG: 8, peakYG: 0, peakZG: 1, durationMs: 20,
                    severity: "moderate",
                    deltaVMps: 1.2, hic15: 3, saturated: false, thresholdG: 4, sensor: "adxl345",
                    waveform: [1, 2, 3, 4], waveformCount: 2, waveformRateHz: 3200))
        }
    }
}

/// The ids of every record in every object under `prefix`, read back by boto3.
func s3IDs(_ moto: MotoStack, prefix: String) throws -> [String: [Int]] {
    let objects = try moto.readback(["s3-lines", moto.bucket, prefix]) as? [String: [[String: Any]]] ?? [:]
    var ids: [String: [Int]] = [:]
    for (_, lines) in objects {
        for line in lines {
            ids[line["kind"] as? String ?? "?", default: []].append(line["id"] as? Int ?? -1)
        }
    }
    return ids
}

@Suite("Uploader: store-and-forward against moto (auth on) with vended credentials", .serialized)
struct UploaderTests {
    static let start = Date(timeIntervalSince1970: 1_795_478_400 - 100)  // 100 s before midnight UTC

    func destinations(_ moto: MotoStack, credentials: any AWSCredentialsSource, prefix: String)
        -> [UploadDestination]
    {
        [
            UploadDestination(
                name: "s3-\(prefix)",
                target: .s3(
                    S3Client(
                        bucket: moto.bucket, region: "us-east-1", credentials: credentials,
                        endpoint: moto.endpoint), prefix: prefix)),
            UploadDestination(
                name: "dynamodb-\(prefix)",
                target: .dynamoDB(
                    DynamoDBClient(
                        region: "us-east-1", credentials: credentials, endpoint: moto.endpoint,
                        retry: .init(maxAttempts: 2)
                    ),
                    tables: [.weather: moto.weatherTable, .impact: moto.impactTable])),
        ]
    }

    @Test("everything arrives once; impacts go first; cursors and backlog follow")
    func drains() async throws {
        let (moto, _) = try LiveStack.get()
        let db = try TestDatabase()
        try await db.fill(weather: 250, impacts: 3, start: Self.start)
        let provider = try CredentialsProvider(
            configuration: try LiveStack.configuration(), environment: liveEnvironment)
        defer { Task { await provider.shutdown() } }
        let uploader = Uploader(
            database: db.database, destinations: destinations(moto, credentials: provider, prefix: "drain"),
            configuration: .init(thingName: "TestThing", batchSize: 64))
        uploader.refreshBacklog()
        #expect(uploader.status.backlog["s3-drain"]?[.weather] == 250)
        let sent = try await uploader.drain()
        #expect(sent == 2 * 253)  // S3 and DynamoDB each got 250 weather + 3 impacts
        let ids = try s3IDs(moto, prefix: "drain/")
        #expect(ids["weather"]?.sorted() == Array(1...250))
        #expect(ids["impact"]?.sorted() == Array(1...3))
        // Day partitions: the first 100 rows are on the 23rd, the rest on the 24th.
        let keys =
            (try moto.readback(["s3-list", moto.bucket, "drain/TestThing/weather/"]) as? [[String: Any]] ?? [])
            .compactMap { $0["key"] as? String }
        #expect(keys.contains("drain/TestThing/weather/year=2026/month=11/day=23/1-64.jsonl.gz"))
        #expect(keys.contains("drain/TestThing/weather/year=2026/month=11/day=23/65-100.jsonl.gz"))
        #expect(keys.contains("drain/TestThing/weather/year=2026/month=11/day=24/101-128.jsonl.gz"))
        #expect(uploader.status.backlog["s3-drain"]?.values.reduce(0, +) == 0)
        #expect(try db.database.cursor(destination: "dynamodb-drain", kind: .weather) == 250)
        // Nothing pending: a second drain sends nothing.
        #expect(try await uploader.drain() == 0)
    }

    @Test(
        "a destination that fails does not hold the others back: no S3 bucket, DynamoDB still gets everything"
    )
    func failingDestinationIsolated() async throws {
        let (moto, _) = try LiveStack.get()
        let db = try TestDatabase()
        try await db.fill(weather: 70, impacts: 2, start: Self.start)
        let provider = try CredentialsProvider(
            configuration: try LiveStack.configuration(), environment: liveEnvironment)
        defer { Task { await provider.shutdown() } }
        let missing = UploadDestination(
            name: "s3-nobucket",
            target: .s3(
                S3Client(
                    bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())", region: "us-east-1",
                    credentials: provider, endpoint: moto.endpoint), prefix: "isolated"))
        let dynamo = UploadDestination(
            name: "dynamodb-isolated",
            target: .dynamoDB(
                DynamoDBClient(
                    region: "us-east-1", credentials: provider, endpoint: moto.endpoint,
                    retry: .init(maxAttempts: 2)),
                tables: [.weather: moto.weatherTable, .impact: moto.impactTable]))
        // S3 first, as in the service: before, its failure ended the drain and DynamoDB never got a turn.
        let uploader = Uploader(
            database: db.database, destinations: [missing, dynamo],
            configuration: .init(thingName: "TestThing", batchSize: 64))
        await #expect { try await uploader.drain() } throws: { "\($0)".contains("NoSuchBucket") }
        #expect(try db.database.cursor(destination: "dynamodb-isolated", kind: .weather) == 70)
        #expect(try db.database.cursor(destination: "dynamodb-isolated", kind: .impact) == 2)
        #expect(try db.database.cursor(destination: "s3-nobucket", kind: .impact) == 0)
        #expect(uploader.status.destinations["dynamodb-isolated"]?.sentRecords == 72)
        #expect(uploader.status.destinations["s3-nobucket"]?.lastError?.contains("NoSuchBucket") == true)
        #expect(uploader.status.backlog["s3-nobucket"]?.values.reduce(0, +) == 72)
    }

    @Test("outage mid-upload, uploader restarted several times, link back: every record exactly once")
    func outage() async throws {
        // Its own moto: the outage closes every connection through the proxy, which on the shared
        // stack failed the live suites running in parallel (the "moto closes connections under
        // load" and awscrt mint time-outs recorded as known issues in session 1).
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let db = try TestDatabase()
        try await db.fill(weather: 600, impacts: 2, start: Self.start)
        let creds = StaticCredentials(moto.user)
        let dest = [destinations(moto, credentials: creds, prefix: "outage")[0]]

        // A paced uploader gets through part of the backlog, then the link goes down under it.
        let sentBeforeOutage = Mutex(0)
        let first = Uploader(
            database: db.database, destinations: dest,
            configuration: .init(thingName: "TestThing", batchSize: 50))
        _ = try? await first.drainLimited(batches: 4, onBatch: { sentBeforeOutage.withLock { $0 += 1 } })
        try moto.setOutage(true)
        var failures = 0
        for _ in 0..<3 {  // "restarts": fresh uploaders on the same database, each failing
            let u = Uploader(
                database: db.database, destinations: dest,
                configuration: .init(thingName: "TestThing", batchSize: 50))
            do { try await u.drain() } catch { failures += 1 }
        }
        #expect(failures == 3)
        try moto.setOutage(false)
        let last = Uploader(
            database: db.database, destinations: dest,
            configuration: .init(thingName: "TestThing", batchSize: 50))
        try await last.drain()
        let ids = try s3IDs(moto, prefix: "outage/")
        #expect(ids["weather"]?.sorted() == Array(1...600))
        #expect(ids["impact"]?.sorted() == Array(1...2))
        #expect(sentBeforeOutage.withLock { $0 } == 4)
    }

    @Test("credentials that expire within a minute: uploads continue across refreshes")
    func shortLivedCredentials() async throws {
        let (moto, _) = try LiveStack.get()
        let short = try CredentialsEndpointServer(moto: moto, lifetime: 3)  // 3 s: margin 20 % = 0.6 s
        defer { short.server.stop() }
        var config = try LiveStack.configuration()
        config.endpoint = "localhost:\(short.port)"
        let provider = try CredentialsProvider(configuration: config, environment: liveEnvironment)
        defer { Task { await provider.shutdown() } }
        let db = try TestDatabase()
        let s3 = UploadDestination(
            name: "s3-expiry",
            target: .s3(
                S3Client(
                    bucket: moto.bucket, region: "us-east-1", credentials: provider, endpoint: moto.endpoint),
                prefix: "expiry"))
        let uploader = Uploader(
            database: db.database, destinations: [s3],
            configuration: .init(thingName: "TestThing", batchSize: 20))
        var keys = Set<String>()
        for round in 0..<3 {
            try await db.fill(
                weather: 20, impacts: 0, start: Self.start.addingTimeInterval(Double(round) * 1000))
            try await uploader.drain()
            keys.insert(try await provider.credentials().accessKeyId)
            try await Task.sleep(for: .milliseconds(2600))  // past the refresh point
        }
        let ids = try s3IDs(moto, prefix: "expiry/")
        #expect(ids["weather"]?.sorted() == Array(1...60))
        #expect(keys.count == 3)  // a new access key per round: refreshed, not reused
        let issued = try short.stats()["issued"] as? Int ?? 0
        #expect(issued >= 3)
    }

    @Test(
        "a batch sent but not confirmed is resent with the same boundaries after new rows arrived: same key, same bytes"
    )
    func resendKeepsBatchBoundaries() async throws {
        let (moto, _) = try LiveStack.get()
        let db = try TestDatabase()
        let prefix = "resend-\(UUID().uuidString.prefix(8))"
        try await db.fill(weather: 20, impacts: 0, start: Self.start)
        let creds = StaticCredentials(
            try await withProvider(try LiveStack.configuration()) { try await $0.fetch() }.credentials)
        let s3 = S3Client(
            bucket: moto.bucket, region: "us-east-1", credentials: creds, endpoint: moto.endpoint)
        let dest = UploadDestination(name: "s3-\(prefix)", target: .s3(s3, prefix: prefix), kinds: [.weather])

        // The first process: plans the batch, sends it, and dies before the cursor moves.
        let first = Uploader(
            database: db.database, destinations: [dest],
            configuration: .init(thingName: "TestThing", batchSize: 500))
        _ = try? await first.drainUntilSentNotConfirmed(dest, kind: .weather)
        #expect(try db.database.cursor(destination: dest.name, kind: .weather) == 0)
        let keysBefore = try s3Keys(moto, prefix: prefix)
        let firstKey = try #require(keysBefore.first)
        let bytesBefore = try moto.readback(["s3-get", moto.bucket, firstKey]) as? [String: Any]

        // New rows arrive, then the restarted service drains.
        try await db.fill(weather: 15, impacts: 0, start: Self.start.addingTimeInterval(30))
        let second = Uploader(
            database: db.database, destinations: [dest],
            configuration: .init(thingName: "TestThing", batchSize: 500))
        try await second.drain()

        let keys = try s3Keys(moto, prefix: prefix)
        // The day boundary is at row 101, so one day: the resent batch is 1–20 again, the new rows 21–35.
        #expect(keysBefore.compactMap { $0.components(separatedBy: "/").last } == ["1-20.jsonl.gz"])
        #expect(
            keys.compactMap { $0.components(separatedBy: "/").last }.sorted() == [
                "1-20.jsonl.gz", "21-35.jsonl.gz",
            ])
        let bytesAfter = try moto.readback(["s3-get", moto.bucket, firstKey]) as? [String: Any]
        #expect(bytesAfter?["raw_b64"] as? String == bytesBefore?["raw_b64"] as? String)
        // each exactly once
        #expect(try s3IDs(moto, prefix: prefix + "/")["weather"]?.sorted() == Array(1...35))
        #expect(try db.database.cursor(destination: dest.name, kind: .weather) == 35)
        // The drain itself recorded its new batch (21–35) before sending it.
        #expect(try db.database.cursor(destination: dest.planName, kind: .weather) == 35)
        #expect(try db.database.knownDestinations().contains(dest.name))
        #expect(try !db.database.knownDestinations().contains { $0.contains("#") })
    }

    @Test("pacing: batches are spaced by bytes / rate (manual clock)")
    func pacing() async throws {
        let clock = TestClock(Self.start)
        let db = try TestDatabase()
        let u = Uploader(
            database: db.database, destinations: [],
            configuration: .init(thingName: "T", maxBytesPerSecond: 1000),
            now: clock.environment.now, sleep: clock.environment.sleep)
        await u.pace(bytes: 500)  // first batch: no wait
        await u.pace(bytes: 2000)  // waits for the first: 0.5 s
        await u.pace(bytes: 10)  // waits for the second: 2 s
        #expect(clock.sleeps.withLock { $0 } == [.milliseconds(500), .milliseconds(2000)])
    }
}

func s3Keys(_ moto: MotoStack, prefix: String) throws -> [String] {
    (try moto.readback(["s3-list", moto.bucket, prefix]) as? [[String: Any]] ?? []).compactMap {
        $0["key"] as? String
    }
}

extension Uploader {
    /// Test helper: what a process killed between PutObject and the cursor update leaves behind.
    /// A destination whose sends succeed and then "crash" is not possible from outside, so this
    /// runs the uploader's own steps up to the send: plan, send, and no cursor update.
    func drainUntilSentNotConfirmed(_ destination: UploadDestination, kind: UploadKind) async throws {
        let items = try database.pending(kind, destination: destination.name, limit: configuration.batchSize)
        let run = S3Client.splitByDay(items.map(UploadRecord.init))[0]
        try database.advanceCursor(destination: destination.planName, kind: kind, to: run.last!.id)
        try await send(run, kind: kind, to: destination)
    }

    /// Test helper: sends at most `batches` batches of the first destination's first kinds, then
    /// stops (as a service would when the link drops between two batches).
    func drainLimited(batches: Int, onBatch: @Sendable () -> Void) async throws {
        var left = batches
        for destination in destinations {
            for kind in destination.kinds where left > 0 {
                while left > 0 {
                    let items = try database.pending(
                        kind, destination: destination.name, limit: configuration.batchSize)
                    if items.isEmpty { break }
                    let records = items.map(UploadRecord.init)
                    try await send(records, kind: kind, to: destination)
                    try database.advanceCursor(
                        destination: destination.name, kind: kind, to: records.last!.id)
                    onBatch()
                    left -= 1
                }
            }
        }
    }
}

@Suite("Drain schedule: full passes, live Kinesis passes, and their backoffs (manual clock)")
struct DrainScheduleTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_413_600)

    /// Runs the schedule from t0 to `until` s, each pass ending when it starts; `fails` says
    /// which passes fail. Returns the passes with their start (s after t0).
    static func run(
        live: Bool, until: Double, fails: (DrainSchedule.Pass, Double) -> Bool
    ) -> [(DrainSchedule.Pass, Double)] {
        var s = DrainSchedule(
            start: t0, pollInterval: .seconds(60), livePollInterval: .milliseconds(250),
            backoff: Backoff(base: .seconds(40), cap: .seconds(300)))
        var t = t0
        var out: [(DrainSchedule.Pass, Double)] = []
        while t.timeIntervalSince(t0) < until {
            if let pass = s.due(at: t, live: live) {
                let at = t.timeIntervalSince(t0)
                out.append((pass, at))
                _ = s.finished(pass, ok: !fails(pass, at), at: t, random: 0.5)
            }
            t = s.wake(after: t, live: live)
        }
        return out
    }

    @Test(
        "a failing full pass (S3 down) backs off, and the stream's live passes go on every 250 ms meanwhile")
    func liveGoesOnWhileAFullPassBacksOff() {
        let passes = Self.run(live: true, until: 30) { pass, _ in pass == .full }
        // One full pass at 0 (it fails: back off 0.5 × 40 = 20 s), the next at 20 s.
        #expect(passes.filter { $0.0 == .full }.map(\.1) == [0, 20])
        // Live passes every 250 ms in between: 0.25 … 19.75 and 20.25 … 29.75.
        let live = passes.filter { $0.0 == .live }.map(\.1)
        #expect(live.count == 79 + 39)
        #expect(
            live.first == 0.25
                && zip(live, live.dropFirst()).allSatisfy {
                    abs($1 - $0 - 0.25) < 1e-6 || abs($1 - $0 - 0.5) < 1e-6
                })
    }

    @Test("a failing live pass backs off on its own; the full passes keep their interval")
    func liveBacksOffAlone() {
        let passes = Self.run(live: true, until: 130) { pass, at in pass == .live && at < 100 }
        #expect(passes.filter { $0.0 == .full }.map(\.1) == [0, 60, 120])
        // Live: 0.25 fails (20 s), 20.25 fails (40 s), 60.25 after the full pass fails (80 s),
        // 140 would be next: none before 130 but the one after the full pass at 120.
        #expect(passes.filter { $0.0 == .live }.map(\.1).prefix(3) == [0.25, 20.25, 60.25])
    }

    @Test("not live: only full passes, and a look every second")
    func notLive() {
        let passes = Self.run(live: false, until: 125) { _, _ in false }
        #expect(passes.map(\.0) == [.full, .full, .full] && passes.map(\.1) == [0, 60, 120])
        var s = DrainSchedule(
            start: Self.t0, pollInterval: .seconds(60), livePollInterval: .milliseconds(250),
            backoff: Backoff())
        _ = s.finished(.full, ok: true, at: Self.t0, random: 0.5)
        #expect(s.wake(after: Self.t0, live: false) == Self.t0.addingTimeInterval(1))
    }
}
