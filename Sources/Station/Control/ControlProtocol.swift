import Foundation

/// The local control protocol between `sensorstation stream|ack|…` and the running service: one
/// JSON object per line over a Unix socket, one request and one response per connection.
public enum ControlRequest: Equatable, Sendable {
    /// One of the station's commands (the same the button gives).
    case command(StationCommand)
    /// The live state, for `status`.
    case state
    /// `sensorstation shadow sync`: read desired and write reported now.
    case shadowSync
    /// `sensorstation calibrate`: measure the chip at rest, keep a calibration, or drop it.
    case calibration(CalibrationRequest)

    /// The most a request may be; anything longer is refused unread.
    public static let maxLength = 4096

    private struct Wire: Codable {
        var command: String
        var action: String?
        var milliseconds: Int?
        /// A calibration file's text (`calibration save`).
        var file: String?
    }

    public func encoded() -> Data {
        let wire: Wire =
            switch self {
            case .command(.stream(let a)): Wire(command: "stream", action: a.rawValue)
            case .command(.acknowledgeImpact): Wire(command: "ack")
            case .state: Wire(command: "state")
            case .shadowSync: Wire(command: "shadow", action: "sync")
            case .calibration(.show): Wire(command: "calibration", action: "show")
            case .calibration(.measure(let ms)):
                Wire(command: "calibration", action: "measure", milliseconds: ms)
            case .calibration(.save(let file)):
                Wire(command: "calibration", action: "save", file: file.encoded)
            case .calibration(.reset): Wire(command: "calibration", action: "reset")
            }
        var data = (try? JSONEncoder().encode(wire)) ?? Data()
        data.append(0x0A)
        return data
    }

    /// Decodes one request line. Untrusted input (any local user who can reach the socket):
    /// every malformed request is an error with a reason, never a crash.
    public static func decode(_ bytes: some Collection<UInt8>) throws(ControlProtocolError) -> ControlRequest
    {
        guard bytes.count <= maxLength else { throw .init("request longer than \(maxLength) bytes") }
        var data = Data(bytes)
        while let last = data.last, last == 0x0A || last == 0x0D { data.removeLast() }
        guard !data.isEmpty else { throw .init("empty request") }
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: data) } catch {
            throw .init("not a JSON request object with a \"command\" string")
        }
        switch wire.command {
        case "stream":
            guard let a = wire.action else { throw .init("stream needs an action: start, stop or toggle") }
            guard let action = StationCommand.StreamAction(rawValue: a) else {
                throw .init("unknown stream action '\(a.prefix(40))'; expected start, stop or toggle")
            }
            return .command(.stream(action))
        case "ack":
            return .command(.acknowledgeImpact)
        case "state":
            return .state
        case "shadow":
            guard wire.action == "sync" else {
                throw .init("unknown shadow action '\((wire.action ?? "").prefix(40))'; expected sync")
            }
            return .shadowSync
        case "calibration":
            switch wire.action {
            case "show": return .calibration(.show)
            case "reset": return .calibration(.reset)
            case "measure":
                guard let ms = wire.milliseconds, CalibrationRequest.measureRange.contains(ms) else {
                    throw .init(
                        "calibration measure needs milliseconds, \(CalibrationRequest.measureRange.lowerBound)–\(CalibrationRequest.measureRange.upperBound)"
                    )
                }
                return .calibration(.measure(milliseconds: ms))
            case "save":
                guard let text = wire.file else { throw .init("calibration save needs the file's text") }
                do { return .calibration(.save(try CalibrationFile.decode(Array(text.utf8)))) } catch {
                    throw .init("calibration save: \(error)")
                }
            default:
                throw .init(
                    "unknown calibration action '\((wire.action ?? "").prefix(40))'; expected show, measure, save or reset"
                )
            }
        default:
            throw .init(
                "unknown command '\(wire.command.prefix(40))'; expected stream, ack, state, shadow or calibration"
            )
        }
    }
}

public struct ControlResponse: Codable, Equatable, Sendable {
    public var ok: Bool
    public var message: String
    public var streaming: Bool?
    public var impactLatched: Bool?
    public var faults: [String: String]?
    /// The live upload state (answer to `state` when upload is enabled).
    public var upload: UploadLiveStatus?
    /// The Device Shadow's state (answer to `state` when the shadow is on).
    public var shadow: ShadowLiveStatus?
    /// The request number a `shadow sync` was given (its status says when it was answered).
    public var shadowRequest: Int?
    /// What the motion sampler lost (answer to `state` once the sampler runs).
    public var sampling: SamplingDrops?
    /// The answer to a `calibration` request.
    public var calibration: CalibrationReply?

    public init(
        ok: Bool, message: String, streaming: Bool? = nil, impactLatched: Bool? = nil,
        faults: [String: String]? = nil, upload: UploadLiveStatus? = nil, shadow: ShadowLiveStatus? = nil,
        shadowRequest: Int? = nil, sampling: SamplingDrops? = nil, calibration: CalibrationReply? = nil
    ) {
        self.calibration = calibration
        self.sampling = sampling
        self.shadow = shadow
        self.shadowRequest = shadowRequest
        self.ok = ok
        self.message = message
        self.streaming = streaming
        self.impactLatched = impactLatched
        self.faults = faults
        self.upload = upload
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(self)) ?? Data(#"{"ok":false,"message":"encoding failed"}"#.utf8)
        data.append(0x0A)
        return data
    }
}

public struct ControlProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ControlRequest {
    /// What a request does to the station; the response says what happened.
    public func apply(to state: StationState, cause: String) -> ControlResponse {
        switch self {
        case .command(let command):
            let outcome = command.apply(to: state, cause: cause)
            return ControlResponse(
                ok: true, message: outcome.reply, streaming: outcome.streaming,
                impactLatched: command == .acknowledgeImpact ? false : nil)
        case .state:
            let s = state.snapshot
            return ControlResponse(
                ok: true, message: s.indication.topState.rawValue, streaming: s.indication.streaming,
                impactLatched: s.indication.impactLatched, faults: s.faultMessages, upload: s.upload,
                shadow: s.shadow, sampling: s.sampling)
        case .shadowSync:
            guard state.snapshot.shadow != nil else {
                return ControlResponse(
                    ok: false,
                    message: "the shadow is off on this station (shadow.enabled in the configuration)")
            }
            return ControlResponse(
                ok: true, message: "shadow sync requested", shadowRequest: state.requestShadowSync())
        case .calibration:
            // Served by the control server's `CalibrationControl`, which has the configuration.
            return ControlResponse(ok: false, message: "calibration is not available on this station")
        }
    }
}
