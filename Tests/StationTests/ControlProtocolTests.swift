import Foundation
import Testing

@testable import Station

@Suite("Control protocol", .timeLimit(.minutes(1)))
struct ControlProtocolTests {
    @Test(arguments: [
        (#"{"command":"stream","action":"start"}"#, ControlRequest.stream(.start)),
        (#"{"command":"stream","action":"stop"}\#n"#, .stream(.stop)),
        (#"{"action":"toggle","command":"stream"}\#r\#n"#, .stream(.toggle)),
        (#"{"command":"ack"}"#, .acknowledge),
        (#"{"command":"state"}"#, .state),
    ])
    func decodesRequests(_ line: String, _ expected: ControlRequest) throws {
        #expect(try ControlRequest.decode(Array(line.utf8)) == expected)
    }

    @Test(arguments: [
        ("", "empty request"),
        ("\n", "empty request"),
        ("stream start", "not a JSON request object with a \"command\" string"),
        (#"{"command":42}"#, "not a JSON request object with a \"command\" string"),
        (#"[1,2]"#, "not a JSON request object with a \"command\" string"),
        (#"{"command":"stream"}"#, "stream needs an action: start, stop or toggle"),
        (#"{"command":"stream","action":"pause"}"#, "unknown stream action 'pause'; expected start, stop or toggle"),
        (#"{"command":"reboot"}"#, "unknown command 'reboot'; expected stream, ack or state"),
        (String(repeating: " ", count: 5000), "request longer than 4096 bytes"),
    ])
    func rejectsBadRequests(_ line: String, _ message: String) {
        #expect(throws: ControlProtocolError(message)) { try ControlRequest.decode(Array(line.utf8)) }
    }

    @Test func requestsRoundTrip() throws {
        for r in [ControlRequest.stream(.start), .stream(.stop), .stream(.toggle), .acknowledge, .state] {
            #expect(try ControlRequest.decode(Array(r.encoded())) == r)
        }
    }

    @Test func applyingRequestsChangesTheState() {
        let state = StationState()
        #expect(ControlRequest.stream(.start).apply(to: state, cause: "t").message == "streaming started")
        #expect(ControlRequest.stream(.start).apply(to: state, cause: "t").message == "streaming was already on")
        #expect(state.indication.streaming)
        #expect(ControlRequest.stream(.toggle).apply(to: state, cause: "t").streaming == false)
        #expect(ControlRequest.acknowledge.apply(to: state, cause: "t").message == "no impact to acknowledge")
        state.record(.impact(ImpactNotice(time: Date(), peakG: 6, severe: false, saturated: false)))
        #expect(state.indication.impactLatched)
        #expect(ControlRequest.acknowledge.apply(to: state, cause: "t").message == "impact acknowledged")
        #expect(!state.indication.impactLatched)
    }

    @Test func serverAndClientTalkOverARealSocket() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("control.sock").path
        let state = StationState()
        let server = try ControlServer(path: path, state: state, logger: .init(label: "test"))
        // A thread of its own: the test must not depend on the cooperative pool being free.
        let signal = StopSignal()
        let thread = Thread { server.serve(until: signal) }
        thread.start()
        defer { signal.stop() }
        // The socket is listening from init on; the request waits in the backlog if need be.
        let response = try ControlClient(path: path).send(.stream(.start))
        #expect(response == ControlResponse(ok: true, message: "streaming started", streaming: true))
        #expect(state.indication.streaming)
        // A second station on the same live socket must refuse to start.
        #expect(throws: ControlSocketError.self) { _ = try ControlServer(path: path, state: state, logger: .init(label: "t")) }
    }

    @Test func aMissingSocketMeansNotRunning() {
        do {
            _ = try ControlClient(path: "/nonexistent/control.sock").send(.state)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notRunning)
            #expect(error.description.contains("not running"))
        }
    }
}
