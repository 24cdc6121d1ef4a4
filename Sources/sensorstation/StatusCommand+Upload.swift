import Foundation
import Station

/// The live part of `sensorstation status`. The log (read-only) gives rows and the upload backlog;
/// what the station is doing now (streaming, an impact latched, faults) and the live upload state
/// (last success and last error per destination, credentials and their expiry, waiting for clock
/// synchronisation) can only come from the running service, which answers the control socket's
/// `state` request with it. Asked whenever the command runs; when no service answers, the output
/// says so.
extension StatusCommand {
    enum Live: Equatable {
        case notRunning(String)
        /// The socket could not be asked (permission, a timeout): whether the service runs is unknown.
        case unavailable(String)
        case running(ControlResponse)
    }

    /// Why a running service has no upload state.
    static let uploadOff = "the running service has upload off (started before upload.enabled was set?)"

    static func live(databasePath: String) -> Live {
        do {
            return .running(
                try ControlClient(path: ControlSocket.path(forDatabase: databasePath)).send(
                    .state, timeoutMs: 2000))
        } catch {
            return error.kind == .notRunning
                ? .notRunning("the service is not running") : .unavailable(error.description)
        }
    }

    /// The `service` line of the text output.
    static func serviceText(_ live: Live) -> String {
        switch live {
        case .notRunning(let why): return "service    not running: \(why)\n"
        case .unavailable(let why): return "service    live state unavailable: \(why)\n"
        case .running(let r):
            var parts = ["streaming \(r.streaming == true ? "on" : "off")"]
            if r.impactLatched == true { parts.append("impact latched (long press or `sensorstation ack`)") }
            let faults = (r.faults ?? [:]).sorted { $0.key < $1.key }
            parts.append(
                faults.isEmpty
                    ? "no faults"
                    : "faults: " + faults.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
            var text = "service    running: " + parts.joined(separator: ", ") + "\n"
            // What the motion sampler lost since the service started ("none" is measured).
            if let drops = r.sampling { text += "sampling   samples lost: \(drops.text)\n" }
            return text
        }
    }

    /// Lines appended to the text output for the upload (none when it is off).
    static func uploadText(_ live: Live, enabled: Bool) -> String {
        guard enabled else { return "" }
        switch live {
        case .notRunning(let why), .unavailable(let why): return "upload     live state unavailable: \(why)\n"
        case .running(let r):
            guard let u = r.upload else {
                return "upload     live state unavailable: \(uploadOff)\n"
            }
            return u.lines.map { "upload     " + $0 + "\n" }.joined()
        }
    }

    /// The shadow's lines (when the shadow is on): the last sync, what became of desired, the
    /// settings it sets over the file, the last error.
    static func shadowText(_ live: Live, enabled: Bool) -> String {
        guard enabled else { return "" }
        switch live {
        case .notRunning(let why), .unavailable(let why): return "shadow     live state unavailable: \(why)\n"
        case .running(let r):
            guard let s = r.shadow else { return "shadow     not running (see the faults)\n" }
            return s.lines.map { $0 + "\n" }.joined()
        }
    }

    /// The `"service"` and (when upload is enabled) `"upload"` members of the JSON object,
    /// without a leading comma.
    static func liveJSON(_ live: Live, uploadEnabled: Bool) -> String {
        func quoted(_ s: String) -> String {
            String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        switch live {
        case .notRunning(let why):
            let member = "{\"running\":false,\"reason\":\(quoted(why))}"
            return "\"service\":\(member)" + (uploadEnabled ? ",\"upload\":\(member)" : "")
        case .unavailable(let why):  // no "running": it is not known
            let member = "{\"reason\":\(quoted(why))}"
            return "\"service\":\(member)" + (uploadEnabled ? ",\"upload\":\(member)" : "")
        case .running(let r):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let faults =
                (try? encoder.encode(r.faults ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            var text =
                "\"service\":{\"running\":true,\"state\":\(quoted(r.message)),\"streaming\":\(r.streaming == true)"
                + ",\"impact_latched\":\(r.impactLatched == true),\"faults\":\(faults)"
            if let drops = r.sampling, let body = try? encoder.encode(drops) {
                text += ",\"sampling\":" + String(decoding: body, as: UTF8.self)
            }
            text += "}"
            if let shadow = r.shadow, let body = try? encoder.encode(shadow) {
                text += ",\"shadow\":" + String(decoding: body, as: UTF8.self)
            }
            guard uploadEnabled else { return text }
            if let u = r.upload {
                let body = (try? encoder.encode(u)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                text += ",\"upload\":{\"running\":true,\"state\":\(body)}"
            } else {
                text += ",\"upload\":{\"running\":true,\"reason\":\(quoted(uploadOff))}"
            }
            return text
        }
    }
}
