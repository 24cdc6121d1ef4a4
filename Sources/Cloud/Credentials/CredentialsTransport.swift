import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Storage

/// One HTTP exchange with the credentials endpoint. The live one is `MutualTLSTransport`; tests of
/// the retry policy may script answers.
public protocol CredentialsTransport: Sendable {
    func get(url: String, headers: [HTTPField], timeout: Duration) async throws(CredentialsError)
        -> (status: Int, headers: [HTTPField], body: [UInt8])
    func shutdown() async
}

/// HTTPS GET over mutual TLS with AsyncHTTPClient and swift-nio-ssl: the device certificate
/// chain and key as client credentials, the configured CA bundle as the only trust roots, TLS 1.2
/// or newer, SNI = the endpoint host (AsyncHTTPClient sends the URL's host name).
public final class MutualTLSTransport: CredentialsTransport {
    let client: HTTPClient
    let endpoint: String
    static let maximumBody = 64 * 1024

    /// Loads and checks every file now, so a bad path or permission is reported at start.
    public init(configuration c: CredentialsProviderConfiguration) throws(CredentialsError) {
        endpoint = c.endpoint
        try KeyFileSecurity.check(privateKeyPath: c.privateKeyPath)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(c.certificatePath)
        } catch {
            if !FileManager.default.isReadableFile(atPath: c.certificatePath) {
                throw .fileUnreadable(path: c.certificatePath, reason: "no such file or not readable")
            }
            throw .invalidCertificate(path: c.certificatePath, reason: String(describing: error))
        }
        guard !chain.isEmpty else {
            throw .invalidCertificate(path: c.certificatePath, reason: "no certificate in it")
        }
        // Always go through the callback: without one, an encrypted key would make BoringSSL
        // prompt on the terminal. No passphrase configured → an empty one, which fails clearly.
        let passphrase: [UInt8] = try c.passphrase?.read() ?? []
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: c.privateKeyPath, format: .pem) {
                (setter: NIOSSLPassphraseSetter<[UInt8]>) in
                setter(passphrase)
            }
        } catch {
            let reason =
                c.passphrase == nil
                ? "\(error) (if the key is encrypted, set upload.passphrase_file or the key-passphrase systemd credential)"
                : String(describing: error)
            throw .invalidPrivateKey(path: c.privateKeyPath, reason: reason)
        }
        let roots: [NIOSSLCertificate]
        do {
            roots = try NIOSSLCertificate.fromPEMFile(c.caBundlePath)
        } catch {
            throw .invalidCABundle(
                path: c.caBundlePath,
                reason: FileManager.default.isReadableFile(atPath: c.caBundlePath)
                    ? String(describing: error) : "no such file or not readable")
        }
        guard !roots.isEmpty else {
            throw .invalidCABundle(path: c.caBundlePath, reason: "no certificate in it")
        }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = chain.map { .certificate($0) }
        tls.privateKey = .privateKey(key)
        tls.trustRoots = .certificates(roots)
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        // BoringSSL checks that the key belongs to the leaf certificate only here; say so now, not at the first request.
        do { _ = try NIOSSLContext(configuration: tls) } catch NIOSSLError.failedToLoadPrivateKey {
            throw .keyDoesNotMatchCertificate(keyPath: c.privateKeyPath, certificatePath: c.certificatePath)
        } catch { throw .invalidPrivateKey(path: c.privateKeyPath, reason: "\(error)") }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(20))
        configuration.redirectConfiguration = .disallow
        // A fresh connection per fetch (one every ~50 minutes): no idle connection to go stale.
        configuration.connectionPool = .init(idleTimeout: .seconds(1))
        // Fail a TLS or connect error at once: the provider has its own backoff, and AHC's
        // default would silently retry until the connect timeout, hiding the reason for 10 s.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func get(url: String, headers: [HTTPField], timeout: Duration) async throws(CredentialsError)
        -> (status: Int, headers: [HTTPField], body: [UInt8])
    {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        for h in headers { request.headers.add(name: h.name, value: h.value) }
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            var body = try await response.body.collect(upTo: Self.maximumBody)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            return (Int(response.status.code), response.headers.map { HTTPField($0.name, $0.value) }, bytes)
        } catch {
            if let e = error as? HTTPClientError,
                [.deadlineExceeded, .readTimeout, .connectTimeout].contains(e)
            {
                throw .network(
                    endpoint: endpoint,
                    reason: "no answer within \(Int(timeout.seconds.rounded())) s (timed out)")
            }
            throw Self.classify(error, endpoint: endpoint)
        }
    }

    /// A TLS alert about our certificate is a rejection of the certificate (an endpoint that
    /// checks client certificates during the handshake); anything else is a network error.
    static func classify(_ error: any Error, endpoint: String) -> CredentialsError {
        let text = String(describing: error)
        let upper = text.uppercased()
        for alert in [
            "ALERT_UNKNOWN_CA", "CERTIFICATE_EXPIRED", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN",
            "CERTIFICATE_REQUIRED", "CERTIFICATE_REVOKED", "ACCESS_DENIED",
        ] where upper.contains(alert) {
            return .certificateRejected(
                endpoint: endpoint, message: "TLS alert \(alert) during the handshake")
        }
        if upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("UNABLE TO GET LOCAL ISSUER")
            || upper.contains("UNTRUSTED")
        {
            return .network(
                endpoint: endpoint,
                reason: "the server's certificate is not trusted by the CA bundle (CERTIFICATE_VERIFY_FAILED)"
            )
        }
        return .network(endpoint: endpoint, reason: NetworkFailure.describe(error))
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
