/// The output side that ST's LIS3DH and LIS331HH/H3LIS331DL share, as a value inside a model's
/// lock: STATUS_REG (0x27), OUT_X_L...OUT_Z_H (0x28–0x2D) with block data update (BDU) and byte
/// order (BLE), and optionally the LIS3DH's FIFO.
///
/// Sources: LIS3DH datasheet DocID17530 rev 2 §8.8 CTRL_REG4, §8.10 CTRL_REG5, §8.12 STATUS_REG,
/// §8.13–8.18 OUT registers, §8.19 FIFO_CTRL_REG, §8.20 FIFO_SRC_REG, application note AN3308
/// §9 (FIFO); H3LIS331DL DocID024316 §7 (same STATUS_REG, OUT and CTRL_REG4 layout).
///
/// Behaviour modelled:
/// - Each new sample sets XDA/YDA/ZDA (bits 0–2) and ZYXDA (bit 3). A sample arriving while an
///   axis still has unread data sets that axis' overrun bit (XOR/YOR/ZOR, bits 4–6) and ZYXOR
///   (bit 7). Reading an axis' high byte (OUT_x_H) clears its data-available and overrun bits;
///   ZYXDA/ZYXOR read as set while any axis bit is set.
/// - BDU: once one byte of an axis pair has been read, the output registers keep showing that
///   sample until the other byte of the pair is read (reading only the high bytes therefore
///   freezes the output, as on the chip).
/// - BLE = 0: the low byte at the lower address; BLE = 1: the high byte there.
/// - A read that reaches OUT_Z_H consumes the sample: in FIFO use it pops the oldest entry (the
///   next one moves into the output registers); otherwise it marks the shown sample as read.
struct STOutputBlock {
    /// One sample as the chip's left-justified 16-bit two's complement words.
    struct Words: Equatable {
        var x: Int16
        var y: Int16
        var z: Int16
        static let zero = Words(x: 0, y: 0, z: 0)

        subscript(axis: Int) -> Int16 {
            switch axis {
            case 0: x
            case 1: y
            default: z
            }
        }
    }

    /// FIFO_CTRL_REG FM[1:0] (bits 7:6).
    enum FIFOMode: UInt8 {
        case bypass = 0, fifo = 1, stream = 2, streamToFIFO = 3
    }

    /// FIFO depth (32 on the LIS3DH, 0 on the LIS331: no FIFO).
    let fifoCapacity: Int
    private var fifo: [Words]
    private var head = 0
    private(set) var fifoCount = 0
    /// The newest sample (what the registers show when no FIFO is in use).
    private var latest = Words.zero
    /// The last sample popped from the FIFO (shown while the FIFO is empty).
    private var lastPopped = Words.zero
    /// BDU: the sample the registers keep showing while an axis pair is half read.
    private var frozen: Words?
    /// Bytes read of each axis pair: bit 2a (lower address) and 2a + 1 (upper address).
    private var pairBytes: UInt8 = 0
    private var dataAvailable: UInt8 = 0  // bit 0 X, 1 Y, 2 Z
    private var overrun: UInt8 = 0
    /// Without FIFO: the newest sample has not been consumed yet.
    private var unread = false
    var counters = SimulatedSampleCounters()

    init(fifoCapacity: Int) {
        self.fifoCapacity = fifoCapacity
        self.fifo = [Words](repeating: .zero, count: max(fifoCapacity, 1))
    }

    // MARK: Samples in

    /// Takes the samples `range` (indices on the model's schedule) that fell due. `mode` is the
    /// FIFO mode in effect, nil when the FIFO is not in use (bypass, FIFO_EN = 0, or no FIFO).
    /// Only samples that will be kept are computed (`sample`), so hours unread cost nothing.
    mutating func deliver(_ range: ClosedRange<Int64>, mode: FIFOMode?, sample: (Int64) -> Words) {
        let new = range.count
        counters.generated += new
        // Status flags follow arrivals whatever the FIFO does.
        if dataAvailable != 0 || new > 1 { overrun |= new > 1 ? 0b111 : dataAvailable }
        dataAvailable = 0b111

        switch mode {
        case nil, .bypass?:
            // Only the newest survives; the others, and an unread previous one, are overwritten.
            counters.lost += new - 1 + (unread ? 1 : 0)
            latest = sample(range.upperBound)
            unread = true
        case .fifo?:
            // FIFO mode collects until full, then stops (new samples are not stored).
            let take = min(new, fifoCapacity - fifoCount)
            for k in range.lowerBound..<(range.lowerBound + Int64(take)) { push(sample(k)) }
            counters.lost += new - take
        case .stream?, .streamToFIFO?:
            // Stream mode keeps the newest `fifoCapacity`, discarding the oldest (AN3308 §9.3.3).
            // Stream-to-FIFO behaves as stream until its trigger, which is not modelled.
            let keep = min(new, fifoCapacity)
            counters.lost += new - keep
            let overflow = fifoCount + keep - fifoCapacity
            if overflow > 0 {
                head = (head + overflow) % fifoCapacity
                fifoCount -= overflow
                counters.lost += overflow
            }
            for k in (range.upperBound - Int64(keep) + 1)...range.upperBound { push(sample(k)) }
        }
    }

