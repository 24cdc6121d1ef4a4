import Foundation
import TestSupport
import Testing

@testable import Cloud

/// One moto stack and one mutual-TLS credentials endpoint, shared by the live tests of this
/// process (starting moto takes seconds). Both exit with the test process.
enum LiveStack {
    static let shared:
        Result<(moto: MotoStack, endpoint: CredentialsEndpointServer), TestServers.SetupError> = {
            do {
                let moto = try MotoStack()
                let endpoint = try CredentialsEndpointServer(moto: moto, revokedCN: ["RevokedThing"])
                return .success((moto, endpoint))
            } catch let e as TestServers.SetupError {
                return .failure(e)
            } catch {
                return .failure(TestServers.SetupError(description: "\(error)"))
            }
        }()

    static func get() throws -> (moto: MotoStack, endpoint: CredentialsEndpointServer) { try shared.get() }

    /// A provider configuration for the shared endpoint, reached as `localhost` (SNI and the
    /// server certificate's DNS name).
    static func configuration(
        certificate: String = "good.pem", key: String = "good.key",
        passphrase: PassphraseSource? = nil, thing: String = "TestThing",
        alias: String = "sensorstation", ca: String = "ca.pem"
    ) throws -> CredentialsProviderConfiguration {
        let (_, endpoint) = try get()
        return CredentialsProviderConfiguration(
            endpoint: "localhost:\(endpoint.port)", roleAlias: alias, thingName: thing,
            certificatePath: try TestServers.pkiFile(certificate),
            privateKeyPath: try TestServers.pkiFile(key),
            passphrase: passphrase, caBundlePath: try TestServers.pkiFile(ca), maxAttempts: 3,
            backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(50)))
    }
}

/// The real environment except the clock check (a CI container may not report NTP state).
let liveEnvironment = CredentialsEnvironment(
    now: { Date() }, sleep: { try await Task.sleep(for: $0) },
    random: { Double.random(in: 0..<1) }, clockState: { .marker("/run/test/synchronized") })

func withProvider<T>(
    _ configuration: CredentialsProviderConfiguration,
    _ body: (CredentialsProvider) async throws -> T
) async throws -> T {
    let provider = try CredentialsProvider(configuration: configuration, environment: liveEnvironment)
    do {
        let result = try await body(provider)
        await provider.shutdown()
        return result
    } catch {
        await provider.shutdown()
        throw error
    }
}

