import Foundation
import Storage

/// Turns station events into log records: weather readings, per-second motion summaries, and
/// button, streaming, acknowledgement and fault events. Impacts take the durable path instead
/// (`ImpactWriter`), and raw samples come straight from the sampler.
public enum StorageSink {
    public static func record(for event: StationEvent, at time: Date) -> Record? {
        switch event {
        case .weather(let w):
            return .weather(w)
        case .motion(let m):
            return .motion(
                MotionRecord(
                    time: m.time, sampleCount: m.sampleCount, minG: m.minG, maxG: m.maxG,
                    meanG: m.meanG, rmsG: m.rmsG, peakG: m.maxG, meanX: m.meanX, meanY: m.meanY,
                    meanZ: m.meanZ, saturatedCount: m.saturatedCount))
        case .button(let b):
            return .event(
                EventRecord(
                    time: b.time, kind: "button", detail: b.result,
                    payload: ["press": b.press.rawValue, "held_ms": String(b.heldMs)]))
        case .freeFall(let f):
            return .event(
                EventRecord(
                    time: f.time, kind: "free_fall",
                    detail: "\(fmt(f.durationMs, 0)) ms, \(fmt(f.dropM, 2)) m",
                    payload: [
                        "duration_ms": fmt(f.durationMs, 1), "drop_m": fmt(f.dropM, 3),
                        "min_g": fmt(f.minG, 3),
                    ]))
        case .streaming(let on, let cause):
            return .event(
                EventRecord(
                    time: time, kind: "streaming", detail: on ? "on" : "off", payload: ["cause": cause]))
        case .impactAcknowledged(let cause):
            return .event(
                EventRecord(time: time, kind: "ack", detail: "impact acknowledged", payload: ["cause": cause])
            )
        case .fault(let component, let message):
            return .event(
                EventRecord(time: time, kind: "fault", detail: message, payload: ["component": component]))
        case .faultCleared(let component):
            return .event(
                EventRecord(
                    time: time, kind: "fault_cleared", detail: "\(component) recovered",
                    payload: ["component": component]))
        case .alert(let a):
            let (detail, payload): (String, [String: String]) =
                switch a {
                case .queued(_, _, let window): ("queued", ["window_s": String(Int(window.seconds))])
                case .coalesced(_, let impact): ("coalesced", ["impact_id": String(impact)])
                case .cancelled(_, _, let cause): ("cancelled", ["cause": cause])
                case .sent(_, _, let messageID, let late):
                    ("sent", ["message_id": messageID, "late": String(late)])
                }
            var fields = payload
            fields["alert_ids"] = a.alertIDs.map(String.init).joined(separator: ",")
            switch a {
            case .queued(_, let impacts, _), .cancelled(_, let impacts, _), .sent(_, let impacts, _, _):
                fields["impact_ids"] = impacts.map(String.init).joined(separator: ",")
            case .coalesced: break
            }
            return .event(EventRecord(time: time, kind: "alert", detail: detail, payload: fields))
        case .impact, .impactRecorded, .note:
            return nil
        }
    }

    /// Sends every event that has a record to `recorder`.
    public static func attach(_ recorder: Recorder, to state: StationState) {
        state.addSink { time, event in
            if let r = record(for: event, at: time) { recorder.record(r) }
        }
    }
}
