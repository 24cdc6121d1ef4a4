import Foundation
import Testing

@testable import Station

/// LED patterns, status priorities and the button's debounce and press classification, all on a
/// manual timeline (durations passed in), never on the wall clock.
@Suite("LED patterns and status priorities")
struct LEDPatternTests {
    /// The pattern sampled every 10 ms over `period`, as a string of 1s and 0s per 100 ms slot
    /// (a slot is "1" when lit for most of it).
    func lit(_ p: LEDPattern, at ms: Int64) -> Bool { p.isOn(at: .milliseconds(ms)) }

    @Test func steadyAndOff() {
        for ms: Int64 in [0, 1, 499, 500, 1999, 123_456] {
            #expect(lit(.steady, at: ms))
            #expect(!lit(.off, at: ms))
        }
    }

    @Test(arguments: [
        // pattern, time (ms), lit
        (LEDPattern.slowBlink, Int64(0), true), (.slowBlink, 499, true), (.slowBlink, 500, false),
        (.slowBlink, 999, false),
        (.slowBlink, 1000, true),
        (.fastBlink, 0, true), (.fastBlink, 99, true), (.fastBlink, 100, false), (.fastBlink, 199, false),
        (.fastBlink, 200, true),
        (.doubleFlash, 0, true), (.doubleFlash, 99, true), (.doubleFlash, 100, false),
        (.doubleFlash, 199, false),
        (.doubleFlash, 200, true), (.doubleFlash, 299, true), (.doubleFlash, 300, false),
        (.doubleFlash, 999, false),
        (.doubleFlash, 1000, true),
        (.heartbeat, 0, true), (.heartbeat, 59, true), (.heartbeat, 60, false), (.heartbeat, 1999, false),
        (.heartbeat, 2000, true),
        (.tripleFlash, 0, true), (.tripleFlash, 100, false), (.tripleFlash, 250, true),
        (.tripleFlash, 399, false), (.tripleFlash, 400, true), (.tripleFlash, 499, true),
        (.tripleFlash, 500, false), (.tripleFlash, 999, false), (.tripleFlash, 1000, true),
    ])
    func patternBoundaries(_ p: LEDPattern, _ ms: Int64, _ expected: Bool) {
        #expect(lit(p, at: ms) == expected)
    }

    @Test func dutyCycles() {
        func onMs(_ p: LEDPattern, over ms: Int64) -> Int { (0..<ms).filter { lit(p, at: $0) }.count }
        #expect(onMs(.slowBlink, over: 10_000) == 5_000)
        #expect(onMs(.fastBlink, over: 1_000) == 500)
        #expect(onMs(.doubleFlash, over: 1_000) == 200)
        #expect(onMs(.heartbeat, over: 10_000) == 300)
        #expect(onMs(.tripleFlash, over: 1_000) == 300)
    }

    @Test func priorities() {
        var i = StationIndication()
        #expect(i.topState == .idle)
        i.uploadingBacklog = true
        #expect(i.topState == .uploading)
        i.streaming = true
        #expect(i.topState == .streaming)
        i.impactLatched = true
        #expect(i.topState == .impactLatched)
        i.alertWaiting = true
        #expect(i.topState == .alertWaiting)
        i.faults = ["accelerometer"]
        #expect(i.topState == .fault)
        i.alertCountdown = true
        #expect(i.topState == .alertCountdown)
    }

    @Test("docs/operations.md's LED table has every state, in priority order, with the pattern it shows")
    func documentedStates() throws {
        let text = try String(
            contentsOfFile: ConfigurationTests.repositoryRoot + "/docs/operations.md", encoding: .utf8)
        let rows = text.split(separator: "\n").drop { !$0.contains("<!-- led-states") }.dropFirst(3)
            .prefix { $0.hasPrefix("|") }
        let cells = rows.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(cells.map { $0[0] } == StationIndication.State.allCases.map { "`\($0.rawValue)`" })
        for (state, row) in zip(StationIndication.State.allCases, cells) {
            #expect(row[1].hasPrefix(StatusModel.statusPattern(for: state).rawValue), "\(state)")
        }
    }

