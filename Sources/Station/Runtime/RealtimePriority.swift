#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The sampling thread's scheduling: a FIFO draining at 3200 Hz holds 10 ms of samples (ADXL345,
/// 32 entries), so a thread that is not scheduled for longer loses samples. On a busy Pi (an SSH
/// session compiling, an upload compressing) the ordinary scheduler can leave it waiting that long;
/// a low real-time priority (SCHED_FIFO) cannot be preempted by ordinary work. The loop sleeps
/// between drains, so it never takes the CPU from anything but for microseconds.
///
/// Needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least `priority` (the systemd unit grants
/// `LimitRTPRIO=`); without it the thread keeps the ordinary policy and the call says why.
public enum RealtimePriority {
    /// The motion sampling thread's SCHED_FIFO priority: low among real-time threads (the
    /// kernel's own IRQ threads run at 50), above all ordinary work. The unit's `LimitRTPRIO=`.
    public static let samplingPriority: Int32 = 10

    /// Puts the calling thread under SCHED_FIFO at `priority` (1…99). Returns nil on success, or
    /// the reason it kept the ordinary policy.
    public static func raiseCurrentThread(to priority: Int32) -> String? {
        #if os(Linux)
        var param = sched_param()
        param.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), Int32(SCHED_FIFO), &param)
        if rc == 0 { return nil }
        return "SCHED_FIFO priority \(priority) refused: \(String(cString: strerror(rc))) (errno \(rc)); needs CAP_SYS_NICE or LimitRTPRIO=\(priority) in the unit"
        #else
        return "real-time priority is only supported on Linux"
        #endif
    }
}
