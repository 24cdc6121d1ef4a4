import Detection

// MARK: - impact

extension StationConfiguration {
    /// `impact:` the detector's thresholds on the acceleration magnitude, in g.
    /// Always `rearmG < thresholdG < severeG`, and `thresholdG ≤ accelerometer.rangeG`.
    public struct ImpactSettings: Sendable, Equatable {
        /// An impact starts when the magnitude reaches this, 1.5…100 g.
        public var thresholdG: Double
        /// …and stays there at least this long (`sustain_ms`, 0…60 000 ms).
        public var sustain: Duration
        /// Impacts whose peak reaches this are severe.
        public var severeG: Double
        /// Hysteresis: the detector re-arms once the magnitude falls below this (≥ 1 g).
        public var rearmG: Double
        /// No new impact starts within this time after one ended (`refractory_ms`, 0…60 000 ms).
        public var refractory: Duration
        /// Raw samples kept before the trigger (`pre_ms`, 0…10 000 ms).
        public var preWindow: Duration
        /// Raw samples kept after the impact ended (`post_ms`, 0…30 000 ms).
        public var postWindow: Duration
        /// Free fall: the magnitude below this (`free_fall_g`, 0.05…0.9 g)…
        public var freeFallG: Double
        /// …for at least this long (`free_fall_ms`, 20…10 000 ms).
        public var freeFallMinimum: Duration

        /// The defaults are the detector's own (`DetectorSettings`), stated once there.
        public init(
            thresholdG: Double = Self.detector.thresholdG,
            sustain: Duration = .seconds(Self.detector.sustain),
            severeG: Double = Self.detector.severeG, rearmG: Double = Self.detector.rearmG,
            refractory: Duration = .seconds(Self.detector.refractory),
            preWindow: Duration = .seconds(Self.detector.preWindow),
            postWindow: Duration = .seconds(Self.detector.postWindow),
            freeFallG: Double = Self.detector.freeFallG,
            freeFallMinimum: Duration = .seconds(Self.detector.freeFallMinimum)
        ) {
            self.thresholdG = thresholdG
            self.sustain = sustain
            self.severeG = severeG
            self.rearmG = rearmG
            self.refractory = refractory
            self.preWindow = preWindow
            self.postWindow = postWindow
            self.freeFallG = freeFallG
            self.freeFallMinimum = freeFallMinimum
        }

        /// The detector's defaults, which `impact:`'s are.
        public static let detector = DetectorSettings()
    }
}
