import Cloud
import Foundation
import Logging
import ServiceLifecycle
import Station
import Storage
import TestSupport

/// `sensorstation-bench alert [--impacts N]`: the time from a recorded impact to SNS's answer to
/// Publish (the cancel window set to zero, so the window itself is not counted), through the
/// service's own path: the outbox row, the event, the service's step, the message built from the
/// log, SigV4, moto's SNS with signature checking on. Needs `scripts/test-servers` (the venv).
enum AlertBenchmark {
    static func run(_ args: [String]) throws {
        var impacts = 20
        if let i = args.firstIndex(of: "--impacts"), i + 1 < args.count, let n = Int(args[i + 1]), n > 0 {
            impacts = n
        }
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alert-bench-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (database, _) = try StationDatabase.openForWriting(path: dir.appendingPathComponent("b.db").path)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let recorder = Recorder(database: database, retention: RetentionPolicy(), logger: logger)
        let state = StationState()
        let settings = StationConfiguration.AlertSettings(
            enabled: true, topicArn: moto.topicArn, endpoint: moto.endpoint, cancelWindow: .zero,
            severeCancelWindow: .zero, coalesce: .zero, maxPerHour: 3600)
        let service = AlertService(
            settings: settings, sender: .init(thing: "bench", serial: "B-1"), database: database,
            credentials: StaticCredentials(moto.user), state: state, logger: logger, tick: .milliseconds(1))
        let sent = LockedTimes()
        state.addSink { _, event in
            if case .alert(.sent(_, let ids, _, _)) = event { for id in ids { sent.mark(id) } }
        }
        let semaphore = DispatchSemaphore(value: 0)
        let latencies = LockedTimes()
        Task {
            let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
            let running = Task { try await group.run() }
            for _ in 0..<impacts {
                let now = Date()
                let record = ImpactRecord(
                    triggerTime: now, startTime: now, endTime: now, peakTime: now, peakG: 8, peakXG: 8,
                    peakYG: 0,
                    peakZG: 1, durationMs: 10, severity: "impact", deltaVMps: 1, hic15: 10, saturated: false,
                    thresholdG: 4, sensor: "adxl345", waveform: [], waveformCount: 0, waveformRateHz: 400)
                let id = try await recorder.recordImpact(record)
                let start = ContinuousClock.now
                state.record(
                    .impactRecorded(
                        ImpactSummary(
                            id: id, time: now, peakG: 8, severity: "impact", durationMs: 10, thresholdG: 4,
                            deltaVMps: 1, hic15: 10, saturated: false, waveformSamples: 0)))
                while !sent.contains(id) { try await Task.sleep(for: .microseconds(200)) }
                latencies.add(ContinuousClock.now - start)
            }
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            semaphore.signal()
        }
        semaphore.wait()
        let ms = latencies.all.map { $0.seconds * 1000 }.sorted()
        print(
            "alert: \(impacts) impacts, each from the recorded event to SNS's answer (window 0, moto on loopback)"
        )
        print(
            String(
                format: "  median %.1f ms, p90 %.1f ms, max %.1f ms", ms[ms.count / 2], ms[ms.count * 9 / 10],
                ms.last!))
    }

    final class LockedTimes: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: Set<Int64> = []
        private var times: [Duration] = []
        func mark(_ id: Int64) { lock.withLock { _ = ids.insert(id) } }
        func contains(_ id: Int64) -> Bool { lock.withLock { ids.contains(id) } }
        func add(_ d: Duration) { lock.withLock { times.append(d) } }
        var all: [Duration] { lock.withLock { times } }
    }
}
