// swift-tools-version:6.1
// SensorStation: a Raspberry Pi sensor station (I2C sensors, GPIO LEDs and button, impact
// detection, SQLite log, AWS upload). Linux only (i2c-dev, libgpiod, systemd): no `platforms`
// entry, since no Apple platform can build it (an earlier macOS 15 entry promised one that could
// not). Dependency direction: HAL ← Drivers ← Station; only the executable chooses LinuxHAL (real
// /dev/i2c-N, /dev/gpiochipN) or Simulation. System calls are made in two adapter targets only:
// LinuxHAL (the hardware) and LinuxSystem (sockets, clocks, scheduling, files, the terminal).
import PackageDescription

// Fuzzing (scripts/fuzz): with SENSORSTATION_FUZZ=1 in the environment, the targets that parse
// untrusted input are compiled with libFuzzer's coverage instrumentation and the harnesses of
// Fuzz/Sources join the package. Only the harness products can be built that way (the station
// itself would lack libFuzzer's runtime); without the variable the package is unchanged.
let fuzzing = Context.environment["SENSORSTATION_FUZZ"] == "1"
let fuzzed: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []

let package = Package(
    name: "SensorStation",
    products: [
        .executable(name: "sensorstation", targets: ["sensorstation"])
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
        // C only: every libgpiod call, behind a version-neutral shim over 1.6 and 2.x. The library
        // is loaded at run time (dlopen), not linked: one binary for bookworm and trixie.
        .target(name: "CGPIOD", exclude: ["libgpiod-1.6/README.md", "libgpiod-2/README.md"]),
        // Protocols and value types; no dependencies.
        .target(name: "HAL", swiftSettings: fuzzed),
        // The system calls outside the hardware, behind thin adapters: Unix sockets and peer
        // credentials, sd_notify's datagram, the kernel's clocks and NTP state, SCHED_FIFO, file
        // reads and modes, the terminal. No other Swift target imports Glibc.
        .target(name: "LinuxSystem"),
        // The only Swift target that imports the C modules.
        .target(name: "LinuxHAL", dependencies: ["HAL", "CI2C", "CGPIOD"]),
        .target(name: "Drivers", dependencies: ["HAL"], swiftSettings: fuzzed),
        .target(name: "Simulation", dependencies: ["HAL", "LinuxSystem"]),
        // Impact detection and per-second summaries: pure value types, time passed in.
        .target(name: "Detection", dependencies: ["LinuxSystem"], swiftSettings: fuzzed),
        // The SQLite log (GRDB, WAL): schema, migrations, batched writer, queries, retention.
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: fuzzed
        ),
        // AWS: IoT credentials provider (mTLS), SigV4 (pure), S3/DynamoDB/Kinesis, uploader.
        .target(
            name: "Cloud",
            dependencies: [
                "Storage", "LinuxSystem",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: fuzzed
        ),
        .target(
            name: "Station",
            dependencies: [
                "HAL", "Drivers", "Detection", "Storage", "Cloud", "LinuxSystem",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // Each stage's README says what flows in and out (Sources/Station/README.md).
            exclude: [
                "README.md", "Sample/README.md", "Detect/README.md", "Record/README.md", "Upload/README.md",
                "State/README.md", "Indicate/README.md", "Control/README.md", "Configuration/README.md",
                "Service/README.md", "Alert/README.md",
            ],
            swiftSettings: fuzzed
        ),
        .executableTarget(
            name: "sensorstation",
            dependencies: [
                "Station", "HAL", "LinuxHAL", "LinuxSystem", "Simulation", "Drivers", "Detection", "Storage",
                "Cloud",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The release link is for a small resident footprint (Benchmarks/README.md, service):
            // lld with DT_RELR relocations (no 3 MB table for the loader to read), no exported
            // symbol table (nothing dlopens us), and the functions the running service executes
            // placed together (packaging/sensorstation.order, made by scripts/order-file), so the
            // pages it touches are few. Stale or foreign names in the order file are ignored. The
            // order moves sections, not functions: `make build` compiles every function into a
            // section of its own (the Makefile's RELEASE_FLAGS); a plain `swift build -c release`
            // links the same order with whole files moved, and a larger footprint.
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld",
                        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                        "-Xlinker", "--no-export-dynamic",
                        "-Xlinker",
                        "--symbol-ordering-file=\(Context.packageDirectory)/packaging/sensorstation.order",
                        "-Xlinker", "--no-warn-symbol-ordering",
                    ],
                    .when(platforms: [.linux], configuration: .release)
                )
            ]
        ),
        // Throughput and memory benchmarks (run in release: scripts/bench); figures in Benchmarks/README.md.
        .executableTarget(
            name: "sensorstation-bench",
            dependencies: [
                "HAL", "Drivers", "Simulation", "Detection", "Storage", "Cloud", "Station", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/Sources"
        ),
        // What the test targets share: CapturedLog (log lines as the service writes them),
        // SplitMix64 (the seeded generator of every randomised test), temporaryDirectory, and
        // TestServers (moto and the mutual-TLS credentials endpoint as subprocesses).
        .target(
            name: "TestSupport",
            dependencies: ["Cloud", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "LinuxHALTests", dependencies: ["LinuxHAL", "HAL", "CI2C", "CGPIOD"]),
        .testTarget(name: "DriversTests", dependencies: ["Drivers", "HAL", "TestSupport"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "HAL"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(
            name: "CloudTests", dependencies: ["Cloud", "Storage", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "StationTests",
            dependencies: ["Station", "Simulation", "Drivers", "HAL", "LinuxSystem", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["sensorstation", "TestSupport"]),
    ]
)

// The libFuzzer harnesses, one per parser of untrusted input (run them with scripts/fuzz).
if fuzzing {
    let harnesses: [(String, [Target.Dependency])] = [
        ("FuzzConfiguration", ["Station"]),  // ConfigurationLoader.parse over any text
        ("FuzzCredentials", ["Cloud", "FuzzWire"]),  // CredentialsResponseDecoder: status, headers and body
        ("FuzzServiceAnswers", ["Cloud", "FuzzWire"]),  // S3/DynamoDB/Kinesis/SNS answers and errors
        ("FuzzTrace", ["Detection"]),  // TraceReader, in one chunk and in small chunks
        ("FuzzDrivers", ["Drivers", "HAL"]),  // every driver over a bus answering with the bytes
        ("FuzzControl", ["Station"]),  // ControlRequest.decode (the control socket's request line)
        ("FuzzShadow", ["Cloud", "Station", "Storage"]),  // a shadow answer, its desired state, the overlay
        ("FuzzJSON", ["Storage"]),  // JSONValue.parse, the reader of every AWS answer, and its round trip
        ("FuzzWaveform", ["Detection", "Storage"]),  // WaveformCodec and RawSampleCodec (SQLite blobs)
    ]
    // C only: the declaration of libFuzzer's LLVMFuzzerRunDriver (see FuzzerEntry.h for why).
    package.targets.append(.target(name: "CFuzzerDriver", path: "Fuzz/Sources/CFuzzerDriver"))
    // Swift only: an HTTP answer laid out like the wire, shared by the harnesses of network answers.
    package.targets.append(.target(name: "FuzzWire", dependencies: ["Cloud"], path: "Fuzz/Sources/FuzzWire"))
    for (name, dependencies) in harnesses {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["CFuzzerDriver"] + dependencies,
                path: "Fuzz/Sources/\(name)",
                swiftSettings: [.unsafeFlags(["-sanitize=fuzzer", "-parse-as-library"])],
                linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
            )
        )
        package.products.append(.executable(name: name, targets: [name]))
    }
}
