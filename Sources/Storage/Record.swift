/// What the service hands the `Recorder` (impacts go through `Recorder.recordImpact` instead:
/// they are committed durably and never queued behind a batch).
public enum Record: Sendable {
    case weather(WeatherRecord)
    case motion(MotionRecord)
    /// A batch of raw samples; becomes one packed row.
    case raw([RawSampleRecord])
    case event(EventRecord)
}
