import Foundation
import Storage
import TestSupport
import Testing

@testable import Cloud

/// The upload-response rows of docs/bad-inputs.md: throttling, partial failures (DynamoDB
/// UnprocessedItems, Kinesis FailedRecordCount) and an outage in the middle of a backlog. Each
/// checks the exact message (what `sensorstation status` shows as the destination's last error,
/// and the service logs) and the state after it: the cursor stays before the failed batch, and
/// only what failed is sent again. Throttling and partial answers come from a scripted endpoint
/// (moto never throttles nor leaves items unprocessed); the outage uses moto behind its proxy.
@Suite("Bad-input catalogue (upload responses)", .serialized, .timeLimit(.minutes(5)))
struct BadInputUploadTests {
    static let start = Date(timeIntervalSince1970: 1_795_478_400 - 3_600)
    static let keys = StaticCredentials(AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"))
    static let noWait: @Sendable (Duration) async throws -> Void = { _ in }

    func dynamoDB(_ server: ScriptedAWS, maxAttempts: Int = 3) -> UploadDestination {
        UploadDestination(
            name: "dynamodb",
            target: .dynamoDB(
                DynamoDBClient(
                    region: "us-east-1", credentials: Self.keys, endpoint: server.endpoint,
                    retry: .init(maxAttempts: maxAttempts, sleep: Self.noWait)),
                tables: [.weather: "weather"]))
    }

    func kinesis(_ server: ScriptedAWS, maxAttempts: Int = 3) -> UploadDestination {
        UploadDestination(
            name: "kinesis",
            target: .kinesis(
                KinesisClient(
                    region: "us-east-1", credentials: Self.keys, endpoint: server.endpoint,
                    retry: .init(maxAttempts: maxAttempts, sleep: Self.noWait)),
                stream: "rows"))
    }

    @Test(
        "throttling (DynamoDB HTTP 400 ProvisionedThroughputExceededException): reported, retried, nothing lost"
    )
    func throttled() async throws {
        let server = try ScriptedAWS([
            .error(
                400,
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#
            ),
            .dynamoDB(unprocessed: 0),
        ])
        let db = try TestDatabase()
        try await db.fill(weather: 5, impacts: 0, start: Self.start)
        let uploader = Uploader(
            database: db.database, destinations: [dynamoDB(server)],
            configuration: .init(thingName: "TestThing"))
        let message =
            "upload to dynamodb of weather 1–5 failed: dynamodb at \(server.endpoint) answered HTTP 400 ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded."
        await #expect { try await uploader.drain() } throws: { "\($0)" == message }
        #expect(uploader.status.destinations["dynamodb"]?.lastError == message)
        // State: the cursor did not move; the next drain (the service's retry) sends the same rows once.
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 0)
        #expect(try await uploader.drain() == 5)
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 5)
        #expect(uploader.status.destinations["dynamodb"]?.lastError == nil)
        let requests = try server.requests()
        #expect(requests.count == 2)
        #expect(ScriptedAWS.ids(requests[1]) == [1, 2, 3, 4, 5])
    }

    @Test("throttling (S3 HTTP 503 SlowDown): reported, the batch is resent under the same key")
    func slowDown() async throws {
        let server = try ScriptedAWS([
            .error(
                503,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
            ),
            .ok,
        ])
        let db = try TestDatabase()
        try await db.fill(weather: 3, impacts: 0, start: Self.start)
        let s3 = UploadDestination(
            name: "s3",
            target: .s3(
                S3Client(bucket: "b", region: "us-east-1", credentials: Self.keys, endpoint: server.endpoint),
                prefix: "p"))
        let uploader = Uploader(
            database: db.database, destinations: [s3], configuration: .init(thingName: "TestThing"))
        let message =
            "upload to s3 of weather 1–3 failed: s3 at \(server.endpoint) answered HTTP 503 SlowDown: Please reduce your request rate."
        await #expect { try await uploader.drain() } throws: { "\($0)" == message }
        #expect(try db.database.cursor(destination: "s3", kind: .weather) == 0)
        #expect(try await uploader.drain() == 3)
        let paths = try server.requests().map { $0["path"] as? String ?? "" }
        #expect(paths.count == 2 && paths[0] == paths[1] && paths[0].hasSuffix("/1-3.jsonl.gz"), "\(paths)")
    }

    @Test("partial failure (DynamoDB UnprocessedItems): only the unprocessed items are sent again")
    func unprocessedItems() async throws {
        let server = try ScriptedAWS([.dynamoDB(unprocessed: 2), .dynamoDB(unprocessed: 0)])
        let db = try TestDatabase()
        try await db.fill(weather: 5, impacts: 0, start: Self.start)
        let uploader = Uploader(
            database: db.database, destinations: [dynamoDB(server)],
            configuration: .init(thingName: "TestThing"))
        #expect(try await uploader.drain() == 5)
        let requests = try server.requests()
        #expect(requests.map(ScriptedAWS.ids) == [[1, 2, 3, 4, 5], [4, 5]])
        // Absorbed: nothing to report, every row confirmed.
        #expect(uploader.status.lastError == nil)
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 5)
    }

    @Test(
        "Kinesis took part of a batch before the retries ran out: the cursor stops before the first record it did not take, and the ones it took after that are not sent again"
    )
    func kinesisPartialBatch() async throws {
        // Row 2 fails in the first call and its retry; rows 1, 3, 4 and 5 are taken.
        let server = try ScriptedAWS([
            .kinesisFailing(at: [1]), .kinesisFailing(at: [0]), .kinesis(failed: 0),
        ])
        let db = try TestDatabase()
        try await db.fill(weather: 5, impacts: 0, start: Self.start)
        let uploader = Uploader(
            database: db.database, destinations: [kinesis(server, maxAttempts: 2)],
            configuration: .init(thingName: "TestThing"))
        await #expect(throws: Uploader.Failure.self) { try await uploader.drain() }
        #expect(try db.database.cursor(destination: "kinesis", kind: .weather) == 1)
        // The next drain sends row 2 alone: 3, 4 and 5 were taken, and a second copy would be a duplicate.
        #expect(try await uploader.drain() == 4)  // rows 2–5 confirmed now
        #expect(try server.requests().map(ScriptedAWS.kinesisIDs) == [[1, 2, 3, 4, 5], [2], [2]])
        #expect(try db.database.cursor(destination: "kinesis", kind: .weather) == 5)
    }

    @Test(
        "partial failure that does not clear (UnprocessedItems on every attempt): reported, the cursor stays")
    func unprocessedItemsPersist() async throws {
        let server = try ScriptedAWS([.dynamoDB(unprocessed: 1)])
        let db = try TestDatabase()
        try await db.fill(weather: 5, impacts: 0, start: Self.start)
        let uploader = Uploader(
            database: db.database, destinations: [dynamoDB(server)],
            configuration: .init(thingName: "TestThing"))
        let message =
            "upload to dynamodb of weather 1–5 failed: dynamodb at \(server.endpoint) answered HTTP 200 UnprocessedItems: 1 items still unprocessed after 3 attempts"
        await #expect { try await uploader.drain() } throws: { "\($0)" == message }
        #expect(uploader.status.destinations["dynamodb"]?.lastError == message)
        #expect(try db.database.cursor(destination: "dynamodb", kind: .weather) == 0)
        #expect(try server.requests().map(ScriptedAWS.ids) == [[1, 2, 3, 4, 5], [5], [5]])
    }

    @Test(
        "partial failure (Kinesis FailedRecordCount): only the failed records are sent again; persistent: reported"
    )
    func failedRecordCount() async throws {
        let entries = (1...4).map {
            KinesisClient.Entry(partitionKey: "TestThing", data: Array("{\"id\":\($0)}".utf8))
        }
        let server = try ScriptedAWS([.kinesis(failed: 1), .kinesis(failed: 0)])
        let kinesis = KinesisClient(
            region: "us-east-1", credentials: Self.keys, endpoint: server.endpoint,
            retry: .init(maxAttempts: 3, sleep: Self.noWait))
        try await kinesis.putRecords(entries, stream: "live")
        #expect(try server.requests().map(ScriptedAWS.kinesisIDs) == [[1, 2, 3, 4], [4]])

        let failing = try ScriptedAWS([.kinesis(failed: 2)])
        let stuck = KinesisClient(
            region: "us-east-1", credentials: Self.keys, endpoint: failing.endpoint,
            retry: .init(maxAttempts: 3, sleep: Self.noWait))
        await #expect { try await stuck.putRecords(entries, stream: "live") } throws: {
            "\($0)"
                == "kinesis at \(failing.endpoint) answered HTTP 200 ProvisionedThroughputExceededException: 2 records still failing after 3 attempts"
        }
        #expect(try failing.requests().map(ScriptedAWS.kinesisIDs) == [[1, 2, 3, 4], [3, 4], [3, 4]])
    }

    @Test(
        "an outage in the middle of a backlog: reported naming the batch; once the link is back every row arrives once"
    )
    func outageMidBatch() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let db = try TestDatabase()
        try await db.fill(weather: 150, impacts: 0, start: Self.start)
        let s3 = UploadDestination(
            name: "s3",
            target: .s3(
                S3Client(
                    bucket: moto.bucket, region: "us-east-1", credentials: StaticCredentials(moto.user),
                    endpoint: moto.endpoint),
                prefix: "badinput"))
        let uploader = Uploader(
            database: db.database, destinations: [s3],
            configuration: .init(thingName: "TestThing", batchSize: 50))
        try await uploader.drainLimited(batches: 1, onBatch: {})
        try moto.setOutage(true)
        var failure: (any Error)?
        do { try await uploader.drain() } catch { failure = error }
        try moto.setOutage(false)
        // The proxy refuses new connections (a kept-alive one may carry one more batch): the message
        // names the first unconfirmed batch, the service and its endpoint; the cursor is right before it.
        let text = "\(try #require(failure))"
        let cursor = try db.database.cursor(destination: "s3", kind: .weather)
        #expect(cursor >= 50 && cursor < 150)
        let prefix =
            "upload to s3 of weather \(cursor + 1)–\(cursor + 50) failed: s3 at \(moto.endpoint) unreachable: "
        #expect(text.hasPrefix(prefix) && text.count > prefix.count, "\(text)")
        // The reason is said in words (NetworkFailure), not in NIO's or AsyncHTTPClient's terms.
        #expect(!text.contains("I/O on closed channel") && !text.contains("HTTPClientError"), "\(text)")
        #expect(uploader.status.destinations["s3"]?.lastError == text)
        try await uploader.drain()
        #expect(try s3IDs(moto, prefix: "badinput/")["weather"]?.sorted() == Array(1...150))
    }
}

