import Foundation
import Storage
import Synchronization

/// Packs raw acceleration into Kinesis records while streaming: one record per `span` of sample
/// time (default 100 ms, so 320 samples at 3200 Hz and ten records a second, well inside a
/// shard's 1000 records and 1 MB per second), never more than `maxSamples` in one.
///
/// A record is one JSON object:
/// `{"kind":"raw_acceleration","time_us":T,"time":"…","count":N,"dt_us":[…],"x_g":[…],"y_g":[…],"z_g":[…],"saturated":[…]}`
/// where `time_us` is the first sample's time, `dt_us[i]` the i-th sample's offset from it in
/// µs, and `saturated` lists the indices of samples with a clipped axis. A consumer dedupes by
/// (partition key, `kind`, `time_us`) like every other streamed record.
public final class RawAccelerationPacker: Sendable {
    private let buffer = Mutex<[RawSampleRecord]>([])
    /// In whole µs, the resolution of the records' times, so the cut does not depend on how a
    /// `Date` rounds.
    public let spanMicros: Int64
    public let maxSamples: Int

    public init(span: TimeInterval = 0.1, maxSamples: Int = 2000) {
        self.spanMicros = max(1, Int64((span * 1e6).rounded()))
        self.maxSamples = max(1, maxSamples)
    }

    /// Adds one drain's samples; returns the records that are complete.
    public func add(_ samples: [RawSampleRecord]) -> [[UInt8]] {
        let batches: [[RawSampleRecord]] = buffer.withLock { b in
            var out: [[RawSampleRecord]] = []
            var start = b.first.map { TimeCodec.micros($0.time) }
            for s in samples {
                let t = TimeCodec.micros(s.time)
                if let first = start, t - first >= spanMicros || b.count >= maxSamples {
                    out.append(b)
                    b.removeAll(keepingCapacity: true)
                }
                if b.isEmpty { start = t }
                b.append(s)
            }
            return out
        }
        return batches.map(Self.record)
    }

    /// The samples held so far as one record (nil if none).
    public func flush() -> [UInt8]? {
        let held = buffer.withLock { b in
            defer { b.removeAll() }; return b
        }
        return held.isEmpty ? nil : Self.record(held)
    }

    static func record(_ samples: [RawSampleRecord]) -> [UInt8] {
        let t0 = TimeCodec.micros(samples[0].time)
        let fields: [(String, String)] = [
            ("kind", JSONValue.quote("raw_acceleration")),
            ("time_us", "\(t0)"),
            ("time", JSONValue.quote(TimeCodec.iso(micros: t0))),
            ("count", "\(samples.count)"),
            ("dt_us", JSONValue.array(samples.map { .int(TimeCodec.micros($0.time) - t0) })),
            ("x_g", JSONValue.array(samples.map { .double($0.x) })),
            ("y_g", JSONValue.array(samples.map { .double($0.y) })),
            ("z_g", JSONValue.array(samples.map { .double($0.z) })),
            (
                "saturated",
                JSONValue.array(samples.indices.filter { samples[$0].saturated }.map { .int(Int64($0)) })
            ),
        ]
        return Array(JSONValue.object(text: fields).utf8)
    }
}
