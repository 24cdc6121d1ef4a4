// swift-tools-version:6.1
// SensorStation: a Raspberry Pi sensor station (I2C sensors, GPIO LEDs and button, impact
// detection, SQLite log, AWS upload). Dependency direction: HAL ← Drivers ← Station; only the
// executable chooses LinuxHAL (real /dev/i2c-N, /dev/gpiochipN) or Simulation.
import PackageDescription

let package = Package(
    name: "SensorStation",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sensorstation", targets: ["sensorstation"]),
        // Libraries for the fuzz package (Fuzz/), which builds them with -sanitize=fuzzer.
        .library(name: "SensorStationCore", targets: ["HAL", "Drivers", "Detection", "Storage", "Cloud", "Station"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
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
        // Impact detection and per-second summaries: pure value types, time passed in.
        .target(name: "Detection"),
        // The SQLite log (GRDB, WAL): schema, migrations, batched writer, queries, retention.
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // AWS: IoT credentials provider (mTLS), SigV4 (pure), S3/DynamoDB/Kinesis, uploader.
        .target(
            name: "Cloud",
            dependencies: [
                "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Station",
            dependencies: [
                "HAL", "Drivers", "Detection", "Storage", "Cloud",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sensorstation",
            dependencies: [
                "Station", "HAL", "LinuxHAL", "Simulation", "Drivers", "Detection", "Storage", "Cloud",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Throughput and memory benchmarks (run in release: scripts/bench); figures in Benchmarks/README.md.
        .executableTarget(
            name: "sensorstation-bench",
            dependencies: ["HAL", "Drivers", "Simulation", "Detection", "Storage", "Cloud", "Station"],
            path: "Benchmarks/Sources"
        ),
        .testTarget(name: "HALTests", dependencies: ["HAL"]),
        .testTarget(name: "LinuxHALTests", dependencies: ["LinuxHAL", "HAL", "CI2C"]),
        .testTarget(name: "DriversTests", dependencies: ["Drivers", "HAL"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "HAL"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "CloudTests", dependencies: ["Cloud", "Storage"], exclude: ["Fixtures"]),
        .testTarget(name: "StationTests", dependencies: ["Station", "Simulation", "Drivers", "HAL"]),
        .testTarget(name: "CLITests", dependencies: ["sensorstation"]),
    ]
)