    @Test(
        "the impact LED: fast while an alert can be cancelled, slow while it waits to go, steady when latched"
    )
    func impactLEDFollowsTheAlert() {
        func impact(_ i: StationIndication) -> LEDPattern? {
            StatusModel.patterns(for: i, roles: [.impact])[.impact]
        }
        #expect(impact(StationIndication(impactLatched: true)) == .steady)
        #expect(impact(StationIndication(impactLatched: true, alertCountdown: true)) == .fastBlink)
        #expect(impact(StationIndication(impactLatched: true, alertWaiting: true)) == .slowBlink)
        // Acknowledged after its window: the alert still goes, and the LED says nobody is told yet.
        #expect(impact(StationIndication(alertWaiting: true)) == .slowBlink)
        #expect(impact(StationIndication()) == .off)
    }

    @Test func oneStatusLEDShowsTheTopState() {
        let roles: [LEDRole] = [.status]
        var i = StationIndication(streaming: true)
        #expect(StatusModel.patterns(for: i, roles: roles) == [.status: .steady])
        i.impactLatched = true
        #expect(StatusModel.patterns(for: i, roles: roles) == [.status: .doubleFlash])
        i.faults = ["storage"]
        #expect(StatusModel.patterns(for: i, roles: roles) == [.status: .fastBlink])
        #expect(StatusModel.patterns(for: StationIndication(), roles: roles) == [.status: .heartbeat])
        #expect(
            StatusModel.patterns(for: StationIndication(uploadingBacklog: true), roles: roles) == [
                .status: .slowBlink
            ])
    }

    @Test func dedicatedLEDsKeepTheirOwnCondition() {
        let roles: [LEDRole] = [.status, .impact, .streaming, .fault, .upload]
        let i = StationIndication(
            faults: ["weather"], impactLatched: true, streaming: true, uploadingBacklog: false)
        #expect(
            StatusModel.patterns(for: i, roles: roles) == [
                .status: .fastBlink, .impact: .steady, .streaming: .steady, .fault: .fastBlink, .upload: .off,
            ])
    }
}

@Suite("Button: debounce and press classification")
struct PressClassifierTests {
    typealias Press = PressClassifier.Press

    /// Feeds (time ms, level) edges, then lets time run to `until` ms in 1 ms steps; returns the
    /// presses with the time (ms) they were reported.
    func run(_ edges: [(Int64, Bool)], until: Int64, debounceMs: Int64 = 20, longMs: Int64 = 2000)
        -> [(press: Press, at: Int64, heldMs: Int64)]
    {
        var c = PressClassifier(debounce: .milliseconds(debounceMs), longPress: .milliseconds(longMs))
        var out: [(Press, Int64, Int64)] = []
        var pending = edges[...]
        for t in 0...until {
            while let e = pending.first, e.0 == t {
                pending = pending.dropFirst()
                out += c.edge(active: e.1, at: .milliseconds(e.0)).map { ($0.press, t, $0.held.milliseconds) }
            }
            out += c.advance(to: .milliseconds(t)).map { ($0.press, t, $0.held.milliseconds) }
        }
        return out.map { (press: $0.0, at: $0.1, heldMs: $0.2) }
    }

    @Test func aCleanShortPress() {
        let r = run([(100, true), (300, false)], until: 1000)
        #expect(r.map(\.press) == [.short])
        #expect(r.first?.heldMs == 200)
        #expect(r.first?.at == 320, "reported once the release has been stable for the debounce time")
    }