/// A local HTTP endpoint that answers AWS calls from a script (the last step repeats) and keeps
/// every request: JSON bodies as sent, or the path of a PUT.
final class ScriptedAWS: @unchecked Sendable {
    enum Step {
        case error(Int, String)
        /// BatchWriteItem: leaves the last `unprocessed` items of the request unprocessed.
        case dynamoDB(unprocessed: Int)
        /// PutRecords: the last `failed` records fail with ProvisionedThroughputExceededException.
        case kinesis(failed: Int)
        /// PutRecords: the records at these positions of the request fail the same way.
        case kinesisFailing(at: [Int])
        /// 200 with an empty body (S3 PutObject).
        case ok

        var json: [String: Any] {
            switch self {
            case .error(let status, let body): ["kind": "error", "status": status, "body": body]
            case .dynamoDB(let n): ["kind": "dynamodb", "n": n]
            case .kinesis(let n): ["kind": "kinesis", "n": n]
            case .kinesisFailing(let positions): ["kind": "kinesis_at", "at": positions]
            case .ok: ["kind": "ok"]
            }
        }
    }

    static let script = """
        import http.server, json, os, sys, threading
        plan = json.loads(sys.argv[1]); seen = []; lock = threading.Lock()
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def reply(self, status, text, ctype="application/x-amz-json-1.0"):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                with lock: self.reply(200, json.dumps(seen), "application/json")
            def handle_any(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try: body = json.loads(raw)
                except Exception: body = {}
                with lock:
                    seen.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization", "")})
                    step = plan[min(len(seen) - 1, len(plan) - 1)]
                k, n = step["kind"], step.get("n", 0)
                if k == "error":
                    return self.reply(step["status"], step["body"], "application/xml" if step["body"].startswith("<") else "application/x-amz-json-1.0")
                if k == "dynamodb":
                    left = {t: items[len(items) - n:] for t, items in body.get("RequestItems", {}).items() if n}
                    return self.reply(200, json.dumps({"UnprocessedItems": left}))
                if k == "kinesis":
                    recs = body.get("Records", [])
                    out = [{"SequenceNumber": str(i), "ShardId": "shardId-000000000000"} for i in range(len(recs) - n)]
                    out += [{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}] * n
                    return self.reply(200, json.dumps({"FailedRecordCount": n, "Records": out}))
                if k == "kinesis_at":
                    recs, bad = body.get("Records", []), set(step["at"])
                    out = [{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}
                           if i in bad else {"SequenceNumber": str(i), "ShardId": "shardId-000000000000"} for i in range(len(recs))]
                    return self.reply(200, json.dumps({"FailedRecordCount": len(bad & set(range(len(recs)))), "Records": out}))
                self.reply(200, "", "text/plain")
            do_POST = handle_any
            do_PUT = handle_any
        def leave():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=leave, daemon=True).start()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(json.dumps({"port": server.server_address[1]}), flush=True)
        server.serve_forever()
        """

