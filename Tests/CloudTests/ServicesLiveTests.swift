import Foundation
import TestSupport
import Testing

@testable import Cloud

/// STS GetCallerIdentity through the project's client: proves credentials are accepted by moto.
enum STSProbe {
    static func callerIdentity(endpoint: String, credentials: AWSCredentials) async throws -> String {
        let client = AWSClient(
            endpoint: endpoint, region: "us-east-1", service: "sts",
            credentials: StaticCredentials(credentials))
        let r = try await client.send(
            method: "POST", path: "/",
            headers: [
                HTTPField("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            ], body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8), options: .standard)
        return String(decoding: r.body, as: UTF8.self)
    }
}

/// Records like the station's: an id, a time, a JSON object.
func sampleRecords(kind: String, ids: ClosedRange<Int64>, start: Date) throws -> [UploadRecord] {
    // Not lowerCamelCase: the JSON keys of a record.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct Weather: Encodable {
        let temperature_c: Double; let pressure_hpa: Double; let humidity_pct: Double; let ok: Bool
    }
    return try ids.map { id in
        try UploadRecord(
            id: id, kind: kind, time: start.addingTimeInterval(Double(id) * 1.5),
            payload: Weather(
                temperature_c: 20 + Double(id % 7) * 0.25, pressure_hpa: 1013.25,
                humidity_pct: Double(id % 100), ok: id % 2 == 0))
    }
}

@Suite(
    "S3, DynamoDB and Kinesis against moto with signature checking, credentials from the mTLS endpoint",
    .serialized)
struct ServicesLiveTests {
    /// 2.5 s before 2026-11-24T00:00:00Z (1795478400): record n is at start + 1.5 n s, so record 1
    /// is on the 23rd and records 2… on the 24th: the batch splits into two partitions.
    static let start = Date(timeIntervalSince1970: 1_795_478_400 - 2.5)

    func vended() async throws -> (MotoStack, AWSCredentials) {
        let (moto, _) = try LiveStack.get()
        let fetch = try await withProvider(try LiveStack.configuration()) { try await $0.fetch() }
        return (moto, fetch.credentials)
    }

    @Test("S3: date-partitioned gzip JSON Lines arrive byte for byte; a resend writes the same key and bytes")
    func s3() async throws {
        let (moto, creds) = try await vended()
        let s3 = S3Client(
            bucket: moto.bucket, region: "us-east-1", credentials: StaticCredentials(creds),
            endpoint: moto.endpoint)
        let records = try sampleRecords(kind: "weather", ids: 1...4, start: Self.start)
        let batches = S3Client.splitByDay(records)
        #expect(batches.map { $0.map(\.id) } == [[1], [2, 3, 4]])
        var keys: [String] = []
        for b in batches { keys.append(try await s3.putBatch(b, prefix: "s3test", thing: "TestThing")) }
        #expect(
            keys == [
                "s3test/TestThing/weather/year=2026/month=11/day=23/1-1.jsonl.gz",
                "s3test/TestThing/weather/year=2026/month=11/day=24/2-4.jsonl.gz",
            ])
        let listed = try moto.readback(["s3-list", moto.bucket, "s3test/"]) as? [[String: Any]] ?? []
        #expect(listed.compactMap { $0["key"] as? String }.sorted() == keys)
        // What boto3 reads back equals what was sent: the same JSON objects, in order.
        let got = try moto.readback(["s3-get", moto.bucket, keys[1]]) as? [String: Any] ?? [:]
        let lines = got["lines"] as? [[String: Any]] ?? []
        let sent = try batches[1].map {
            try JSONSerialization.jsonObject(with: Data($0.json)) as? NSDictionary
        }
        #expect(lines.map { $0 as NSDictionary } == sent.compactMap { $0 })
        let raw = Data(base64Encoded: got["raw_b64"] as? String ?? "") ?? Data()
        #expect(Array(raw) == (try S3Client.body(batches[1])))
        // gzip header: magic 1f 8b, deflate, no flags, mtime 0 (bytes 4–7): deterministic.
        #expect(Array(raw.prefix(8)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0])
        // Resend: same key, same bytes, still two objects.
        try await s3.putBatch(batches[1], prefix: "s3test", thing: "TestThing")
        let again = try moto.readback(["s3-list", moto.bucket, "s3test/"]) as? [[String: Any]] ?? []
        #expect(again.count == 2)
    }

    @Test(
        "S3 keys with characters SigV4 encodes but moto may not (= + , : @ space) are accepted",
        arguments: [
            "enc/year=2026/a+b,c:d@e f.txt", "enc/plain/key.txt", "enc/üñï/ሴ.txt",
        ])
    func s3Encoding(key: String) async throws {
        let (moto, creds) = try await vended()
        let s3 = S3Client(
            bucket: moto.bucket, region: "us-east-1", credentials: StaticCredentials(creds),
            endpoint: moto.endpoint)
        try await s3.putObject(key: key, body: Array("hello \(key)".utf8), contentType: "text/plain")
        let listed = try moto.readback(["s3-list", moto.bucket, key]) as? [[String: Any]] ?? []
        #expect(listed.compactMap { $0["key"] as? String } == [key])
        #expect(String(decoding: try await s3.getObject(key: key), as: UTF8.self) == "hello \(key)")
    }

    @Test(
        "a tampered signature is rejected: wrong secret, wrong session token", arguments: ["secret", "token"])
    func tampered(what: String) async throws {
        let (moto, good) = try await vended()
        var bad = good
        if what == "secret" {
            bad.secretAccessKey = String(good.secretAccessKey.reversed())
        } else {
            bad.sessionToken = String((good.sessionToken ?? "").dropLast(4)) + "AAAA"
        }
        let s3 = S3Client(
            bucket: moto.bucket, region: "us-east-1", credentials: StaticCredentials(bad),
            endpoint: moto.endpoint)
        do {
            try await s3.putObject(
                key: "tampered/year=2026/x.txt", body: Array("x".utf8), contentType: "text/plain")
            Issue.record("moto accepted a request signed with a wrong \(what)")
        } catch {
            guard case .service(_, _, let status, let code, _) = error else {
                Issue.record("\(error)"); return
            }
            // A wrong secret: 403 SignatureDoesNotMatch; a token that does not decode: 400 InvalidToken
            // (S3's own answer for a malformed token).
            #expect(status == (what == "secret" ? 403 : 400), "\(code)")
            #expect(
                ["SignatureDoesNotMatch", "InvalidToken", "InvalidClientTokenId", "InvalidAccessKeyId"]
                    .contains(code), "\(code)")
        }
        let ddb = DynamoDBClient(
            region: "us-east-1", credentials: StaticCredentials(bad), endpoint: moto.endpoint)
        await #expect(throws: AWSRequestError.self) {
            try await ddb.batchWrite(
                try sampleRecords(kind: "weather", ids: 1...1, start: Self.start),
                table: moto.weatherTable, thing: "TestThing")
        }
    }

    @Test("DynamoDB: 60 records in 25-item calls; boto3 scans back the same items")
    func dynamo() async throws {
        let (moto, creds) = try await vended()
        let ddb = DynamoDBClient(
            region: "us-east-1", credentials: StaticCredentials(creds), endpoint: moto.endpoint)
        let records = try sampleRecords(kind: "weather", ids: 1001...1060, start: Self.start)
        try await ddb.batchWrite(records, table: moto.weatherTable, thing: "TestThing")
        // resend: harmless
        try await ddb.batchWrite(records, table: moto.weatherTable, thing: "TestThing")
        let items = (try moto.readback(["ddb-scan", moto.weatherTable]) as? [[String: Any]] ?? [])
            .filter { ($0["id"] as? Int ?? 0) >= 1001 }
        #expect(items.count == 60)
        for r in records {
            guard let item = items.first(where: { $0["id"] as? Int == Int(r.id) }) else {
                Issue.record("id \(r.id) missing"); continue
            }
            let sent = try JSONSerialization.jsonObject(with: Data(r.json)) as? [String: Any] ?? [:]
            #expect(item["serial_number"] as? String == "TestThing")
            #expect(item["time"] as? String == AWSDate.iso8601Milliseconds(r.time))
            #expect(item["timestamp"] as? String == "\(AWSDate.iso8601Milliseconds(r.time))#weather#\(r.id)")
            #expect(item["kind"] as? String == "weather")
            #expect(
                (item["temperature_c"] as? Double ?? Double(item["temperature_c"] as? Int ?? -1)) == sent[
                    "temperature_c"] as? Double)
            #expect(item["ok"] as? Bool == sent["ok"] as? Bool)
        }
    }

    @Test(
        "DynamoDB: a reading and an impact of the same millisecond in one table are two items; one station's day is one query"
    )
    func dynamoKeys() async throws {
        let (moto, creds) = try await vended()
        let ddb = DynamoDBClient(
            region: "us-east-1", credentials: StaticCredentials(creds), endpoint: moto.endpoint)
        // 2026-11-23T23:59:59.500Z, then the same instant for an impact, then one just after midnight.
        let late = Date(timeIntervalSince1970: 1_795_478_399.5)
        let json = Array(#"{"x":1}"#.utf8)
        let records = [
            UploadRecord(id: 7, kind: "weather", time: late, json: json),
            UploadRecord(id: 7, kind: "impact", time: late, json: json),
            UploadRecord(id: 8, kind: "weather", time: late.addingTimeInterval(0.6), json: json),
        ]
        // Before the kind and id joined the sort key, the impact overwrote the reading.
        try await ddb.batchWrite(records, table: moto.impactTable, thing: "DayThing")
        try await ddb.batchWrite(
            [UploadRecord(id: 1, kind: "weather", time: late, json: json)], table: moto.impactTable,
            thing: "Other")
        let day =
            try moto.readback(["ddb-day", moto.impactTable, "DayThing", "2026-11-23"]) as? [[String: Any]]
            ?? []
        #expect(day.map { "\($0["kind"] ?? "")#\($0["id"] ?? "")" } == ["impact#7", "weather#7"], "\(day)")
        let next =
            try moto.readback(["ddb-day", moto.impactTable, "DayThing", "2026-11-24"]) as? [[String: Any]]
            ?? []
        #expect(next.map { $0["time"] as? String } == ["2026-11-24T00:00:00.100Z"])
    }

    @Test("Kinesis: 1,203 records in calls of ≤ 500; boto3 reads every one back")
    func kinesis() async throws {
        let (moto, creds) = try await vended()
        let k = KinesisClient(
            region: "us-east-1", credentials: StaticCredentials(creds), endpoint: moto.endpoint)
        let records = try sampleRecords(kind: "weather", ids: 1...1203, start: Self.start)
        let entries = records.map { KinesisClient.Entry(partitionKey: "TestThing", data: $0.json) }
        #expect(KinesisClient.chunks(entries).map(\.count) == [500, 500, 203])
        try await k.putRecords(entries, stream: moto.stream)
        let read = try moto.readback(["kinesis-read", moto.stream]) as? [[String: Any]] ?? []
        // The stream is shared with the streamer's live tests (their own partition keys): count
        // and check this test's records, the ones with `humidity_pct`.
        let mine = read.filter { ($0["data"] as? [String: Any])?["humidity_pct"] != nil }
        #expect(mine.count >= 1203)
        #expect(mine.allSatisfy { $0["partition_key"] as? String == "TestThing" })
    }

    @Test("Kinesis chunking respects 5 MiB per call")
    func kinesisBytes() {
        let entry = KinesisClient.Entry(partitionKey: "p", data: [UInt8](repeating: 1, count: 1_000_000))
        let chunks = KinesisClient.chunks(Array(repeating: entry, count: 12))
        #expect(chunks.map(\.count) == [5, 5, 2])
        #expect(
            chunks.allSatisfy { $0.reduce(0) { $0 + $1.data.count + 1 } <= KinesisClient.maxBytesPerCall })
    }
}
