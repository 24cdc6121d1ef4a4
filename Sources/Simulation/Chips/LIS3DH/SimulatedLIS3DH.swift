/// A register-level ST LIS3DH (±2...16 g, 32-level FIFO) sampling a scenario's acceleration on a
/// simulation clock. Samples are produced lazily on each transfer, computing only those that will
/// be kept, like `SimulatedADXL345`.
///
/// Modelled (datasheet DocID17530 rev 2, §6.1.1 and §8; AN3308 §9):
/// - WHO_AM_I 0x0F = 0x33.
/// - CTRL_REG1 0x20 (reset 0x07): ODR[7:4] (0000 power down; 1, 10, 25, 50, 100, 200, 400 Hz;
///   1000 = 1.6 kHz, low-power only; 1001 = 1.344 kHz, or 5.376 kHz with LPen), LPen bit 3,
///   Zen/Yen/Xen bits 2:0 (a disabled axis reads 0). Codes 1010–1111 are not defined: no data.
/// - CTRL_REG4 0x23: BDU bit 7, BLE bit 6, FS[5:4] (±2/4/8/16 g), HR bit 3. The resolution and
///   sensitivity follow the operating mode (table 4 and §3.2.1): high resolution (HR = 1, LPen = 0)
///   12-bit at 1/2/4/12 mg/digit; normal 10-bit at 4/8/16/48 mg/digit; low power (LPen = 1) 8-bit
///   at 16/32/64/192 mg/digit. Output is left-justified in 16 bits and clipped at ± full scale.
/// - CTRL_REG5 0x24: FIFO_EN bit 6 (BOOT and interrupt latching are stored, not acted on).
/// - STATUS_REG 0x27, OUT_X_L...OUT_Z_H 0x28–0x2D: see `STOutputBlock`.
/// - FIFO_CTRL_REG 0x2E: FM[7:6] (bypass, FIFO, stream, stream-to-FIFO as stream), FTH[4:0].
///   FIFO_SRC_REG 0x2F: WTM, OVRN_FIFO, EMPTY, FSS (see `STOutputBlock.fifoSource`).
///   The FIFO is in use when FIFO_EN = 1 and FM ≠ bypass; leaving that state empties it.
/// - Sub-address auto-increment only when bit 7 of the register address is set (§6.1.1: a block
///   read at 0xA8 reads 0x28, 0x29, ...); without it every byte comes from the same register.
///   While the FIFO is in use the address rolls back from OUT_Z_H (0x2D) to OUT_X_L (0x28)
///   (AN3308 §9.6), so one long burst can read several entries.
/// Not modelled: interrupts and click detection, the auxiliary ADC and temperature sensor,
/// self-test, the high-pass filter, the stream-to-FIFO trigger, turn-on time, SPI.
public final class SimulatedLIS3DH: SimulatedTransactionalChip, SimulatedInterruptSource {
    public typealias Counters = SimulatedSampleCounters

    /// WHO_AM_I (0x0F).
    public static let whoAmI: UInt8 = 0x33
    /// FIFO depth.
    public static let fifoCapacity = 32

    public var scenario: Scenario { core.surroundings.scenario }
    public var modelName: String { "LIS3DH" }
    private let core: SimulatedChipCore<State>

    public init(clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector? = nil) {
        self.core = SimulatedChipCore(clock: clock, scenario: scenario, injector: injector, state: State())
    }

    // MARK: Observation

    public var counters: Counters {
        core.withCurrentState { s, _ in s.output.counters }
    }

    /// Entries in the FIFO now (0 when it is not in use).
    public var fifoCount: Int {
        core.withCurrentState { s, _ in s.fifoMode == nil ? 0 : s.output.fifoCount }
    }

    /// The output data rate now in effect, Hz (nil: powered down).
    public var outputDataRate: Double? {
        core.peek { $0.rateHz.map(Double.init) }
    }

    /// The output format now in effect.
    public var scale: (gPerDigit: Double, bits: Int, fullScaleG: Double) {
        core.peek { s in
            let f = s.format
            return (f.gPerDigit, f.bits, f.fullScaleG)
        }
    }

    // MARK: SimulatedI2CChip

    public func readBlock(register: UInt8, count: Int) -> [UInt8] {
        return core.withCurrentState { s, now in
            var out: [UInt8] = []
            out.reserveCapacity(count)
            let autoIncrement = register & 0x80 != 0
            var reg = register & 0x7F
            for _ in 0..<count {
                out.append(s.read(reg))
                if reg == 0x2D { s.output.consume(mode: s.fifoMode) }
                if autoIncrement { reg = s.next(after: reg) }
            }
            return out
        }
    }

    public func writeBlock(register: UInt8, bytes: [UInt8]) {
        core.withCurrentState { s, now in
            STSubAddress.forEach(from: register, bytes) { reg, b in s.write(reg, b, now: now) }
        }
    }

    public func nextRegister(after register: UInt8) -> UInt8 { STSubAddress.next(after: register) }

    public func powerOnReset() {
        core.reset(to: State())
    }

    // MARK: SimulatedInterruptSource

    public func interruptPin() -> SimulatedPinOutput { core.interruptPin() }
    public func setTransferObserver(_ observer: (@Sendable () -> Void)?) {
        core.setTransferObserver(observer)
    }

    // MARK: Internals

    /// The output format of the operating mode and full scale.
    struct Format: Equatable {
        var bits: Int
        var gPerDigit: Double
        var fullScaleG: Double

        /// Counts for `g`, clipped at ± full scale and at the code range.
        func counts(_ g: Double) -> Int {
            let limit = min((1 << (bits - 1)) - 1, Int((fullScaleG / gPerDigit + 1e-9).rounded(.down)))
            let c = (g / gPerDigit).rounded()
            return Int(min(Double(limit), max(Double(-limit), c)))
        }

