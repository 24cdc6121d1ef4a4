import Cloud
import Foundation
import Storage

/// Station events as Kinesis records while streaming is on: per-second motion summaries,
/// weather readings, and the streaming on/off events themselves. Each record is one JSON object
/// with the same `kind`, `time_us` and column names as the row the log stores for it, so a
/// consumer dedupes the live record and the store-and-forward copy by (partition key = thing
/// name, `kind`, `time_us`).
public enum StreamFeed {
    public static func record(for event: StationEvent, at time: Date) -> [UInt8]? {
        var fields: [(String, JSONValue)]
        let t: Date
        switch event {
        case .weather(let w):
            t = w.time
            fields = [
                ("kind", .string("weather")), ("sensor", .string(w.sensor)),
                ("temperature_c", .double(w.temperatureC)),
                ("humidity_percent", w.humidityPercent.map(JSONValue.double) ?? .null),
                ("pressure_pa", .double(w.pressurePa)),
            ]
        case .motion(let m):
            t = m.time
            fields = [
                ("kind", .string("motion")), ("sample_count", .int(Int64(m.sampleCount))),
                ("min_g", .double(m.minG)),
                ("max_g", .double(m.maxG)), ("mean_g", .double(m.meanG)), ("rms_g", .double(m.rmsG)),
                ("peak_g", .double(m.maxG)), ("mean_x_g", .double(m.meanX)), ("mean_y_g", .double(m.meanY)),
                ("mean_z_g", .double(m.meanZ)), ("saturated_count", .int(Int64(m.saturatedCount))),
            ]
        case .streaming:
            // The event as the log stores it (StorageSink), in the stored row's upload form:
            // `event_kind`, `detail`, `payload` as an object (docs/upload.md, "One record, one shape").
            guard case .event(let e)? = StorageSink.record(for: event, at: time) else { return nil }
            t = e.time
            fields = [
                ("kind", .string("event")), ("event_kind", .string(e.kind)), ("detail", .string(e.detail)),
                ("payload", e.payload.map { .object($0.mapValues(JSONValue.string)) } ?? .null),
            ]
        default:
            return nil
        }
        let us = TimeCodec.micros(t)
        fields.insert(
            contentsOf: [("time_us", .int(us)), ("time", .string(TimeCodec.iso(micros: us)))], at: 1)
        return Array(JSONValue.object(fields).utf8)
    }

    /// Feeds `streamer` from `state`: on/off follows the station's streaming state (button,
    /// `stream start|stop`); records are offered only while it is on. With `rawAcceleration`,
    /// the raw samples go too, packed by `RawAccelerationPacker`.
    public static func attach<C: Clock>(
        _ streamer: Streamer<C>, to state: StationState, partitionKey: String,
        rawAcceleration: Bool = false
    )
    where C.Duration == Duration {
        streamer.setActive(state.indication.streaming)
        let packer = rawAcceleration ? RawAccelerationPacker() : nil
        if let packer {
            state.addRawSink { samples in
                for data in packer.add(samples) {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
            }
        }
        state.addSink { time, event in
            if case .streaming(let on, _) = event {
                // "on" goes out as the first record, "off" as the last, after the raw samples held.
                if on { streamer.setActive(true) }
                if !on, let data = packer?.flush() {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
                if let data = record(for: event, at: time) {
                    streamer.offer(.init(partitionKey: partitionKey, data: data))
                }
                if !on { streamer.setActive(false) }
                return
            }
            guard let data = record(for: event, at: time) else { return }
            streamer.offer(.init(partitionKey: partitionKey, data: data))
        }
    }
}
