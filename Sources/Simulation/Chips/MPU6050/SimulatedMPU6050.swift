/// A register-level InvenSense MPU-6050 (accelerometer ±2...16 g, gyroscope, temperature, a
/// 1024-byte FIFO) sampling a scenario's acceleration on a simulation clock. Samples are
/// produced lazily on each transfer; only those that can still be read are computed.
///
/// Modelled (register map RM-MPU-6000A-00 rev 4.2; product specification PS-MPU-6000A-00 rev 3.4):
/// - WHO_AM_I 0x75 = 0x68. PWR_MGMT_1 0x6B resets to 0x40: SLEEP (bit 6) is set, so the chip
///   produces no data until it is cleared; DEVICE_RESET (bit 7) restores every register's reset
///   value (and empties the FIFO); TEMP_DIS (bit 3) stops temperature updates.
/// - Sample rate = gyroscope output rate / (1 + SMPLRT_DIV 0x19), the gyroscope output rate
///   being 8 kHz with DLPF_CFG (CONFIG 0x1A bits 2:0) 0 or 7 and 1 kHz otherwise (§4.2, §4.3).
///   The accelerometer itself outputs at 1 kHz, so above 1 kHz its value repeats.
/// - ACCEL_CONFIG 0x1C AFS_SEL[4:3]: ±2/4/8/16 g at 16384/8192/4096/2048 LSB/g (§4.5); codes
///   are big-endian two's complement in ACCEL_XOUT_H...ACCEL_ZOUT_L 0x3B–0x40, clipped at the
///   16-bit range. TEMP_OUT 0x41–0x42 = (T − 36.53 °C) · 340 with T the scenario's air
///   temperature; GYRO_XOUT_H...GYRO_ZOUT_L 0x43–0x48 read 0 (the scenario never rotates).
///   PWR_MGMT_2 0x6C STBY_XA/YA/ZA (bits 5:3) make an axis read 0.
/// - INT_ENABLE 0x38 / INT_STATUS 0x3A: DATA_RDY_INT (bit 0) latches on each new sample and
///   FIFO_OFLOW_INT (bit 4) when the FIFO overflows, each only while enabled in INT_ENABLE;
///   reading INT_STATUS clears them (§4.16).
/// - FIFO: USER_CTRL 0x6A FIFO_EN (bit 6) and FIFO_RESET (bit 2, self-clearing); FIFO_EN 0x23
///   selects what each sample writes, in register order (ACCEL_FIFO_EN bit 3: 6 bytes, then
///   TEMP bit 7: 2, XG/YG/ZG bits 6–4: 2 each). FIFO_COUNT_H/L 0x72–0x73 (big-endian byte count),
///   FIFO_R_W 0x74: each byte read pops one; reading an empty FIFO returns the last byte read.
///   When full, the oldest bytes are overwritten (which misaligns frames, as on the chip).
/// - Burst reads auto-increment the register address, except at FIFO_R_W, which stays put so
///   a burst drains the FIFO.
/// Not modelled: the DMP, the auxiliary I2C master, self-test, cycle mode, the DLPF's filtering
/// and delay, clock source start-up, interrupt pins, gyroscope rotation.
public final class SimulatedMPU6050: SimulatedTransactionalChip, SimulatedInterruptSource {
    public typealias Counters = SimulatedSampleCounters

    /// WHO_AM_I (0x75).
    public static let whoAmI: UInt8 = 0x68
    /// FIFO size, bytes.
    public static let fifoCapacity = 1024

    public var scenario: Scenario { core.surroundings.scenario }
    public var modelName: String { "MPU-6050" }
    private let core: SimulatedChipCore<State>

    public init(clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector? = nil) {
        self.core = SimulatedChipCore(clock: clock, scenario: scenario, injector: injector, state: State())
    }

    // MARK: Observation

    /// Sample bookkeeping; frames in the FIFO (or the unread register sample) are "held".
    public var counters: Counters {
        core.withCurrentState { s, _ in s.counters }
    }

    /// Bytes in the FIFO now.
    public var fifoByteCount: Int {
        core.withCurrentState { s, _ in s.fifo.count }
    }

