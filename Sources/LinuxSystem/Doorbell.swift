#if canImport(Glibc)
    import Glibc
#endif

/// A wake-up that any thread may ring, any number of times, and that the one thread waiting on
/// it clears: an eventfd that the waiter polls (`WakeSignal.wait(for:orReadable:)` with `fd`)
/// and then drains. Rings between two waits are not lost: the count stays until drained.
public final class Doorbell: Sendable {
    /// The eventfd; -1 when none could be made (a waiter then wakes only on its timeout).
    public let fd: Int32

    public init() {
        fd = GNU.eventfd?(0, O_CLOEXEC | O_NONBLOCK) ?? -1
    }

    deinit { if fd >= 0 { close(fd) } }

    public func ring() {
        guard fd >= 0 else { return }
        var one: UInt64 = 1
        _ = write(fd, &one, MemoryLayout<UInt64>.size)
    }

    /// Clears the rings so far; true when there were any.
    @discardableResult
    public func drain() -> Bool {
        guard fd >= 0 else { return false }
        var count: UInt64 = 0
        return read(fd, &count, MemoryLayout<UInt64>.size) == MemoryLayout<UInt64>.size
    }
}
