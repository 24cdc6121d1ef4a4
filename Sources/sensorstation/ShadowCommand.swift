import ArgumentParser
import Foundation
import Station

struct ShadowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow",
        abstract: "The station's AWS IoT Device Shadow (docs/shadow.md).",
        subcommands: [ShadowSyncCommand.self])
}

struct ShadowSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make the running station read its shadow's desired state and write reported now.",
        discussion: """
            Waits for the sync to finish (at most --timeout seconds) and prints what came of it: \
            the shadow's version, what became of desired, the settings it sets over the file, the \
            error if the shadow could not be reached.
            Exit status: 0 synced, 1 the sync failed or did not finish in time, 69 the service is \
            not running, 77 permission denied.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Seconds to wait for the sync.")
    var timeout: Double = 30

    @Flag(help: "Print the shadow's state as JSON.")
    var json = false

    func run() throws {
        let config = try options.load().configuration
        let client = ControlClient(path: ControlSocket.path(forDatabase: config.storage.path))
        func send(_ request: ControlRequest) throws -> ControlResponse {
            do { return try client.send(request) } catch { throw controlFailure(error) }
        }
        let asked = try send(.shadowSync)
        guard asked.ok, let number = asked.shadowRequest else {
            printError(asked.message)
            throw ExitCode(ExitCodes.failure)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let answer = try send(.state)
            if let shadow = answer.shadow, shadow.requestsAnswered >= number {
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    FileHandle.standardOutput.write((try? encoder.encode(shadow)) ?? Data())
                    FileHandle.standardOutput.write(Data("\n".utf8))
                } else {
                    for line in shadow.lines { print(line) }
                }
                if shadow.lastError != nil { throw ExitCode(ExitCodes.failure) }
                return
            }
            guard Date() < deadline else {
                printError("the station did not finish the shadow sync within \(format(timeout)) s")
                throw ExitCode(ExitCodes.failure)
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    private func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
