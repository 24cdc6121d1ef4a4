import Foundation
import LinuxSystem

/// Whether the system clock can be trusted for TLS and SigV4. A Raspberry Pi has no battery
/// clock: until NTP has set it, it may be days or years off.
public enum ClockSynchronisation {
    /// No clock reading before this can be right: the Cloud target did not exist before (2026-01-01).
    public static let earliestPlausibleDate = Date(timeIntervalSince1970: 1_767_225_600)

    /// systemd-timesyncd writes this file once it has synchronised the clock.
    public static let defaultMarker = "/run/systemd/timesync/synchronized"

    /// What the kernel's NTP state (adjtimex) says.
    public enum KernelState: Sendable, Equatable {
        case synchronised
        case unsynchronised
        /// The call failed with this errno (EPERM under systemd's ProtectClock=yes, which filters
        /// it; ENOSYS where it is not available).
        case unreadable(errno: Int32)
    }

    /// The verdict and how it was reached, for the uploader's log line and `sensorstation status`.
    /// Only `marker` and `kernelSynchronised` trust the clock: a state that cannot be read is not
    /// synchronised (uploads wait), never assumed to be.
    public enum State: Sendable, Equatable, CustomStringConvertible {
        /// The clock reads a time before `earliestPlausibleDate`: certainly not set yet.
        case implausible
        /// The marker file exists.
        case marker(String)
        /// No marker file; the kernel says synchronised.
        case kernelSynchronised(marker: String)
        /// No marker file; the kernel says not synchronised (STA_UNSYNC or TIME_ERROR).
        case kernelUnsynchronised(marker: String)
        /// No marker file, and the kernel's state could not be read.
        case kernelUnreadable(marker: String, errno: Int32)

        public var isSynchronised: Bool {
            switch self {
            case .marker, .kernelSynchronised: return true
            case .implausible, .kernelUnsynchronised, .kernelUnreadable: return false
            }
        }

        public var description: String {
            switch self {
            case .implausible:
                return
                    "not synchronised: the clock reads a time before \(AWSDate.iso8601(earliestPlausibleDate)), which cannot be right"
            case .marker(let path):
                return "synchronised: the marker file \(path) exists"
            case .kernelSynchronised(let path):
                return "synchronised: the kernel's NTP state (adjtimex) says so (no marker file \(path))"
            case .kernelUnsynchronised(let path):
                return
                    "not synchronised: no marker file \(path), and the kernel's NTP state (adjtimex) says unsynchronised"
            case .kernelUnreadable(let path, let code):
                return
                    "unknown, so not trusted: no marker file \(path), and the kernel's NTP state is unreadable: "
                    + "adjtimex refused (\(ClockSynchronisation.errnoName(code))); under ProtectClock=yes only the "
                    + "timesyncd marker or upload.clock_sync_marker can tell"
            }
        }
    }

    /// Whether the clock is synchronised, and how that was found out: the time must be plausible,
    /// then the marker file (systemd-timesyncd's /run/systemd/timesync/synchronized by default;
    /// `upload.clock_sync_marker` names another, e.g. one a chrony hook writes) decides, else the
    /// kernel's NTP state (chrony, ntpd and timesyncd all clear STA_UNSYNC once they have set the
    /// clock). `kernel` is the adjtimex look, injectable for tests.
    public static func state(
        now: Date = Date(), marker: String = defaultMarker,
        kernel: () -> KernelState = kernelState
    ) -> State {
        guard now >= earliestPlausibleDate else { return .implausible }
        if FileManager.default.fileExists(atPath: marker) { return .marker(marker) }
        switch kernel() {
        case .synchronised: return .kernelSynchronised(marker: marker)
        case .unsynchronised: return .kernelUnsynchronised(marker: marker)
        case .unreadable(let code): return .kernelUnreadable(marker: marker, errno: code)
        }
    }

    /// The kernel's NTP state, read with the adjtimex(2) system call (`Clocks.ntpState`).
    public static func kernelState() -> KernelState {
        switch Clocks.ntpState() {
        case .synchronised: .synchronised
        case .unsynchronised: .unsynchronised
        case .unreadable(let error): .unreadable(errno: error.errno)
        }
    }

    /// EPERM, ENOSYS, … for the errnos adjtimex can fail with; "errno N" for others.
    static func errnoName(_ code: Int32) -> String {
        SystemError("adjtimex", errno: code).name
    }
}
