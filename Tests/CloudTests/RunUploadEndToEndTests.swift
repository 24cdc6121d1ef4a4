import Foundation
import Storage
import TestSupport
import Testing

@testable import Cloud

/// The real `sensorstation` binary, built next to the test bundle.
enum StationBinary {
    static var url: URL {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.appendingPathComponent("sensorstation")
    }

    static func environment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SENSORSTATION_") }
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "CREDENTIALS_DIRECTORY")
        return env
    }

    /// SIGTERM, then the exit status (nil: it had to be killed after `limit`).
    static func terminate(_ process: Process, limit: Duration) async -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now.advanced(by: limit)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return nil }
        return process.terminationStatus
    }

    /// Runs a short command to completion.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        p.environment = environment()
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// A running `sensorstation run` with its output in a file (no pipe to fill up).
final class RunningStation: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(config: String, directory: String) throws {
        logPath = directory + "/run.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = StationBinary.url
        process.arguments = ["run", "--config", config, "--plain"]
        process.environment = StationBinary.environment()
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status (nil: it had to be killed after `limit`).
    func terminate(limit: Duration = .seconds(60)) async -> Int32? {
        await StationBinary.terminate(process, limit: limit)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

@Suite(
    "sensorstation run uploads: the real binary, simulated station, mTLS credentials endpoint and moto (auth on)",
    .serialized)
struct RunUploadEndToEndTests {
    /// Its own moto and credentials endpoint: the run uses them for a minute and the outage test
    /// turns its proxy off, which must not disturb the other live suites.
    static func stack() throws -> (MotoStack, CredentialsEndpointServer) {
        let moto = try MotoStack()
        return (moto, try CredentialsEndpointServer(moto: moto))
    }

    static func configuration(
        _ moto: MotoStack, _ endpoint: CredentialsEndpointServer, directory: String,
        rawAcceleration: Bool = false, scenario: String = "demo", extra: String = ""
    ) throws -> String {
        let marker = directory + "/clock-synchronised"
        FileManager.default.createFile(atPath: marker, contents: nil)
        let yaml = """
            hardware: simulated
            station:
              thing_name: TestThing
              serial_number: E2E-0001
              location: { name: "Bench 4, Lab", latitude: 51.5072, longitude: -0.1276, elevation_m: 35 }
            weather:
              interval_s: 1
            accelerometer:
              odr_hz: 100
            storage:
              path: \(directory)/station.db
            upload:
              enabled: true
              region: us-east-1
              credentials_endpoint: 127.0.0.1:\(endpoint.port)
              role_alias: sensorstation
              certificate: \(try TestServers.pkiFile("good.pem"))
              private_key: \(try TestServers.pkiFile("good.key"))
              ca_bundle: \(try TestServers.pkiFile("ca.pem"))
              poll_interval_s: 0.5
              clock_sync_marker: \(marker)
              s3: { bucket: \(moto.bucket), prefix: e2e, endpoint: "\(moto.endpoint)" }
              dynamodb: { table: \(moto.weatherTable), endpoint: "\(moto.endpoint)" }
              kinesis: { stream: \(moto.stream), endpoint: "\(moto.endpoint)", raw_acceleration: \(rawAcceleration) }
            simulation:
              seed: 7
              scenario: \(scenario)
            logging:
              level: info

            """ + extra
        let path = directory + "/config.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Exactly once, in effect: every row up to a destination's cursor arrived, none arrived
    /// twice, and nothing else arrived except the one batch that may have been in flight when the
    /// service stopped (S3: exactly the recorded batch (cursor, planned], which a restart rewrites
    /// with the same key and bytes; DynamoDB: items whose key a resend overwrites).
    static func checkExactlyOnce(_ moto: MotoStack, database path: String) throws {
        let db = try StationDatabase.openReadOnly(path: path)
        // Grouped by the kind in the object key (`e2e/<thing>/<kind>/…`): an event row's own
        // `kind` column repeats the JSON key "kind" (see the report), so the line cannot say.
        let objects =
            try moto.readback(["s3-lines", moto.bucket, "e2e/"]) as? [String: [[String: Any]]] ?? [:]
        var s3: [String: [Int]] = [:]
        for (key, lines) in objects {
            let kind = key.split(separator: "/").dropFirst(2).first.map(String.init) ?? "?"
            s3[kind, default: []] += lines.map { $0["id"] as? Int ?? -1 }
        }
        for kind in [UploadKind.weather, .motion, .event, .impact] {
            let ids = s3[kind.rawValue] ?? []
            let cursor = Int(try db.cursor(destination: "s3", kind: kind))
            let planned = Int(try db.cursor(destination: "s3#batch", kind: kind))
            #expect(ids.count == Set(ids).count, "s3 \(kind.rawValue): duplicates")
            let beyond = Set(ids).subtracting(cursor == 0 ? [] : Array(1...cursor))
            #expect(
                Set(ids).isSuperset(of: cursor == 0 ? [] : Array(1...cursor)),
                "s3 \(kind.rawValue): missing rows")
            #expect(
                beyond.isEmpty || beyond == Set((cursor + 1)...planned),
                "s3 \(kind.rawValue): \(beyond.sorted()) beyond \(cursor)")
        }
        #expect(try db.cursor(destination: "s3", kind: .weather) > 0)
        #expect(try db.cursor(destination: "s3", kind: .motion) > 0)
        let items = try moto.readback(["ddb-scan", moto.weatherTable]) as? [[String: Any]] ?? []
        let weatherIDs = items.filter {
            $0["serial_number"] as? String == "TestThing" && $0["kind"] as? String == "weather"
        }
        .compactMap { $0["id"] as? Int }
        let dCursor = Int(try db.cursor(destination: "dynamodb", kind: .weather))
        let lastRow = Int(try db.pending(.weather, destination: "none", limit: 1_000_000).last?.id ?? 0)
        #expect(dCursor > 0)
        #expect(weatherIDs.count == Set(weatherIDs).count)
        #expect(Set(weatherIDs).isSuperset(of: Array(1...dCursor)))
        #expect(weatherIDs.allSatisfy { $0 >= 1 && $0 <= lastRow })
    }

    /// The S3 objects read where they land by DuckDB (httpfs on moto, hive partitioning; the
    /// query docs/upload.md gives) against `sensorstation query --every 1d` over the same rows:
    /// per day the same count, minimum, maximum and mean.
    static func checkQueryableWhereItLands(_ moto: MotoStack, config: String, database path: String) throws {
        let db = try StationDatabase.openReadOnly(path: path)
        // (kind, the column DuckDB aggregates, the query's count column, DuckDB's statistic → the query's column)
        let checks: [(UploadKind, String, String, [(String, String)])] = [
            (
                .weather, "temperature_c", "readings",
                [("min", "temperature_c_min"), ("max", "temperature_c_max"), ("mean", "temperature_c_mean")]
            ),
            (.motion, "max_g", "seconds", [("max", "max_g")]),
            (.motion, "min_g", "seconds", [("min", "min_g")]),
        ]
        for (kind, column, countColumn, stats) in checks {
            let cursor = try db.cursor(destination: "s3", kind: kind)
            let rows = try db.pending(kind, destination: "none", limit: 1_000_000).filter { $0.id <= cursor }
            guard let first = rows.first, let last = rows.last else {
                Issue.record("no \(kind.rawValue) rows uploaded")
                continue
            }
            let r = try TestServers.runPython(
                "duckdb_query.py",
                [
                    "--endpoint", moto.endpoint, "--access-key", moto.userKeys.accessKeyId,
                    "--secret-key", moto.userKeys.secretAccessKey, "--bucket", moto.bucket, "--prefix", "e2e",
                    "--thing", "TestThing", "--kind", kind.rawValue, "--column", column,
                    "--max-id", String(cursor),
                ])
            try #require(r.status == 0, "duckdb_query.py: \(r.stderr)")
            let lake = r.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let query = try StationBinary.run([
                "query", kind.rawValue, "--config", config, "--every", "1d", "--format", "json",
                "--since", TimeCodec.iso(first.time), "--until",
                TimeCodec.iso(last.time.addingTimeInterval(0.001)),
            ])
            try #require(query.status == 0, "\(query.stderr)")
            let station = query.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lake.count == station.count && !lake.isEmpty, "\(kind.rawValue): \(lake) vs \(station)")
            for (l, q) in zip(lake, station) {
                #expect(l["rows"] as? Int == q[countColumn] as? Int, "\(kind.rawValue) rows: \(l) vs \(q)")
                for (stat, name) in stats {
                    let a = l[stat] as? Double, b = q[name] as? Double
                    #expect(
                        a != nil && b != nil && abs(a! - b!) <= 1e-6 * max(1, abs(b!)),
                        "\(kind.rawValue) \(column) \(stat): \(l) vs \(q)")
                }
            }
        }
    }

    /// Kinesis, read back with boto3: every logged row up to the Kinesis cursor exactly once,
    /// none twice, nothing beyond it but rows of the batch that may have been in flight at a
    /// graceful stop. The records are counted by (kind, id): the rows a consumer would see twice
    /// if a resend happened. Raw samples (not logged, no id) are not counted here.
    static func checkKinesisOnce(_ moto: MotoStack, database path: String) throws {
        let db = try StationDatabase.openReadOnly(path: path)
        let records = (try moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]] ?? [])
            .compactMap { $0["data"] as? [String: Any] }
        for kind in UploadKind.allCases {
            let ids = records.filter { $0["kind"] as? String == kind.rawValue }.compactMap {
                $0["id"] as? Int
            }
            let cursor = Int(try db.cursor(destination: "kinesis", kind: kind))
            var seen: [Int: Int] = [:]
            for id in ids { seen[id, default: 0] += 1 }
            let twice = seen.filter { $0.value > 1 }.keys.sorted()
            #expect(twice.isEmpty, "kinesis \(kind.rawValue): \(twice.count) rows twice: \(twice.prefix(10))")
            let missing = cursor == 0 ? [] : Set(1...cursor).subtracting(seen.keys).sorted()
            #expect(
                missing.isEmpty,
                "kinesis \(kind.rawValue): \(missing.count) rows missing: \(missing.prefix(10))")
            #expect(!(kind == .motion && cursor == 0), "kinesis motion: nothing confirmed")
        }
    }

    @Test(
        "weather, motion and events reach S3 and DynamoDB exactly once; stream start sends to Kinesis; status shows it; SIGTERM exits 0"
    )
    func uploadsAndStreams() async throws {
        let (moto, endpoint) = try Self.stack()
        let dir = try temporaryDirectory("e2e").path
        let config = try Self.configuration(moto, endpoint, directory: dir, rawAcceleration: true)
        let station = try RunningStation(config: config, directory: dir)
        let dbPath = dir + "/station.db"

        // Uploads happen: the s3 weather and motion cursors move (the service confirmed batches).
        try await eventually("s3 cursors move", limit: .seconds(120)) {
            guard let db = try? StationDatabase.openReadOnly(path: dbPath) else { return false }
            return ((try? db.cursor(destination: "s3", kind: .weather)) ?? 0) >= 2
                && ((try? db.cursor(destination: "s3", kind: .motion)) ?? 0) >= 2
                && ((try? db.cursor(destination: "dynamodb", kind: .weather)) ?? 0) >= 2
        }

        // status asks the running service for the live state.
        let status = try StationBinary.run(["status", "--config", config, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let upload = obj?["upload"] as? [String: Any]
        #expect(upload?["running"] as? Bool == true)
        let live = upload?["state"] as? [String: Any]
        #expect(live?["credentialsState"] as? String == "valid")
        #expect((live?["credentialsExpiry"] as? String)?.hasSuffix("Z") == true)
        let dests = (live?["destinations"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(dests) == ["s3", "dynamodb", "kinesis"])
        let text = try StationBinary.run(["status", "--config", config])
        #expect(text.stdout.contains("upload     credentials  ASIA"))
        #expect(text.stdout.contains("upload     s3  sent "))

        // Streaming: logged rows reach Kinesis through the uploader's cursor every 250 ms, raw
        // samples live through the streamer.
        let start = try StationBinary.run(["stream", "start", "--config", config])
        #expect(start.status == 0, "\(start.stderr)")
        func streamed() throws -> [[String: Any]] {
            (try moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]] ?? [])
                .compactMap { $0["data"] as? [String: Any] }
        }
        try await eventually("streamed motion and raw acceleration in Kinesis", limit: .seconds(120)) {
            let records = (try? streamed()) ?? []
            return records.filter { $0["kind"] as? String == "motion" }.count >= 3
                && records.filter { $0["kind"] as? String == "raw_acceleration" }.count >= 20
        }
        let stop = try StationBinary.run(["stream", "stop", "--config", config])
        #expect(stop.status == 0)

        let exit = await station.terminate()
        #expect(exit == 0, "\(station.log.suffix(3000))")
        #expect(station.log.contains("sensorstation stopped"))

        try Self.checkExactlyOnce(moto, database: dbPath)
        try Self.checkKinesisOnce(moto, database: dbPath)
        try Self.checkQueryableWhereItLands(moto, config: config, database: dbPath)
        // Every S3 line, DynamoDB item and logged row's Kinesis record says which station, and where.
        let identity: [String: Any] = [
            "thing": "TestThing", "serial": "E2E-0001",
            "site": ["name": "Bench 4, Lab", "latitude": 51.5072, "longitude": -0.1276, "elevation_m": 35.0],
        ]
        let lines =
            (try moto.readback(["s3-lines", moto.bucket, "e2e/"]) as? [String: [[String: Any]]] ?? [:])
            .values.flatMap { $0 }
        let items = try moto.readback(["ddb-scan", moto.weatherTable]) as? [[String: Any]] ?? []
        // Kinesis: a logged row's record is its S3 line; raw samples (not logged) go as they are.
        let logged = try streamed().filter { $0["kind"] as? String != "raw_acceleration" }
        #expect(!lines.isEmpty && !items.isEmpty && !logged.isEmpty)
        for record in lines + items + logged {
            #expect(
                NSDictionary(dictionary: record["station"] as? [String: Any] ?? [:]).isEqual(to: identity),
                "\(record["station"] ?? "none")")
        }
        let streamedRecords = try streamed()
        #expect(
            streamedRecords.contains {
                $0["event_kind"] as? String == "streaming" && $0["detail"] as? String == "on"
            })

        // Raw acceleration (`raw_acceleration: true`): the simulated accelerometer at 100 Hz (this
        // configuration's odr_hz), packed 100 ms to a record, back to back: samples about 10 ms
        // apart within and between records (timestamps jitter around the ODR grid), nothing
        // missing, and a station at rest between impacts reads |a| ≈ 1 g.
        let raw = streamedRecords.filter { $0["kind"] as? String == "raw_acceleration" }
            .sorted { ($0["time_us"] as? Int ?? 0) < ($1["time_us"] as? Int ?? 0) }
        #expect(raw.count >= 20)
        var magnitudes: [Double] = []
        var intervals: [Int] = []
        var previousEnd: Int?
        for (k, r) in raw.enumerated() {
            let t0 = try #require(r["time_us"] as? Int)
            let dt = r["dt_us"] as? [Int] ?? []
            let x = r["x_g"] as? [Double] ?? [], y = r["y_g"] as? [Double] ?? [],
                z = r["z_g"] as? [Double] ?? []
            #expect(
                r["count"] as? Int == dt.count && dt.count == x.count && x.count == y.count
                    && y.count == z.count)
            // The last record is what was held when streaming stopped: 1 to 10 samples.
            #expect(
                dt.count >= (k == raw.count - 1 ? 1 : 5) && dt.count <= 11,
                "\(dt.count) samples in 100 ms at 100 Hz")
            #expect(dt.first == 0 && (dt.last ?? 0) < 100_000)
            if let previousEnd { intervals.append(t0 - previousEnd) }
            intervals += zip(dt, dt.dropFirst()).map { $1 - $0 }
            previousEnd = t0 + (dt.last ?? 0)
            for i in x.indices { magnitudes.append((x[i] * x[i] + y[i] * y[i] + z[i] * z[i]).squareRoot()) }
        }
        #expect(
            intervals.allSatisfy { $0 > 0 && $0 < 20_000 }, "\(intervals.filter { $0 <= 0 || $0 >= 20_000 })")
        let medianInterval = intervals.sorted()[intervals.count / 2]
        #expect(abs(medianInterval - 10_000) <= 1_000, "median interval \(medianInterval) µs")
        let median = magnitudes.sorted()[magnitudes.count / 2]
        #expect(abs(median - 1) < 0.1, "median |a| \(median) g")
    }

    @Test(
        "outage while streaming: the link is down while the service restarts three times (once by SIGKILL); once it is back every record arrives exactly once, Kinesis included"
    )
    func outageAcrossRestarts() async throws {
        let (moto, endpoint) = try Self.stack()
        let dir = try temporaryDirectory("e2e").path
        let config = try Self.configuration(moto, endpoint, directory: dir)
        let dbPath = dir + "/station.db"

        var station = try RunningStation(config: config, directory: dir)
        try await eventually("first uploads", limit: .seconds(120)) {
            ((try? StationDatabase.openReadOnly(path: dbPath).cursor(destination: "s3", kind: .motion)) ?? 0)
                >= 2
        }
        // Streaming on: Kinesis is drained every 250 ms, through the outage and the restarts.
        #expect(try StationBinary.run(["stream", "start", "--config", config]).status == 0)
        try moto.setOutage(true)
        for round in 0..<3 {
            try await Task.sleep(for: .seconds(2))  // rows keep coming while nothing can be sent
            if round == 1 {
                // SIGKILL: nothing can be taken during the outage, so nothing may arrive twice.
                kill(station.process.processIdentifier, SIGKILL)
                station.process.waitUntilExit()
            } else {
                #expect(await station.terminate() == 0, "\(station.log.suffix(2000))")
            }
            station = try RunningStation(config: config, directory: dir)
            try await eventually("streaming on after the restart", limit: .seconds(60)) {
                (try? StationBinary.run(["stream", "start", "--config", config]).status) == 0
            }
        }
        try await Task.sleep(for: .seconds(2))
        try moto.setOutage(false)
        // Let it catch up with everything logged before and during the outage.
        let target = try StationDatabase.openReadOnly(path: dbPath).backlog(destination: "s3")
        let db = try StationDatabase.openReadOnly(path: dbPath)
        let lastMotion = try db.pending(.motion, destination: "none", limit: 1_000_000).last?.id ?? 0
        try await eventually("backlog drained", limit: .seconds(180)) {
            ((try? db.cursor(destination: "s3", kind: .motion)) ?? 0) >= lastMotion
        }
        #expect((target[.motion] ?? 0) > 0)
        try await eventually("kinesis drained", limit: .seconds(180)) {
            ((try? db.cursor(destination: "kinesis", kind: .motion)) ?? 0) >= lastMotion
        }
        #expect(await station.terminate() == 0, "\(station.log.suffix(2000))")
        try Self.checkExactlyOnce(moto, database: dbPath)
        try Self.checkKinesisOnce(moto, database: dbPath)
    }
}
