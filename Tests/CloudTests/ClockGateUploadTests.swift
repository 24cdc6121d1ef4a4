import Foundation
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Cloud

/// Uploads and a clock that was not set when the rows were logged (docs/upload.md, "No real-time
/// clock"): the uploader reads nothing before its gate opens (the service opens it once the rows
/// are corrected), the streamer takes nothing before, and rows stamped before any plausible date
/// are held back, kept and counted. Sends go to a scripted endpoint that records every request.
@Suite("Uploads and the unset clock: the gate and held-back rows", .serialized, .timeLimit(.minutes(5)))
struct ClockGateUploadTests {
    static let keys = StaticCredentials(AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"))
    static let noWait: @Sendable (Duration) async throws -> Void = { _ in }

    static func dynamoDB(_ server: ScriptedAWS) -> UploadDestination {
        UploadDestination(
            name: "dynamodb",
            target: .dynamoDB(
                DynamoDBClient(
                    region: "us-east-1", credentials: keys, endpoint: server.endpoint,
                    retry: .init(maxAttempts: 2, sleep: noWait)),
                tables: [.weather: "weather"]))
    }

    /// The `time_us` of each item of a BatchWriteItem request, in order.
    static func times(_ request: [String: Any]) -> [Int64] {
        let body = request["body"] as? [String: Any] ?? [:]
        let tables = body["RequestItems"] as? [String: [[String: Any]]] ?? [:]
        return tables.values.flatMap { $0 }.compactMap { put -> Int64? in
            let item = (put["PutRequest"] as? [String: Any])?["Item"] as? [String: Any]
            return ((item?["time_us"] as? [String: Any])?["N"] as? String).flatMap { Int64($0) }
        }
    }

    static func weather(_ time: Date, _ i: Int) -> WeatherRecord {
        WeatherRecord(
            time: time, sensor: "BME280", temperatureC: 20 + Double(i), humidityPercent: 50,
            pressurePa: 101_325)
    }

    @Test(
        "the uploader reads and sends nothing before its gate opens; opened after the correction, it sends the corrected times"
    )
    func nothingBeforeTheGate() async throws {
        let server = try ScriptedAWS([.dynamoDB(unprocessed: 0)])
        let db = try TestDatabase()
        let recorder = Recorder(
            database: db.database, retention: RetentionPolicy(), logger: Logger(label: "test"))
        // Booted on the time timesyncd saved at the last shutdown, three days and a bit behind: a
        // plausible time, so only the gate keeps these rows from leaving with it.
        let mark = try db.database.rowMark()
        let oldStart = Date(timeIntervalSince1970: 1_795_100_000.5)
        for i in 0..<5 {
            recorder.record(.weather(Self.weather(oldStart.addingTimeInterval(Double(i) * 10), i)))
        }
        await recorder.flush()
        let stored = try db.database.pending(.weather, destination: "dynamodb", limit: 10).map {
            TimeCodec.micros($0.time)
        }

        let gate = UploadGate()
        let uploader = Uploader(
            database: db.database, destinations: [Self.dynamoDB(server)],
            configuration: .init(thingName: "TestThing", pollInterval: .milliseconds(20)), gate: gate)
        let run = Task { try await uploader.run() }
        defer { run.cancel() }
        try await eventually("the uploader waits at the gate") { gate.waiting == 1 }
        #expect(try server.requests().isEmpty)
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 0)

        // NTP sets the clock: +3 d 1 h 2 min 3.25 s. The rows move, then the gate opens.
        let seconds: Int64 = (3 * 24 + 1) * 3600 + 2 * 60 + 3
        let delta = Duration.seconds(seconds) + .milliseconds(250)
        let corrected = try await db.database.correctClock(
            after: mark, stampedBefore: oldStart.addingTimeInterval(60), by: delta)
        #expect(corrected.rows == 5)
        gate.open()
        try await eventually("five rows sent") { uploader.status.sentRecords == 5 }
        let requests = try server.requests()
        #expect(requests.count == 1)
        #expect(requests.flatMap(Self.times) == stored.map { $0 + TimeCodec.micros(delta) })
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 5)
    }

    @Test("graceful shutdown while the uploader waits at the gate ends it without a read")
    func cancelledAtTheGate() async throws {
        let db = try TestDatabase()
        try await db.fill(weather: 3, impacts: 0, start: Date(timeIntervalSince1970: 1_795_478_400))
        let gate = UploadGate()
        let uploader = Uploader(
            database: db.database, destinations: [], configuration: .init(thingName: "TestThing"), gate: gate)
        let run = Task { try await uploader.run() }
        try await eventually("the uploader waits at the gate") { gate.waiting == 1 }
        run.cancel()
        try await run.value
        #expect(gate.waiting == 0 && !gate.isOpen)
        #expect(uploader.status.backlog.isEmpty)  // no drain ran (a drain refreshes the backlog)
    }

    @Test(
        "rows stamped before the earliest plausible date are held back: not sent, passed by the cursor, counted, said once"
    )
    func heldBack() async throws {
        let server = try ScriptedAWS([.dynamoDB(unprocessed: 0)])
        let db = try TestDatabase()
        // As the service's: rows with no plausible time never go by age (they would, at once, otherwise).
        let recorder = Recorder(
            database: db.database,
            retention: RetentionPolicy(keepStampedBefore: ClockSynchronisation.earliestPlausibleDate),
            logger: Logger(label: "test"))
        let good = Date(timeIntervalSince1970: 1_795_478_400)  // 2026-11-24
        let unset = Date(timeIntervalSince1970: 1_759_924_807)  // 2025-10-08: a build date, before 2026-01-01
        // ids 1–3 right, 4–6 unset, 7–8 right, 9–10 unset (a run that ended before its clock was set).
        let times = [good, good, good, unset, unset, unset, good, good, unset, unset].enumerated()
            .map { $1.addingTimeInterval(Double($0)) }
        for (i, t) in times.enumerated() { recorder.record(.weather(Self.weather(t, i))) }
        await recorder.flush()
        let log = CapturedLog()
        let uploader = Uploader(
            database: db.database, destinations: [Self.dynamoDB(server)],
            configuration: .init(thingName: "TestThing", batchSize: 4), logger: log.logger)
        #expect(try await uploader.drain() == 5)
        #expect(try server.requests().flatMap(ScriptedAWS.ids) == [1, 2, 3, 7, 8])
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 10)
        #expect(uploader.status.heldBack == 5)
        #expect(uploader.status.backlog["dynamodb"]?[.weather] == 0)
        #expect(try await uploader.drain() == 0)
        #expect(
            log.lines.filter { $0.contains("stamped before") } == [
                "notice upload: weather rows stamped before 2026-01-01T00:00:00Z are not sent to dynamodb: a run that ended "
                    + "before the clock was set logged them, so their time is unknown; they stay in the log (sensorstation "
                    + "status counts them) rows=1"
            ])
        // Kept in the log and counted for `status`.
        #expect(
            try db.database.stampedBefore(ClockSynchronisation.earliestPlausibleDate)
                == [.weather: 5, .motion: 0, .event: 0, .impact: 0])
    }

    @Test(
        "the streamer takes no record before its gate opens (dropped, counted: the log has them), then streams"
    )
    func streamerWaitsForTheGate() async throws {
        let gate = UploadGate()
        let sent = Mutex<[Int]>([])
        let streamer = Streamer(configuration: .init(stream: "s"), clock: JumpClock(), gate: gate) {
            entries in
            sent.withLock {
                $0 += entries.map {
                    Int(
                        String(decoding: $0.data, as: UTF8.self).split(separator: ",")[1].split(
                            separator: ":")[1])!
                }
            }
        }
        streamer.setActive(true)
        #expect(!streamer.offer(streamEntry("T", 1)))
        #expect(!streamer.offer(streamEntry("T", 2)))
        #expect(streamer.buffered == 0 && streamer.status.dropped == 2)
        gate.open()
        #expect(streamer.offer(streamEntry("T", 3)))
        await streamer.flushDue()
        #expect(sent.withLock { $0 } == [3])
        #expect(streamer.status.dropped == 2 && streamer.status.sentRecords == 1)
    }

    @Test("the gate lets every waiter through once opened, and a cancelled waiter out")
    func gate() async throws {
        let gate = UploadGate()
        let first = Task { try await gate.wait() }
        let second = Task { try await gate.wait() }
        let cancelled = Task { try await gate.wait() }
        try await eventually("three waiters") { gate.waiting == 3 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(gate.waiting == 2)
        gate.open()
        try await first.value
        try await second.value
        try await gate.wait()  // open: at once
        #expect(gate.isOpen && gate.waiting == 0)
    }
}
