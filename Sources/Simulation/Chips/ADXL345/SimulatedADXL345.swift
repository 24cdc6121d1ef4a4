/// A register-level Analog Devices ADXL345 (or ADXL375: same DEVID 0xE5, fixed ±200 g at
/// 49 mg/LSB) sampling a scenario's acceleration on a simulation clock.
///
/// Samples are produced lazily: each transfer first generates every sample due since the last one
/// (at the ODR, on the clock), computing only those the FIFO can keep, so 3200 Hz for hours costs
/// nothing while nobody reads.
///
/// Modelled (ADXL345 datasheet rev. G, register map table 19 and register definitions):
/// DEVID 0x00; OFSX/OFSY/OFSZ 0x1E–0x20 (15.6 mg/LSB, added to the output); BW_RATE 0x2C (rate
/// code bits 3:0, 3200 Hz / 2^(15 − code)); POWER_CTL 0x2D (measure bit 3; no samples in standby);
/// INT_SOURCE 0x30 (DATA_READY bit 7, watermark bit 1, overrun bit 0); DATA_FORMAT 0x31 (FULL_RES
/// bit 3, justify bit 2, range bits 1:0); DATAX0..DATAZ1 0x32–0x37 (little-endian two's complement,
/// clipped at the range limit); FIFO_CTL 0x38 (mode bits 7:6, samples bits 4:0); FIFO_STATUS 0x39
/// (entries bits 5:0). A read transaction that includes DATAZ1 (0x37) pops one sample after it.
/// The FIFO holds 32 entries (the chip's extra output-register entry is not modelled).
/// Not modelled: tap/activity/free-fall detection, interrupts pins, sleep/low-power behaviour,
/// self-test, trigger mode's trigger (trigger mode behaves as stream mode), SPI.
public final class SimulatedADXL345: SimulatedTransactionalChip, SimulatedInterruptSource {
    public enum Variant: String, Sendable, CaseIterable {
        case adxl345, adxl375
    }

    /// Sample bookkeeping, for tests and benchmarks: held is FIFO entries, or the unread sample
    /// in bypass mode.
    public typealias Counters = SimulatedSampleCounters

    public let variant: Variant
    public var scenario: Scenario { core.surroundings.scenario }
    public var modelName: String { variant == .adxl345 ? "ADXL345" : "ADXL375" }
    private let core: SimulatedChipCore<State>

    /// FIFO depth.
    public static let fifoCapacity = 32
    /// DEVID (register 0x00) of both variants.
    public static let deviceID: UInt8 = 0xE5

    public init(
        variant: Variant = .adxl345, clock: any SimulationClock, scenario: Scenario,
        injector: ImpactInjector? = nil
    ) {
        self.variant = variant
        self.core = SimulatedChipCore(
            clock: clock, scenario: scenario, injector: injector,
            state: State(variant: variant, rateError: scenario.sensorError.rateError))
    }

    // MARK: Observation

    public var counters: Counters {
        core.withCurrentState { s, _ in s.counters }
    }

    /// Entries in the FIFO now (0 in bypass mode).
    public var fifoCount: Int {
        core.withCurrentState { s, _ in s.fifoMode == .bypass ? 0 : s.fifo.count }
    }

    /// The output data rate set in BW_RATE (off by the oscillator's error), Hz.
    public var outputDataRate: Double {
        core.peek { 1e9 / Double($0.periodNanoseconds) }
    }

    public var isMeasuring: Bool {
        core.peek { $0.measuring }
    }

    /// The scale now in effect: counts per g and the clipping limits (right-justified counts).
    public var scale: (countsPerG: Double, min: Int, max: Int) {
        core.peek { s in
            let f = s.format
            return (f.countsPerG, f.minCount, f.maxCount)
        }
    }

    // MARK: SimulatedI2CChip

    public func readBlock(register: UInt8, count: Int) -> [UInt8] {
        return core.withCurrentState { s, now in
            // Data registers show one sample for the whole transaction; a transaction that reaches
            // DATAZ1 pops it afterwards.
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var reg = register
            var touchedZ1 = false
            for _ in 0..<count {
                out.append(s.read(reg))
                if reg == 0x37 { touchedZ1 = true }
                reg &+= 1
            }
            if touchedZ1 { s.pop() }
            return out
        }
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) {
        core.withCurrentState { s, now in
            var reg = register
            for b in bytes {
                s.write(reg, b, now: now)
                reg &+= 1
            }
        }
    }

