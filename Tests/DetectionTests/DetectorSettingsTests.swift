import Detection
import Testing

@Suite("Detector settings")
struct DetectorSettingsTests {
    @Test func defaultsAreTheIssuesAndValid() throws {
        let s = DetectorSettings()
        #expect(s.thresholdG == 4 && s.sustain == 0 && s.severeG == 9 && s.rearmG == 3.5)
        #expect(s.refractory == 1 && s.preWindow == 0.5 && s.postWindow == 1)
        try s.validate()
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var field: String
        var change: @Sendable (inout DetectorSettings) -> Void
        var testDescription: String { field }
    }

    @Test(arguments: [
        Bad(field: "thresholdG") { $0.thresholdG = 0 },
        Bad(field: "thresholdG") { $0.thresholdG = .nan },
        Bad(field: "severeG") { $0.severeG = 4 },
        Bad(field: "rearmG") { $0.rearmG = 4 },
        Bad(field: "rearmG") { $0.rearmG = -1 },
        Bad(field: "sustain") { $0.sustain = -0.1 },
        Bad(field: "sustain") { $0.sustain = .infinity },
        Bad(field: "refractory") { $0.refractory = 61 },
        Bad(field: "preWindow") { $0.preWindow = 11 },
        Bad(field: "postWindow") { $0.postWindow = -1 },
        Bad(field: "maxCapture") { $0.maxCapture = 0.5 },
        Bad(field: "restLevelG") { $0.restLevelG = 0 },
        Bad(field: "gapMinimum") { $0.gapMinimum = 0 },
        Bad(field: "gapPeriods") { $0.gapPeriods = 1 },
        Bad(field: "maxRateHz") { $0.maxRateHz = 0 },
        Bad(field: "fullScaleG") { $0.fullScaleG = -16 },
    ])
    func eachProblemNamesItsField(_ c: Bad) {
        var s = DetectorSettings()
        c.change(&s)
        #expect(s.problems.map(\.field).contains(c.field))
        #expect(throws: DetectorSettingsError.self) { try s.validate() }
        // A detector made from them anyway must not crash.
        var d = ImpactDetector(settings: s)
        for k in 0..<2000 {
            _ = d.process(MotionSample(t: Double(k) / 1000, x: 0, y: 0, z: k == 1000 ? 20 : 1))
        }
        _ = d.finish()
    }

    @Test func allProblemsAtOnceWithWhatIsValid() {
        var s = DetectorSettings()
        s.thresholdG = 10
        s.preWindow = 20
        let e = DetectorSettingsError(problems: s.problems)
        #expect(e.problems.map(\.field) == ["severeG", "preWindow"])
        #expect(
            e.description.contains("severeG: expected a finite number of g above thresholdG (10.0), got 9.0"))
        #expect(e.description.contains("preWindow: expected 0…10 s, got 20.0"))
    }
}
