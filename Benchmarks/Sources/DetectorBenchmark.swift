import Detection
import Foundation

/// `sensorstation-bench detector [--samples N]`: samples per second through the impact detector on
/// one core, the cost of completing an event, the latency from the first over-threshold sample to
/// the trigger and to the complete event (in samples), and the waveform codec and trace reader.
enum DetectorBenchmark {
    static func run(_ args: [String]) throws {
        var total = 50_000_000
        if let i = args.firstIndex(of: "--samples"), i + 1 < args.count, let n = Int(args[i + 1]), n > 0 {
            total = n
        }
        let rate = 3200.0

        // A 3200 Hz recording of road vibration (σ 0.05 g) with a 40 g, 8 ms half-sine every 10 s,
        // generated once and replayed with shifted times (the generator is not what is measured).
        let block = makeTrace(seconds: 100, rate: rate, impactEvery: 10)
        print(
            "detector: \(total) samples at \(Int(rate)) Hz, one 40 g impact per 10 s of data, default settings (CPU time, best of 3)"
        )
        // Best of three runs: the figure is what one core can do, not what a busy machine gave.
        var seconds = Double.infinity
        var events = 0
        for _ in 0..<3 {
            let (time, count) = throughput(block, total: total)
            seconds = min(seconds, time)
            events = count
        }
        print(
            String(
                format:
                    "  throughput: %.1f million samples/s (%.1f ns/sample), %d events, %.0f× real time at 3200 Hz",
                Double(total) / seconds / 1e6, seconds / Double(total) * 1e9, events,
                Double(total) / seconds / rate))

        // The same with an impact every second: how much completing events costs.
        let dense = makeTrace(seconds: 100, rate: rate, impactEvery: 1.5)
        var denseSeconds = Double.infinity
        var denseEvents = 0
        for _ in 0..<3 {
            let (time, count) = throughput(dense, total: dense.count)
            denseSeconds = min(denseSeconds, time)
            denseEvents = count
        }
        let quietPerSample = seconds / Double(total)
        let perEvent = (denseSeconds - quietPerSample * Double(dense.count)) / Double(max(denseEvents, 1))
        print(
            String(
                format:
                    "  impact every 1.5 s: %.1f million samples/s; completing an event (4800-sample waveform, ΔV, HIC15) ≈ %.0f µs",
                Double(dense.count) / denseSeconds / 1e6, perEvent * 1e6))

        // Latency, in samples after the first sample at or above the threshold.
        for (label, sustain) in [("sustain 0", 0.0), ("sustain 100 ms", 0.1)] {
            var settings = DetectorSettings()
            settings.sustain = sustain
            var d = ImpactDetector(settings: settings)
            var firstAbove: Int?
            var pendingAt: Int?
            var completeAt: Int?
            // 6 g for 200 ms at 3200 Hz after 1 s at rest.
            for k in 0..<Int(4 * rate) {
                let t = Double(k) / rate
                let z = t >= 1 && t < 1.2 ? 6.0 : 1.0
                let out = d.process(MotionSample(t: t, x: 0, y: 0, z: z))
                if z >= 4, firstAbove == nil { firstAbove = k }
                if pendingAt == nil, d.pendingTrigger != nil { pendingAt = k }
                if completeAt == nil, !out.isEmpty { completeAt = k }
            }
            if let f = firstAbove, let p = pendingAt, let c = completeAt {
                print(
                    "  latency (\(label)): trigger (pendingTrigger, LED) after \(p - f) samples; complete event after \(c - f) samples (\(String(format: "%.3f", Double(c - f) / rate)) s: the post window)"
                )
            }
        }

        // Waveform codec on a 1.5 s capture.
        let capture = Array(block[0..<4800])
        var blob: [UInt8] = []
        let encodeTime = measure { for _ in 0..<200 { blob = WaveformCodec.encode(capture) } }
        var decoded: [MotionSample] = []
        let decodeTime = try measure { for _ in 0..<200 { decoded = try WaveformCodec.decode(blob) } }
        print(
            String(
                format:
                    "  waveform codec: 4800 samples → %d bytes (%.1f bytes/sample, Float64 would be 33); encode %.0f µs, decode %.0f µs",
                blob.count, Double(blob.count) / 4800, encodeTime / 200 * 1e6, decodeTime / 200 * 1e6))
        precondition(decoded.count == capture.count)

        // Trace reader, parsing CSV from memory.
        var csv = "t_s,x_g,y_g,z_g\n"
        for s in block.prefix(500_000) { csv += String(format: "%.6f,%.4f,%.4f,%.4f\n", s.t, s.x, s.y, s.z) }
        let bytes = Array(csv.utf8)
        var lines = 0
        let readTime = try measure {
            let reader = TraceReader(bytes: bytes)
            while try reader.next() != nil { lines += 1 }
        }
        print(
            String(
                format: "  trace reader: %.2f million lines/s (%.0f MB/s)",
                Double(lines) / readTime / 1e6, Double(bytes.count) / readTime / 1e6))
    }

    /// Seconds to push `total` samples (the block repeated with shifted times) through a detector
    /// with default settings, and the events it found. Plain locals, no closure captures, so the
    /// loop measures the detector and not boxed variables.
    @inline(never)
    static func throughput(_ block: [MotionSample], total: Int) -> (Double, Int) {
        var detector = ImpactDetector()
        var events = 0
        var offset = 0.0
        var done = 0
        let start = cpuSeconds()
        while done < total {
            let n = min(block.count, total - done)
            for i in 0..<n {
                var s = block[i]
                s.t += offset
                events &+= detector.process(s).count
            }
            done += n
            offset += 100
        }
        events += detector.finish().count
        return (cpuSeconds() - start, events)
    }

    /// CPU time of this thread, in seconds: on a shared machine (the team's builds running) wall
    /// time measures the neighbours; CPU time measures the code, which is what one core can do.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds for `body`.
    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = cpuSeconds()
        try body()
        return cpuSeconds() - start
    }

    static func makeTrace(seconds: Double, rate: Double, impactEvery: Double) -> [MotionSample] {
        var rng = SystemRandomNumberGenerator()
        let n = Int(seconds * rate)
        var out: [MotionSample] = []
        out.reserveCapacity(n)
        for k in 0..<n {
            let t = Double(k) / rate
            let phase = t.truncatingRemainder(dividingBy: impactEvery) - impactEvery / 2
            let pulse = phase >= 0 && phase < 0.008 ? 40 * sin(Double.pi * phase / 0.008) : 0
            func noise() -> Double { Double.random(in: -0.087...0.087, using: &rng) }  // σ ≈ 0.05 g
            out.append(MotionSample(t: t, x: pulse * 0.6 + noise(), y: noise(), z: 1 + pulse * 0.8 + noise()))
        }
        return out
    }
}
