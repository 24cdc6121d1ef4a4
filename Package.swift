// swift-tools-version:6.1
// SensorStation: a Raspberry Pi sensor station (I2C sensors, GPIO LEDs and button, impact
// detection, SQLite log, AWS upload). Dependency direction: HAL ← Drivers ← Station; only the
// executable chooses LinuxHAL (real /dev/i2c-N, /dev/gpiochipN) or Simulation.
import PackageDescription

let package = Package(
    name: "SensorStation",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sensorstation", targets: ["sensorstation"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C only: <linux/i2c-dev.h> and libi2c's <i2c/smbus.h>; wraps the variadic ioctl.
        .target(name: "CI2C", linkerSettings: [.linkedLibrary("i2c")]),
        // C only: every libgpiod call, behind a version-neutral shim (v1 now, v2 a compile-time branch).
        .target(name: "CGPIOD", linkerSettings: [.linkedLibrary("gpiod")]),
        // Protocols and value types; no dependencies.
        .target(name: "HAL"),
        // The only Swift target that imports the C modules.
        .target(name: "LinuxHAL", dependencies: ["HAL", "CI2C", "CGPIOD"]),
        .target(name: "Drivers", dependencies: ["HAL"]),
        .target(name: "Simulation", dependencies: ["HAL"]),
        .target(
            name: "Station",
            dependencies: [
                "HAL", "Drivers",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sensorstation",
            dependencies: [
                "Station", "HAL", "LinuxHAL", "Simulation", "Drivers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "HALTests", dependencies: ["HAL"]),
        .testTarget(name: "LinuxHALTests", dependencies: ["LinuxHAL", "HAL", "CI2C"]),
        .testTarget(name: "DriversTests", dependencies: ["Drivers", "HAL"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "HAL"]),
        .testTarget(name: "StationTests", dependencies: ["Station", "Simulation", "Drivers", "HAL"]),
        .testTarget(name: "CLITests", dependencies: ["sensorstation"]),
    ]
)
