#if canImport(Glibc)
    import Glibc
#endif

/// Real-time scheduling of the calling thread.
public enum Scheduling {
    /// Puts the calling thread under SCHED_FIFO at `priority` (1…99); nil on success.
    public static func setCurrentThreadFIFO(priority: Int32) -> SystemError? {
        var param = sched_param()
        param.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), Int32(SCHED_FIFO), &param)
        return rc == 0 ? nil : SystemError("pthread_setschedparam", errno: rc)
    }

    /// RLIMIT_RTPRIO's soft limit (the highest SCHED_FIFO priority an unprivileged thread may
    /// take); `UInt64.max` is unlimited; nil when it cannot be read.
    public static func realtimePriorityLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(__RLIMIT_RTPRIO.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? UInt64.max : UInt64(limit.rlim_cur)
    }
}