@Suite("Credentials over mutual TLS against a local endpoint minting from moto STS", .serialized)
struct CredentialsLiveTests {
    @Test("the good certificate gets real temporary credentials that moto STS accepts")
    func goodCertificate() async throws {
        let requested = Date()
        let fetch = try await withProvider(try LiveStack.configuration()) { try await $0.fetch() }
        #expect(fetch.credentials.accessKeyId.hasPrefix("ASIA"))
        #expect(fetch.credentials.sessionToken?.isEmpty == false)
        let exp = try #require(fetch.credentials.expiration)
        // The bounds come from this request's own times, so a slow machine widens them instead of
        // failing: moto minted (AssumeRole, DurationSeconds=900) between the request and the
        // answer, and writes whole seconds.
        let elapsed = fetch.localDate.timeIntervalSince(requested)
        let lifetime = exp.timeIntervalSince(requested)
        #expect(
            lifetime >= 900 - 1 && lifetime <= 900 + elapsed + 0.001,
            "lifetime \(lifetime) s, request \(elapsed) s")
        // The server's Date (whole seconds, truncated) was taken between the request and the
        // answer on the same machine: local minus server is in [0, elapsed + 1 s].
        let skew = try #require(fetch.skew).seconds
        #expect(skew >= -0.001 && skew <= elapsed + 1.001, "skew \(skew) s, request \(elapsed) s")
        // The credentials are real: STS GetCallerIdentity signed with them names the role session.
        let (moto, _) = try LiveStack.get()
        let identity = try await STSProbe.callerIdentity(
            endpoint: moto.endpoint, credentials: fetch.credentials)
        #expect(identity.contains("assumed-role/sensorstation-device/TestThing"))
    }

    @Test(
        "encrypted keys load with the passphrase from a file",
        arguments: ["good-pkcs8-enc.key", "good-trad-enc.key"])
    func encryptedKey(key: String) async throws {
        let config = try LiveStack.configuration(
            key: key, passphrase: .file(try TestServers.pkiFile("passphrase.txt")))
        let fetch = try await withProvider(config) { try await $0.fetch() }
        #expect(fetch.credentials.accessKeyId.hasPrefix("ASIA"))
    }

    @Test("the passphrase can come from a systemd credential directory")
    func systemdCredential() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: try TestServers.pkiFile("passphrase.txt"),
            toPath: dir.appendingPathComponent("key-passphrase").path)
        let config = try LiveStack.configuration(
            key: "good-pkcs8-enc.key",
            passphrase: .systemdCredential(directory: dir.path, name: "key-passphrase"))
        let fetch = try await withProvider(config) { try await $0.fetch() }
        #expect(fetch.credentials.accessKeyId.hasPrefix("ASIA"))
    }

    @Test("a wrong or missing passphrase is a clear key error")
    func wrongPassphrase() throws {
        let wrong = FileManager.default.temporaryDirectory.appendingPathComponent("wrong-\(UUID())")
        try Data("not the passphrase\n".utf8).write(to: wrong)
        for passphrase in [PassphraseSource.file(wrong.path), nil] {
            let config = try LiveStack.configuration(key: "good-pkcs8-enc.key", passphrase: passphrase)
            #expect {
                _ = try CredentialsProvider(configuration: config, environment: liveEnvironment)
            } throws: { e in
                guard case .invalidPrivateKey(let path, _) = e as? CredentialsError else { return false }
                return path.hasSuffix("good-pkcs8-enc.key")
            }
        }
    }

    @Test("a key readable by others is refused, naming the file and chmod 600")
    func openKey() throws {
        let config = try LiveStack.configuration(key: "open.key")
        #expect {
            _ = try CredentialsProvider(configuration: config, environment: liveEnvironment)
        } throws: { e in
            guard let e = e as? CredentialsError, case .keyFileTooOpen(let path, let mode) = e else {
                return false
            }
            return path.hasSuffix("open.key") && mode & 0o777 == 0o644
                && e.description.contains("chmod 600 \(path)")
        }
    }

    @Test(
        "refused certificates and documented 4xx map to precise errors",
        arguments: [
            ("rogue.pem", "rogue.key", "TestThing", "sensorstation", "certificateRejected"),
            ("expired.pem", "expired.key", "TestThing", "sensorstation", "certificateRejected"),
            ("other.pem", "other.key", "TestThing", "sensorstation", "invalidThingName"),
            ("good.pem", "good.key", "SomeoneElse", "sensorstation", "invalidThingName"),
            ("good.pem", "good.key", "TestThing", "no-such-alias", "roleAliasNotFound"),
        ])
    func refusals(cert: String, key: String, thing: String, alias: String, expected: String) async throws {
        let config = try LiveStack.configuration(certificate: cert, key: key, thing: thing, alias: alias)
        let result: Result<CredentialsFetch, CredentialsError> = await {
            do {
                let provider = try CredentialsProvider(configuration: config, environment: liveEnvironment)
                defer { Task { await provider.shutdown() } }
                return .success(try await provider.fetch())
            } catch let e as CredentialsError { return .failure(e) } catch {
                return .failure(.network(endpoint: "", reason: "\(error)"))
            }
        }()
        guard case .failure(let error) = result else {
            Issue.record("\(cert) for \(thing) got credentials"); return
        }
        #expect(caseName(error) == expected, "\(error)")
        #expect(!error.isTransient)
    }

    @Test("a CA bundle that does not hold the server's CA fails as untrusted, not as a rejection")
    func wrongCABundle() async throws {
        let config = try LiveStack.configuration(ca: "rogue-ca.pem")
        let provider = try CredentialsProvider(configuration: config, environment: liveEnvironment)
        await #expect(throws: CredentialsError.self) { try await provider.fetch() }
        let status = await provider.status
        await provider.shutdown()
        guard case .network(_, let reason)? = status.lastError else {
            Issue.record("\(String(describing: status.lastError))"); return
        }
        #expect(!reason.isEmpty)
    }

    @Test("503 twice then 200: retried transparently; each documented 400 is reported as itself")
    func injectedFailures() async throws {
        // Its own endpoint: the injected answers cannot be taken by the suites running in parallel.
        let (moto, _) = try LiveStack.get()
        let endpoint = try CredentialsEndpointServer(moto: moto)
        defer { endpoint.server.stop() }
        var config = try LiveStack.configuration()
        config.endpoint = "localhost:\(endpoint.port)"
        try endpoint.queueFailure(status: 503, message: "Service Unavailable", count: 2)
        let fetch = try await withProvider(config) { p in
            let f = try await p.fetch()
            #expect(await p.status.failures == 2)
            return f
        }
        #expect(fetch.credentials.accessKeyId.hasPrefix("ASIA"))
        try endpoint.queueFailure(
            status: 400,
            message:
                "The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role")
        let provider = try CredentialsProvider(configuration: config, environment: liveEnvironment)
        await #expect(
            throws: CredentialsError.durationExceedsMaxSession(
                endpoint: config.endpoint, roleAlias: "sensorstation",
                message:
                    "The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role")
        ) {
            try await provider.fetch()
        }
        await provider.shutdown()
    }

    @Test(
        "the endpoint is faithful: awscrt's independent X.509 provider gets credentials from it on 127.0.0.1:443"
    )
    func awscrtAgrees() throws {
        let (moto, _) = try LiveStack.get()
        // awscrt always connects to port 443; root may bind it (the tests run as root here).
        guard getuid() == 0 else {
            Issue.record(
                "awscrt check needs port 443: run the tests as root (uid \(getuid()) cannot bind it)");
            return
        }
        let on443: CredentialsEndpointServer
        do {
            on443 = try CredentialsEndpointServer(moto: moto, port: 443)
        } catch {
            Issue.record(
                "awscrt check skipped: 127.0.0.1:443 cannot be bound (in use by another process?): \(error)")
            return
        }
        defer { on443.server.stop() }
        let script = """
            import awscrt.auth, awscrt.io, json, sys
            opts = awscrt.io.TlsContextOptions.create_client_with_mtls_from_path(sys.argv[1], sys.argv[2])
            opts.override_default_trust_store_from_path(None, sys.argv[3])
            p = awscrt.auth.AwsCredentialsProvider.new_x509(endpoint='localhost', thing_name=sys.argv[4],
                role_alias='sensorstation', tls_ctx=awscrt.io.ClientTlsContext(opts))
            try:
                c = p.get_credentials().result(120)
                print(json.dumps({'ok': True, 'akid': c.access_key_id, 'token': len(c.session_token or '')}))
            except Exception as e:
                print(json.dumps({'ok': False, 'error': str(e)}))
            """
        func check(_ cert: String, _ key: String, _ thing: String) throws -> [String: Any] {
            let r = try TestServers.run(
                TestServers.python,
                [
                    "-c", script, try TestServers.pkiFile(cert),
                    try TestServers.pkiFile(key), try TestServers.pkiFile("ca.pem"), thing,
                ])
            return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [
                "stderr": r.stderr
            ]
        }
        let good = try check("good.pem", "good.key", "TestThing")
        #expect(good["ok"] as? Bool == true, "\(good)")
        #expect((good["akid"] as? String)?.hasPrefix("ASIA") == true)
        #expect((good["token"] as? Int ?? 0) > 0)
        let other = try check("other.pem", "other.key", "TestThing")
        #expect(other["ok"] as? Bool == false, "\(other)")
    }
}
