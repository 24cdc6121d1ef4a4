/// How an LED shows a state, as a pure function of time so that patterns run on any clock
/// (a manual clock in tests, the service's clock on the station).
public enum LEDPattern: String, Sendable, Equatable, CaseIterable {
    case off
    case steady
    /// 1 Hz, 50 % duty: "working on something" (uploading a backlog).
    case slowBlink = "slow-blink"
    /// 5 Hz, 50 % duty: "look at me" (a fault).
    case fastBlink = "fast-blink"
    /// Two 100 ms flashes every second: an impact is latched and waits for acknowledgement.
    case doubleFlash = "double-flash"
    /// Three 100 ms flashes every second: an impact alert waits to go (nobody told yet).
    case tripleFlash = "triple-flash"
    /// A 60 ms blip every 2 s: alive and idle, without lighting up a room at night.
    case heartbeat

    /// Whether the LED is lit at time `t` (any monotonic timeline; only the phase matters).
    public func isOn(at t: Duration) -> Bool {
        let ms = t.milliseconds
        switch self {
        case .off: return false
        case .steady: return true
        case .slowBlink: return ms.positiveModulo(1000) < 500
        case .fastBlink: return ms.positiveModulo(200) < 100
        case .doubleFlash:
            let phase = ms.positiveModulo(1000)
            return phase < 100 || (200..<300).contains(phase)
        case .tripleFlash:
            let phase = ms.positiveModulo(1000)
            return phase < 100 || (200..<300).contains(phase) || (400..<500).contains(phase)
        case .heartbeat: return ms.positiveModulo(2000) < 60
        }
    }
}

extension LEDPattern {
    /// The first time after `t` at which `isOn` changes; nil for `off` and `steady`. The
    /// indicator thread sleeps until then (a 2 s heartbeat wakes it twice in 2 s, not 100 times).
    public func nextChange(after t: Duration) -> Duration? {
        let period: Int64
        let edges: [Int64]
        switch self {
        case .off, .steady: return nil
        case .slowBlink: (period, edges) = (1000, [0, 500])
        case .fastBlink: (period, edges) = (200, [0, 100])
        case .doubleFlash: (period, edges) = (1000, [0, 100, 200, 300])
        case .tripleFlash: (period, edges) = (1000, [0, 100, 200, 300, 400, 500])
        case .heartbeat: (period, edges) = (2000, [0, 60])
        }
        let ms = t.milliseconds
        let cycle = ms - ms.positiveModulo(period)
        for start in [cycle, cycle + period] {
            for e in edges where start + e > ms { return .milliseconds(start + e) }
        }
        return nil
    }
}

extension Int64 {
    fileprivate func positiveModulo(_ m: Int64) -> Int64 {
        let r = self % m
        return r < 0 ? r + m : r
    }
}
