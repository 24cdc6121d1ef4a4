import Cloud
import Foundation

extension StationConfiguration.UploadSettings {
    /// Where the private key's passphrase comes from: `upload.passphrase_file` when set, else the
    /// systemd credential `$CREDENTIALS_DIRECTORY/key-passphrase` when the unit's
    /// `LoadCredential=key-passphrase:…` provides it, else none (an unencrypted key). Never the
    /// command line. `run` and `credentials check` both use this, so they cannot disagree.
    public func passphraseSource(
        environment: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    )
        -> PassphraseSource?
    {
        if let file = passphraseFile, !file.isEmpty { return .file(file) }
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty,
            fileExists((dir as NSString).appendingPathComponent("key-passphrase"))
        {
            return .systemdCredential(directory: dir, name: "key-passphrase")
        }
        return nil
    }

    /// The credentials provider's configuration from `upload.*` and the thing name.
    /// `endpointPort` and `caBundle` are the test overrides of `credentials check`.
    public func credentialsConfiguration(
        thingName: String, environment: [String: String], endpointPort: Int? = nil,
        caBundle: String? = nil, maxAttempts: Int = 5,
        backoff: Backoff = Backoff()
    ) -> CredentialsProviderConfiguration {
        var endpoint = credentialsEndpoint
        if let endpointPort { endpoint += ":\(endpointPort)" }
        return CredentialsProviderConfiguration(
            endpoint: endpoint, roleAlias: roleAlias, thingName: thingName, certificatePath: certificate,
            privateKeyPath: privateKey, passphrase: passphraseSource(environment: environment),
            caBundlePath: caBundle ?? self.caBundle, refreshMargin: refreshMargin, maxAttempts: maxAttempts,
            backoff: backoff)
    }

    /// `rate_limit_kbps` (kilobits per second) as the uploader's bytes per second; nil: no cap.
    public var maxBytesPerSecond: Int? { rateLimitKbps > 0 ? rateLimitKbps * 1000 / 8 : nil }
}
