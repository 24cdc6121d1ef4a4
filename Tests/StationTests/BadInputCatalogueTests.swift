import Cloud
import Detection
import Drivers
import Foundation
import HAL
import Simulation
import Station
import Storage
import Synchronization
import TestSupport
import Testing

/// The rows of docs/bad-inputs.md that are checked on the library, where running the binary is
/// impractical (a credentials endpoint's every answer, a bus fault at one register, a damaged blob):
/// each row gives the input, the exact message a person reads, and the state afterwards. Messages
/// are written out here from the catalogue, not computed from the code under test.
@Suite("Bad-input catalogue (library)")
struct BadInputCatalogueLibraryTests {
    // MARK: Credentials provider responses

    static let endpoint = "c2abc.credentials.iot.eu-west-1.amazonaws.com"
    static let decoder = CredentialsResponseDecoder(
        endpoint: endpoint, roleAlias: "sensorstation-role-alias",
        thingName: "station-0001")

    struct CredentialsRow: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var body: String
        var message: String
        /// Retried soon with backoff (the uploader keeps its queue and tries again) or needs an operator.
        var transient: Bool
        var testDescription: String { name }
    }

    @Test(
        "credentials responses",
        arguments: [
            CredentialsRow(
                name: "403 certificate not registered", status: 403,
                body: #"{"message":"Certificate is invalid on this endpoint"}"#,
                message:
                    "\(endpoint) refused the device certificate (HTTP 403 \"Certificate is invalid on this endpoint\"): register and activate it in AWS IoT in this account and region, or check the endpoint",
                transient: false),
            CredentialsRow(
                name: "404 role alias missing", status: 404,
                body: #"{"message":"Role alias does not exist"}"#,
                message:
                    "role alias \"sensorstation-role-alias\" does not exist at \(endpoint) (HTTP 404 \"Role alias does not exist\"): check upload.role_alias and the region",
                transient: false),
            CredentialsRow(
                name: "400 unable to assume role", status: 400,
                body: #"{"message":"Unable to assume the role, or the role to assume does not exist"}"#,
                message:
                    "\(endpoint) could not assume the role behind alias \"sensorstation-role-alias\" (HTTP 400 \"Unable to assume the role, or the role to assume does not exist\"): the role is missing or its trust policy does not allow credentials.iot.amazonaws.com",
                transient: false),
            CredentialsRow(
                name: "429 throttled", status: 429, body: #"{"message":"Rate exceeded"}"#,
                message:
                    "\(endpoint) is throttling credential requests (HTTP 429 \"Rate exceeded\"); retrying with backoff",
                transient: true),
            CredentialsRow(
                name: "503 outage, HTML body", status: 503, body: "<html>Service Unavailable</html>",
                message:
                    "\(endpoint) failed (HTTP 503 \"<html>Service Unavailable</html>\"); retrying with backoff",
                transient: true),
            CredentialsRow(
                name: "200 truncated body", status: 200, body: #"{"credentials":{"accessKeyId":"ASIA"#,
                message: "\(endpoint) answered HTTP 200 with an unexpected body: not JSON", transient: false),
            CredentialsRow(
                name: "200 non-JSON body", status: 200, body: "OK",
                message: "\(endpoint) answered HTTP 200 with an unexpected body: not JSON", transient: false),
            CredentialsRow(
                name: "200 missing sessionToken", status: 200,
                body:
                    #"{"credentials":{"accessKeyId":"ASIA1","secretAccessKey":"s","expiration":"2026-11-23T06:54:46Z"}}"#,
                message:
                    "\(endpoint) answered HTTP 200 with an unexpected body: missing credentials.sessionToken",
                transient: false),
            CredentialsRow(
                name: "200 expiration not a time", status: 200,
                body:
                    #"{"credentials":{"accessKeyId":"ASIA1","secretAccessKey":"s","sessionToken":"t","expiration":"tomorrow"}}"#,
                message:
                    "\(endpoint) answered HTTP 200 with an unexpected body: expiration \"tomorrow\" is not an ISO 8601 time",
                transient: false),
        ])
    func credentialsResponse(_ row: CredentialsRow) {
        let result = Self.decoder.decode(status: row.status, headers: [], body: Array(row.body.utf8))
        guard case .failure(let error) = result else {
            Issue.record("\(row.name): accepted as credentials")
            return
        }
        #expect(error.description == row.message)
        // State: transient answers are retried with backoff (nothing cached changes); the others wait
        // for an operator. Either way no credentials come out of the answer.
        #expect(error.isTransient == row.transient)
    }

    // MARK: Waveform blobs read back from the database

    struct BlobRow: Sendable, CustomTestStringConvertible {
        var name: String
        var damage: @Sendable ([UInt8]) -> [UInt8]
        var message: @Sendable ([UInt8]) -> String
        var testDescription: String { name }
    }

    static let impact: [MotionSample] = (0..<40).map {
        MotionSample(t: 100 + Double($0) / 800, x: 0, y: 0, z: $0 == 20 ? 7 : 1, saturated: false)
    }

    @Test(
        "damaged waveform blobs",
        arguments: [
            BlobRow(
                name: "one byte flipped (bad sector)",
                damage: {
                    var b = $0; b[12] ^= 0x40; return b
                },
                message: { _ in "" }),
            BlobRow(
                name: "cut short (power cut during write)", damage: { Array($0.prefix(3)) },
                message: { _ in "the waveform blob is cut short (at byte 0)" }),
            BlobRow(
                name: "from a newer version",
                damage: {
                    var b = $0; b[4] = 2; return b
                },
                message: { _ in
                    "waveform format version 2 is newer than this program understands (1) (at byte 4)"
                }),
            BlobRow(
                name: "not a waveform at all", damage: { _ in Array("hello world, not a blob".utf8) },
                message: { _ in "not a waveform blob (expected it to start with \"SSWF\") (at byte 0)" }),
        ])
    func damagedBlob(_ row: BlobRow) {
        let good = WaveformCodec.encode(Self.impact)
        let bad = row.damage(good)
        #expect(throws: WaveformCodecError.self) { _ = try WaveformCodec.decode(bad) }
        do {
            _ = try WaveformCodec.decode(bad)
        } catch {
            let expected = row.message(bad)
            if expected.isEmpty {
                // A flipped byte: the checksum catches it; the message names both checksums.
                #expect(error.description.hasPrefix("checksum mismatch (stored 0x"))
                #expect(error.description.hasSuffix("): the blob is damaged (at byte \(bad.count - 4))"))
            } else {
                #expect(error.description == expected)
            }
        }
        // State: the undamaged blob still decodes to every sample (the codec keeps no state).
        #expect((try? WaveformCodec.decode(good))?.count == Self.impact.count)
    }

    // MARK: The I2C bus

    /// A BME280 on a simulated bus at 0x76 (real errno mapping, presence, fault injection).
    func simulatedBME280() -> SimulatedStation {
        SimulatedStation(clock: ManualSimulationClock(), busPath: "sim:i2c-1")
    }

    @Test("nothing at the address")
    func nothingAtAddress() throws {
        let station = simulatedBME280()
        let device = try station.bus.device(at: 0x77)
        #expect {
            _ = try BME280(device: device, sleep: station.advance)
        } throws: { error in
            (error as? DriverError)?.description
                == "sim:i2c-1 address 0x77 register 0xd0: byte read failed: nothing answers at this address (check wiring, power and the address jumper) (errno 6)"
        }
        // State: the bus is untouched, the chip at 0x76 still answers.
        #expect(throws: Never.self) {
            _ = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        }
    }

    @Test("wrong chip ID (an ADXL345 where the BME280 should be)")
    func wrongChip() throws {
        let device = CatalogueRegisterDevice(address: 0x76, registers: [0xD0: 0xE5])
        #expect {
            _ = try BME280(device: device, sleep: { _ in })
        } throws: { error in
            (error as? DriverError)?.description
                == "/dev/i2c-cat address 0x76 register 0xd0: expected chip ID 0x60 (BME280) or 0x58 (BMP280), found 0xe5"
        }
        // State: identification comes before any write, so the other chip was not reconfigured.
        #expect(device.writes == 0)
    }

    @Test("NAK in the middle of the calibration read, then the retry works")
    func nakMidTransfer() throws {
        let station = simulatedBME280()
        station.bus.injectFault(.noAcknowledge, at: 0x76, register: 0x88)
        #expect {
            _ = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        } throws: { error in
            (error as? DriverError)?.description
                == "sim:i2c-1 address 0x76 register 0x88: block read of 26 bytes failed: the device did not acknowledge (NAK) (errno 121)"
        }
        // State: the fault was one transfer; initialising again (what the sampler's re-probe does) works.
        let sensor = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        #expect(try sensor.read().pressurePa > 30_000)
    }

    @Test("bus timeout during a reading")
    func timeout() throws {
        let station = simulatedBME280()
        let sensor = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        station.bus.injectFault(.timeout, at: 0x76, register: 0xF7)
        #expect {
            _ = try sensor.read()
        } throws: { error in
            (error as? DriverError)?.description
                == "sim:i2c-1 address 0x76 register 0xf7: block read of 8 bytes failed: the bus timed out (a stuck bus or clock stretching; check pull-ups and wiring) (errno 110)"
        }
        // State: the same driver reads again once the bus recovers.
        #expect(try sensor.read().temperatureC > -40)
    }

    @Test(
        "all-0xFF and all-0x00 calibration (floating or shorted bus)",
        arguments: [
            (UInt8(0xFF), "all bytes 0xff (floating bus?)"),
            (UInt8(0x00), "all bytes 0x00 (bus stuck low or no chip?)"),
        ])
    func stuckCalibration(fill: UInt8, reason: String) {
        var map = [UInt8: UInt8]()
        for r in 0x88...0xA1 { map[UInt8(r)] = fill }
        map[0xD0] = 0x60
        let device = CatalogueRegisterDevice(address: 0x76, registers: map)
        #expect {
            _ = try BME280(device: device, sleep: { _ in })
        } throws: { error in
            (error as? DriverError)?.description
                == "/dev/i2c-cat address 0x76 register 0x88: implausible calibration in 0x88...0xa1: \(reason)"
        }
    }

    @Test("a sensor that disappears and comes back")
    func disappearsAndReturns() throws {
        let station = simulatedBME280()
        let sensor = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        station.bus.setPresent(false, at: 0x76)
        #expect {
            _ = try sensor.read()
        } throws: { error in
            (error as? DriverError)?.description
                == "sim:i2c-1 address 0x76 register 0xf4: byte write failed: nothing answers at this address (check wiring, power and the address jumper) (errno 6)"
        }
        // State: once it answers again (after a power cycle: reset values) a fresh init succeeds.
        station.bus.setPresent(true, at: 0x76, powerCycled: true)
        let again = try BME280(device: try station.bus.device(at: 0x76), sleep: station.advance)
        #expect(try again.read().pressurePa > 30_000)
    }

    @Test(
        "the running service: a weather sensor that disappears is a fault, re-probed, and cleared when it returns"
    )
    func serviceReprobes() async throws {
        let station = SimulatedStation(clock: RealtimeSimulationClock(), busPath: "sim:i2c-1")
        let state = StationState()
        let events = Mutex<[StationEvent]>([])
        state.addSink { _, event in events.withLock { $0.append(event) } }
        let sampler = WeatherSampler(
            address: 0x76, settings: .init(), interval: .milliseconds(20), temperatureOffsetC: 0,
            reprobeInterval: .milliseconds(20))
        let task = Task { try await sampler.service(bus: station.bus, state: state).run() }
        defer { task.cancel() }
        func weatherCount() -> Int {
            events.withLock { $0.filter { if case .weather = $0 { true } else { false } }.count }
        }
        /// Waits for a condition (a guard against a hang, not a timing assertion).
        func until(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    throw CatalogueWaitError(description: "never saw \(what)")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        try await until("a first reading") { weatherCount() > 0 }

        station.bus.setPresent(false, at: 0x76)
        // While it is gone the re-probe (identification first) is what fails; `status` shows this fault.
        let gone =
            "sim:i2c-1 address 0x76 register 0xd0: byte read failed: nothing answers at this address (check wiring, power and the address jumper) (errno 6)"
        try await until("the re-probe fault") { state.snapshot.faultMessages["weather"] == gone }
        #expect(state.snapshot.indication.faults.contains("weather"))
        // The first failure is whichever transfer the removal hit; it names the same bus, address and cause.
        let first = events.withLock {
            $0.compactMap { if case .fault("weather", let m) = $0 { m } else { nil } }.first
        }
        #expect(first?.hasPrefix("sim:i2c-1 address 0x76 register 0x") == true)
        #expect(
            first?.hasSuffix(
                "nothing answers at this address (check wiring, power and the address jumper) (errno 6)")
                == true)
        let readingsWhileGone = weatherCount()

        // It comes back (power-cycled: reset values); the next re-probe initialises it afresh.
        station.bus.setPresent(true, at: 0x76, powerCycled: true)
        try await until("the fault cleared") { state.snapshot.faultMessages["weather"] == nil }
        try await until("readings again") { weatherCount() > readingsWhileGone }
        #expect(
            events.withLock { $0.contains { if case .faultCleared("weather") = $0 { true } else { false } } })
        #expect(!state.snapshot.indication.faults.contains("weather"))
        let last = try #require(state.snapshot.lastWeather)
        #expect(last.pressurePa > 30_000 && last.sensor == "bme280")
        task.cancel()
        _ = await task.result
    }

    // MARK: Storage

    @Test("a corrupt database file is moved aside, kept, and a new one started")
    func corruptDatabase() throws {
        let dir = try temporaryDirectory("catalogue")
        let path = dir.appendingPathComponent("station.db").path
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        try garbage.write(to: URL(fileURLWithPath: path))
        // 2026-11-23T07:14:05Z
        let (db, report) = try StationDatabase.openForWriting(
            path: path, now: Date(timeIntervalSince1970: 1_795_418_045))
        _ = db
        let kept = try #require(report.movedAside)
        #expect(kept.hasPrefix(path + ".corrupt-"))
        // State: the damaged bytes are kept exactly, a fresh database is at the path.
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == garbage)
        #expect(report.created)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("the query side of a missing database")
    func missingDatabase() throws {
        let dir = try temporaryDirectory("catalogue")
        let path = dir.appendingPathComponent("none.db").path
        #expect {
            _ = try StationDatabase.openReadOnly(path: path)
        } throws: { error in
            (error as? StorageError)?.description
                == "\(path): no database at \(path): is the service running, and is storage.path right? (or pass --database PATH)"
        }
        // State: opening read-only never creates the file.
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    // MARK: Control socket requests

    @Test(
        "malformed control requests",
        arguments: [
            ("", "empty request"),
            ("reboot\n", "not a JSON request object with a \"command\" string"),
            (#"{"command":"stream"}"#, "stream needs an action: start, stop or toggle"),
            (
                #"{"command":"stream","action":"pause"}"#,
                "unknown stream action 'pause'; expected start, stop or toggle"
            ),
            (
                #"{"command":"shutdown"}"#,
                "unknown command 'shutdown'; expected stream, ack, state, shadow or calibration"
            ),
            (String(repeating: " ", count: 5000), "request longer than 4096 bytes"),
        ])
    func controlRequest(line: String, message: String) {
        #expect(throws: ControlProtocolError(message)) { _ = try ControlRequest.decode(Array(line.utf8)) }
    }
}

