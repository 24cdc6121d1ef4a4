import Foundation

/// Everything the credentials provider needs; built by the station from `upload.*` and
/// `station.thing_name`.
public struct CredentialsProviderConfiguration: Sendable, Equatable {
    /// `<prefix>.credentials.iot.<region>.amazonaws.com`, optionally `:port` (tests).
    public var endpoint: String
    public var roleAlias: String
    public var thingName: String
    /// PEM certificate chain: the device certificate first, then any intermediates.
    public var certificatePath: String
    /// PEM private key (PKCS#8, encrypted PKCS#8 or traditional). Must not be readable by group
    /// or others.
    public var privateKeyPath: String
    /// Where the key's passphrase is, if the key is encrypted. Never a command-line argument.
    public var passphrase: PassphraseSource?
    /// Trust roots for the endpoint's certificate.
    public var caBundlePath: String
    /// Refresh this long before `expiration`, or 20 % of the lifetime when that is shorter.
    public var refreshMargin: Duration
    /// Transient failures (429, 5xx, network) are retried this many times per request.
    public var maxAttempts: Int
    public var backoff: Backoff
    /// After a request that failed for an operator error (a documented 4xx), every caller gets
    /// that error at once, without a request, for a wait that grows with each such failure in a
    /// row: between half and all of min(cap, base · 2ⁿ).
    public var failureBackoff: Backoff
    /// After transient errors past `maxAttempts` (network, 5xx, 429): the same, for between half
    /// and all of this, however often it happens.
    public var transientCoolDown: Duration
    /// Per-attempt timeout (connect + TLS + answer).
    public var requestTimeout: Duration

    /// Debian's ca-certificates copy of Amazon Root CA 1.
    public static let defaultCABundlePath = "/etc/ssl/certs/Amazon_Root_CA_1.pem"

    public init(
        endpoint: String, roleAlias: String, thingName: String, certificatePath: String,
        privateKeyPath: String,
        passphrase: PassphraseSource? = nil, caBundlePath: String = Self.defaultCABundlePath,
        refreshMargin: Duration = .seconds(300), maxAttempts: Int = 5, backoff: Backoff = Backoff(),
        failureBackoff: Backoff = Backoff(base: .seconds(15), cap: .seconds(600)),
        transientCoolDown: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(20)
    ) {
        self.endpoint = endpoint
        self.roleAlias = roleAlias
        self.thingName = thingName
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.passphrase = passphrase
        self.caBundlePath = caBundlePath
        self.refreshMargin = refreshMargin
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.failureBackoff = failureBackoff
        self.transientCoolDown = transientCoolDown
        self.requestTimeout = requestTimeout
    }

    /// `https://<endpoint>/role-aliases/<alias>/credentials`. The alias is 1–128 of `[\w=,@-]`,
    /// which needs no percent-encoding except `=`, `,` and `@`, encoded for safety.
    public var url: String {
        "https://\(endpoint)/role-aliases/\(SigV4Signer.uriEncode(roleAlias, keepSlash: false))/credentials"
    }

    /// The host without a port: the TLS SNI name and what the server certificate must match.
    public var host: String {
        if endpoint.hasPrefix("["), let close = endpoint.firstIndex(of: "]") {
            return String(endpoint[endpoint.index(after: endpoint.startIndex)..<close])
        }
        if let colon = endpoint.lastIndex(of: ":"), endpoint.firstIndex(of: ":") == colon {
            return String(endpoint[..<colon])
        }
        return endpoint
    }

    /// The keys that are missing, by their configuration names (empty when complete).
    public var missingKeys: [String] {
        var missing: [String] = []
        if endpoint.isEmpty { missing.append("upload.credentials_endpoint") }
        if roleAlias.isEmpty { missing.append("upload.role_alias") }
        if thingName.isEmpty { missing.append("station.thing_name") }
        if certificatePath.isEmpty { missing.append("upload.certificate") }
        if privateKeyPath.isEmpty { missing.append("upload.private_key") }
        return missing
    }

    /// The refresh margin for credentials living `lifetime`: min(configured margin, 20 % of it).
    public func margin(lifetime: Duration) -> Duration {
        let fifth = lifetime / 5
        return fifth < refreshMargin ? max(fifth, .zero) : refreshMargin
    }
}

/// Where an encrypted key's passphrase comes from.
public enum PassphraseSource: Sendable, Equatable {
    /// A file (mode 0600 advised); a trailing newline is ignored.
    case file(String)
    /// A systemd credential (`LoadCredential=key-passphrase:…`): `$CREDENTIALS_DIRECTORY/<name>`.
    case systemdCredential(directory: String, name: String)

    public var path: String {
        switch self {
        case .file(let p): return p
        case .systemdCredential(let dir, let name): return (dir as NSString).appendingPathComponent(name)
        }
    }

    /// The passphrase bytes without one trailing "\n" or "\r\n".
    public func read() throws(CredentialsError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .passphraseUnavailable(reason: "cannot read \(path)")
        }
        var bytes = [UInt8](data)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        if bytes.isEmpty { throw .passphraseUnavailable(reason: "\(path) is empty") }
        return bytes
    }
}
