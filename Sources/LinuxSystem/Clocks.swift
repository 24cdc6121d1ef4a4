#if canImport(Glibc)
    import Glibc
#endif

/// The kernel's clocks, and its NTP state.
public enum Clocks {
    /// CLOCK_MONOTONIC: libgpiod's edge timestamps are on it.
    @Sendable public static func monotonic() -> Duration { read(CLOCK_MONOTONIC) }

    /// CLOCK_BOOTTIME: counts from boot, suspend included, and is never set.
    @Sendable public static func bootTime() -> Duration { read(CLOCK_BOOTTIME) }

    private static func read(_ clock: clockid_t) -> Duration {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }

    /// Sleeps the calling thread for `duration`, resuming after signals.
    public static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// What the kernel's NTP state says of the wall clock.
    public enum NTPState: Sendable, Equatable {
        case synchronised
        case unsynchronised
        /// The call failed (EPERM under systemd's ProtectClock=yes).
        case unreadable(SystemError)
    }

    /// The adjtimex(2) system call in read-only mode (modes = 0).
    ///
    /// The system call itself, not glibc's `adjtimex()`: since glibc 2.36 that function is
    /// clock_adjtime(CLOCK_REALTIME), so which system call a seccomp filter sees would depend on
    /// the C library. With the raw call it is always `adjtimex`, the one name a unit must allow
    /// (`SystemCallFilter=adjtimex`, with `ProtectClock=no`: ProtectClock= loads a filter of its
    /// own that refuses all of @clock with EPERM, whatever SystemCallFilter= allows).
    ///
    /// `syscall(2)` is variadic, which Swift cannot call; it is looked up with dlsym and called
    /// with two integer-class arguments, which Linux on x86-64 and AArch64 passes in the same
    /// registers as fixed ones (glibc's `syscall` is a few assembly instructions that read only
    /// those). `struct timex` (<sys/timex.h>, not in Glibc's Swift module) is addressed by offset:
    /// `modes` is an unsigned int, then `offset`, `freq`, `maxerror`, `esterror` (C long each),
    /// then `status` (int).
    public static func ntpState() -> NTPState {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
            #if arch(x86_64)
                let number = 159  // __NR_adjtimex, arch/x86/entry/syscalls/syscall_64.tbl
            #else
                let number = 171  // __NR_adjtimex, include/uapi/asm-generic/unistd.h
            #endif
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syscall") else {
                return .unreadable(SystemError("adjtimex", errno: ENOSYS))
            }
            typealias Syscall = @convention(c) (Int, UnsafeMutableRawPointer) -> Int
            let syscall = unsafeBitCast(symbol, to: Syscall.self)
            let long = MemoryLayout<Int>.size
            let statusOffset = long + 4 * long  // modes padded to a long, then four longs
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)  // modes = 0: read only
            let state = syscall(number, buffer)
            guard state >= 0 else { return .unreadable(.last("adjtimex")) }
            let status = buffer.load(fromByteOffset: statusOffset, as: Int32.self)
            // TIME_ERROR (5) or STA_UNSYNC (0x0040): not synchronised (<linux/timex.h>).
            return state != 5 && status & 0x0040 == 0 ? .synchronised : .unsynchronised
        #else
            return .unreadable(SystemError("adjtimex", errno: ENOSYS))
        #endif
    }
}