    private mutating func push(_ w: Words) {
        fifo[(head + fifoCount) % fifoCapacity] = w
        fifoCount += 1
    }

    /// Empties the FIFO (entering bypass mode, FIFO_EN cleared); its entries count as lost.
    mutating func clearFIFO() {
        counters.lost += fifoCount
        head = 0
        fifoCount = 0
    }

    /// The FIFO starts being used: an unread register sample is not carried into it.
    mutating func startFIFO() {
        if unread {
            counters.lost += 1
            unread = false
        }
    }

    // MARK: Registers out

    /// STATUS_REG (0x27): ZYXOR 7, ZOR 6, YOR 5, XOR 4, ZYXDA 3, ZDA 2, YDA 1, XDA 0.
    var status: UInt8 {
        (overrun != 0 ? 0x80 : 0) | overrun << 4 | (dataAvailable != 0 ? 0x08 : 0) | dataAvailable
    }

    /// FIFO_SRC_REG (0x2F): WTM 7, OVRN_FIFO 6, EMPTY 5, FSS[4:0].
    ///
    /// FSS is five bits wide but the FIFO has 32 levels: with 32 unread samples FSS reads 31
    /// (11111) and OVRN_FIFO is set (AN3308 table "FIFO_SRC_REG behaviour"; observed on the
    /// LIS2DH12, the same FIFO design: ruuvi/ruuvitag_fw#67). A reader therefore takes
    /// OVRN_FIFO = 1 as 32 entries. WTM is set once the level exceeds FTH (the application
    /// note's table shows WTM going high at FSS = FTH + 1).
    func fifoSource(mode: FIFOMode?, threshold: Int) -> UInt8 {
        let count = mode == nil || mode == .bypass ? 0 : fifoCount
        var v = UInt8(min(count, 31))
        if count > threshold { v |= 0x80 }
        if count >= fifoCapacity && fifoCapacity > 0 { v |= 0x40 }
        if count == 0 { v |= 0x20 }
        return v
    }

    /// The sample the output registers show now.
    private func shown(_ mode: FIFOMode?) -> Words {
        if let frozen { return frozen }
        guard let mode, mode != .bypass else { return latest }
        return fifoCount > 0 ? fifo[head] : lastPopped
    }

    /// One byte of OUT_X_L...OUT_Z_H (`register` 0x28...0x2D).
    mutating func read(_ register: UInt8, mode: FIFOMode?, bdu: Bool, bigEndian: Bool) -> UInt8 {
        let offset = Int(register) - 0x28
        let axis = offset / 2
        let upperAddress = offset % 2 == 1
        let word = UInt16(bitPattern: shown(mode)[axis])
        // BLE = 0: OUT_x_L (lower address) holds the low byte.
        let highByte = upperAddress != bigEndian
        let byte = highByte ? UInt8(word >> 8) : UInt8(word & 0xFF)

        if bdu, frozen == nil { frozen = shown(mode) }
        pairBytes |= 1 << UInt8(offset)
        let pairMask: UInt8 = 0b11 << UInt8(2 * axis)
        if pairBytes & pairMask == pairMask { pairBytes &= ~pairMask }
        if pairBytes == 0 { frozen = nil }
        if upperAddress {
            // Reading OUT_x_H acknowledges the axis' new data (and its overrun).
            dataAvailable &= ~(1 << UInt8(axis))
            overrun &= ~(1 << UInt8(axis))
        }
        return byte
    }

    /// After a transaction that read OUT_Z_H: the sample is consumed.
    mutating func consume(mode: FIFOMode?) {
        if let mode, mode != .bypass {
            guard fifoCount > 0 else { return }
            lastPopped = fifo[head]
            head = (head + 1) % fifoCapacity
            fifoCount -= 1
            counters.popped += 1
        } else if unread {
            counters.popped += 1
            unread = false
        }
    }
}

/// ST's I2C sub-address convention, the same on the LIS3DH and the LIS331 (§6.1.1 of both
/// datasheets): bit 7 of the register address asks for auto-increment over the 7-bit address;
/// without it every byte of a transfer goes to the same register.
enum STSubAddress {
    /// The register a transfer's next byte goes to, address bit 7 kept.
    static func next(after register: UInt8) -> UInt8 {
        register & 0x80 != 0 ? 0x80 | ((register + 1) & 0x7F) : register
    }

    /// Each byte of a write with the 7-bit register it goes to.
    static func forEach(from register: UInt8, _ bytes: [UInt8], _ body: (UInt8, UInt8) -> Void) {
        var reg = register
        for b in bytes {
            body(reg & 0x7F, b)
            reg = next(after: reg)
        }
    }
}
