import Foundation

/// One raw acceleration sample (axes in g). Kept only while streaming or around impacts, and then
/// never one row per sample (3200 Hz would be 276 M rows a day): each `Record.raw` batch becomes
/// one row of `raw_acceleration` holding a packed blob (see `RawSampleCodec`).
public struct RawSampleRecord: Sendable, Equatable {
    public var time: Date
    public var x: Double
    public var y: Double
    public var z: Double
    public var saturated: Bool

    public init(time: Date, x: Double, y: Double, z: Double, saturated: Bool) {
        self.time = time
        self.x = x
        self.y = y
        self.z = z
        self.saturated = saturated
    }
}
