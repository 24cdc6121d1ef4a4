import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Cloud

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket bound to an ephemeral loopback port (listening if asked), and that port.
private func loopbackSocket(listening: Bool) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
            bind(fd, p, len) == 0 && (!listening || listen(fd, 8) == 0) && getsockname(fd, p, &len) == 0
        }
    }
    guard fd >= 0, ok else {
        if fd >= 0 { close(fd) }
        throw POSIXError(.EADDRNOTAVAIL)
    }
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
}

/// A loopback TCP listener that reads each request's first bytes and then closes the connection
/// without answering: what a server that dies mid-request, or a proxy that drops the link, looks
/// like to the client.
private final class HangUpServer: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let (listener, port) = try loopbackSocket(listening: true)
        fd = listener
        self.port = port
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                _ = read(c, &buffer, buffer.count)
                close(c)
            }
        }
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// A loopback port nobody listens on: bound, then closed, so connecting is refused.
/// A loopback port that refuses connections: bound but not listening, and held until `body`
/// returns, so that no server started meanwhile by another test can take it (a port closed
/// first was once picked up under load, and the "refused" request waited instead).
private func withRefusedPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let (fd, port) = try loopbackSocket(listening: false)
    defer { close(fd) }
    return try await body(port)
}

@Suite("Network failures are described in words (the log's and status's upload reason)")
struct NetworkFailureTests {
    /// What AsyncHTTPClient really throws for `url`, described.
    private func failure(_ url: String, retryConnect: Bool = true) async throws -> (String, String) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = retryConnect
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { _ = client.shutdown() }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: "{\"Records\":[]}"))
        do {
            _ = try await client.execute(request, timeout: .seconds(5))
            Issue.record("a request to \(url) succeeded")
            return ("", "")
        } catch {
            return (String(describing: error), NetworkFailure.describe(error, timeout: .seconds(5)))
        }
    }

    @Test("a server that hangs up mid-request: the connection closed, not 'I/O on closed channel'")
    func hangUp() async throws {
        let server = try HangUpServer()
        defer { server.stop() }
        let (raw, text) = try await failure("http://127.0.0.1:\(server.port)/")
        #expect(
            text == "the server closed the connection before answering"
                || text
                    == "the connection closed while the request was under way (the server went away or the link dropped)",
            "raw: \(raw)")
        #expect(!text.contains("HTTPClientError") && !text.contains("I/O on closed channel"))
    }

    @Test("nothing listening, no connect retries: the errno's own words")
    func refused() async throws {
        let (raw, text) = try await withRefusedPort { port in
            try await failure("http://127.0.0.1:\(port)/", retryConnect: false)
        }
        #expect(text == "Connection refused (errno \(ECONNREFUSED))", "raw: \(raw)")
    }

    @Test(
        "the service clients' shared HTTP client: a refused connection is an error at once, not a retry until the deadline"
    )
    func serviceClientFailsFast() async throws {
        try await withRefusedPort { port in
            // Through the client every S3, DynamoDB, Kinesis and SNS request uses. With connect
            // retries (AsyncHTTPClient's `.shared`, used before) the same error came only at the
            // request's deadline, 180 s here. Not a speed figure: which of the two ends the request
            // (a loaded two-core run once took 30 s to get the refusal through).
            let client = AWSClient(
                endpoint: "http://127.0.0.1:\(port)", region: "us-east-1", service: "kinesis",
                credentials: StaticCredentials(
                    AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: nil)),
                timeout: .seconds(180))
            let start = ContinuousClock.now
            defer {
                #expect(ContinuousClock.now - start < .seconds(120), "the request waited for its deadline")
            }
            do throws(AWSRequestError) {
                _ = try await client.send(
                    method: "POST", path: "/", headers: [], body: [], options: .standard)
                Issue.record("a request to a closed port succeeded")
            } catch {
                #expect(
                    error
                        == .network(
                            service: "kinesis", endpoint: "http://127.0.0.1:\(port)",
                            reason: "Connection refused (errno \(ECONNREFUSED))"))
            }
        }
    }

    @Test(
        "each NIO and AsyncHTTPClient transport error has its sentence; anything else keeps its own description"
    )
    func mapping() {
        #expect(
            NetworkFailure.describe(ChannelError.ioOnClosedChannel)
                == "the connection closed while the request was under way (the server went away or the link dropped)"
        )
        #expect(
            NetworkFailure.describe(HTTPClientError.deadlineExceeded, timeout: .seconds(30))
                == "no answer within 30 s (timed out)")
        #expect(NetworkFailure.describe(HTTPClientError.readTimeout) == "no answer (timed out)")
        #expect(
            NetworkFailure.describe(HTTPClientError.connectTimeout, timeout: .seconds(10))
                == "could not connect within 10 s (connect timed out; the host is down, unreachable or refusing)"
        )
        #expect(
            NetworkFailure.describe(HTTPClientError.remoteConnectionClosed)
                == "the server closed the connection before answering")
        #expect(
            NetworkFailure.describe(IOError(errnoCode: EHOSTUNREACH, reason: "connect"))
                == "No route to host (errno \(EHOSTUNREACH))")
        #expect(NetworkFailure.describe(POSIXError(.EPIPE)) == String(describing: POSIXError(.EPIPE)))
    }
}
