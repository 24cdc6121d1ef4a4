import Foundation

/// One second of acceleration, summarised (always kept, whatever the raw settings). Magnitudes are
/// of the vector |a| = √(x²+y²+z²) in g.
public struct MotionRecord: Sendable, Equatable {
    /// The start of the second.
    public var time: Date
    public var sampleCount: Int
    public var minG: Double
    public var maxG: Double
    public var meanG: Double
    /// √(mean of |a|²) over the second.
    public var rmsG: Double
    /// The largest |a| (equal to `maxG` for a magnitude summary; kept separately because the
    /// detector may report a filtered peak).
    public var peakG: Double
    public var meanX: Double
    public var meanY: Double
    public var meanZ: Double
    /// Samples in which any axis was at full scale.
    public var saturatedCount: Int

    public init(
        time: Date, sampleCount: Int, minG: Double, maxG: Double, meanG: Double, rmsG: Double,
        peakG: Double, meanX: Double, meanY: Double, meanZ: Double, saturatedCount: Int
    ) {
        self.time = time
        self.sampleCount = sampleCount
        self.minG = minG
        self.maxG = maxG
        self.meanG = meanG
        self.rmsG = rmsG
        self.peakG = peakG
        self.meanX = meanX
        self.meanY = meanY
        self.meanZ = meanZ
        self.saturatedCount = saturatedCount
    }
}
