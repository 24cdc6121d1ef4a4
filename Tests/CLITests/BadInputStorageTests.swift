import Foundation
import GRDB
import Storage
import TestSupport
import Testing

/// The storage rows of docs/bad-inputs.md that a user meets through the binary: a database from a
/// newer sensorstation (the query side and the service side) and a directory the service may not
/// write. Each checks the exact line, the exit status, and the state: the database file is left
/// byte for byte as it was (never moved aside), and the service keeps sampling without a log.
@Suite("Bad-input catalogue (storage, CLI)", .serialized, .timeLimit(.minutes(5)))
struct BadInputStorageTests {
    static let newer =
        "written by a newer sensorstation (migration v9-future unknown); upgrade this sensorstation, or point storage.path elsewhere"

    /// A real station database, then a migration this build does not know (as a newer release writes).
    static func newerDatabase(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("station.db").path
        do { _ = try StationDatabase.openForWriting(path: path) }
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9-future')") }
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return path
    }

    /// The log lines without their timestamp ("2026-…Z level message" → "level message").
    static func messages(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].hasSuffix("Z")
                ? String(parts[1]).trimmingCharacters(in: .whitespaces) : String(line)
        }
    }

    @Test("query on a database from a newer sensorstation: exit 65, the file untouched")
    func newerSchemaQuery() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.newerDatabase(in: dir)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let r = try CLI.run(["query", "weather", "--database", path, "--since", "1h"])
        #expect(r.status == 65, "stderr: \(r.stderr)")
        #expect(
            r.stderr.split(separator: "\n").map(String.init).contains(
                "sensorstation: \(path): \(Self.newer)"),
            "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(
            try !FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.contains("corrupt") }
        )
    }

    @Test(
        "run on a database from a newer sensorstation: a storage fault, sampling goes on, the file untouched")
    func newerSchemaService() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.newerDatabase(in: dir)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let config = dir.appendingPathComponent("c.yaml")
        try "hardware: simulated\nstorage:\n  path: \(path)\n".write(
            to: config, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--config", config.path, "--duration", "2"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = Self.messages(r.stdout)
        let fault = try #require(
            lines.firstIndex(of: "warning FAULT storage: \(path): \(Self.newer); running without a log"),
            "stdout: \(r.stdout)")
        // State: the service kept sampling after the fault, and stopped normally.
        #expect(lines[fault...].contains { $0.hasPrefix("info    motion: ") }, "stdout: \(r.stdout)")
        #expect(lines.contains("info    sensorstation stopped: 0 impacts, LEDs off"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(
            try !FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.contains("corrupt") }
        )
    }

    @Test(
        "run with a storage directory the service may not write (as user nobody): faults, sampling goes on",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func readOnlyDirectory() throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        // root's, read-only to others
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: data.path)
        let config = dir.appendingPathComponent("c.yaml")
        try "hardware: simulated\nstorage:\n  path: \(data.path)/station.db\n".write(
            to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        let r = try CLI.runMinimal(["run", "--config", config.path, "--duration", "2"], asNobody: true)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = Self.messages(r.stdout)
        let storage =
            "warning FAULT storage: \(data.path)/station.db: opening the database failed: unable to open database file; check that the file and its directory exist and that this user may read (and for the service, write) them; running without a log"
        let control =
            "warning FAULT control: cannot listen on \(data.path)/control.sock: Permission denied; stream and ack are unavailable"
        #expect(lines.contains(storage), "stdout: \(r.stdout)")
        let fault = try #require(lines.firstIndex(of: control), "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        // State: sampling went on without a log or a control socket; nothing was created.
        #expect(lines[fault...].contains { $0.hasPrefix("info    motion: ") }, "stdout: \(r.stdout)")
        #expect(lines.contains("info    sensorstation stopped: 0 impacts, LEDs off"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).isEmpty)
    }

    /// Where the database is out of reach for a user outside the service's group.
    enum Unreadable: String, CaseIterable, Sendable {
        /// /var/lib/sensorstation as the unit makes it (0750), seen by someone outside the group.
        case directory
        /// The directory may be entered, the file may not be read.
        case file
    }

    @Test(
        "query, status, impacts and export as a user who may not read the database (user nobody): permission denied, 77",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")),
        arguments: Unreadable.allCases)
    func permissionDenied(_ where: Unreadable) throws {
        let dir = try temporaryDirectory("sensorstation-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let path = data.appendingPathComponent("station.db").path
        do { _ = try StationDatabase.openForWriting(path: path) }
        let config = dir.appendingPathComponent("c.yaml")
        try "hardware: simulated\nstorage:\n  path: \(path)\n".write(
            to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        switch `where` {
        case .directory:
            // root:root
            try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: data.path)
        case .file:
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: data.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        let message =
            "sensorstation: \(path): permission denied: this user may not read the database or enter its directory; "
            + "add yourself to the sensorstation group (sudo usermod -aG sensorstation $USER) and log in again"
        for command in [
            ["query", "weather", "--since", "1h"], ["status"], ["impacts"], ["export", "--output", "-"],
        ] {
            let r = try CLI.runMinimal(command + ["--config", config.path], asNobody: true)
            #expect(r.status == 77, "\(command[0]): stderr: \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").map(String.init) == [message], "\(command[0])")
            #expect(r.stdout.isEmpty, "\(command[0])")
        }
        // The same commands as root (who may read it) find the database: it was there all along.
        let r = try CLI.run(["query", "weather", "--since", "1h", "--config", config.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
    }
}