    /// Samples per second now (nil while asleep).
    public var sampleRate: Double? {
        core.peek { $0.periodNanoseconds.map { 1e9 / Double($0) } }
    }

    public var isSleeping: Bool {
        core.peek { $0.sleeping }
    }

    /// LSB per g of the accelerometer range now in effect.
    public var accelerometerLSBPerG: Double {
        core.peek { $0.lsbPerG }
    }

    // MARK: SimulatedI2CChip

    public func readBlock(register: UInt8, count: Int) -> [UInt8] {
        return core.withCurrentState { s, now in
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var reg = register
            for _ in 0..<count {
                out.append(s.read(reg))
                reg = Self.next(after: reg)
            }
            return out
        }
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) {
        core.withCurrentState { s, now in
            var reg = register
            for b in bytes {
                s.write(reg, b, now: now)
                reg = Self.next(after: reg)
            }
        }
    }

    public func nextRegister(after register: UInt8) -> UInt8 { Self.next(after: register) }

    /// FIFO_R_W does not advance, so a burst read drains the FIFO.
    static func next(after register: UInt8) -> UInt8 {
        register == 0x74 ? 0x74 : register &+ 1
    }

    public func powerOnReset() {
        core.reset(to: State())
    }

    // MARK: SimulatedInterruptSource

    public func interruptPin() -> SimulatedPinOutput { core.interruptPin() }
    public func setTransferObserver(_ observer: (@Sendable () -> Void)?) {
        core.setTransferObserver(observer)
    }

    // MARK: Internals

    /// The 1024-byte FIFO: a byte ring that remembers which bytes begin a frame, so the
    /// counters stay exact when an overflow discards part of one.
    struct ByteFIFO {
        private var bytes = [UInt8](repeating: 0, count: SimulatedMPU6050.fifoCapacity)
        private var starts = [Bool](repeating: false, count: SimulatedMPU6050.fifoCapacity)
        private var head = 0
        private(set) var count = 0
        /// Frames whose first byte is still in the FIFO.
        private(set) var frames = 0
        var isFull: Bool { count == bytes.count }

        /// Appends one byte; if full, the oldest is overwritten. Returns true if the overwritten
        /// byte began a frame.
        mutating func push(_ byte: UInt8, start: Bool) -> Bool {
            var lostFrame = false
            if count == bytes.count {
                lostFrame = starts[head]
                if lostFrame { frames -= 1 }
                head = (head + 1) % bytes.count
                count -= 1
            }
            let i = (head + count) % bytes.count
            bytes[i] = byte
            starts[i] = start
            if start { frames += 1 }
            count += 1
            return lostFrame
        }

        /// The oldest byte and whether it began a frame.
        mutating func pop() -> (byte: UInt8, start: Bool)? {
            guard count > 0 else { return nil }
            let r = (bytes[head], starts[head])
            if r.1 { frames -= 1 }
            head = (head + 1) % bytes.count
            count -= 1
            return r
        }

        mutating func removeAll() {
            head = 0
            count = 0
            frames = 0
        }
    }

    /// One sample's register values.
    struct Sample {
        var accel: (Int16, Int16, Int16) = (0, 0, 0)
        var temperature: Int16 = 0
        var gyro: (Int16, Int16, Int16) = (0, 0, 0)
    }

    struct State: SimulatedChipState {
        var regs = [UInt8](repeating: 0, count: 0x80)
        var schedule: SampleSchedule?
        var data = Sample()
        var fifo = ByteFIFO()
        var lastFIFOByte: UInt8 = 0
        var dataReadyLatch = false
        var overflowLatch = false
        /// Without the FIFO: the register sample has not been read (a read reaching 0x40).
        var unread = false
        var counters = Counters()

        init() {
            regs[0x6B] = 0x40  // PWR_MGMT_1 reset: SLEEP
        }

        var sleeping: Bool { regs[0x6B] & 0x40 != 0 }

