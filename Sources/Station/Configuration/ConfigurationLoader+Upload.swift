extension ConfigurationLoader {
    // MARK: upload

    static func decodeUpload(
        _ section: Section, _ sub: (Section, String) -> Section, _ reader: ConfigurationReader,
        _ config: inout StationConfiguration
    ) {
        readDeclared(section, reader, &config)
        var upload = config.upload
        if let node = section.node("passphrase_file"), node.isNull {
            upload.passphraseFile = nil
        } else if let v = reader.path(section, "passphrase_file", allowEmpty: true) {
            upload.passphraseFile = v.isEmpty ? nil : v
        }

        // Destinations: absent, null, `none` or an empty name = off.
        func destination(_ key: String) -> Section? {
            guard let node = section.node(key), !node.isNull else { return nil }
            if case .scalar(let text, _) = node.kind {
                if text != "none" {
                    reader.report(
                        node.origin, key: section.keyPath(key),
                        "expected a mapping with keys \(ConfigurationSchema.keys(at: ["upload", key]).joined(separator: ", ")) or none, got \(node.described)"
                    )
                }
                return nil
            }
            return sub(section, key)
        }
        if let destination = destination("s3"),
            let bucket = reader.string(
                destination, "bucket", optional: true, validate: { $0.isEmpty ? nil : validBucket($0) }),
            !bucket.isEmpty
        {
            var s3 = StationConfiguration.S3Destination(bucket: bucket)
            if let v = reader.string(
                destination, "prefix",
                validate: {
                    $0.hasPrefix("/") || $0.hasSuffix("/")
                        ? "a key prefix without a leading or trailing '/'" : nil
                })
            {
                s3.prefix = v
            }
            s3.endpoint = endpoint(destination, reader)
            upload.s3 = s3
        }
        if let destination = destination("dynamodb"),
            let table = reader.string(
                destination, "table", optional: true, validate: { $0.isEmpty ? nil : validTable($0) }),
            !table.isEmpty
        {
            upload.dynamodb = StationConfiguration.DynamoDBDestination(
                table: table, endpoint: endpoint(destination, reader))
        }
        if let destination = destination("kinesis"),
            let stream = reader.string(
                destination, "stream", optional: true, validate: { $0.isEmpty ? nil : validStream($0) }),
            !stream.isEmpty
        {
            upload.kinesis = StationConfiguration.KinesisDestination(
                stream: stream, endpoint: endpoint(destination, reader),
                rawAcceleration: reader.bool(destination, "raw_acceleration") ?? false)
        }

        if upload.enabled, let enabledOrigin = section.origin(of: "enabled") {
            let required: [(String, String, Bool)] = [
                ("region", "an AWS region such as eu-west-1", upload.region.isEmpty),
                (
                    "credentials_endpoint",
                    "a host name such as c1abc.credentials.iot.eu-west-1.amazonaws.com",
                    upload.credentialsEndpoint.isEmpty
                ),
                (
                    "role_alias", "the AWS IoT role alias, 1 to 128 of the characters a-z A-Z 0-9 _ = , @ -",
                    upload.roleAlias.isEmpty
                ),
                ("certificate", "the device certificate's path", upload.certificate.isEmpty),
                ("private_key", "the private key's path", upload.privateKey.isEmpty),
            ]
            for (key, what, missing) in required where missing && isValid(section, key, reader) {
                reader.report(
                    section.origin(of: key) ?? enabledOrigin, key: section.keyPath(key),
                    "required when upload.enabled is true; expected \(what)")
            }
            if !upload.hasDestination && !config.alert.enabled && !config.shadow.enabled {
                reader.report(
                    enabledOrigin, key: section.keyPath("enabled"),
                    "upload is enabled but has no destination; set upload.s3.bucket, upload.dynamodb.table, upload.kinesis.stream, alert.enabled or shadow.enabled"
                )
            }
        }
        config.upload = upload
    }

    /// `alert.enabled` needs the upload's credentials and a topic.
    static func checkAlert(_ section: Section, _ reader: ConfigurationReader, _ config: StationConfiguration)
    {
        checkNeedsUpload(
            section, reader, config, enabled: config.alert.enabled,
            signed: "an alert is signed with the credentials the upload section obtains",
            required: "topic_arn", missing: config.alert.topicArn.isEmpty,
            expected: "an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:impact-alerts")
    }

    /// `shadow.enabled` needs the upload's credentials and the data endpoint.
    static func checkShadow(_ section: Section, _ reader: ConfigurationReader, _ config: StationConfiguration)
    {
        checkNeedsUpload(
            section, reader, config, enabled: config.shadow.enabled,
            signed: "the shadow is read and written with the credentials the upload section obtains",
            required: "endpoint", missing: config.shadow.endpoint.isEmpty,
            expected:
                "the account's IoT data endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS), e.g. a1b2c3-ats.iot.eu-west-1.amazonaws.com"
        )
    }

    /// A section that signs its requests with the upload's credentials (`alert`, `shadow`): when
    /// enabled, it needs `upload.enabled` and its own `required` key.
    private static func checkNeedsUpload(
        _ section: Section, _ reader: ConfigurationReader, _ config: StationConfiguration, enabled: Bool,
        signed: String, required: String, missing: Bool, expected: String
    ) {
        guard enabled, let enabledOrigin = section.origin(of: "enabled") else { return }
        if !config.upload.enabled {
            reader.report(
                enabledOrigin, key: section.keyPath("enabled"), "needs upload.enabled: true (\(signed))")
        }
        if missing, isValid(section, required, reader) {
            reader.report(
                section.origin(of: required) ?? enabledOrigin, key: section.keyPath(required),
                "required when \(section.keyPath("enabled")) is true; expected \(expected)")
        }
    }

    private static func endpoint(_ destination: Section, _ reader: ConfigurationReader) -> String? {
        let v = reader.string(destination, "endpoint", optional: true) { text in
            text.isEmpty || text.hasPrefix("https://") || text.hasPrefix("http://")
                ? nil : "a URL such as https://s3.eu-west-1.amazonaws.com or http://localhost:5000"
        }
        return v?.isEmpty == false ? v : nil
    }
}
