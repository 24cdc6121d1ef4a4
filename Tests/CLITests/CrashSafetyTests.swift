import Foundation
import Storage
import TestSupport
import Testing

/// Power-cut safety, approximated by SIGKILL: the real service runs the simulated station and is
/// killed at random moments; after each kill the file must pass `integrity_check`, every row a
/// reader saw committed before the kill must still be there, and every impact the service said it
/// recorded must be in the file.
///
/// SIGKILL stops the process but not the kernel: data the process wrote is not lost, so this
/// proves the transaction/WAL logic, not fsync ordering (synchronous=FULL for impacts covers that
/// part; a real power-cut rig is the only full proof).
@Suite("Crash safety with the real service", .serialized)
struct CrashSafetyTests {
    struct Counts: Equatable, CustomStringConvertible {
        var weather = 0, motion = 0, events = 0, impacts = 0
        var description: String {
            "weather \(weather), motion \(motion), events \(events), impacts \(impacts)"
        }
    }

    static func counts(_ path: String) throws -> Counts {
        let status = try StationDatabase.openReadOnly(path: path).status()
        func rows(_ name: String) -> Int { status.tables.first { $0.name == name }?.rows ?? -1 }
        return Counts(
            weather: rows("weather"), motion: rows("motion"), events: rows("events"), impacts: rows("impacts")
        )
    }

    @Test("SIGKILL at random moments, twelve times: integrity, committed rows and impacts survive")
    func killRepeatedly() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        let path = dir.appendingPathComponent("station.db").path
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        let seed = generator.state
        var seenImpacts: [Int64: Double] = [:]  // id → peak printed by the service
        var previous = Counts()
        var killedWithCommits = 0

        for round in 0..<12 {
            let (process, out, err) = try CLI.start(
                ["run", "--simulated"],
                environment: [
                    "SENSORSTATION_STORAGE_PATH": path,
                    // many commits: many chances to die mid-commit
                    "SENSORSTATION_STORAGE_COMMIT_INTERVAL_MS": "100",
                    "SENSORSTATION_WEATHER_INTERVAL_S": "1",
                    "SENSORSTATION_SIMULATION_SEED": String(round + 1),
                    // An impact every 3–5 s: kills land before, during and after impact commits.
                    "SENSORSTATION_SIMULATION_SCENARIO": "impacts",
                ])
            // Up to 10 s for the service to create the database, then 0.3–2.5 s of writing.
            var waited = 0
            while (try? StationDatabase.openReadOnly(path: path)) == nil && waited < 500 && process.isRunning
            {
                usleep(20_000)
                waited += 1
            }
            // Let this run commit at least once (however slow the machine), so every kill lands
            // on a service that is writing; then 0–6 s more, at random (the first impact is
            // recorded about 3 s after the start, so about half the kills come after one).
            var polls = 0
            while process.isRunning, polls < 1500, ((try? Self.counts(path))?.motion ?? 0) <= previous.motion
            {
                usleep(20_000)
                polls += 1
            }
            usleep(UInt32(generator.next() % 6_000_000))
            // What a reader sees committed right now must survive the kill.
            let before = try Self.counts(path)
            kill(process.processIdentifier, SIGKILL)
            let result = CLI.finish(process, out, err, timeout: 10)
            #expect(
                result.reason == .uncaughtSignal,
                "round \(round): the service exited by itself: \(result.stderr)")

            // "impact #N recorded: peak X g" is printed only after the durable commit returned.
            for line in result.stdout.split(separator: "\n") {
                guard let r = line.range(of: "impact #"), let end = line[r.upperBound...].firstIndex(of: " "),
                    let id = Int64(line[r.upperBound..<end]),
                    let p = line.range(of: "peak "),
                    let g = Double(line[p.upperBound...].prefix { $0 == "." || $0.isNumber })
                else { continue }
                seenImpacts[id] = g
            }

            let db = try StationDatabase.openReadOnly(path: path)
            #expect(try db.integrityCheck() == ["ok"], "round \(round) (seed \(seed))")
            let after = try Self.counts(path)
            let kept = [
                after.weather >= before.weather, after.motion >= before.motion, after.events >= before.events,
                after.impacts >= before.impacts,
            ]
            #expect(
                !kept.contains(false), "round \(round): before kill \(before), after \(after) (seed \(seed))")
            #expect(
                after.motion >= previous.motion && after.impacts >= previous.impacts,
                "round \(round): rows vanished")
            for (id, peak) in seenImpacts {
                let stored = try db.impact(id: id)
                #expect(
                    stored != nil,
                    "impact #\(id) was reported recorded but is not in the file (round \(round), seed \(seed))"
                )
                if let stored { #expect(abs(stored.peakG - peak) < 0.006, "impact #\(id) peak") }
            }
            if after.motion > previous.motion { killedWithCommits += 1 }
            previous = after
        }
        // The service really wrote in every round (else the test proved nothing), and impacts
        // were recorded and killed around.
        #expect(killedWithCommits == 12)
        #expect(previous.motion > 0 && previous.weather > 0)
        #expect(seenImpacts.count >= 3, "only \(seenImpacts.count) impacts reported recorded in 12 rounds")
        // Ids are never reused: as many impact rows as the largest id (no retention here).
        let ids = try StationDatabase.openReadOnly(path: path)
            .exportPage(.impact, since: .distantPast, until: .distantFuture, afterID: 0, limit: 10_000).map(
                \.id)
        #expect(ids == Array(ids.indices).map { Int64($0 + 1) })
        print(
            "crash safety: 12 kills, \(previous), impacts reported recorded: \(seenImpacts.count), seed \(seed)"
        )
    }
}
