import Foundation
import Station

/// The upload part of `sensorstation status`: the backlog comes from the log (read-only); the
/// live state (last success and last error per destination, credentials and their expiry,
/// waiting for clock synchronisation, streaming) can only come from the running service, which
/// answers the control socket's `state` request with it.
extension StatusCommand {
    enum LiveUpload: Equatable {
        case off
        case notRunning(String)
        case live(UploadLiveStatus)
    }

    static func liveUpload(_ c: StationConfiguration) -> LiveUpload {
        guard c.upload.enabled else { return .off }
        do {
            let r = try ControlClient(path: ControlSocket.path(forDatabase: c.storage.path)).send(.state, timeoutMs: 2000)
            if let upload = r.upload { return .live(upload) }
            return .notRunning("the running service has upload off (started before upload.enabled was set?)")
        } catch {
            return .notRunning(error.kind == .notRunning ? "the service is not running" : error.description)
        }
    }

    /// Lines appended to the text output.
    static func uploadText(_ live: LiveUpload) -> String {
        switch live {
        case .off: return ""
        case .notRunning(let why): return "upload     live state unavailable: \(why)\n"
        case .live(let u): return u.lines.map { "upload     " + $0 + "\n" }.joined()
        }
    }

    /// The `"upload"` member of the JSON object (without a leading comma), or nil when off.
    static func uploadJSON(_ live: LiveUpload) -> String? {
        switch live {
        case .off: return nil
        case .notRunning(let why):
            let quoted = String(decoding: (try? JSONEncoder().encode(why)) ?? Data("\"\"".utf8), as: UTF8.self)
            return "\"upload\":{\"running\":false,\"reason\":\(quoted)}"
        case .live(let u):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = (try? encoder.encode(u)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return "\"upload\":{\"running\":true,\"state\":\(body)}"
        }
    }
}
