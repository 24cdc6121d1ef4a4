import Detection

extension StationConfiguration {
    /// The detector's settings from `impact:` and the accelerometer's rate and range.
    public var detectorSettings: DetectorSettings {
        DetectorSettings(
            thresholdG: impact.thresholdG, sustain: impact.sustain.seconds, severeG: impact.severeG,
            rearmG: impact.rearmG, refractory: impact.refractory.seconds, preWindow: impact.preWindow.seconds,
            postWindow: impact.postWindow.seconds, maxRateHz: max(accelerometer.odrHz, 50),
            fullScaleG: Double(accelerometer.rangeG), freeFallG: impact.freeFallG,
            freeFallMinimum: impact.freeFallMinimum.seconds)
    }
}
