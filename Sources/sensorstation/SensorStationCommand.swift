import ArgumentParser
import Station

@main
struct SensorStationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensorstation",
        abstract:
            "A sensor station for the Raspberry Pi: weather, acceleration and impacts, logged and uploaded.",
        discussion: """
            Start with `sensorstation run --simulated` to see the station without hardware, \
            `sensorstation probe` to check the I2C wiring, and `sensorstation config check FILE` \
            before deploying a configuration.
            Exit status: 0 success, 1 failure, 64 bad usage, 69 a device, bus or the service is not there, \
            77 permission denied, 78 invalid configuration.
            """,
        version: SensorStationVersion.current,
        groupedSubcommands: [
            CommandGroup(
                name: "Service",
                subcommands: [RunCommand.self, StreamCommand.self, AckCommand.self, ShadowCommand.self]),
            CommandGroup(
                name: "Data",
                subcommands: [
                    QueryCommand.self, ImpactsCommand.self, AlertsCommand.self, StatusCommand.self,
                    ExportCommand.self, ReplayCommand.self,
                ]),
            CommandGroup(
                name: "Hardware",
                subcommands: [ProbeCommand.self, ReadCommand.self, GPIOCommand.self, CalibrateCommand.self]),
            CommandGroup(name: "Configuration", subcommands: [ConfigCommand.self, CredentialsCommand.self]),
        ])
}