        func word(_ g: Double) -> Int16 {
            Int16(truncatingIfNeeded: counts(g) << (16 - bits))
        }
    }

    struct State: SimulatedChipState {
        /// Registers 0x00...0x3F as written (configuration only).
        var regs = [UInt8](repeating: 0, count: 0x40)
        var output = STOutputBlock(fifoCapacity: SimulatedLIS3DH.fifoCapacity)
        var schedule: SampleSchedule?

        init() {
            regs[0x20] = 0x07  // CTRL_REG1 reset: power down, X Y Z enabled
        }

        var lowPower: Bool { regs[0x20] & 0x08 != 0 }

        /// ODR[7:4] of CTRL_REG1 → samples per second (nil: power down or an undefined code).
        var rateHz: Int64? {
            switch regs[0x20] >> 4 {
            case 1: 1
            case 2: 10
            case 3: 25
            case 4: 50
            case 5: 100
            case 6: 200
            case 7: 400
            case 8: 1600
            case 9: lowPower ? 5376 : 1344
            default: nil
            }
        }

        var format: Format {
            let fs = Int(regs[0x23] >> 4 & 0x03)
            let fullScale = [2.0, 4, 8, 16][fs]
            if lowPower {
                return Format(bits: 8, gPerDigit: [0.016, 0.032, 0.064, 0.192][fs], fullScaleG: fullScale)
            }
            if regs[0x23] & 0x08 != 0 {
                return Format(bits: 12, gPerDigit: [0.001, 0.002, 0.004, 0.012][fs], fullScaleG: fullScale)
            }
            return Format(bits: 10, gPerDigit: [0.004, 0.008, 0.016, 0.048][fs], fullScaleG: fullScale)
        }

        /// The FIFO mode in effect, nil when the FIFO is not in use.
        var fifoMode: STOutputBlock.FIFOMode? {
            guard regs[0x24] & 0x40 != 0 else { return nil }
            let mode = STOutputBlock.FIFOMode(rawValue: regs[0x2E] >> 6)!
            return mode == .bypass ? nil : mode
        }

        mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings) {
            guard var schedule, let range = schedule.advance(to: now) else { return }
            self.schedule = schedule
            let f = format
            let axes = regs[0x20] & 0x07
            output.deliver(range, mode: fifoMode) { k in
                let a = surroundings.acceleration(at: schedule.time(of: k))
                return STOutputBlock.Words(
                    x: axes & 1 != 0 ? f.word(a.x) : 0, y: axes & 2 != 0 ? f.word(a.y) : 0,
                    z: axes & 4 != 0 ? f.word(a.z) : 0)
            }
        }

        /// INT1 from CTRL_REG3: I1_WTM (FIFO_SRC_REG's WTM: more than FTH samples) and I1_ZYXDA
        /// (STATUS_REG ZYXDA); active low with CTRL_REG6 INT_POLARITY. Other sources not modelled.
        func interruptPin() -> SimulatedPinOutput {
            let ctrl3 = regs[0x22]
            var active = false
            var need = Int64.max
            if ctrl3 & 0x04 != 0, fifoMode != nil {
                let threshold = Int(regs[0x2E] & 0x1F)
                active = output.fifoSource(mode: fifoMode, threshold: threshold) & 0x80 != 0
                need = Int64(max(1, threshold + 1 - output.fifoCount))
            }
            if ctrl3 & 0x10 != 0 {
                active = active || output.status & 0x08 != 0
                need = 1
            }
            let next = need == .max ? nil : schedule.map { $0.time(of: $0.produced + need) }
            return SimulatedPinOutput(active: active, activeLow: regs[0x25] & 0x02 != 0, next: next)
        }

        /// The next sub-address in an auto-increment transfer.
        func next(after reg: UInt8) -> UInt8 {
            if reg == 0x2D, fifoMode != nil { return 0x28 }  // FIFO roll-back (AN3308 §9.6)
            return (reg + 1) & 0x7F
        }

        mutating func read(_ reg: UInt8) -> UInt8 {
            switch reg {
            case 0x0F: return SimulatedLIS3DH.whoAmI
            case 0x1E...0x26, 0x2E, 0x30, 0x32...0x34, 0x36...0x38, 0x3A...0x3F: return regs[Int(reg)]
            case 0x27: return output.status
            case 0x28...0x2D:
                return output.read(
                    reg, mode: fifoMode, bdu: regs[0x23] & 0x80 != 0, bigEndian: regs[0x23] & 0x40 != 0)
            case 0x2F: return output.fifoSource(mode: fifoMode, threshold: Int(regs[0x2E] & 0x1F))
            default: return 0x00  // unmodelled sources and reserved addresses
            }
        }

        mutating func write(_ reg: UInt8, _ value: UInt8, now: Duration) {
            let oldRate = rateHz
            let oldFIFO = fifoMode
            switch reg {
            case 0x1E...0x26, 0x2E, 0x30, 0x32...0x34, 0x36...0x38, 0x3A...0x3F:
                regs[Int(reg)] = value
            default:
                return  // read-only or reserved
            }
            if reg == 0x24 { regs[0x24] &= 0x7F }  // BOOT clears itself once the trimming is reloaded
            if rateHz != oldRate {
                // A new rate (or power-up) starts a new sample grid now.
                schedule = rateHz.map { SampleSchedule(hz: $0, anchor: now) }
            }
            let newFIFO = fifoMode
            if oldFIFO != nil, newFIFO == nil {
                output.clearFIFO()
            } else if oldFIFO == nil, newFIFO != nil {
                output.startFIFO()
            }
        }
    }
}
