import Foundation
import LinuxSystem
import Testing

@testable import Station

/// Which cause the refusal of SCHED_FIFO names: a pure function of errno and RLIMIT_RTPRIO.
@Suite("Real-time priority: why it was refused")
struct RealtimePriorityTests {
    static let head = "SCHED_FIFO priority 10 refused: Operation not permitted (errno 1)"

    @Test(
        "EPERM with RLIMIT_RTPRIO below the priority: the unit's LimitRTPRIO=", arguments: [UInt64(0), 1, 9])
    func limitTooLow(_ limit: UInt64) {
        #expect(
            RealtimePriority.refusal(
                priority: 10, error: SystemError("pthread_setschedparam", errno: EPERM), rtprioLimit: limit)
                == Self.head
                + "; RLIMIT_RTPRIO is \(limit): set LimitRTPRIO=10 in the unit (or grant CAP_SYS_NICE)")
    }

    @Test(
        "EPERM although RLIMIT_RTPRIO allows the priority: a seccomp filter or the cgroup, not LimitRTPRIO=",
        arguments: [(UInt64(10), "10"), (99, "99"), (UInt64.max, "unlimited")])
    func limitAllows(_ limit: UInt64, _ shown: String) {
        let message = RealtimePriority.refusal(
            priority: 10, error: SystemError("pthread_setschedparam", errno: EPERM), rtprioLimit: limit)
        #expect(
            message == Self.head + " although RLIMIT_RTPRIO (\(shown)) allows it: a seccomp filter denies "
                + "sched_setscheduler (SystemCallFilter=~@resources; a drop-in with SystemCallFilter=sched_setscheduler "
                + "allows it), or the cgroup has no real-time budget (cpu.rt_runtime_us is 0)")
        #expect(!message.contains("LimitRTPRIO"))
    }

    @Test("EPERM with RLIMIT_RTPRIO unreadable: the usual remedy, and that the limit is unknown")
    func limitUnknown() {
        #expect(
            RealtimePriority.refusal(
                priority: 10, error: SystemError("pthread_setschedparam", errno: EPERM), rtprioLimit: nil)
                == Self.head + "; needs CAP_SYS_NICE or LimitRTPRIO=10 in the unit (RLIMIT_RTPRIO unreadable)"
        )
    }

    @Test("another error is told as it is, whatever the limit")
    func otherErrors() {
        #expect(
            RealtimePriority.refusal(
                priority: 100, error: SystemError("pthread_setschedparam", errno: EINVAL), rtprioLimit: 0)
                == "SCHED_FIFO priority 100 refused: Invalid argument (errno 22)")
    }

    @Test(
        "the limit read is this process's soft RLIMIT_RTPRIO, as /proc/self/limits shows it",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/limits")))
    func limitIsRead() throws {
        // "Max realtime priority     0     0"  (soft, hard; "unlimited" for no limit)
        let text = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Max realtime priority") })
        let soft = line.dropFirst("Max realtime priority".count).split(separator: " ").first.map(String.init)
        let expected: UInt64? = soft == "unlimited" ? UInt64.max : soft.flatMap { UInt64($0) }
        #expect(expected != nil)
        #expect(Scheduling.realtimePriorityLimit() == expected)
    }
}
