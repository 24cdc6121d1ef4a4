/// A register-level ST LIS331HH (±6/12/24 g) or H3LIS331DL (±100/200/400 g) sampling a
/// scenario's acceleration on a simulation clock. Neither part has a FIFO; samples are produced
/// lazily on each transfer, only the newest one computed.
///
/// Modelled (H3LIS331DL datasheet DocID024316 §7, LIS331HH datasheet DocID17526 §7; the register
/// maps are the same):
/// - WHO_AM_I 0x0F = 0x32 for both parts (software cannot tell them apart).
/// - CTRL_REG1 0x20 (reset 0x07): PM[7:5] (000 power down; 001 normal mode at DR[4:3] = 50, 100,
///   400, 1000 Hz; 010–110 low-power at 0.5, 1, 2, 5, 10 Hz; 111 is not defined: no data),
///   Zen/Yen/Xen bits 2:0 (a disabled axis reads 0).
/// - CTRL_REG4 0x23: BDU bit 7, BLE bit 6, FS[5:4]: 00, 01, 11 → ±6/12/24 g at 3/6/12 mg/digit
///   (LIS331HH) or ±100/200/400 g at 49/98/195 mg/digit (H3LIS331DL); FS = 10 is "not allowed"
///   and is modelled as 11.
/// - STATUS_REG 0x27 and OUT_X_L...OUT_Z_H 0x28–0x2D (12-bit, left-justified, clipped at ± full
///   scale): see `STOutputBlock`.
/// - Sub-address auto-increment only when bit 7 of the register address is set.
/// Not modelled: high-pass filter, interrupts and wake-up, sleep-to-wake, self-test, SPI.
public final class SimulatedLIS331: SimulatedTransactionalChip, SimulatedInterruptSource {
    public enum Variant: String, Sendable, CaseIterable {
        case lis331hh, h3lis331dl

        /// Full scales of FS codes 00, 01, 11, ±g.
        public var fullScales: [Double] { self == .lis331hh ? [6, 12, 24] : [100, 200, 400] }
        /// Sensitivities of FS codes 00, 01, 11, g/digit (typical, datasheet table 3).
        public var sensitivities: [Double] {
            self == .lis331hh ? [0.003, 0.006, 0.012] : [0.049, 0.098, 0.195]
        }
    }

    public typealias Counters = SimulatedSampleCounters

    /// WHO_AM_I (0x0F) of both variants.
    public static let whoAmI: UInt8 = 0x32

    public let variant: Variant
    public var scenario: Scenario { core.surroundings.scenario }
    public var modelName: String { variant == .lis331hh ? "LIS331HH" : "H3LIS331DL" }
    private let core: SimulatedChipCore<State>

    public init(
        variant: Variant, clock: any SimulationClock, scenario: Scenario, injector: ImpactInjector? = nil
    ) {
        self.variant = variant
        self.core = SimulatedChipCore(
            clock: clock, scenario: scenario, injector: injector, state: State(variant: variant))
    }

    // MARK: Observation

    public var counters: Counters {
        core.withCurrentState { s, _ in s.output.counters }
    }

    /// The output data rate now in effect, Hz (nil: powered down).
    public var outputDataRate: Double? {
        core.peek { $0.periodNanoseconds.map { 1e9 / Double($0) } }
    }

    /// The output format now in effect (always 12 bits).
    public var scale: (gPerDigit: Double, fullScaleG: Double) {
        core.peek { ($0.gPerDigit, $0.fullScaleG) }
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
                if reg == 0x2D { s.output.consume(mode: nil) }
                if autoIncrement { reg = (reg + 1) & 0x7F }
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
        let variant = self.variant
        core.reset(to: State(variant: variant))
    }

    // MARK: SimulatedInterruptSource

    public func interruptPin() -> SimulatedPinOutput { core.interruptPin() }
    public func setTransferObserver(_ observer: (@Sendable () -> Void)?) {
        core.setTransferObserver(observer)
    }

    // MARK: Internals

