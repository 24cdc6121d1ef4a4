/// Turns raw button edges into presses: software debounce (for libgpiod 1.6, which has no kernel
/// debounce) and short/long classification. Pure: time comes in with the edges and through
/// `advance(to:)`, so tests drive it with bouncing edge sequences on a manual timeline.
///
/// Debounce rule: a level counts only once it has been stable for `debounce`; the press starts at
/// the first edge of the burst that led to it. A long press is reported as soon as the button has
/// been held for `longPress` (so the LED answers while the finger is still down), and its release
/// then reports nothing. A release before `longPress` is a short press.
public struct PressClassifier: Sendable {
    public enum Press: String, Sendable, Equatable {
        case short, long
    }

    public struct Output: Sendable, Equatable {
        public var press: Press
        /// When the press began (first edge of the debounced burst).
        public var pressedAt: Duration
        /// How long it was held when it was classified.
        public var held: Duration
    }

    public let debounce: Duration
    public let longPress: Duration

    /// The debounced level (true = pressed).
    public private(set) var isPressed = false
    private var pressStartedAt: Duration?
    private var longReported = false
    /// A level change seen but not yet stable: (level, time of its first edge, time of last edge).
    private var pending: (level: Bool, firstEdge: Duration, lastEdge: Duration)?

    /// The next time `advance(to:)` can change anything without a new edge: the end of a pending
    /// level's debounce, or the moment a held press becomes long. Nil when only an edge can:
    /// the button thread then waits for edges alone (and its stop), not on a timer.
    public var nextDeadline: Duration? {
        var next: Duration?
        if let p = pending { next = p.lastEdge + debounce }
        // A release seen before the press became long makes it short: no long deadline then
        // (it would stay due, and a thread waiting for it would spin until the debounce ends).
        if isPressed, !longReported, let start = pressStartedAt,
            !(pending.map { !$0.level && $0.firstEdge - start < longPress } ?? false)
        {
            next = min(next ?? start + longPress, start + longPress)
        }
        return next
    }

    public init(debounce: Duration = .milliseconds(20), longPress: Duration = .seconds(2)) {
        self.debounce = debounce
        self.longPress = longPress
    }

    /// Feeds one raw edge: `active` is the logical level after the edge.
    public mutating func edge(active: Bool, at t: Duration) -> [Output] {
        var out = advance(to: t)
        if let p = pending {
            pending = (active, p.firstEdge, t)
        } else if active != isPressed {
            pending = (active, t, t)
        }
        if debounce == .zero { out += advance(to: t) }
        return out
    }

    /// Lets time pass: commits a pending level that has been stable for `debounce`, and reports a
    /// long press once the hold reaches `longPress`.
    public mutating func advance(to now: Duration) -> [Output] {
        var out: [Output] = []
        if let p = pending, now - p.lastEdge >= debounce {
            pending = nil
            if p.level != isPressed {
                isPressed = p.level
                if isPressed {
                    pressStartedAt = p.firstEdge
                    longReported = false
                } else if let start = pressStartedAt {
                    let held = p.firstEdge - start
                    if !longReported {
                        // Nobody advanced time during the hold: classify on release.
                        out.append(
                            Output(press: held < longPress ? .short : .long, pressedAt: start, held: held))
                    }
                    pressStartedAt = nil
                }
            }
        }
        if isPressed, !longReported, let start = pressStartedAt, now - start >= longPress {
            // A release already under way (still within its debounce) ended the hold at its
            // first edge: only a hold that reached `longPress` before it is long.
            let releasedEarly = pending.map { !$0.level && $0.firstEdge - start < longPress } ?? false
            if !releasedEarly {
                longReported = true
                out.append(Output(press: .long, pressedAt: start, held: now - start))
            }
        }
        return out
    }
}
