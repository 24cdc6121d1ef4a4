import Foundation
import HAL
import LinuxSystem
import Logging

/// What `sensorstation calibrate` asks the running service over the control socket. The service
/// owns the chip (nothing else may read it while it samples) and may write beside the log under
/// its sandbox, so it measures and keeps the calibration; the command guides the operator.
public enum CalibrationRequest: Equatable, Sendable {
    /// The chip, the calibration in force, and where a new one would be kept.
    case show
    /// The raw samples of the next `milliseconds`: their count, mean and spread per axis.
    case measure(milliseconds: Int)
    /// Keep this calibration (`calibration.json`) and apply it now, as a reload would.
    case save(CalibrationFile)
    /// Remove the calibration file: the configuration's `accelerometer.calibration` applies again.
    case reset

    /// How long one measurement may be: the control socket serves one request at a time, and a
    /// request must not hold it past the second another `run` waits for an answer.
    public static let measureRange = 50...500
}

/// The answer to a calibration request.
public struct CalibrationReply: Codable, Equatable, Sendable {
    public var sensor: String
    public var address: String
    public var rangeG: Double
    public var odrHz: Double
    /// The calibration in force (after a save or reset: the new one).
    public var offsetG: SIMD3<Double>
    public var scale: SIMD3<Double>
    /// Where it comes from: the calibration file, or nil for the configuration file.
    public var source: String?
    /// Where a saved calibration is kept.
    public var path: String
    /// The measurement (`measure`).
    public var window: CalibrationWindow?
    /// How many samples the measurement asked for.
    public var wanted: Int?
}

/// The service's side of `sensorstation calibrate`: measures through the motion sampler's tap,
/// writes and removes the calibration file, and applies it through the reload path, so the
/// loader validates it with the configuration's own checks before it counts.
public final class CalibrationControl: Sendable {
    let reloader: ConfigurationReloader
    let tap: CalibrationTap
    let state: StationState
    let logger: Logger

    public init(reloader: ConfigurationReloader, state: StationState, logger: Logger) {
        self.reloader = reloader
        self.tap = state.calibrationTap
        self.state = state
        self.logger = logger
    }

    public func handle(_ request: CalibrationRequest, cause: String) -> ControlResponse {
        let config = reloader.running
        guard config.accelerometer.sensor != .none else {
            return ControlResponse(
                ok: false,
                message: "no accelerometer is configured (accelerometer.sensor: none): nothing to calibrate")
        }
        let path = CalibrationFile.path(forDatabase: config.storage.path)
        switch request {
        case .show:
            return ControlResponse(ok: true, message: "calibration", calibration: reply(path: path))
        case .measure(let ms):
            let wanted = max(1, Int((config.accelerometer.odrHz * Double(ms) / 1000).rounded()))
            // As long as the samples take and a quarter second for the reads around them (at
            // most 750 ms: the control socket serves one request at a time).
            let limit = ms + 250
            let window = tap.measure(samples: wanted, timeout: .milliseconds(limit))
            var r = reply(path: path)
            r.window = window
            r.wanted = wanted
            guard window.count > 0 else {
                let fault = state.snapshot.faultMessages["accelerometer"].map { ": \($0)" } ?? ""
                return ControlResponse(
                    ok: false, message: "the accelerometer gave no samples in \(limit) ms\(fault)",
                    calibration: r)
            }
            return ControlResponse(ok: true, message: "measured \(window.count) samples", calibration: r)
        case .save(let file):
            let a = config.accelerometer
            guard file.sensor == a.sensor.rawValue, file.address == a.address else {
                return ControlResponse(
                    ok: false,
                    message:
                        "the calibration is for the \(file.sensor) at \(file.hexAddress), the station samples the \(a.sensor.rawValue) at \(hex(a.address))"
                )
            }
            return replace(
                path: path, cause: cause, done: "saved \(path) and applied it",
                change: { () throws(SystemError) in try file.write(to: path) },
                accept: { c in
                    // The file must be what applies (not left aside for another chip or a value
                    // the configuration refuses).
                    guard let source = c.accelerometer.calibrationSource, !source.isApplied else {
                        return nil
                    }
                    return source.text
                })
        case .reset:
            return replace(
                path: path, cause: cause, done: "removed \(path); the configuration's calibration applies",
                change: { () throws(SystemError) in try Files.remove(path) }, accept: { _ in nil })
        }
    }

    /// Changes the file and applies it under the reloader's lock; when the configuration then
    /// does not take it, the old file is put back before anything else can read it.
    private func replace(
        path: String, cause: String, done: String, change: () throws(SystemError) -> Void,
        accept: (StationConfiguration) -> String?
    ) -> ControlResponse {
        // What to put back: the file as it is, or nothing when there is none. A file that cannot
        // be read is not replaced (it could not be put back).
        let before: [UInt8]?
        do { before = try Files.read(path, limit: CalibrationFile.maxLength) } catch {
            switch error {
            case .system(let e) where e.isNothingThere: before = nil
            case .system(let e):
                return ControlResponse(
                    ok: false,
                    message: "\(path): cannot read the calibration in place to keep it: \(e.reason)")
            case .tooLarge:
                return ControlResponse(
                    ok: false, message: "\(path): larger than a calibration file; remove it first")
            }
        }
        do throws(ReloadChangeError) {
            let outcome = try reloader.reload(
                changing: { () throws(ReloadChangeError) in
                    do throws(SystemError) { try change() } catch {
                        throw ReloadChangeError("\(path): \(error.reason) (\(error.call))")
                    }
                },
                accept: accept,
                undo: { () throws(ReloadChangeError) in
                    do throws(SystemError) {
                        if let before {
                            try Files.writeAtomically(path, before, mode: 0o644)
                        } else {
                            try Files.remove(path)
                        }
                    } catch {
                        throw ReloadChangeError(
                            "not applied, and the calibration file could not be put back (\(error.reason), \(error.call)): \(path) is what the next start or reload uses"
                        )
                    }
                })
            logger.notice(
                "calibration: \(done) (\(cause)); \(outcome.applied.isEmpty ? "no value changed" : outcome.applied.joined(separator: ", "))"
            )
            return ControlResponse(ok: true, message: done, calibration: reply(path: path))
        } catch {
            let text = error.description
            return ControlResponse(
                ok: false,
                message: text.hasPrefix("not applied")
                    ? text : "not applied, the calibration stays as it was: \(text)")
        }
    }

    private func reply(path: String) -> CalibrationReply {
        let a = reloader.running.accelerometer
        return CalibrationReply(
            sensor: a.sensor.rawValue, address: hex(a.address), rangeG: Double(a.rangeG),
            odrHz: a.odrHz, offsetG: a.calibration.offsetG, scale: a.calibration.scale,
            source: a.calibrationSource?.text, path: path)
    }
}