    @Test func tenEdgesWithinFiveMillisecondsAreOnePress() {
        // A bouncing contact: ten edges at 0.5 ms spacing, then held, then a bouncing release.
        var edges: [(Int64, Bool)] = []
        // 100,100,101,101,... 104: ends low
        for i in 0..<10 { edges.append((100 + Int64(i / 2), i % 2 == 0)) }
        edges.append((105, true))
        for i in 0..<10 { edges.append((400 + Int64(i / 2), i % 2 != 0)) }  // ends high
        edges.append((405, false))
        let r = run(edges, until: 1000)
        #expect(r.map(\.press) == [.short])
        #expect(
            r.first?.heldMs == 300,
            "held from the first edge of the press burst to the first edge of the release")
    }

    @Test func bouncesShorterThanTheDebounceAreIgnored() {
        // A 5 ms glitch with 20 ms debounce is not a press.
        let r = run([(100, true), (105, false)], until: 500)
        #expect(r.isEmpty)
    }

    @Test(arguments: [
        // held (ms) → what is reported
        (Int64(1999), Press.short), (2000, .long), (2001, .long),
    ])
    func longPressBoundary(held: Int64, expected: Press) {
        let r = run([(100, true), (100 + held, false)], until: 100 + held + 100)
        #expect(r.map(\.press) == [expected])
    }

    @Test func aLongPressIsReportedWhileStillHeldAndOnlyOnce() {
        let r = run([(100, true), (5000, false)], until: 6000)
        #expect(r.count == 1)
        #expect(r.first?.press == .long)
        #expect(r.first?.at == 2100, "at 2 s of hold, not at release")
    }

    /// Like `run`, but time advances only to the next edge or the classifier's `nextDeadline`,
    /// as the button thread wakes.
    func runOnDeadlines(_ edges: [(Int64, Bool)], until: Int64) -> [(press: Press, at: Int64, heldMs: Int64)]
    {
        var c = PressClassifier(debounce: .milliseconds(20), longPress: .milliseconds(2000))
        var out: [(press: Press, at: Int64, heldMs: Int64)] = []
        var pending = edges[...]
        var t: Int64 = 0
        while t <= until {
            while let e = pending.first, e.0 == t {
                pending = pending.dropFirst()
                out += c.edge(active: e.1, at: .milliseconds(e.0)).map { ($0.press, t, $0.held.milliseconds) }
            }
            out += c.advance(to: .milliseconds(t)).map { ($0.press, t, $0.held.milliseconds) }
            let deadline = c.nextDeadline.map { Int64($0.milliseconds) }
            // Never already due after an advance: the thread would wake at once, again and again.
            #expect(deadline.map { $0 > t } ?? true, "deadline \(deadline ?? 0) at \(t)")
            t =
                [deadline, pending.first?.0, until + 1].compactMap { $0 }.filter { $0 > t }.min() ?? until + 1
        }
        return out
    }

    @Test(
        "waking only at edges and at nextDeadline reports the same presses at the same times as a 1 ms poll",
        arguments: [
            [(Int64(100), true), (300, false)],  // short
            [(100, true), (105, false)],  // a glitch
            [(100, true), (2099, false)],  // just short
            [(100, true), (2100, false)],  // just long
            [(100, true), (5000, false)],  // long, reported while held
            [
                (100, true), (101, false), (102, true), (110, false), (111, true), (600, false), (603, true),
                (605, false),
            ],
        ])
    func deadlinesAreEnough(_ edges: [(Int64, Bool)]) {
        let polled = run(edges, until: 6000)
        let woken = runOnDeadlines(edges, until: 6000)
        #expect(woken.map(\.press) == polled.map(\.press))
        #expect(woken.map(\.at) == polled.map(\.at))
        #expect(woken.map(\.heldMs) == polled.map(\.heldMs))
    }

    @Test func withoutTimeAdvancingTheReleaseClassifies() {
        var c = PressClassifier(debounce: .zero, longPress: .seconds(2))
        #expect(c.edge(active: true, at: .milliseconds(0)).isEmpty)
        #expect(c.edge(active: false, at: .milliseconds(2500)).map(\.press) == [.long])
    }

    @Test func theButtonTogglesStreamingAndAcknowledges() {
        let state = StationState()
        let short = PressClassifier.Output(press: .short, pressedAt: .zero, held: .milliseconds(150))
        let long = PressClassifier.Output(press: .long, pressedAt: .zero, held: .seconds(2))
        #expect(ButtonService.act(on: short, state: state).result == "streaming on")
        #expect(ButtonService.act(on: short, state: state).result == "streaming off")
        #expect(ButtonService.act(on: long, state: state).result == "nothing to acknowledge")
        state.record(.impact(ImpactNotice(time: Date(), peakG: 7, severe: false, saturated: false)))
        #expect(state.indication.impactLatched)
        #expect(ButtonService.act(on: long, state: state).result == "impact acknowledged")
        #expect(!state.indication.impactLatched)
    }
}
