import Storage

/// One place records go, with its own cursor per kind in the database (`name` is the cursor's
/// destination key: keep it stable, or everything is sent again).
public struct UploadDestination: Sendable {
    public enum Target: Sendable {
        /// Every kind, as gzip JSON Lines under `<prefix>/<thing>/<kind>/year=…/…`.
        case s3(S3Client, prefix: String)
        /// BatchWriteItem into one table per kind (the kinds without a table are not sent here).
        case dynamoDB(DynamoDBClient, tables: [UploadKind: String])
        /// PutRecords, partition key = the thing name.
        case kinesis(KinesisClient, stream: String)
    }

    public var name: String
    public var target: Target
    /// What this destination receives, in drain priority order (impacts first).
    public var kinds: [UploadKind]

    public init(name: String, target: Target, kinds: [UploadKind]? = nil) {
        self.name = name
        self.target = target
        let all: [UploadKind] = [.impact, .weather, .motion, .event]
        switch target {
        case .dynamoDB(_, let tables): self.kinds = (kinds ?? all).filter { tables[$0] != nil }
        default: self.kinds = kinds ?? all
        }
    }
}

extension UploadRecord {
    /// The database row as the record that leaves the device: its JSON line, verbatim.
    public init(_ item: UploadItem) {
        self.init(id: item.id, kind: item.kind.rawValue, time: item.time, json: Array(item.jsonLine.utf8))
    }
}
