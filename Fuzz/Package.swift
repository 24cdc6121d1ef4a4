// swift-tools-version:6.1
// libFuzzer targets for every parser of untrusted input in SensorStation. A separate package so
// the main one never builds with the fuzzer runtime; run them with scripts/fuzz, which builds
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Seed corpora live in Fuzz/Corpus/<Target>/, crash inputs are saved to Fuzz/Crashes/<Target>/.
import PackageDescription

let core: Target.Dependency = .product(name: "SensorStationCore", package: "SensorStation")

let package = Package(
    name: "SensorStationFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "SensorStation", path: "..")],
    targets: [
        // C only: the declaration of libFuzzer's LLVMFuzzerRunDriver (see FuzzerEntry.h for why).
        .target(name: "CFuzzerDriver"),
        // ConfigurationLoader.parse over any text, empty environment.
        .executableTarget(name: "FuzzConfiguration", dependencies: ["CFuzzerDriver", core]),
        // CredentialsResponseDecoder.decode over status, headers and body split from one input.
        .executableTarget(name: "FuzzCredentials", dependencies: ["CFuzzerDriver", core]),
        // TraceReader over the bytes, in one chunk and in small chunks.
        .executableTarget(name: "FuzzTrace", dependencies: ["CFuzzerDriver", core]),
        // Every driver's probe, calibration and data parsing over a bus that answers with the bytes.
        .executableTarget(name: "FuzzDrivers", dependencies: ["CFuzzerDriver", core]),
        // ControlRequest.decode (the control socket's request line).
        .executableTarget(name: "FuzzControl", dependencies: ["CFuzzerDriver", core]),
        // WaveformCodec.decode and Storage's RawSampleCodec.decode (SQLite blobs).
        .executableTarget(name: "FuzzWaveform", dependencies: ["CFuzzerDriver", core]),
    ]
)
