import Foundation
import ServiceLifecycle

/// A `Service` whose work is a blocking loop on a dedicated thread. Graceful shutdown (SIGTERM,
/// SIGINT) and cancellation both stop the loop through its `StopSignal`.
public struct ThreadService: Service {
    public let name: String
    private let body: @Sendable (StopSignal) -> Void

    public init(name: String, body: @escaping @Sendable (StopSignal) -> Void) {
        self.name = name
        self.body = body
    }

    public func run() async throws {
        let signal = StopSignal()
        await withGracefulShutdownHandler {
            await DedicatedThread.run(name: name, signal: signal, body)
        } onGracefulShutdown: {
            signal.stop()
        }
    }
}
