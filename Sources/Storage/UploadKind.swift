/// What the uploader sends, each with its own cursor per destination. Drain impacts first.
public enum UploadKind: String, Sendable, CaseIterable, Codable {
    case impact, weather, motion, event

    /// The table holding this kind.
    var table: String {
        switch self {
        case .impact: "impacts"
        case .weather: "weather"
        case .motion: "motion"
        case .event: "events"
        }
    }
}
