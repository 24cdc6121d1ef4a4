import Foundation

extension Indicators {
    /// The indicator loop: a lamp test, then the patterns until stopped, then all off. The thread
    /// sleeps until an LED's pattern next changes, or the state's doorbell rings (an event, a
    /// streaming switch, an alert's window), at most `maxWait`; an idle station's heartbeat
    /// wakes it once a second, where a 20 ms tick woke it 50 times. `now` is the clock the
    /// patterns run on.
    public func service(
        maxWait: Duration = .seconds(1), lampTest: Duration = .milliseconds(400),
        now: @escaping @Sendable () -> Duration
    ) -> ThreadService {
        nonisolated(unsafe) let indicators = self  // owned by the thread from here on
        let changes = state.changes
        return ThreadService(name: "indicators") { signal in
            indicators.setAll(true)
            if !signal.wait(for: lampTest) {
                indicators.setAll(false)
                while true {
                    let t = now()
                    indicators.render(at: t)
                    let wait = min(indicators.nextChange(after: t).map { $0 - t } ?? maxWait, maxWait)
                    if signal.wait(for: wait, orRinging: changes) == .raised { break }
                }
            }
            indicators.setAll(false)
        }
    }
}