    let process = Process()
    let stdin = Pipe()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(_ steps: [Step]) throws {
        try TestServers.requireVenv()
        let plan = String(
            decoding: try JSONSerialization.data(withJSONObject: steps.map(\.json)), as: UTF8.self)
        process.executableURL = URL(fileURLWithPath: TestServers.python)
        process.arguments = ["-c", Self.script, plan]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard
            let o = try? JSONSerialization.jsonObject(with: Data(line.split(separator: 0x0A).first ?? []))
                as? [String: Any],
            let port = o["port"] as? Int
        else {
            process.terminate()
            throw TestServers.SetupError(description: "the scripted AWS endpoint did not start")
        }
        self.port = port
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// Every request so far: ["path": …, "body": JSON object, "authorization": the SigV4 header].
    func requests() throws -> [[String: Any]] {
        let r = try TestServers.run(
            TestServers.python,
            [
                "-c",
                """
                import sys, urllib.request
                print(urllib.request.urlopen("http://127.0.0.1:" + sys.argv[1] + "/").read().decode())
                """, String(port),
            ])
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// The record ids of a BatchWriteItem request, in order.
    static func ids(_ request: [String: Any]) -> [Int] {
        let body = request["body"] as? [String: Any] ?? [:]
        let tables = body["RequestItems"] as? [String: [[String: Any]]] ?? [:]
        return tables.values.flatMap { $0 }.compactMap { put -> Int? in
            let item = (put["PutRequest"] as? [String: Any])?["Item"] as? [String: Any]
            return ((item?["id"] as? [String: Any])?["N"] as? String).flatMap { Int($0) }
        }
    }

    /// The `id` inside each Kinesis record's data, in order.
    static func kinesisIDs(_ request: [String: Any]) -> [Int] {
        let records = (request["body"] as? [String: Any])?["Records"] as? [[String: Any]] ?? []
        return records.compactMap { r in
            guard let b64 = r["Data"] as? String, let data = Data(base64Encoded: b64),
                let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return o["id"] as? Int
        }
    }
}
