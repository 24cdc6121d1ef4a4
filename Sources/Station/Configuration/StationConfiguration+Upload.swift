// MARK: - upload

extension StationConfiguration {
    public struct S3Destination: Sendable, Equatable {
        public var bucket: String
        /// Object key prefix, without leading or trailing `/`.
        public var prefix: String
        /// A custom endpoint URL (e.g. a local test server); `nil` for AWS.
        public var endpoint: String?

        public init(bucket: String, prefix: String = "sensorstation", endpoint: String? = nil) {
            self.bucket = bucket
            self.prefix = prefix
            self.endpoint = endpoint
        }
    }

    public struct DynamoDBDestination: Sendable, Equatable {
        public var table: String
        public var endpoint: String?

        public init(table: String, endpoint: String? = nil) {
            self.table = table
            self.endpoint = endpoint
        }
    }

    public struct KinesisDestination: Sendable, Equatable {
        public var stream: String
        public var endpoint: String?
        /// While streaming, also send the raw acceleration samples (`raw_acceleration`).
        public var rawAcceleration: Bool

        public init(stream: String, endpoint: String? = nil, rawAcceleration: Bool = false) {
            self.stream = stream
            self.endpoint = endpoint
            self.rawAcceleration = rawAcceleration
        }
    }

    /// `upload:` store-and-forward to AWS, authenticated with the device certificate through the
    /// AWS IoT credentials provider. When `enabled`, the loader has checked that region,
    /// credentials endpoint, role alias, certificate and key are set and at least one
    /// destination is configured.
    public struct UploadSettings: Sendable, Equatable {
        public var enabled: Bool
        public var region: String
        /// Host name of the account's credentials provider, e.g.
        /// `c1abc.credentials.iot.eu-west-1.amazonaws.com`; empty when unset.
        public var credentialsEndpoint: String
        public var roleAlias: String
        public var certificate: String
        public var privateKey: String
        /// A file holding the private key's passphrase, if it has one.
        public var passphraseFile: String?
        public var caBundle: String
        /// Refresh credentials this long before they expire (`refresh_margin_s`).
        public var refreshMargin: Duration
        /// 0 = unlimited.
        public var rateLimitKbps: Int
        /// How often the uploader looks for new rows in the log (`poll_interval_s`).
        public var pollInterval: Duration
        /// A file whose existence says the clock is synchronised (`clock_sync_marker`); without
        /// it the kernel's NTP state decides.
        public var clockSyncMarker: String
        /// `nil` = that destination is off.
        public var s3: S3Destination?
        public var dynamodb: DynamoDBDestination?
        public var kinesis: KinesisDestination?

        public init(
            enabled: Bool = false, region: String = "eu-west-1", credentialsEndpoint: String = "",
            roleAlias: String = "", certificate: String = "/etc/sensorstation/device.pem.crt",
            privateKey: String = "/etc/sensorstation/device.pem.key", passphraseFile: String? = nil,
            caBundle: String = "/etc/ssl/certs/Amazon_Root_CA_1.pem", refreshMargin: Duration = .seconds(300),
            rateLimitKbps: Int = 0, s3: S3Destination? = nil, dynamodb: DynamoDBDestination? = nil,
            kinesis: KinesisDestination? = nil, pollInterval: Duration = .seconds(5),
            clockSyncMarker: String = "/run/systemd/timesync/synchronized"
        ) {
            self.clockSyncMarker = clockSyncMarker
            self.pollInterval = pollInterval
            self.enabled = enabled
            self.region = region
            self.credentialsEndpoint = credentialsEndpoint
            self.roleAlias = roleAlias
            self.certificate = certificate
            self.privateKey = privateKey
            self.passphraseFile = passphraseFile
            self.caBundle = caBundle
            self.refreshMargin = refreshMargin
            self.rateLimitKbps = rateLimitKbps
            self.s3 = s3
            self.dynamodb = dynamodb
            self.kinesis = kinesis
        }

        /// Whether any destination is configured.
        public var hasDestination: Bool { s3 != nil || dynamodb != nil || kinesis != nil }
    }
}
