import ArgumentParser
import Cloud
import Foundation
import LinuxSystem
import Station
import Storage

/// `sensorstation alerts [list]` and `sensorstation alerts test`: the impact alerts the station
/// queued, sent or had cancelled, and a test message through the whole chain.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the impact alerts, or send a test alert.",
        discussion: """
            Examples:
              sensorstation alerts                 the alerts of the last 30 days
              sensorstation alerts --format json
              sensorstation alerts test            a test message to alert.topic_arn, end to end
            docs/alerts.md says how to subscribe a phone number or an e-mail address.
            """,
        subcommands: [ListAlerts.self, TestAlert.self],
        defaultSubcommand: ListAlerts.self)
}

/// `sensorstation alerts list`: like `query alerts`, with a default window of 30 days.
struct ListAlerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the alerts (the default).",
        discussion: """
            One row per alert: id, when its first impact was recorded, state (pending: waiting for \
            its cancel window, the network, credentials or the hourly limit; sent; cancelled), the \
            impacts it tells of, attempts, the last error, when SNS accepted it and its message id, \
            who cancelled it. Tables in local time; csv and json (JSON Lines) in UTC ISO-8601.
            Exit status: 0 success (also when there is none), 64 bad usage, 65 the database is damaged \
            or from a newer sensorstation, 69 no database at the path, 77 this user may not read it, 78 \
            invalid configuration.
            """)

    @OptionGroup var rows: RecentRowsOptions

    func run() throws { try rows.list(.alerts) }
}

/// `sensorstation alerts test`: one message through the credentials provider and SNS.
struct TestAlert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test alert to alert.topic_arn, with the station's own credentials.",
        discussion: """
            Fetches credentials with the device certificate (as `credentials check` does), then \
            publishes a message that says it is a test, with the same attributes a real alert has \
            (impact_id 0). Prints the SNS message id.
            Exit status: 0 sent; 1 SNS refused it (the topic does not exist, the role may not publish \
            to it: the error says which); 69 the credentials endpoint or SNS cannot be reached; 77 the \
            certificate was refused; 78 alerts are not configured (alert.enabled, alert.topic_arn, \
            upload.*) or a file cannot be used.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(
        help: ArgumentHelp(
            "Connect to the credentials endpoint on this port (test endpoints).", valueName: "port"))
    var endpointPort: Int?

    @Option(help: ArgumentHelp("CA bundle to trust instead of upload.ca_bundle.", valueName: "file"))
    var ca: String?

    func run() async throws {
        let station = try options.load().configuration
        guard station.alert.enabled else {
            printError("alerts are off: set alert.enabled: true and alert.topic_arn (docs/alerts.md)")
            throw ExitCode(ExitCodes.config)
        }
        let provider: CredentialsProvider
        do {
            provider = try CredentialsProvider(
                configuration: station.upload.credentialsConfiguration(
                    thingName: station.station.thingName, environment: ProcessInfo.processInfo.environment,
                    endpointPort: endpointPort, caBundle: ca, maxAttempts: 3,
                    backoff: Backoff(base: .milliseconds(500), cap: .seconds(4))),
                environment: .live(clockSyncMarker: station.upload.clockSyncMarker))
        } catch {
            printError(error.description)
            throw ExitCode(CredentialsCommand.Check.exitCode(for: error))
        }
        let sns = SNSClient(
            region: SNSClient.region(ofTopicArn: station.alert.topicArn) ?? station.upload.region,
            credentials: provider, endpoint: station.alert.endpoint.isEmpty ? nil : station.alert.endpoint)
        let message = Self.message(station, now: Date())
        do {
            let id = try await sns.publish(message)
            await provider.shutdown()
            print("test alert sent to \(station.alert.topicArn): SNS message \(id)")
        } catch {
            await provider.shutdown()
            printError("test alert not sent: \(AlertService.describe(error))")
            switch error {
            case .credentials(let c): throw ExitCode(CredentialsCommand.Check.exitCode(for: c))
            case .network: throw ExitCode(ExitCodes.unavailable)
            default: throw ExitCode(ExitCodes.failure)
            }
        }
    }

    /// A message shaped like an alert that says it is a test.
    static func message(_ c: StationConfiguration, now: Date) -> SNSClient.Message {
        let line = "TEST from \(c.station.thingName): alerts reach you. No impact happened."
        let body =
            line + "\n"
            + JSONValue.object([
                ("type", .string("test")), ("impact_id", .int(0)), ("thing", .string(c.station.thingName)),
                ("serial", .string(c.station.serialNumber)), ("time_utc", .string(TimeCodec.iso(now))),
                ("location", c.alert.location.isEmpty ? .null : .string(c.alert.location)),
            ])
        let fifo = SNSClient.isFIFO(topicArn: c.alert.topicArn)
        return SNSClient.Message(
            topicArn: c.alert.topicArn, subject: "Test alert from \(c.station.thingName)", body: body,
            protocolBodies: ["sms": line],
            attributes: [.init("impact_id", "0"), .init("thing", c.station.thingName)],
            deduplicationId: fifo ? "test-\(TimeCodec.micros(now))" : nil,
            groupId: fifo ? c.station.thingName : nil)
    }
}