/// A register map that answers reads and counts writes; no chip behaviour. Declared here rather
/// than shared so the catalogue's expectations do not depend on another suite's double.
final class CatalogueRegisterDevice: I2CDevice {
    let busPath = "/dev/i2c-cat"
    let address: I2CAddress
    var registers = [UInt8](repeating: 0, count: 256)
    private(set) var writes = 0

    init(address: I2CAddress, registers map: [UInt8: UInt8]) {
        self.address = address
        for (r, v) in map { registers[Int(r)] = v }
    }

    func receiveByte() throws(I2CError) -> UInt8 { 0 }
    func readByte(register: UInt8) throws(I2CError) -> UInt8 { registers[Int(register)] }
    func writeByte(register: UInt8, value: UInt8) throws(I2CError) { writes += 1 }
    func readWord(register: UInt8) throws(I2CError) -> UInt16 {
        UInt16(registers[Int(register)]) | UInt16(registers[(Int(register) + 1) & 0xFF]) << 8
    }
    func readBlock(register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        (0..<count).map { registers[(Int(register) + $0) & 0xFF] }
    }
    func writeBlock(register: UInt8, bytes: [UInt8]) throws(I2CError) { writes += bytes.count }
}

extension SimulatedStation {
    /// A driver's wait that moves the simulated time on (the tests' stations run on a manual clock).
    var advance: (Duration) -> Void {
        { [clock] d in (clock as? ManualSimulationClock)?.advance(by: d) }
    }
}

struct CatalogueWaitError: Error, CustomStringConvertible {
    let description: String
}
