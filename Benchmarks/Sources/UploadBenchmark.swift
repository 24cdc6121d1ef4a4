import Cloud
import Dispatch
import Foundation
import TestSupport

/// `sensorstation-bench upload [--records N]`: records per second and CPU time per 10,000 records
/// for S3 (gzip JSON Lines, 500 per object), DynamoDB (BatchWriteItem, 25 per call) and Kinesis
/// (PutRecords, 500 per call), signed with SigV4 and sent to a local moto with signature checking
/// on, against boto3 doing the same uploads to the same moto (Tests/Servers/bench_boto3.py).
/// Needs `scripts/test-servers` (the venv). CPU time is this process's user+system time
/// (getrusage); moto's own CPU is not counted for either client.
enum UploadBenchmark {
    static func run(_ args: [String]) throws {
        var records = 10_000
        if let i = args.firstIndex(of: "--records"), i + 1 < args.count, let n = Int(args[i + 1]), n > 0 {
            records = n
        }
        // moto behind the proxy, with auth on (the tests' own start-up); exits with this process.
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let endpoint = moto.endpoint
        let creds = moto.user
        let bucket = moto.bucket, table = moto.weatherTable, stream = moto.stream
        let root = TestServers.repoRoot
        let python = TestServers.python

        let rows = (1...records).map { i in
            let json =
                #"{"kind":"weather","id":\#(i),"time":"2026-11-23T06:00:00.000Z","sensor":"bme280","temperature_c":\#(20 + Double(i % 10) / 10),"humidity_pct":50.0,"pressure_pa":\#(101_325.0 + Double(i))}"#
            return UploadRecord(
                id: Int64(i), kind: "weather",
                time: Date(timeIntervalSince1970: 1_795_413_600 + Double(i) / 1000),
                json: Array(json.utf8))
        }
        let source = StaticCredentials(creds)
        let s3 = S3Client(bucket: bucket, region: "us-east-1", credentials: source, endpoint: endpoint)
        let ddb = DynamoDBClient(region: "us-east-1", credentials: source, endpoint: endpoint)
        let kinesis = KinesisClient(region: "us-east-1", credentials: source, endpoint: endpoint)

        let swift = try blocking { () async throws -> [(String, Measurement)] in
            let a = try await measure {
                var i = 0
                while i < rows.count {
                    try await s3.putBatch(
                        Array(rows[i..<min(i + 500, rows.count)]), prefix: "bench-swift", thing: "BenchThing")
                    i += 500
                }
            }
            let b = try await measure {
                try await ddb.batchWrite(rows, table: table, thing: "BenchThing")
            }
            // The HTTP client's own cost per request: an empty DescribeTable, signed and sent once
            // per 25 records (as many requests as the BatchWriteItem row makes).
            let raw = AWSClient(
                endpoint: endpoint, region: "us-east-1", service: "dynamodb", credentials: source)
            let body = Array(#"{"TableName":"\#(table)"}"#.utf8)
            let floor = try await measure {
                for _ in 0..<(rows.count / 25) {
                    _ = try await raw.send(
                        method: "POST", path: "/",
                        headers: [
                            HTTPField("content-type", "application/x-amz-json-1.0"),
                            HTTPField("x-amz-target", "DynamoDB_20120810.DescribeTable"),
                        ], body: body, options: .standard)
                }
            }
            let c = try await measure {
                try await kinesis.putRecords(
                    rows.map { KinesisClient.Entry(partitionKey: "BenchThing", data: $0.json) },
                    stream: stream)
            }
            return [("s3", a), ("dynamodb", b), ("ddb-request", floor), ("kinesis", c)]
        }

        let boto = Process()
        boto.executableURL = URL(fileURLWithPath: python)
        boto.arguments = [
            root.appendingPathComponent("Tests/Servers/bench_boto3.py").path, "--endpoint", endpoint,
            "--access-key", creds.accessKeyId, "--secret-key", creds.secretAccessKey, "--records",
            String(records),
            "--bucket", bucket, "--table", table, "--stream", stream,
        ]
        let botoOut = Pipe()
        boto.standardOutput = botoOut
        try boto.run()
        let botoData = botoOut.fileHandleForReading.readDataToEndOfFile()
        boto.waitUntilExit()
        let botoJSON =
            (try? JSONSerialization.jsonObject(with: botoData) as? [String: [String: Double]]) ?? [:]

        print("upload: \(records) records per destination, moto \(endpoint) with SigV4 checking on, loopback")
        print("destination  client  records/s   CPU ms per 10k   wall s")
        for (name, m) in swift {
            print(row(name, "swift", records: records, wall: m.wall, cpu: m.cpu))
            if let b = botoJSON[name], let wall = b["wall_s"], let cpu = b["cpu_s"] {
                print(row(name, "boto3", records: records, wall: wall, cpu: cpu))
            }
        }
    }

    struct Measurement { var wall: Double; var cpu: Double }
    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func row(_ name: String, _ client: String, records: Int, wall: Double, cpu: Double) -> String {
        let rate = Double(records) / wall
        let cpuPer10k = cpu * 1000 * 10_000 / Double(records)
        return name.padding(toLength: 13, withPad: " ", startingAt: 0)
            + client.padding(toLength: 8, withPad: " ", startingAt: 0)
            + String(format: "%9.0f   %14.1f   %6.2f", rate, cpuPer10k, wall)
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func measure(_ body: () async throws -> Void) async throws -> Measurement {
        let c0 = cpuSeconds()
        let t0 = ContinuousClock.now
        try await body()
        let d = ContinuousClock.now - t0
        return Measurement(
            wall: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
            cpu: cpuSeconds() - c0)
    }

    /// Runs async work from the benchmark's synchronous entry point (the main thread waits; the
    /// work runs on the cooperative pool).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    final class ResultBox<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Result<T, any Error>?
        func set(_ r: Result<T, any Error>) { lock.lock(); value = r; lock.unlock() }
        func get() throws -> T { lock.lock(); defer { lock.unlock() }; return try value!.get() }
    }
}
