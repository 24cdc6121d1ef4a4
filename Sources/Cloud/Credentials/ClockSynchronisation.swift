import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the system clock can be trusted for TLS and SigV4. A Raspberry Pi has no battery
/// clock: until NTP has set it, it may be days or years off.
public enum ClockSynchronisation {
    /// No clock reading before this can be right: the Cloud target did not exist before (2026-01-01).
    public static let earliestPlausibleDate = Date(timeIntervalSince1970: 1_767_225_600)

    /// True when the time is plausible and either the marker file exists (systemd-timesyncd's
    /// /run/systemd/timesync/synchronized by default; `upload.clock_sync_marker` names another,
    /// e.g. one a chrony hook writes) or the kernel's NTP state (adjtimex) lacks STA_UNSYNC
    /// (chrony, ntpd and timesyncd all clear it once they have set the clock).
    public static func systemClockIsSynchronised(now: Date = Date(), marker: String = defaultMarker) -> Bool {
        guard now >= earliestPlausibleDate else { return false }
        if FileManager.default.fileExists(atPath: marker) { return true }
        return kernelSaysSynchronised() ?? true
    }

    /// systemd-timesyncd writes this file once it has synchronised the clock.
    public static let defaultMarker = "/run/systemd/timesync/synchronized"

    /// adjtimex(2) in read-only mode. Glibc's Swift module does not export <sys/timex.h>, so the
    /// function is looked up with dlsym and `struct timex` is addressed by offset: `modes` is an
    /// unsigned int, then `offset`, `freq`, `maxerror`, `esterror` (C long each), then `status`
    /// (int). nil when the call is unavailable.
    static func kernelSaysSynchronised() -> Bool? {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "adjtimex") else { return nil }
        typealias AdjTimeX = @convention(c) (UnsafeMutableRawPointer) -> Int32
        let adjtimex = unsafeBitCast(symbol, to: AdjTimeX.self)
        let long = MemoryLayout<Int>.size
        let statusOffset = long + 4 * long  // modes padded to a long, then four longs
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)  // modes = 0: read only
        let state = adjtimex(buffer)
        guard state >= 0 else { return nil }
        let status = buffer.load(fromByteOffset: statusOffset, as: Int32.self)
        // TIME_ERROR (5) or STA_UNSYNC (0x0040): not synchronised (<linux/timex.h>).
        return state != 5 && status & 0x0040 == 0
        #else
        return nil
        #endif
    }
}
