import HAL

/// What the probe found at one address.
public struct ProbeResult: Sendable, Equatable {
    public var address: I2CAddress
    /// The identified chip, or nil for "something answers but it is not one we know".
    public var model: ChipModel?
    /// The value of the ID register, when one was read.
    public var chipID: UInt8?
    /// The register the ID was read from (0xD0, 0x00, 0x0F, 0x75).
    public var idRegister: UInt8?
    /// Models that share `chipID` and cannot be told apart from `model` by any ID register
    /// (ADXL345/ADXL375, H3LIS331DL/LIS331HH). The configuration must name the real part.
    public var alsoMatches: [ChipModel]
    /// A bus error other than "nothing there": e.g. `.busy` (a kernel driver owns the address) or
    /// `.timeout`. The address is reported, because something is (or may be) there.
    public var error: I2CError?

    public init(
        address: I2CAddress, model: ChipModel? = nil, chipID: UInt8? = nil, idRegister: UInt8? = nil,
        alsoMatches: [ChipModel] = [], error: I2CError? = nil
    ) {
        self.address = address
        self.model = model
        self.chipID = chipID
        self.idRegister = idRegister
        self.alsoMatches = alsoMatches
        self.error = error
    }

    /// "bme280", or "unknown device".
    public var name: String { model?.rawValue ?? "unknown device" }
}

/// Bus scan and chip identification.
public enum Probe {
    /// Visits every address in `addresses`, like `i2cdetect -r`, and identifies what answers.
    /// Addresses where nothing answers are left out; addresses with other errors (busy, timeout)
    /// are reported with `error` set.
    public static func scan(
        _ bus: any I2CBus, addresses: ClosedRange<I2CAddress> = I2CLimits.scanRange
    ) -> [ProbeResult] {
        addresses.compactMap { identify(bus, address: $0) }
    }

    /// Identifies the device at `address`; nil when nothing answers.
    ///
    /// At addresses where a known chip family can live, the chip-ID register is read (a "read byte
    /// data", which every one of these chips supports). Elsewhere only an SMBus "receive byte" is
    /// done, as `i2cdetect -r` does, so unknown chips (EEPROMs, RTCs) see no register writes.
    public static func identify(_ bus: any I2CBus, address: I2CAddress) -> ProbeResult? {
        let device: any I2CDevice
        do { device = try bus.device(at: address) } catch {
            return absent(error) ? nil : ProbeResult(address: address, error: error)
        }
        let candidates = ChipIdentity.table.filter { $0.addresses.contains(address) }
        // Each candidate ID register is read once, even if several IDs live in it.
        var registersTried: [UInt8] = []
        var lastID: (register: UInt8, id: UInt8)?
        for candidate in candidates where !registersTried.contains(candidate.idRegister) {
            registersTried.append(candidate.idRegister)
            let id: UInt8
            do { id = try device.readByte(register: candidate.idRegister) } catch {
                if absent(error) { return nil }
                return ProbeResult(address: address, idRegister: candidate.idRegister, error: error)
            }
            if let match = candidates.first(where: {
                $0.idRegister == candidate.idRegister && $0.chipID == id
            }) {
                return ProbeResult(
                    address: address, model: match.model, chipID: id, idRegister: match.idRegister,
                    alsoMatches: match.alsoMatches)
            }
            lastID = (candidate.idRegister, id)
        }
        if let lastID {
            // Something answered at a known chip's address with another ID.
            return ProbeResult(address: address, chipID: lastID.id, idRegister: lastID.register)
        }
        do {
            _ = try device.receiveByte()
        } catch  where error.kind == .unsupported {
            // Adapters without "receive byte" (rare): fall back to "read byte data" at 0x00.
            do { _ = try device.readByte(register: 0x00) } catch {
                return absent(error) ? nil : ProbeResult(address: address, error: error)
            }
        } catch {
            return absent(error) ? nil : ProbeResult(address: address, error: error)
        }
        return ProbeResult(address: address)
    }

    /// ENXIO (no ACK for the address) means nothing is there. Some adapters (e.g. the Pi's
    /// bcm2835) report an address NAK as EREMOTEIO, so that counts as absent too.
    static func absent(_ error: I2CError) -> Bool {
        error.kind == .noDevice || error.kind == .noAcknowledge
    }
}
