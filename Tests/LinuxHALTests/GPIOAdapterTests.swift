import CGPIOD
import HAL
import Testing

@testable import LinuxHAL

/// These run on a development/CI host without GPIO hardware; the kernel tier (Tests/Kernel)
/// covers real chips on gpio-sim.
@Suite("GPIO adapter on a host without GPIO chips", .enabled(if: LinuxGPIOChip.chipPaths().isEmpty))
struct GPIOHostTests {
    func openError(_ selector: String) -> GPIOError? {
        do {
            _ = try LinuxGPIOChip.open(selector)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "chip lookup fails clearly by name, label and path",
        arguments: ["gpiochip0", "pinctrl-bcm2711", "/dev/gpiochip4"])
    func chipNotFound(selector: String) {
        let error = openError(selector)
        #expect(error?.kind == .chipNotFound)
        #expect(error?.chip == selector)
        #expect(
            error?.message
                == "no GPIO chip matches '\(selector)', and this system has none (no /dev/gpiochip*; on a Pi, check the kernel and that the user is in group gpio)"
        )
        #expect(error?.description.hasPrefix("\(selector): no GPIO chip matches") == true)
    }

    @Test("no chips are listed")
    func noChips() {
        #expect(LinuxGPIOChip.availableChips().isEmpty)
    }
}

@Suite("GPIO adapter: library")
struct GPIOLibraryTests {
    // scripts/deps installs Debian 12's libgpiod2 (1.6), the only one there; the shim loads it at
    // run time (libgpiod.so.3, 2.x, is tried first and absent). The 2.x path is the kernel tier's.
    @Test("loads Debian 12's libgpiod 1.6 at run time: no kernel debounce")
    func version() {
        #expect(cgpiod_available() == 1)
        #expect(String(cString: cgpiod_load_error()) == "")
        #expect(LinuxGPIOChip.libraryVersion.hasPrefix("1.6"))
        #expect(LinuxGPIOChip.hasKernelDebounce == false)
    }
}