    public func powerOnReset() {
        let variant = self.variant
        let rateError = scenario.sensorError.rateError
        core.reset(to: State(variant: variant, rateError: rateError))
    }

    // MARK: SimulatedInterruptSource

    public func interruptPin() -> SimulatedPinOutput { core.interruptPin() }
    public func setTransferObserver(_ observer: (@Sendable () -> Void)?) {
        core.setTransferObserver(observer)
    }

    // MARK: Internals

    /// One sample as right-justified counts.
    struct Sample: Equatable {
        var x: Int16
        var y: Int16
        var z: Int16
        /// When it was taken.
        var time: Duration = .zero
        static let zero = Sample(x: 0, y: 0, z: 0)
    }

    enum FIFOMode: UInt8 { case bypass = 0, fifo = 1, stream = 2, trigger = 3 }

    /// The output format of DATA_FORMAT (and the variant).
    struct Format {
        var countsPerG: Double
        /// Significant bits of the right-justified output (10...13).
        var bits: Int
        var leftJustify: Bool
        var minCount: Int { -(1 << (bits - 1)) }
        var maxCount: Int { (1 << (bits - 1)) - 1 }
    }

    /// A 32-entry ring buffer.
    struct Ring {
        private var storage = [Sample](repeating: .zero, count: SimulatedADXL345.fifoCapacity)
        private var head = 0
        private(set) var count = 0

        var first: Sample? { count > 0 ? storage[head] : nil }
        /// The entry `i` places after the oldest.
        subscript(i: Int) -> Sample { storage[(head + i) % storage.count] }

        mutating func push(_ s: Sample) {
            precondition(count < storage.count)
            storage[(head + count) % storage.count] = s
            count += 1
        }

        mutating func popFirst() -> Sample? {
            guard count > 0 else { return nil }
            let s = storage[head]
            head = (head + 1) % storage.count
            count -= 1
            return s
        }

        mutating func removeAll() {
            head = 0
            count = 0
        }
    }

    struct State: SimulatedChipState {
        let variant: Variant
        /// The oscillator's error (`SensorError.rateError`).
        let rateError: Double
        /// Registers 0x00...0x3F as written (configuration only; computed ones are not stored).
        var regs = [UInt8](repeating: 0, count: 64)
        var fifo = Ring()
        /// The sample the data registers show when the FIFO is empty, and in bypass mode.
        var output = Sample.zero
        /// Bypass mode: a sample arrived that has not been read; and one was overwritten unread.
        var dataReady = false
        var bypassOverrun = false
        /// Bypass mode: when the sample that set DATA_READY was taken.
        var readySince: Duration = .zero
        var measuring = false
        /// Samples are due at anchor + k·period, k = 1, 2, ...; `generatedSinceAnchor` were produced.
        var anchor: Duration = .zero
        var generatedSinceAnchor: Int64 = 0
        var counters = Counters()

        init(variant: Variant, rateError: Double = 0) {
            self.variant = variant
            self.rateError = rateError
            regs[0x2C] = 0x0A  // BW_RATE reset: 100 Hz
            if variant == .adxl375 { regs[0x31] = 0x0B }  // DATA_FORMAT bits 3, 1, 0 read as 1
        }

        var fifoMode: FIFOMode { FIFOMode(rawValue: regs[0x38] >> 6)! }
        var watermark: Int { Int(regs[0x38] & 0x1F) }
        /// 312.5 µs at code 0xF (3200 Hz), doubling per step down: 3200 Hz / 2^(15 − code); off by
        /// the oscillator's error.
        var periodNanoseconds: Int64 {
            let nominal: Int64 = 312_500 << (15 - Int64(regs[0x2C] & 0x0F))
            return rateError == 0 ? nominal : Int64((Double(nominal) / (1 + rateError)).rounded())
        }

