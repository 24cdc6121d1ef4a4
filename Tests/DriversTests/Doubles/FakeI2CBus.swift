import HAL

/// A fake bus: a few register-map devices at fixed addresses, some addresses that fail with a
/// given error (e.g. `.busy`: a kernel driver owns it), and ENXIO everywhere else. Each
/// `device(at:)` returns a fresh `FakeRegisterDevice` over a copy of the map.
final class FakeI2CBus: I2CBus {
    enum Slot: Sendable {
        /// A device with these register values (others 0x00).
        case registers([UInt8: UInt8])
        /// Every transfer fails with this kind.
        case failing(I2CErrorKind)
    }

    let path: String
    let slots: [I2CAddress: Slot]

    init(path: String = "/dev/i2c-1", _ slots: [I2CAddress: Slot]) {
        self.path = path
        self.slots = slots
    }

    func device(at address: I2CAddress) throws(I2CError) -> any I2CDevice {
        let device = FakeRegisterDevice(busPath: path, address: address)
        switch slots[address] {
        case nil: device.present = false
        case .registers(let map): for (r, v) in map { device[r] = v }
        case .failing(let kind): device.failAll = kind
        }
        return device
    }
}
