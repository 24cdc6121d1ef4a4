import Foundation
import Storage

/// Kinesis Data Streams PutRecords (JSON 1.1 protocol). Calls hold at most 500 records and
/// 5 MiB (data plus partition keys, the API's limits); a record may be at most 1 MiB. Only the
/// records that failed (ErrorCode in the answer, e.g. ProvisionedThroughputExceededException) are
/// sent again, with backoff.
public struct KinesisClient: Sendable {
    let client: AWSClient
    public var retry: PartialFailureRetry

    public static let maxRecordsPerCall = 500
    public static let maxBytesPerCall = 5 * 1024 * 1024
    public static let maxBytesPerRecord = 1024 * 1024

    public struct Entry: Sendable, Equatable {
        public var partitionKey: String
        public var data: [UInt8]
        public init(partitionKey: String, data: [UInt8]) {
            self.partitionKey = partitionKey
            self.data = data
        }
        var size: Int { partitionKey.utf8.count + data.count }
    }

    public init(
        region: String, credentials: any AWSCredentialsSource, endpoint: String? = nil,
        httpClient: HTTPClientSelection = .shared, retry: PartialFailureRetry = PartialFailureRetry()
    ) {
        client = .regional(
            service: "kinesis", region: region, endpoint: endpoint, credentials: credentials,
            httpClient: httpClient)
        self.retry = retry
    }

    /// Splits entries into calls within the count and size limits, keeping order.
    public static func chunks(_ entries: [Entry]) -> [[Entry]] {
        var out: [[Entry]] = []
        var current: [Entry] = []
        var bytes = 0
        for e in entries {
            if !current.isEmpty && (current.count == maxRecordsPerCall || bytes + e.size > maxBytesPerCall) {
                out.append(current); current = []; bytes = 0
            }
            current.append(e)
            bytes += e.size
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    public func putRecords(_ entries: [Entry], stream: String) async throws(AWSRequestError) {
        if let error = await put(entries, stream: stream).error { throw error }
    }

    /// What Kinesis took of a put: Kinesis takes records one by one, so a failed put may still
    /// have delivered some of them, and sending those again would duplicate them.
    public struct PutResult: Sendable, Equatable {
        /// Per entry, in order: whether Kinesis took it.
        public var taken: [Bool]
        /// Why the others were not taken; nil when all were.
        public var error: AWSRequestError?
    }

    /// Puts `entries` in calls within the limits, in order, sending again only the records that
    /// failed; stops at the first call that fails for good.
    public func put(_ entries: [Entry], stream: String) async -> PutResult {
        var taken = [Bool](repeating: false, count: entries.count)
        if let big = entries.first(where: {
            $0.data.count > Self.maxBytesPerRecord || $0.partitionKey.isEmpty
        }) {
            return PutResult(
                taken: taken,
                error: .invalidRequest(
                    service: "kinesis",
                    reason: big.partitionKey.isEmpty
                        ? "empty partition key"
                        : "a record of \(big.data.count) bytes exceeds Kinesis's 1 MiB"))
        }
        var offset = 0
        for chunk in Self.chunks(entries) {
            do {
                try await putChunk(chunk, stream: stream) { taken[offset + $0] = true }
            } catch {
                return PutResult(taken: taken, error: error)
            }
            offset += chunk.count
        }
        return PutResult(taken: taken, error: nil)
    }

    /// One call's worth; `took(i)` for each position of `chunk` that Kinesis took.
    func putChunk(_ chunk: [Entry], stream: String, took: (Int) -> Void) async throws(AWSRequestError) {
        var pending = Array(chunk.indices)
        var attempt = 0
        while !pending.isEmpty {
            // Written directly (base64 needs no escaping): Foundation's JSONEncoder over a
            // JSONValue tree cost more CPU per record than boto3 (Benchmarks/README.md, upload).
            var text = #"{"StreamName":"# + JSONValue.quote(stream) + #","Records":["#
            text.reserveCapacity(pending.reduce(text.utf8.count + 2) { $0 + chunk[$1].size * 4 / 3 + 40 })
            for (n, index) in pending.enumerated() {
                if n > 0 { text += "," }
                text += #"{"Data":""# + Data(chunk[index].data).base64EncodedString()
                text += #"","PartitionKey":"# + JSONValue.quote(chunk[index].partitionKey) + "}"
            }
            text += "]}"
            let body = Array(text.utf8)
            let response = try await client.send(
                method: "POST", path: "/",
                headers: [
                    HTTPField("content-type", "application/x-amz-json-1.1"),
                    HTTPField("x-amz-target", "Kinesis_20131202.PutRecords"),
                ],
                body: body, options: .standard)
            let (failed, lastCode) = try Self.failures(
                fromPutRecordsAnswer: response.body, count: pending.count, endpoint: client.endpoint)
            let failedSet = Set(failed)
            for (position, index) in pending.enumerated() where !failedSet.contains(position) { took(index) }
            pending = failed.map { pending[$0] }
            if !pending.isEmpty {
                attempt += 1
                guard await retry.again(after: attempt) else {
                    throw .service(
                        service: "kinesis", endpoint: client.endpoint, status: 200, code: lastCode,
                        message: "\(pending.count) records still failing after \(attempt) attempts")
                }
            }
        }
    }

    /// The positions (ascending, below `count`) of the records a PutRecords answer says failed,
    /// and the last failure's ErrorCode.
    package static func failures(fromPutRecordsAnswer body: [UInt8], count: Int, endpoint: String)
        throws(AWSRequestError) -> (positions: [Int], lastCode: String)
    {
        guard let decoded = try? JSONValue.parse(body),
            case .object(let obj) = decoded, case .array(let results)? = obj["Records"],
            results.count == count
        else {
            throw .invalidResponse(
                service: "kinesis", endpoint: endpoint, reason: "PutRecords answer has no matching Records")
        }
        var positions: [Int] = []
        var lastCode = ""
        for (i, result) in results.enumerated() {
            if case .object(let r) = result, case .string(let code)? = r["ErrorCode"] {
                positions.append(i)
                lastCode = code
            }
        }
        return (positions, lastCode)
    }
}
