import Cloud
import Foundation
import Storage

/// What streaming on means for Kinesis. Every logged row (weather, per-second motion summaries,
/// events, impacts, the streaming on/off events themselves) reaches the stream by one path, the
/// uploader's Kinesis cursor, so each arrives once (docs/upload.md, "Kinesis: each row once");
/// while streaming is on that path runs every `livePollInterval` instead of every poll interval.
/// The raw samples, which the log does not keep, go live through `streamer` when
/// `rawAcceleration` is set, packed by `RawAccelerationPacker`.
public enum StreamFeed {
    public static func attach<C: Clock>(
        _ streamer: Streamer<C>?, uploader: Uploader?, to state: StationState, partitionKey: String,
        rawAcceleration: Bool = false
    )
    where C.Duration == Duration {
        let on = state.indication.streaming
        streamer?.setActive(on)
        uploader?.setLive(on)
        let packer = rawAcceleration ? RawAccelerationPacker() : nil
        if let packer, let streamer {
            state.addRawSink { samples in
                for data in packer.add(samples) {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
            }
        }
        state.addSink { _, event in
            guard case .streaming(let on, _) = event else { return }
            uploader?.setLive(on)
            if on { streamer?.setActive(true) }
            if !on {
                // The last partial record goes before the stream stops.
                if let data = packer?.flush() {
                    streamer?.offer(.init(partitionKey: partitionKey, data: data))
                }
                streamer?.setActive(false)
            }
        }
    }
}
