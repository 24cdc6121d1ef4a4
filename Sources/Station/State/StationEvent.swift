import Detection
import Foundation
import Storage

/// Something the station noticed or did: logged and shown on the console; StorageSink records all
/// but notes in the database (an impact through the detector's own record), from where the upload
/// sends them.
public enum StationEvent: Sendable, Equatable {
    /// A weather reading, as the log stores it.
    case weather(WeatherRecord)
    case motion(MotionSummary)
    /// An impact triggered: the LED latches now, before its waveform is complete.
    case impact(ImpactNotice)
    /// The impact's record is committed durably (the database id when there is a database).
    case impactRecorded(ImpactSummary)
    /// A free fall ended (|a| back above the free-fall threshold after at least the minimum time).
    case freeFall(FreeFallRecord)
    case button(ButtonRecord)
    case streaming(on: Bool, cause: String)
    case impactAcknowledged(cause: String)
    case fault(component: String, message: String)
    case faultCleared(component: String)
    /// An impact alert changed state (docs/alerts.md).
    case alert(AlertEvent)
    case note(String)
}

/// A free fall, as the log stores it (an event row of kind `free_fall`).
public struct FreeFallRecord: Sendable, Equatable {
    /// When it began.
    public var time: Date
    public var durationMs: Double
    /// The lowest |a| during it, g.
    public var minG: Double

    public init(time: Date, durationMs: Double, minG: Double) {
        self.time = time
        self.durationMs = durationMs
        self.minG = minG
    }

    /// The height fallen from rest, m (g·t²/2).
    public var dropM: Double { FreeFall.dropHeight(seconds: durationMs / 1000) }
}

/// What happened to an impact alert.
public enum AlertEvent: Sendable, Equatable {
    /// An alert waits for its cancel window (zero: it goes at once).
    case queued(alertID: Int64, impactIDs: [Int64], window: Duration)
    /// An impact joined an alert that has not gone yet.
    case coalesced(alertID: Int64, impactID: Int64)
    /// Someone said "I'm fine" within the window.
    case cancelled(alertID: Int64, impactIDs: [Int64], cause: String)
    /// SNS accepted the alerts (several: a summary).
    case sent(alertIDs: [Int64], impactIDs: [Int64], messageID: String, late: Bool)

    /// The alerts it concerns.
    public var alertIDs: [Int64] {
        switch self {
        case .queued(let id, _, _), .coalesced(let id, _), .cancelled(let id, _, _): [id]
        case .sent(let ids, _, _, _): ids
        }
    }
}

/// One second of acceleration, summarised (gravity included in the magnitudes).
public struct MotionSummary: Sendable, Equatable {
    public var time: Date
    public var sampleCount: Int
    public var minG: Double
    public var maxG: Double
    public var meanG: Double
    public var rmsG: Double
    public var meanX: Double
    public var meanY: Double
    public var meanZ: Double
    public var saturatedCount: Int
    /// The second's last sample, per axis in g (the console's live line). (What the sampler lost
    /// is counted apart, in `StationState.Snapshot.sampling`.)
    public var lastX: Double
    public var lastY: Double
    public var lastZ: Double

    public init(
        time: Date, sampleCount: Int, minG: Double, maxG: Double, meanG: Double, rmsG: Double,
        meanX: Double, meanY: Double, meanZ: Double, saturatedCount: Int,
        lastX: Double, lastY: Double, lastZ: Double
    ) {
        self.time = time
        self.sampleCount = sampleCount
        self.minG = minG
        self.maxG = maxG
        self.meanG = meanG
        self.rmsG = rmsG
        self.meanX = meanX
        self.meanY = meanY
        self.meanZ = meanZ
        self.saturatedCount = saturatedCount
        self.lastX = lastX
        self.lastY = lastY
        self.lastZ = lastZ
    }
}

public struct ImpactNotice: Sendable, Equatable {
    public var time: Date
    public var peakG: Double
    public var severe: Bool
    public var saturated: Bool

