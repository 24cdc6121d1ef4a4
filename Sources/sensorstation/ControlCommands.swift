import ArgumentParser
import Foundation
import Station

/// Sends one request to the running service over its control socket and reports the answer.
/// Exit status: 0 done, 69 the service is not running, 77 permission denied, 1 other failures.
func sendControl(_ request: ControlRequest, options: ConfigOptions, json: Bool) throws {
    let config = try options.load().configuration
    let path = ControlSocket.path(forDatabase: config.storage.path)
    let response: ControlResponse
    do {
        response = try ControlClient(path: path).send(request)
    } catch {
        throw controlFailure(error)
    }
    if json {
        FileHandle.standardOutput.write(response.encoded())
    } else {
        print(response.message)
    }
    if !response.ok { throw ExitCode(ExitCodes.failure) }
}

/// Says why the control socket could not be used and gives the exit status that means it.
func controlFailure(_ error: ControlSocketError) -> ExitCode {
    printError(error.description)
    switch error.kind {
    case .notRunning: return ExitCode(ExitCodes.unavailable)
    case .permissionDenied: return ExitCode(ExitCodes.noPermission)
    case .protocolError, .anotherStation, .other: return ExitCode(ExitCodes.failure)
    }
}

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract:
            "Start, stop or toggle live streaming on the running station (what a short button press does).",
        discussion: """
            Talks to the running service over its local control socket (next to the database). \
            Only the service user and members of the sensorstation group may use it.
            Exit status: 0 done, 69 the service is not running, 77 permission denied.
            """)

    @Argument(help: ArgumentHelp("start, stop or toggle.", valueName: "action"))
    var action: StationCommand.StreamAction

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print the service's answer as JSON.")
    var json = false

    func run() throws {
        try sendControl(.command(.stream(action)), options: options, json: json)
    }
}

extension StationCommand.StreamAction: ExpressibleByArgument {}

struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge a latched impact on the running station (what a long button press does).",
        discussion:
            "Exit status: 0 done (also when nothing was latched), 69 the service is not running, 77 permission denied."
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print the service's answer as JSON.")
    var json = false

    func run() throws {
        try sendControl(.command(.acknowledgeImpact), options: options, json: json)
    }
}
