import Foundation
import Storage

/// DynamoDB BatchWriteItem (JSON 1.0 protocol) of records as items keyed like the AWS IoT
/// thermostat example: `serial_number` (the thing name) as partition key and `timestamp`
/// (ISO 8601 UTC with milliseconds, sortable as text) as sort key, plus every field of the record
/// and its `id`. At most 25 items per call (the API's limit); UnprocessedItems are retried with
/// backoff until written or `maxAttempts` is spent.
public struct DynamoDBClient: Sendable {
    let client: AWSClient
    public var retry: PartialFailureRetry

    public static let maxItemsPerCall = 25

    public init(
        region: String, credentials: any AWSCredentialsSource, endpoint: String? = nil,
        httpClient: HTTPClientSelection = .shared, retry: PartialFailureRetry = PartialFailureRetry()
    ) {
        client = .regional(
            service: "dynamodb", region: region, endpoint: endpoint, credentials: credentials,
            httpClient: httpClient)
        self.retry = retry
    }

    /// The item for a record: its fields (with `time`, ISO 8601 UTC, added when the record has
    /// none), then (winning over them) `id`, `kind`, the partition key `serial_number` (the thing
    /// name: the IAM policy's `dynamodb:LeadingKeys` can only name the thing) and the sort key
    /// `timestamp`:
    /// `<time>#<kind>#<id>`. The time first keeps a day's items together and in order (a query
    /// for one station and one day is `timestamp BETWEEN "2026-11-23" AND "2026-11-24"`); kind and
    /// id make the key unique, so a reading and an impact of the same millisecond in one table
    /// are two items, and a resend overwrites its own item.
    public static func item(for record: UploadRecord, thing: String) throws(AWSRequestError) -> JSONValue {
        .object(try fields(for: record, thing: thing).mapValues(\.dynamoDB))
    }

    /// The item's attributes as plain JSON values (`item` gives their DynamoDB forms).
    static func fields(for record: UploadRecord, thing: String) throws(AWSRequestError) -> [String: JSONValue]
    {
        guard case .object(var fields)? = try? JSONValue.parse(record.json) else {
            throw .invalidRequest(service: "dynamodb", reason: "record \(record.id) is not a JSON object")
        }
        let time = AWSDate.iso8601Milliseconds(record.time)
        fields["id"] = .int(record.id)
        fields["kind"] = .string(record.kind)
        if fields["time"] == nil { fields["time"] = .string(time) }
        fields["serial_number"] = .string(thing)
        fields["timestamp"] = .string(sortKey(time: time, kind: record.kind, id: record.id))
        return fields
    }

    /// The sort key of a record's item.
    public static func sortKey(time: String, kind: String, id: Int64) -> String { "\(time)#\(kind)#\(id)" }

    /// Writes all records to `table`, 25 per call, retrying unprocessed items.
    public func batchWrite(_ records: [UploadRecord], table: String, thing: String)
        async throws(AWSRequestError)
    {
        // Each write request as text, written straight from the record's fields (the body of
        // a call is these joined: no attribute tree, no second serialisation).
        var items: [String] = []
        items.reserveCapacity(records.count)
        for r in records {
            var text = #"{"PutRequest":{"Item":"#
            JSONValue.writeDynamoDBMap(try Self.fields(for: r, thing: thing), to: &text)
            text += "}}"
            items.append(text)
        }
        var start = 0
        while start < items.count {
            let chunk = Array(items[start..<min(start + Self.maxItemsPerCall, items.count)])
            try await writeChunk(chunk, table: table)
            start += Self.maxItemsPerCall
        }
    }

    /// One BatchWriteItem call for `chunk` (write requests as JSON text), then the items it
    /// hands back, until none is left or the retries are spent.
    func writeChunk(_ chunk: [String], table: String) async throws(AWSRequestError) {
        var pending = chunk
        var attempt = 0
        while !pending.isEmpty {
            var text = #"{"RequestItems":{"#
            JSONValue.writeQuoted(table, to: &text)
            text += ":["
            text += pending.joined(separator: ",")
            text += "]}}"
            let body = Array(text.utf8)
            let response = try await client.send(
                method: "POST", path: "/",
                headers: [
                    HTTPField("content-type", "application/x-amz-json-1.0"),
                    HTTPField("x-amz-target", "DynamoDB_20120810.BatchWriteItem"),
                ],
                body: body, options: .standard)
            let left = try Self.unprocessed(
                fromBatchWriteAnswer: response.body, table: table, endpoint: client.endpoint)
            if !left.isEmpty {
                pending = left.map(\.jsonText)
                attempt += 1
                guard await retry.again(after: attempt) else {
                    throw .service(
                        service: "dynamodb", endpoint: client.endpoint, status: 200, code: "UnprocessedItems",
                        message: "\(left.count) items still unprocessed after \(attempt) attempts")
                }
            } else {
                pending = []
            }
        }
    }

    /// The write requests a BatchWriteItem answer hands back for `table` (`UnprocessedItems`).
    package static func unprocessed(fromBatchWriteAnswer body: [UInt8], table: String, endpoint: String)
        throws(AWSRequestError) -> [JSONValue]
    {
        guard let decoded = try? JSONValue.parse(body),
            case .object(let obj) = decoded
        else {
            throw .invalidResponse(
                service: "dynamodb", endpoint: endpoint, reason: "BatchWriteItem answer is not JSON")
        }
        guard case .object(let unprocessed)? = obj["UnprocessedItems"],
            case .array(let left)? = unprocessed[table]
        else { return [] }
        return left
    }
}
