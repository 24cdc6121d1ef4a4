import Foundation

/// `sensorstation-bench NAME [options]`: one benchmark per area; each prints its figures as plain
/// lines. Build in release: `swift build -c release --product sensorstation-bench`.
let benchmarks: [(name: String, about: String, run: ([String]) throws -> Void)] = [
    // Each area registers itself here: ("detector", "…", DetectorBenchmark.run),
    (
        "detector", "impact detector samples/s, event cost, trigger latency; waveform codec; trace reader",
        DetectorBenchmark.run
    ),
    (
        "storage",
        "batched recorder rows/s vs a C-API loop; 7-day hourly query latency; database bytes per day",
        StorageBenchmark.run
    ),
    (
        "drivers",
        "accelerometer drivers on the simulated chips: reads/s, CPU per sample; FIFO at top rate in real time, lost samples",
        DriverBenchmark.run
    ),
    (
        "upload",
        "S3/DynamoDB/Kinesis records/s and CPU per 10k records vs boto3, same moto (needs scripts/test-servers)",
        UploadBenchmark.run
    ),
    (
        "alert",
        "impact recorded → SNS Publish answered, through the alert service and moto (needs scripts/test-servers)",
        AlertBenchmark.run
    ),
]

let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let bench = benchmarks.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("usage: sensorstation-bench NAME [options]\n".utf8))
    for b in benchmarks { FileHandle.standardError.write(Data("  \(b.name)  \(b.about)\n".utf8)) }
    exit(args.isEmpty ? 0 : 64)
}
do {
    try bench.run(Array(args.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("sensorstation-bench \(name): \(error)\n".utf8))
    exit(1)
}
