import CompressNIO
import Foundation
import NIOCore

/// S3 PutObject of record batches as gzip-compressed JSON Lines under date-partitioned keys:
/// `<prefix>/<thing>/<kind>/year=YYYY/month=MM/day=DD/<first-id>-<last-id>.jsonl.gz`.
/// The same records always give the same key and the same bytes (gzip header mtime 0), so a
/// resend after a crash overwrites an object with itself.
public struct S3Client: Sendable {
    public let bucket: String
    let client: AWSClient
    /// Path-style (`/<bucket>/<key>`) for overridden endpoints (moto, MinIO), virtual-hosted
    /// (`<bucket>.s3.<region>.amazonaws.com`) for AWS.
    let pathStyle: Bool

    public init(
        bucket: String, region: String, credentials: any AWSCredentialsSource, endpoint: String? = nil,
        httpClient: HTTPClientSelection = .shared
    ) {
        self.bucket = bucket
        pathStyle = endpoint != nil
        client = AWSClient(
            endpoint: endpoint ?? "https://\(bucket).s3.\(region).amazonaws.com", region: region,
            service: "s3", credentials: credentials, httpClient: httpClient.client)
    }

    /// The object key for a batch (all records of one kind and one UTC day).
    public static func key(
        prefix: String, thing: String, kind: String, first: UploadRecord, last: UploadRecord
    ) -> String {
        let c = AWSDate.civil(first.time)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let head = prefix.isEmpty ? "" : (prefix.hasSuffix("/") ? prefix : prefix + "/")
        return
            "\(head)\(thing)/\(kind)/year=\(c.year)/month=\(p2(c.month))/day=\(p2(c.day))/\(first.id)-\(last.id).jsonl.gz"
    }

    /// Splits records (oldest first) into runs of one UTC day, so each batch has one partition.
    public static func splitByDay(_ records: [UploadRecord]) -> [[UploadRecord]] {
        var out: [[UploadRecord]] = []
        var currentDay: Int?
        for r in records {
            let day = Int((r.time.timeIntervalSince1970 / 86_400).rounded(.down))
            if day != currentDay { out.append([]); currentDay = day }
            out[out.count - 1].append(r)
        }
        return out
    }

    /// JSON Lines (one object per line, `\n` after each), gzip-compressed with a fixed header
    /// (zlib writes mtime 0 and no file name), so equal records give equal bytes.
    public static func body(_ records: [UploadRecord]) throws -> [UInt8] {
        var buffer = ByteBuffer()
        for r in records {
            buffer.writeBytes(r.json)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        var compressed = try buffer.compress(with: .gzip())
        return compressed.readBytes(length: compressed.readableBytes) ?? []
    }

    /// Uploads one batch (one kind, one day); returns its key.
    @discardableResult
    public func putBatch(_ records: [UploadRecord], prefix: String, thing: String)
        async throws(AWSRequestError) -> String
    {
        guard let first = records.first, let last = records.last else {
            throw .invalidRequest(service: "s3", reason: "empty batch")
        }
        let key = Self.key(prefix: prefix, thing: thing, kind: first.kind, first: first, last: last)
        let body: [UInt8]
        do { body = try Self.body(records) } catch {
            throw .invalidRequest(service: "s3", reason: "gzip failed: \(error)")
        }
        try await putObject(
            key: key, body: body, contentType: "application/x-ndjson", contentEncoding: "gzip")
        return key
    }

    /// PutObject, signed with S3's rules (no double encoding, `x-amz-content-sha256`).
    public func putObject(key: String, body: [UInt8], contentType: String, contentEncoding: String? = nil)
        async throws(AWSRequestError)
    {
        var headers = [
            HTTPField("content-type", contentType), HTTPField("content-length", String(body.count)),
        ]
        if let contentEncoding { headers.append(HTTPField("content-encoding", contentEncoding)) }
        _ = try await client.send(
            method: "PUT", path: wirePath(key), headers: headers, body: body, options: .s3)
    }

    /// Reads an object back (for `credentials check --probe` and tests).
    public func getObject(key: String) async throws(AWSRequestError) -> [UInt8] {
        try await client.send(method: "GET", path: wirePath(key), headers: [], body: [], options: .s3).body
    }

    func wirePath(_ key: String) -> String {
        let encodedKey = SigV4Signer.uriEncode(key, keepSlash: true)
        return pathStyle
            ? "/\(SigV4Signer.uriEncode(bucket, keepSlash: false))/\(encodedKey)" : "/\(encodedKey)"
    }
}
