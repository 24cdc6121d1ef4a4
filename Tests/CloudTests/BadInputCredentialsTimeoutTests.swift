import Foundation
import TestSupport
import Testing

@testable import Cloud

/// The "timeout" row of docs/bad-inputs.md: the credentials endpoint accepts the connection and
/// the TLS handshake, then never answers. `credentials check` waits 20 s per attempt (3 attempts),
/// so this row runs the provider itself with a 1 s request timeout against its own endpoint (the
/// hang is queued on that endpoint's control port; no other suite shares it). Checked: the exact
/// message, that it is transient (retried with backoff), that every attempt reached the endpoint,
/// and that no credentials were minted or cached.
@Suite("Bad-input catalogue (credentials endpoint timeout)", .serialized, .timeLimit(.minutes(2)))
struct BadInputCredentialsTimeoutTests {
    @Test(
        "the endpoint never answers: a transient network error naming the endpoint, after each attempt timed out"
    )
    func timeout() async throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sensorstation-badinput-keys-\(UUID()).json")
        try Data(#"{"accessKeyId":"AKIDEXAMPLE","secretAccessKey":"unused"}"#.utf8).write(to: keys)
        // No moto: a hang is answered before STS would be asked.
        let server = try ServerProcess(
            script: "credentials_endpoint.py",
            arguments: [
                "--cert", try TestServers.pkiFile("server.pem"), "--key",
                try TestServers.pkiFile("server.key"),
                "--ca", try TestServers.pkiFile("ca.pem"), "--moto", "http://127.0.0.1:9", "--user-keys",
                keys.path,
                "--role-arn", "arn:aws:iam::123456789012:role/sensorstation-device",
            ])
        defer { server.stop() }
        let control = server.int("control_port")
        // The hang (30 s) is far longer than the 1 s timeout, so a starved event loop on a loaded
        // machine (CI saw the server's close after a 5 s hang arrive before the timeout) still
        // times out first; the server process is stopped when the test ends.
        _ = try Control.request(
            port: control, method: "POST", path: "/fail", json: ["action": "hang", "seconds": 30, "count": 2])

        let endpoint = "localhost:\(server.int("port"))"
        let configuration = CredentialsProviderConfiguration(
            endpoint: endpoint, roleAlias: "sensorstation", thingName: "TestThing",
            certificatePath: try TestServers.pkiFile("good.pem"),
            privateKeyPath: try TestServers.pkiFile("good.key"),
            caBundlePath: try TestServers.pkiFile("ca.pem"), maxAttempts: 2,
            backoff: Backoff(base: .milliseconds(10), cap: .milliseconds(20)), requestTimeout: .seconds(1))
        let provider = try CredentialsProvider(configuration: configuration, environment: liveEnvironment)
        let result: Result<CredentialsFetch, CredentialsError>
        do { result = .success(try await provider.fetch()) } catch { result = .failure(error) }
        let status = await provider.status
        await provider.shutdown()

        guard case .failure(let error) = result else {
            Issue.record("a hanging endpoint gave credentials"); return
        }
        #expect(error == .network(endpoint: endpoint, reason: "no answer within 1 s (timed out)"), "\(error)")
        #expect(
            error.description
                == "cannot reach \(endpoint): no answer within 1 s (timed out); retrying with backoff")
        #expect(error.isTransient)
        // State: both attempts reached the endpoint, nothing was minted, nothing is cached.
        let stats = try Control.request(port: control, method: "GET", path: "/stats")
        #expect(stats["requests"] as? Int == 2)
        #expect(stats["issued"] as? Int == 0)
        #expect(status.state == .failing && status.failures == 2 && status.accessKeyIdPrefix == nil)
        #expect(await provider.nextRefresh == nil)
    }
}