        var format: Format {
            let df = regs[0x31]
            let justify = df & 0x04 != 0
            if variant == .adxl375 {
                return Format(countsPerG: 1 / 0.049, bits: 13, leftJustify: justify)  // 49 mg/LSB
            }
            let range = Int(df & 0x03)  // 0: ±2 g ... 3: ±16 g
            if df & 0x08 != 0 {
                // FULL_RES: 256 LSB/g (3.9 mg/LSB) at every range, 10 + range bits.
                return Format(countsPerG: 256, bits: 10 + range, leftJustify: justify)
            }
            // 10-bit: 256, 128, 64, 32 LSB/g.
            return Format(countsPerG: Double(256 >> range), bits: 10, leftJustify: justify)
        }

        /// Generates the samples due by `now`, computing only those that will be kept.
        mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings) {
            guard measuring else { return }
            let period = periodNanoseconds
            let elapsed = (now - anchor).simNanoseconds
            guard elapsed > 0 else { return }
            let total = elapsed / period
            let new = Int(total - generatedSinceAnchor)
            guard new > 0 else { return }
            let first = generatedSinceAnchor + 1  // index of the first new sample
            generatedSinceAnchor = total
            counters.generated += new
            let f = format
            let offsets =
                Vector3(
                    Double(Int8(bitPattern: regs[0x1E])), Double(Int8(bitPattern: regs[0x1F])),
                    Double(Int8(bitPattern: regs[0x20]))) * 0.0156  // 15.6 mg/LSB
            func sample(_ k: Int64) -> Sample {
                let a = surroundings.acceleration(at: anchor + .nanoseconds(k * period)) + offsets
                func counts(_ g: Double) -> Int16 {
                    let c = (g * f.countsPerG).rounded()
                    return Int16(min(Double(f.maxCount), max(Double(f.minCount), c)))
                }
                return Sample(
                    x: counts(a.x), y: counts(a.y), z: counts(a.z), time: anchor + .nanoseconds(k * period))
            }

            switch fifoMode {
            case .bypass:
                // Only the newest survives; the rest, and an unread previous one, are overwritten.
                let overwritten = new - 1 + (dataReady ? 1 : 0)
                counters.lost += overwritten
                if overwritten > 0 { bypassOverrun = true }
                if !dataReady { readySince = anchor + .nanoseconds(first * period) }
                output = sample(total)
                dataReady = true
            case .fifo:
                // Collects until full, then drops new samples.
                let take = min(new, SimulatedADXL345.fifoCapacity - fifo.count)
                for i in 0..<take { fifo.push(sample(first + Int64(i))) }
                counters.lost += new - take
            case .stream, .trigger:
                // Keeps the newest 32.
                let keep = min(new, SimulatedADXL345.fifoCapacity)
                counters.lost += new - keep
                let overflow = fifo.count + keep - SimulatedADXL345.fifoCapacity
                if overflow > 0 {
                    for _ in 0..<overflow { _ = fifo.popFirst() }
                    counters.lost += overflow
                }
                for k in (total - Int64(keep) + 1)...total { fifo.push(sample(k)) }
            }
        }

        /// The sample the data registers show now.
        var shown: Sample {
            fifoMode == .bypass ? output : (fifo.first ?? output)
        }

        /// After a read of DATAZ1: the next sample moves into the data registers.
        mutating func pop() {
            if fifoMode == .bypass {
                if dataReady { counters.popped += 1 }
                dataReady = false
                bypassOverrun = false
            } else if let s = fifo.popFirst() {
                output = s
                counters.popped += 1
            }
        }