    public init(time: Date, peakG: Double, severe: Bool, saturated: Bool) {
        self.time = time
        self.peakG = peakG
        self.severe = severe
        self.saturated = saturated
    }
}

public struct ButtonRecord: Sendable, Equatable {
    public var time: Date
    public var press: PressClassifier.Press
    public var heldMs: Int
    /// What the press did: "streaming on", "streaming off", "impact acknowledged", "nothing to acknowledge".
    public var result: String

    public init(time: Date, press: PressClassifier.Press, heldMs: Int, result: String) {
        self.time = time
        self.press = press
        self.heldMs = heldMs
        self.result = result
    }
}

extension StationEvent {
    /// One plain line for logs and non-terminal output.
    public var logLine: String {
        switch self {
        case .weather(let w):
            var s = "weather \(w.sensor): \(fmt(w.temperatureC, 2)) °C"
            if let h = w.humidityPercent { s += ", \(fmt(h, 1)) %RH" }
            return s + ", \(fmt(w.pressurePa / 100, 2)) hPa"
        case .motion(let m):
            return
                "motion: \(m.sampleCount) samples/s, |a| mean \(fmt(m.meanG, 3)) g, min \(fmt(m.minG, 3)) g, "
                + "max \(fmt(m.maxG, 3)) g, rms \(fmt(m.rmsG, 3)) g"
                + (m.saturatedCount > 0 ? ", \(m.saturatedCount) saturated" : "")
        case .impact(let i):
            return "IMPACT\(i.severe ? " (severe)" : ""): \(fmt(i.peakG, 2)) g at the trigger"
        case .impactRecorded(let i):
            return "impact\(i.id.map { " #\($0)" } ?? "") recorded: peak \(fmt(i.peakG, 2)) g"
                + (i.saturated ? " (sensor saturated: the true peak is higher)" : "")
                + ", \(i.severity), \(fmt(i.durationMs, 1)) ms above \(fmt(i.thresholdG, 1)) g"
                + ", delta-V \(fmt(i.deltaVMps, 2)) m/s, HIC15 \(i.hic15.map { fmt($0, 1) } ?? "n/a")"
                + (i.fallMs.map {
                    ", after a free fall of \(fmt($0, 0)) ms (\(fmt(FreeFall.dropHeight(seconds: $0 / 1000), 2)) m from rest)"
                } ?? "")
        case .freeFall(let f):
            return
                "free fall: \(fmt(f.durationMs, 0)) ms, \(fmt(f.dropM, 2)) m from rest (|a| down to \(fmt(f.minG, 2)) g)"
        case .button(let b):
            return "button: \(b.press.rawValue) press (\(b.heldMs) ms) → \(b.result)"
        case .streaming(let on, let cause):
            return "streaming \(on ? "started" : "stopped") (\(cause))"
        case .impactAcknowledged(let cause):
            return "impact acknowledged (\(cause))"
        case .fault(let c, let m):
            return "FAULT \(c): \(m)"
        case .faultCleared(let c):
            return "\(c) recovered"
        case .alert(let a):
            switch a {
            case .queued(let id, let impacts, let window):
                return window > .zero
                    ? "alert #\(id) (impact \(list(impacts))): sent in \(window.seconds.formatted()) s unless cancelled (long press)"
                    : "alert #\(id) (impact \(list(impacts))): sending"
            case .coalesced(let id, let impact):
                return "impact #\(impact) joins alert #\(id), which has not gone yet"
            case .cancelled(let id, let impacts, let cause):
                return "alert #\(id) (impact \(list(impacts))) cancelled (\(cause))"
            case .sent(let ids, let impacts, let messageID, let late):
                return
                    "alert \(ids.map { "#\($0)" }.joined(separator: ", ")) (impact \(list(impacts))) sent\(late ? " late" : ""): SNS message \(messageID)"
            }
        case .note(let s):
            return s
        }
    }
}

private func list(_ ids: [Int64]) -> String {
    ids.map { "#\($0)" }.joined(separator: ", ")
}

func fmt(_ v: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", v)
}
