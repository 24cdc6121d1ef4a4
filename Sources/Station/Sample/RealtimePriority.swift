import LinuxSystem

/// The sampling thread's scheduling: a FIFO draining at 3200 Hz holds 10 ms of samples (ADXL345,
/// 32 entries), so a thread that is not scheduled for longer loses samples. On a busy Pi (an SSH
/// session compiling, an upload compressing) the ordinary scheduler can leave it waiting that long;
/// a low real-time priority (SCHED_FIFO) cannot be preempted by ordinary work. The loop sleeps
/// between drains, so it never takes the CPU from anything but for microseconds.
///
/// Needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least `priority` (the systemd unit grants
/// `LimitRTPRIO=`), and sched_setscheduler(2) allowed by the seccomp filter (systemd's
/// `@resources` group) and a real-time budget in the cgroup; without it the thread keeps the
/// ordinary policy and the call says why.
public enum RealtimePriority {
    /// The motion sampling thread's SCHED_FIFO priority: low among real-time threads (the
    /// kernel's own IRQ threads run at 50), above all ordinary work. The unit's `LimitRTPRIO=`.
    public static let samplingPriority: Int32 = 10

    /// Puts the calling thread under SCHED_FIFO at `priority` (1…99). Returns nil on success, or
    /// the reason it kept the ordinary policy.
    public static func raiseCurrentThread(to priority: Int32) -> String? {
        guard let error = Scheduling.setCurrentThreadFIFO(priority: priority) else { return nil }
        return refusal(priority: priority, error: error, rtprioLimit: Scheduling.realtimePriorityLimit())
    }

    /// Why pthread_setschedparam refused `priority` with `errno`, given RLIMIT_RTPRIO. EPERM below
    /// the limit is the missing `LimitRTPRIO=`; EPERM although the limit allows the priority comes
    /// from elsewhere: a seccomp filter that denies sched_setscheduler (`SystemCallFilter=~@resources`,
    /// answering EPERM through `SystemCallErrorNumber=`) or a cgroup without real-time runtime
    /// (cpu.rt_runtime_us 0 under CONFIG_RT_GROUP_SCHED). Other errors are told as they are.
    static func refusal(priority: Int32, error: SystemError, rtprioLimit limit: UInt64?) -> String {
        let head = "SCHED_FIFO priority \(priority) refused: \(error.reason) (errno \(error.errno))"
        guard error.errno == SystemError.permissionDenied else { return head }
        guard let limit else {
            return head
                + "; needs CAP_SYS_NICE or LimitRTPRIO=\(priority) in the unit (RLIMIT_RTPRIO unreadable)"
        }
        let shown = limit == UInt64.max ? "unlimited" : "\(limit)"
        if limit != UInt64.max && limit < UInt64(priority) {
            return head
                + "; RLIMIT_RTPRIO is \(shown): set LimitRTPRIO=\(priority) in the unit (or grant CAP_SYS_NICE)"
        }
        return head
            + " although RLIMIT_RTPRIO (\(shown)) allows it: a seccomp filter denies sched_setscheduler "
            + "(SystemCallFilter=~@resources; a drop-in with SystemCallFilter=sched_setscheduler allows it), "
            + "or the cgroup has no real-time budget (cpu.rt_runtime_us is 0)"
    }
}