        /// INT: DATA_RDY (INT_ENABLE bit 0) and FIFO_OFLOW (bit 4) while their INT_STATUS bits are
        /// set; active low with INT_PIN_CFG INT_LEVEL. Modelled as latched (LATCH_INT_EN): the
        /// unlatched 50 µs pulse is one edge all the same.
        func interruptPin() -> SimulatedPinOutput {
            let enabled = regs[0x38]
            let active = (enabled & 0x01 != 0 && dataReadyLatch) || (enabled & 0x10 != 0 && overflowLatch)
            let next = enabled & 0x01 != 0 ? schedule.map { $0.time(of: $0.produced + 1) } : nil
            return SimulatedPinOutput(active: active, activeLow: regs[0x37] & 0x80 != 0, next: next)
        }

        /// Sample period (nil while asleep): (1 + SMPLRT_DIV) gyroscope periods of 125 µs
        /// (DLPF_CFG 0 or 7: 8 kHz) or 1 ms (DLPF on: 1 kHz).
        var periodNanoseconds: Int64? {
            guard !sleeping else { return nil }
            let dlpf = regs[0x1A] & 0x07
            let gyroPeriod: Int64 = dlpf == 0 || dlpf == 7 ? 125_000 : 1_000_000
            return (1 + Int64(regs[0x19])) * gyroPeriod
        }

        var lsbPerG: Double { 16384 / Double(1 << Int(regs[0x1C] >> 3 & 0x03)) }

        /// Bytes each sample writes to the FIFO (0: the FIFO takes nothing).
        var frameSize: Int {
            guard regs[0x6A] & 0x40 != 0 else { return 0 }
            let en = regs[0x23]
            return (en & 0x08 != 0 ? 6 : 0) + (en & 0x80 != 0 ? 2 : 0) + (en & 0x40 != 0 ? 2 : 0)
                + (en & 0x20 != 0 ? 2 : 0) + (en & 0x10 != 0 ? 2 : 0)
        }

        mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings) {
            guard var schedule, let range = schedule.advance(to: now) else { return }
            self.schedule = schedule
            let new = range.count
            counters.generated += new
            if regs[0x38] & 0x01 != 0 { dataReadyLatch = true }

            let lsb = lsbPerG
            let standby = regs[0x6C] >> 3 & 0x07  // STBY_XA bit 5 → 0b100 here
            let dlpf = regs[0x1A] & 0x07
            let eightKHz = dlpf == 0 || dlpf == 7
            let tempEnabled = regs[0x6B] & 0x08 == 0
            var lastTemperature = data.temperature
            func sample(_ k: Int64) -> Sample {
                var t = schedule.time(of: k)
                // The accelerometer outputs at 1 kHz: faster sample rates repeat its value.
                if eightKHz { t = .nanoseconds(t.simNanoseconds / 1_000_000 * 1_000_000) }
                let (a, celsius) = (surroundings.acceleration(at: t), surroundings.temperatureC(at: t))
                func counts(_ g: Double) -> Int16 {
                    Int16(min(32767, max(-32768, (g * lsb).rounded())))
                }
                var s = Sample()
                s.accel = (
                    standby & 0b100 != 0 ? 0 : counts(a.x), standby & 0b010 != 0 ? 0 : counts(a.y),
                    standby & 0b001 != 0 ? 0 : counts(a.z)
                )
                if tempEnabled {
                    lastTemperature = Int16(min(32767, max(-32768, ((celsius - 36.53) * 340).rounded())))
                }
                s.temperature = lastTemperature
                return s
            }

            let size = frameSize
            if size > 0 {
                // The FIFO takes every sample; the registers show the newest.
                if unread {
                    counters.lost += 1
                    unread = false
                }
                // Samples whose every byte later ones would overwrite are not computed.
                let capacity = SimulatedMPU6050.fifoCapacity
                let survivors = min(new, (capacity - 1) / size + 1)
                if survivors < new {
                    counters.lost += fifo.frames + (new - survivors)
                    fifo.removeAll()
                    if regs[0x38] & 0x10 != 0 { overflowLatch = true }
                }
                var last = Sample()
                for k in (range.upperBound - Int64(survivors) + 1)...range.upperBound {
                    last = sample(k)
                    for (i, b) in frame(last).enumerated() {
                        if fifo.isFull, regs[0x38] & 0x10 != 0 { overflowLatch = true }
                        if fifo.push(b, start: i == 0) { counters.lost += 1 }
                    }
                }
                data = last
            } else {
                counters.lost += new - 1 + (unread ? 1 : 0)
                data = sample(range.upperBound)
                unread = true
            }
        }

