import Detection
import Drivers
import Foundation
import Storage

/// The motion path from the chip's samples to what the station makes of them, with no thread,
/// clock or I/O: each sample is calibrated, folded into the per-second summary and run through the
/// free-fall and impact detectors (an impact that ends a free fall carries it). The motion
/// sampler's thread only reads the chip, calls `process`, and hands the output on (events to the
/// station state, captures to the impact writer, raw samples to the log and the live stream);
/// tests call it directly with a simulated chip's samples.
///
/// In: `AccelerationSample`s (chip axes in g, times on the sampler's timeline) and the wall-clock
/// mapping. Out: `Output`.
public struct MotionPipeline: Sendable {
    /// What one batch of samples produced, in the order it happened.
    public struct Output: Sendable {
        /// Per-second motion summaries and impact notices (the LED latches on the notice, at the
        /// trigger, before the post-trigger window is captured).
        public var events: [StationEvent] = []
        /// Finished impacts with their waveforms, for the impact writer.
        public var captures: [ImpactCapture] = []
        /// The calibrated samples, when asked for (`keepRaw`).
        public var raw: [RawSampleRecord] = []

        public init() {}
    }

    /// The chip's name, recorded with each impact.
    public let sensor: String
    /// The rate the chip actually runs at (recorded with each waveform).
    public var rateHz: Double
    public private(set) var detectorSettings: DetectorSettings
    public private(set) var offsetG: SIMD3<Double>
    public private(set) var scale: SIMD3<Double>
    /// `accelerometer.up` (`.zero`: not known): each impact's peak is split along it.
    public private(set) var up: SIMD3<Double>
    private var aggregator = MotionAggregator()
    private var detector: ImpactDetector
    private var falls: FallTracker
    /// The LED has been latched for the detector's pending trigger.
    private var latched = false

    public init(
        sensor: String, rateHz: Double, detector: DetectorSettings, offsetG: SIMD3<Double> = .zero,
        scale: SIMD3<Double> = .one, up: SIMD3<Double> = .zero
    ) {
        self.up = up
        self.sensor = sensor
        self.rateHz = rateHz
        self.detectorSettings = detector
        self.offsetG = offsetG
        self.scale = scale
        self.detector = ImpactDetector(settings: detector)
        self.falls = FallTracker(settings: detector)
    }

    /// Whether new settings can be taken now: between events, never in the middle of a capture.
    public var canApplySettings: Bool { detector.pendingTrigger == nil }

    /// Processes one read's samples, oldest first.
    public mutating func process(
        _ samples: [AccelerationSample], keepRaw: Bool, wallClock: WallClockAnchor
    ) -> Output {
        var out = Output()
        for s in samples {
            let v = (SIMD3(s.x, s.y, s.z) - offsetG) * scale
            if let m = aggregator.add(
                time: s.time, x: v.x, y: v.y, z: v.z, saturated: s.saturated, wallClock: wallClock.date)
            {
                out.events.append(.motion(m))
            }
            if keepRaw {
                out.raw.append(
                    RawSampleRecord(
                        time: wallClock.date(s.time), x: v.x, y: v.y, z: v.z, saturated: s.saturated))
            }
            let t = s.time.seconds
            if let fall = falls.process(t: t, magnitude: (v * v).sum().squareRoot()) {
                out.events.append(
                    .freeFall(
                        FreeFallRecord(
                            time: wallClock.date(seconds: fall.startT), durationMs: fall.duration * 1000,
                            minG: fall.minG)))
            }
            let finished = detector.process(
                MotionSample(t: t, x: v.x, y: v.y, z: v.z, saturated: s.saturated))
            if let trigger = detector.pendingTrigger, !latched {
                latched = true
                out.events.append(
                    .impact(
                        ImpactNotice(
                            time: wallClock.date(seconds: trigger.t), peakG: trigger.peakG,
                            severe: trigger.severity == .severe, saturated: s.saturated)))
            }
            for e in finished {
                // An event that ended within one sample of its trigger was never pending.
                if !latched {
                    out.events.append(
                        .impact(
                            ImpactNotice(
                                time: wallClock.date(seconds: e.triggerT), peakG: e.peakG,
                                severe: e.severity == .severe, saturated: e.saturated)))
                }
                latched = detector.pendingTrigger != nil
                out.captures.append(capture(e, wallClock: wallClock))
            }
        }
        return out
    }

    /// Takes reloaded settings (SIGHUP): what the detector still holds is finished first and
    /// returned. Call only when `canApplySettings`.
    public mutating func apply(_ values: LiveSettings.Values, wallClock: WallClockAnchor) -> [ImpactCapture] {
        let finished = finish(wallClock: wallClock)
        detectorSettings = values.detector
        offsetG = values.offsetG
        scale = values.scale
        up = values.up
        detector = ImpactDetector(settings: values.detector)
        falls = FallTracker(settings: values.detector)
        latched = false
        return finished
    }

    /// Whatever the detector still holds (an event in its post window), so it is not lost when
    /// the sampler stops or the settings change.
    public mutating func finish(wallClock: WallClockAnchor) -> [ImpactCapture] {
        detector.finish().map { capture($0, wallClock: wallClock) }
    }

    private func capture(_ e: ImpactEvent, wallClock: WallClockAnchor) -> ImpactCapture {
        var event = e
        event.fall = falls.landing(before: e.startT)
        return ImpactCapture(
            event: event, sensor: sensor, thresholdG: detectorSettings.thresholdG, rateHz: rateHz, up: up,
            wallClock: wallClock.date(seconds:))
    }
}
