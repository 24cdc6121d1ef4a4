import Foundation

extension Indicators {
    /// The indicator loop: a lamp test, then patterns every `tick` until stopped, then all off.
    /// `now` is the clock the patterns run on.
    public func service(
        tick: Duration = .milliseconds(20), lampTest: Duration = .milliseconds(400),
        now: @escaping @Sendable () -> Duration
    ) -> ThreadService {
        nonisolated(unsafe) let indicators = self  // owned by the thread from here on
        return ThreadService(name: "indicators") { signal in
            indicators.setAll(true)
            if !signal.wait(for: lampTest) {
                indicators.setAll(false)
                while !signal.wait(for: tick) {
                    indicators.render(at: now())
                }
            }
            indicators.setAll(false)
        }
    }
}
