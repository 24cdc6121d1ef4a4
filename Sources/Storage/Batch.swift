/// Records taken from the recorder's queue for one transaction.
struct Batch: Sendable {
    var weather: [WeatherRecord] = []
    var motion: [MotionRecord] = []
    var events: [EventRecord] = []
    var raw: [[RawSampleRecord]] = []

    var isEmpty: Bool { weather.isEmpty && motion.isEmpty && events.isEmpty && raw.isEmpty }
    /// Queue units: one per record, one per raw *sample* (what memory scales with).
    var units: Int { weather.count + motion.count + events.count + rawSamples }
    var rawSamples: Int { raw.reduce(0) { $0 + $1.count } }
    var rows: Int { weather.count + motion.count + events.count + raw.count }
}
