/// A fixed-capacity ring of the most recent samples: the pre-trigger part of every waveform.
///
/// Its capacity (a power of two) is chosen once from the highest expected rate × the time it must
/// cover; nothing is allocated per sample. When samples come faster than that, the oldest are
/// overwritten and the pre window gets shorter; the caller selects by time (`since`), so an
/// unknown or changing rate never returns samples older than asked for.
struct SampleRing: Sendable {
    private var storage: [MotionSample]
    private let mask: Int
    /// Samples ever pushed; the newest is at (written − 1) & mask.
    private var written = 0

    init(capacity: Int) {
        var c = 16
        while c < capacity { c <<= 1 }
        storage = Array(repeating: MotionSample(t: 0, x: 0, y: 0, z: 0), count: c)
        mask = c - 1
    }

    var capacity: Int { mask + 1 }
    var count: Int { min(written, mask + 1) }

    @inline(__always)
    mutating func push(_ s: MotionSample) {
        storage[written & mask] = s
        written &+= 1
    }

    /// The kept samples with t ≥ `start`, oldest first.
    func samples(since start: Double) -> [MotionSample] {
        let n = count
        var first = written - n
        // Times are non-decreasing, so a binary search finds the first one at or after `start`.
        var lo = first, hi = written
        while lo < hi {
            let mid = (lo + hi) / 2
            if storage[mid & mask].t < start { lo = mid + 1 } else { hi = mid }
        }
        first = lo
        var out: [MotionSample] = []
        out.reserveCapacity(written - first)
        for i in first..<written { out.append(storage[i & mask]) }
        return out
    }
}