        /// FIFO bytes of one sample, in register order.
        func frame(_ s: Sample) -> [UInt8] {
            let en = regs[0x23]
            var out: [UInt8] = []
            out.reserveCapacity(14)
            func be(_ v: Int16) {
                let u = UInt16(bitPattern: v)
                out.append(UInt8(u >> 8))
                out.append(UInt8(u & 0xFF))
            }
            if en & 0x08 != 0 { be(s.accel.0); be(s.accel.1); be(s.accel.2) }
            if en & 0x80 != 0 { be(s.temperature) }
            if en & 0x40 != 0 { be(s.gyro.0) }
            if en & 0x20 != 0 { be(s.gyro.1) }
            if en & 0x10 != 0 { be(s.gyro.2) }
            return out
        }

        /// Big-endian data registers 0x3B...0x48.
        func dataByte(_ reg: UInt8) -> UInt8 {
            let words = [
                data.accel.0, data.accel.1, data.accel.2, data.temperature, data.gyro.0, data.gyro.1,
                data.gyro.2,
            ]
            let w = UInt16(bitPattern: words[Int(reg - 0x3B) / 2])
            return (reg - 0x3B) % 2 == 0 ? UInt8(w >> 8) : UInt8(w & 0xFF)
        }

        mutating func read(_ reg: UInt8) -> UInt8 {
            switch reg {
            case 0x19...0x1C, 0x23...0x34, 0x37, 0x38, 0x63...0x67, 0x6A...0x6C: return regs[Int(reg)]
            case 0x3A:
                // INT_STATUS: cleared by this read.
                let v: UInt8 = (overflowLatch ? 0x10 : 0) | (dataReadyLatch ? 0x01 : 0)
                overflowLatch = false
                dataReadyLatch = false
                return v
            case 0x3B...0x48:
                let b = dataByte(reg)
                if reg == 0x40, unread {
                    counters.popped += 1
                    unread = false
                }
                return b
            case 0x72: return UInt8(fifo.count >> 8)
            case 0x73: return UInt8(fifo.count & 0xFF)
            case 0x74:
                guard let (byte, start) = fifo.pop() else { return lastFIFOByte }
                if start { counters.popped += 1 }
                lastFIFOByte = byte
                return byte
            case 0x75: return SimulatedMPU6050.whoAmI
            default: return 0x00  // self-test, external sensor data, reserved
            }
        }

        mutating func write(_ reg: UInt8, _ value: UInt8, now: Duration) {
            let oldPeriod = periodNanoseconds
            switch reg {
            case 0x6B where value & 0x80 != 0:
                // DEVICE_RESET: every register to its reset value; held data is gone.
                var fresh = State()
                fresh.counters = counters
                fresh.counters.lost += fifo.frames + (unread ? 1 : 0)
                self = fresh
                return
            case 0x6A:
                if value & 0x04 != 0 {  // FIFO_RESET
                    counters.lost += fifo.frames
                    fifo.removeAll()
                }
                if value & 0x01 != 0 { data = Sample() }  // SIG_COND_RESET clears the sensor registers
                regs[0x6A] = value & 0x70  // the reset bits clear themselves
            case 0x19...0x1C, 0x23...0x34, 0x37, 0x38, 0x63...0x67, 0x6B, 0x6C:
                regs[Int(reg)] = value
            default:
                return  // read-only, FIFO_R_W writes (not modelled), reserved
            }
            if periodNanoseconds != oldPeriod {
                schedule = periodNanoseconds.map { SampleSchedule(periodNanoseconds: $0, anchor: now) }
            }
        }
    }
}