    struct State: SimulatedChipState {
        let variant: Variant
        var regs = [UInt8](repeating: 0, count: 0x40)
        var output = STOutputBlock(fifoCapacity: 0)
        var schedule: SampleSchedule?

        init(variant: Variant) {
            self.variant = variant
            regs[0x20] = 0x07  // CTRL_REG1 reset: power down, X Y Z enabled
        }

        /// PM[7:5] and DR[4:3] → sample period (nil: power down or undefined).
        var periodNanoseconds: Int64? {
            let pm = regs[0x20] >> 5
            switch pm {
            case 1: return [20_000_000, 10_000_000, 2_500_000, 1_000_000][Int(regs[0x20] >> 3 & 0x03)]
            case 2: return 2_000_000_000  // 0.5 Hz
            case 3: return 1_000_000_000  // 1 Hz
            case 4: return 500_000_000  // 2 Hz
            case 5: return 200_000_000  // 5 Hz
            case 6: return 100_000_000  // 10 Hz
            default: return nil
            }
        }

        /// FS[5:4] → index into the variant's tables (10, not allowed, as 11).
        var rangeIndex: Int {
            switch regs[0x23] >> 4 & 0x03 {
            case 0: 0
            case 1: 1
            default: 2
            }
        }

        var gPerDigit: Double { variant.sensitivities[rangeIndex] }
        var fullScaleG: Double { variant.fullScales[rangeIndex] }

        mutating func catchUp(now: Duration, in surroundings: SimulatedSurroundings) {
            guard var schedule, let range = schedule.advance(to: now) else { return }
            self.schedule = schedule
            let sensitivity = gPerDigit
            // Clipped at ± full scale and at the 12-bit code range.
            let limit = Double(min(2047, Int((fullScaleG / sensitivity + 1e-9).rounded(.down))))
            func word(_ g: Double) -> Int16 {
                let c = min(limit, max(-limit, (g / sensitivity).rounded()))
                return Int16(c) << 4
            }
            let axes = regs[0x20] & 0x07
            output.deliver(range, mode: nil) { k in
                let a = surroundings.acceleration(at: schedule.time(of: k))
                return STOutputBlock.Words(
                    x: axes & 1 != 0 ? word(a.x) : 0, y: axes & 2 != 0 ? word(a.y) : 0,
                    z: axes & 4 != 0 ? word(a.z) : 0)
            }
        }

        /// INT1 with CTRL_REG3 I1_CFG = 10: data ready (STATUS_REG ZYXDA), active low with IHL.
        /// The other sources (the interrupt generators, boot) are not modelled.
        func interruptPin() -> SimulatedPinOutput {
            let dataReady = regs[0x22] & 0x03 == 0b10
            let active = dataReady && output.status & 0x08 != 0
            let next = dataReady ? schedule.map { $0.time(of: $0.produced + 1) } : nil
            return SimulatedPinOutput(active: active, activeLow: regs[0x22] & 0x80 != 0, next: next)
        }

        mutating func read(_ reg: UInt8) -> UInt8 {
            switch reg {
            case 0x0F: return SimulatedLIS331.whoAmI
            case 0x20...0x24, 0x26, 0x30, 0x32...0x34, 0x36, 0x37: return regs[Int(reg)]
            case 0x27: return output.status
            case 0x28...0x2D:
                return output.read(
                    reg, mode: nil, bdu: regs[0x23] & 0x80 != 0, bigEndian: regs[0x23] & 0x40 != 0)
            default: return 0x00  // interrupt sources (not modelled), HP_FILTER_RESET, reserved
            }
        }

        mutating func write(_ reg: UInt8, _ value: UInt8, now: Duration) {
            let oldPeriod = periodNanoseconds
            switch reg {
            case 0x20...0x24, 0x26, 0x30, 0x32...0x34, 0x36, 0x37:
                regs[Int(reg)] = value
            default:
                return
            }
            if periodNanoseconds != oldPeriod {
                schedule = periodNanoseconds.map { SampleSchedule(periodNanoseconds: $0, anchor: now) }
            }
        }
    }
}
