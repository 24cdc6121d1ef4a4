import Foundation
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

    /// How long one measurement may be (the control socket serves one request at a time).
    public static let measureRange = 50...2000
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
            // Twice as long as the samples take, and a second for a read in between.
            let window = tap.measure(samples: wanted, timeout: .milliseconds(2 * ms + 1000))
            var r = reply(path: path)
            r.window = window
            r.wanted = wanted
            guard window.count > 0 else {
                let fault = state.snapshot.faultMessages["accelerometer"].map { ": \($0)" } ?? ""
                return ControlResponse(
                    ok: false, message: "the accelerometer gave no samples in \(2 * ms + 1000) ms\(fault)",
                    calibration: r)
            }
            return ControlResponse(ok: true, message: "measured \(window.count) samples", calibration: r)
        case .save(let file):
            let a = config.accelerometer
            guard file.sensor == a.sensor.rawValue, file.address == a.address else {
                return ControlResponse(
                    ok: false,
                    message:
                        "the calibration is for the \(file.sensor) at \(file.hexAddress), the station samples the \(a.sensor.rawValue) at 0x\(String(a.address, radix: 16))"
                )
            }
            return replace(path: path, cause: cause, done: "saved \(path) and applied it") {
                () throws(SystemError) in
                try file.write(to: path)
            }
        case .reset:
            return replace(
                path: path, cause: cause, done: "removed \(path); the configuration's calibration applies"
            ) { () throws(SystemError) in try Files.remove(path) }
        }
    }

    /// Changes the file and applies it; when the configuration then does not validate (a value
    /// out of range, or a configuration file broken since the start), the old file is put back.
    private func replace(
        path: String, cause: String, done: String, change: () throws(SystemError) -> Void
    ) -> ControlResponse {
        let before = try? Files.read(path, limit: CalibrationFile.maxLength)
        do { try change() } catch {
            return ControlResponse(ok: false, message: "\(path): \(error.reason) (\(error.call))")
        }
        do {
            let outcome = try reloader.apply(overlay: reloader.overlay)
            logger.notice(
                "calibration: \(done) (\(cause)); \(outcome.applied.isEmpty ? "no value changed" : outcome.applied.joined(separator: ", "))"
            )
            return ControlResponse(ok: true, message: done, calibration: reply(path: path))
        } catch {
            if let before {
                try? Files.writeAtomically(path, before, mode: 0o644)
            } else {
                try? Files.remove(path)
            }
            return ControlResponse(
                ok: false, message: "not applied, the calibration stays as it was: \(error)")
        }
    }

    private func reply(path: String) -> CalibrationReply {
        let a = reloader.running.accelerometer
        return CalibrationReply(
            sensor: a.sensor.rawValue, address: "0x" + String(a.address, radix: 16), rangeG: Double(a.rangeG),
            odrHz: a.odrHz, offsetG: a.calibration.offsetG, scale: a.calibration.scale,
            source: a.calibrationSource?.text, path: path)
    }
}
