import Foundation
import LinuxSystem
import Storage
import Synchronization

/// The station's live state, shared by the samplers, the button, the indicators and the console.
/// Only `Sendable` values go in or out; a mutex keeps it usable from the sampler threads without
/// hopping onto the cooperative pool.
public final class StationState: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var indication = StationIndication()
        public var lastWeather: WeatherRecord?
        public var lastMotion: MotionSummary?
        public var lastImpact: ImpactNotice?
        public var lastRecordedImpact: ImpactSummary?
        public var impactCount = 0
        public var faultMessages: [String: String] = [:]
        /// Recent events, newest last, for the console.
        public var recent: [TimedEvent] = []
        public var ledLevels: [LEDRole: Bool] = [:]
        /// Components that have made their first attempt to open their sensor (for READY=1).
        public var probed: Set<String> = []
        /// The uploader's and streamer's state (nil: upload is off), published by `UploadMonitor`.
        public var upload: UploadLiveStatus?
        /// The Device Shadow's state (nil: the shadow is off), published by `ShadowService`.
        public var shadow: ShadowLiveStatus?
        /// How many times `sensorstation shadow sync` asked for a sync.
        public var shadowSyncRequests = 0
        /// What the motion sampler lost (nil until it runs).
        public var sampling: SamplingDrops?
    }

    public struct TimedEvent: Sendable, Equatable {
        public var time: Date
        public var event: StationEvent
    }

    private let state = Mutex(Snapshot())
    /// Rung on every event and every change of what the LEDs show: the indicator thread sleeps
    /// until an LED's pattern changes or this rings.
    public let changes = Doorbell()
    /// Raw samples for `sensorstation calibrate`, offered by the motion sampler.
    public let calibrationTap = CalibrationTap()
    private let recentLimit: Int
    private let sinks: Mutex<[@Sendable (Date, StationEvent) -> Void]>

    public init(recentLimit: Int = 12) {
        self.recentLimit = recentLimit
        self.sinks = Mutex([])
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
    public var indication: StationIndication { state.withLock { $0.indication } }

    private let rawSinks = Mutex<[@Sendable ([RawSampleRecord]) -> Void]>([])

    /// Adds a listener for raw acceleration (calibrated samples in g, wall-clock times), which
    /// the motion sampler hands over only while streaming is on and someone listens: at 3200 Hz
    /// these are far too many to be events.
    public func addRawSink(_ sink: @escaping @Sendable ([RawSampleRecord]) -> Void) {
        rawSinks.withLock { $0.append(sink) }
    }

    /// Whether the motion sampler should build raw batches for `recordRaw`.
    public var wantsRaw: Bool { rawSinks.withLock { !$0.isEmpty } }

    /// One drain's raw samples, oldest first, to every raw listener.
    public func recordRaw(_ samples: [RawSampleRecord]) {
        for sink in rawSinks.withLock({ $0 }) { sink(samples) }
    }

    /// Adds a listener that sees every event (the logger, later the recorder).
    public func addSink(_ sink: @escaping @Sendable (Date, StationEvent) -> Void) {
        sinks.withLock { $0.append(sink) }
    }

    /// Records an event: updates the state it implies and tells the sinks.
    public func record(_ event: StationEvent, at time: Date = Date()) {
        state.withLock { s in
            switch event {
            case .weather(let w): s.lastWeather = w
            case .motion(let m): s.lastMotion = m
            case .impact(let i):
                s.lastImpact = i
                s.impactCount += 1
                s.indication.impactLatched = true
            case .impactRecorded(let i): s.lastRecordedImpact = i
            case .streaming(let on, _): s.indication.streaming = on
            case .impactAcknowledged: s.indication.impactLatched = false
            case .fault(let c, let m):
                s.indication.faults.insert(c)
                s.faultMessages[c] = m
            case .faultCleared(let c):
                s.indication.faults.remove(c)
                s.faultMessages[c] = nil
            case .button, .note, .alert, .freeFall: break
            }
            if case .motion = event {
            } else {
                s.recent.append(TimedEvent(time: time, event: event))
                if s.recent.count > recentLimit { s.recent.removeFirst(s.recent.count - recentLimit) }
            }
        }
        changes.ring()
        for sink in sinks.withLock({ $0 }) { sink(time, event) }
    }

    /// Starts or stops streaming; returns the new state.
    @discardableResult
    public func setStreaming(_ on: Bool, cause: String) -> Bool {
        let changed = state.withLock { s in
            defer { s.indication.streaming = on }
            return s.indication.streaming != on
        }
        if changed { record(.streaming(on: on, cause: cause)) }
        return on
    }

    public func toggleStreaming(cause: String) -> Bool {
        let on = !state.withLock { $0.indication.streaming }
        return setStreaming(on, cause: cause)
    }

    /// Clears a latched impact, and says "I'm fine" to an alert whose cancel window is open (the
    /// alert service cancels it); returns false when there was nothing to acknowledge.
    public func acknowledgeImpact(cause: String) -> Bool {
        let was = state.withLock { s in
            defer { s.indication.impactLatched = false }
            return s.indication.impactLatched || s.indication.alertCountdown
        }
        if was { record(.impactAcknowledged(cause: cause)) }
        return was
    }

    /// Raises a fault once (repeats of the same message are not re-logged).
    public func raiseFault(_ component: String, _ message: String) {
        let isNew = state.withLock { $0.faultMessages[component] != message }
        if isNew { record(.fault(component: component, message: message)) }
    }

    public func clearFault(_ component: String) {
        let had = state.withLock { $0.faultMessages[component] != nil }
        if had { record(.faultCleared(component: component)) }
    }

    /// A sampler has tried its sensor once (whether it answered or not).
    public func markProbed(_ component: String) {
        state.withLock { _ = $0.probed.insert(component) }
    }

    /// Whether an alert's cancel window is open (the impact LED counts down; a long press cancels).
    public func setAlertCountdown(_ open: Bool) {
        state.withLock { $0.indication.alertCountdown = open }
        changes.ring()
    }

    /// Whether an alert whose window closed waits to go (see `StationIndication.alertWaiting`).
    public func setAlertWaiting(_ waiting: Bool) {
        state.withLock { $0.indication.alertWaiting = waiting }
        changes.ring()
    }

    /// The upload state `status` shows (not an event: it changes every second).
    public func setUpload(_ status: UploadLiveStatus) {
        state.withLock { $0.upload = status }
    }

    /// The motion sampler's losses so far (`status`, the shadow).
    public func setSampling(_ drops: SamplingDrops) {
        state.withLock { $0.sampling = drops }
    }

    /// Whether the uploader is working through a backlog (the `upload` LED's slow blink).
    public func setUploadingBacklog(_ on: Bool) {
        let changed = state.withLock { s in
            defer { s.indication.uploadingBacklog = on }
            return s.indication.uploadingBacklog != on
        }
        if changed { changes.ring() }
    }

    /// The shadow state `status` shows.
    public func setShadow(_ status: ShadowLiveStatus) {
        state.withLock { $0.shadow = status }
    }

    /// `sensorstation shadow sync`: the shadow service syncs at its next look (within a second).
    /// Returns the number of requests so far.
    @discardableResult
    public func requestShadowSync() -> Int {
        state.withLock { s in
            s.shadowSyncRequests += 1
            return s.shadowSyncRequests
        }
    }

    func setLEDLevels(_ levels: [LEDRole: Bool]) {
        state.withLock { $0.ledLevels = levels }
    }
}