        func read(_ register: UInt8) -> UInt8 {
            switch register {
            case 0x00:
                return SimulatedADXL345.deviceID
            case 0x1D...0x2A, 0x2C, 0x2D, 0x2E, 0x2F, 0x31, 0x38:
                return regs[Int(register)]
            case 0x30:
                // INT_SOURCE: DATA_READY (7), watermark (1), overrun (0); the other sources are not
                // modelled. Reset value 0x02 (the watermark of 0 entries is reached).
                let entries = fifoMode == .bypass ? 0 : fifo.count
                let ready = fifoMode == .bypass ? dataReady : fifo.count > 0
                let overrun =
                    fifoMode == .bypass ? bypassOverrun : fifo.count >= SimulatedADXL345.fifoCapacity
                return (ready ? 0x80 : 0) | (entries >= watermark ? 0x02 : 0) | (overrun ? 0x01 : 0)
            case 0x32...0x37:
                let s = shown
                let f = format
                let v: Int16
                switch (register - 0x32) / 2 {
                case 0: v = s.x
                case 1: v = s.y
                default: v = s.z
                }
                let word = f.leftJustify ? UInt16(bitPattern: v) << (16 - f.bits) : UInt16(bitPattern: v)
                return register & 1 == 0 ? UInt8(word & 0xFF) : UInt8(word >> 8)  // little-endian
            case 0x39:
                // FIFO_STATUS: entries in bits 5:0; FIFO_TRIG (bit 7) never set.
                return UInt8(fifoMode == .bypass ? 0 : fifo.count)
            default:
                return 0x00
            }
        }

        mutating func write(_ register: UInt8, _ value: UInt8, now: Duration) {
            switch register {
            case 0x1D...0x2A, 0x2E, 0x2F:
                regs[Int(register)] = value
            case 0x2C:
                let old = regs[0x2C] & 0x0F
                regs[0x2C] = value & 0x1F  // LOW_POWER bit 4, rate bits 3:0
                if measuring, value & 0x0F != old { restartSampling(at: now) }
            case 0x2D:
                let wasMeasuring = measuring
                regs[0x2D] = value & 0x3F
                measuring = value & 0x08 != 0
                if measuring && !wasMeasuring { restartSampling(at: now) }
            case 0x31:
                var v = value & 0xEF  // bit 4 reads 0
                if variant == .adxl375 { v |= 0x0B }
                regs[0x31] = v
            case 0x38:
                let oldMode = fifoMode
                regs[0x38] = value
                let newMode = fifoMode
                if newMode == .bypass, oldMode != .bypass {
                    // Entering bypass mode clears the FIFO.
                    counters.lost += fifo.count
                    fifo.removeAll()
                } else if oldMode == .bypass, newMode != .bypass, dataReady {
                    // The unread sample becomes the first FIFO entry.
                    fifo.push(output)
                    dataReady = false
                    bypassOverrun = false
                }
            default:
                return  // read-only or reserved
            }
        }

        /// INT1: the INT_SOURCE functions enabled in INT_ENABLE and mapped to INT1 (INT_MAP bit
        /// clear) that are set now, inverted by DATA_FORMAT's INT_INVERT. Modelled: DATA_READY,
        /// watermark, overrun (the others are not).
        func interruptPin() -> SimulatedPinOutput {
            let enabled = regs[0x2E] & ~regs[0x2F] & 0x83
            let source = read(0x30) & enabled
            let active = source != 0
            var next: Duration?
            if enabled != 0, measuring {
                // Samples until an enabled function sets: the next one for DATA_READY, the
                // watermark's count, or a full FIFO.
                let count = fifoMode == .bypass ? 0 : fifo.count
                var need = Int.max
                if enabled & 0x80 != 0 { need = 1 }
                if enabled & 0x02 != 0 { need = min(need, max(1, watermark - count)) }
                if enabled & 0x01 != 0 { need = min(need, max(1, SimulatedADXL345.fifoCapacity - count)) }
                next = anchor + .nanoseconds((generatedSinceAnchor + Int64(need)) * periodNanoseconds)
            }
            // When it asserted: the sample that set the earliest of the functions now set (the
            // first unread one for DATA_READY, the watermark's or the 32nd entry). The entries are
            // oldest first, so the function needing the fewest is the earliest.
            var since: Duration?
            if fifoMode == .bypass {
                if source & 0x80 != 0 { since = readySince }
            } else {
                let entries =
                    source & 0x80 != 0
                    ? 1
                    : source & 0x02 != 0
                        ? max(1, watermark) : source & 0x01 != 0 ? SimulatedADXL345.fifoCapacity : 0
                if entries > 0, entries <= fifo.count { since = fifo[entries - 1].time }
            }
            return SimulatedPinOutput(
                active: active, activeLow: regs[0x31] & 0x20 != 0, next: next, assertedAt: since)
        }

        mutating func restartSampling(at now: Duration) {
            anchor = now
            generatedSinceAnchor = 0
        }
    }
}
