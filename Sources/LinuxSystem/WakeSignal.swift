import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A one-way flag that threads sleep on: `wait` returns when the flag is raised, when a timeout
/// on CLOCK_MONOTONIC runs out, or when another file descriptor (a GPIO line's edge events)
/// becomes readable, whichever comes first, in one `ppoll` system call.
///
/// Why not a condition variable: Foundation's `NSCondition.wait(until:)` takes a wall-clock
/// `Date`, so a backward step of the wall clock (NTP setting the time after a boot without a
/// battery clock) would stretch a 2.5 ms sleep by the size of the step, and a FIFO that lasts
/// 10 ms would overflow. `ppoll`'s timeout is relative and runs on the monotonic clock. Raising
/// writes to an eventfd that is never read, so it stays readable and wakes every waiter, now and
/// later.
public final class WakeSignal: Sendable {
    public enum Outcome: Sendable, Equatable {
        case raised
        case timedOut
        /// The other descriptor is readable (and the flag is not raised).
        case readable
    }

    private let flag = Atomic<Bool>(false)
    /// The eventfd; -1 when none could be made (then waits sleep in slices of at most 10 ms and
    /// look at the flag in between).
    private let fd: Int32

    public init() {
        fd = GNU.eventfd?(0, O_CLOEXEC | O_NONBLOCK) ?? -1
    }

    deinit { if fd >= 0 { close(fd) } }

    public var isRaised: Bool { flag.load(ordering: .acquiring) }

    public func raise() {
        flag.store(true, ordering: .releasing)
        if fd >= 0 {
            var one: UInt64 = 1
            _ = write(fd, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Sleeps until the flag is raised, `timeout` has passed on the monotonic clock, or `other`
    /// (when given) is readable. Signals (EINTR) do not shorten or lengthen the sleep.
    public func wait(for timeout: Duration, orReadable other: Int32? = nil) -> Outcome {
        if isRaised { return .raised }
        let deadline = Clocks.monotonic() + max(timeout, .zero)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let other { fds.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
        while true {
            let left = deadline - Clocks.monotonic()
            if left <= .zero { return isRaised ? .raised : .timedOut }
            let slice = fd >= 0 && GNU.ppoll != nil ? left : min(left, .milliseconds(10))
            let (seconds, attoseconds) = slice.components
            var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            let r: Int32
            if let ppoll = GNU.ppoll {
                r = fds.withUnsafeMutableBufferPointer { p in
                    ppoll(p.baseAddress, nfds_t(p.count), &ts, nil)
                }
            } else {
                // ppoll is a GNU extension every glibc and musl has; without it, poll's whole
                // milliseconds (rounded up) do.
                let ms = Int32(
                    clamping: Int64(((slice + .nanoseconds(999_999)) / .milliseconds(1)).rounded(.down)))
                r = fds.withUnsafeMutableBufferPointer { p in poll(p.baseAddress, nfds_t(p.count), ms) }
            }
            if isRaised { return .raised }
            if r > 0, fds.count > 1, fds[1].revents != 0 { return .readable }
            if r < 0 && errno != EINTR { return .timedOut }
        }
    }
}

/// GNU functions that Glibc's Swift module hides (it is built without `_GNU_SOURCE`), looked
/// up once with dlsym. Both have fixed (not variadic) C signatures.
enum GNU {
    typealias PPoll =
        @convention(c) (
            UnsafeMutablePointer<pollfd>?, nfds_t, UnsafePointer<timespec>?, UnsafeRawPointer?
        ) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32

    static let ppoll: PPoll? = symbol("ppoll", as: PPoll.self)
    static let eventfd: EventFD? = symbol("eventfd", as: EventFD.self)

    static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let s = dlsym(handle, name) else { return nil }
        return unsafeBitCast(s, to: type)
    }
}
