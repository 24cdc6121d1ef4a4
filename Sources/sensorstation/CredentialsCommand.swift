import ArgumentParser
import Cloud
import Foundation
import LinuxSystem
import Station

/// `sensorstation credentials check`: one request to the AWS IoT credentials provider with the
/// device certificate, to prove the whole chain (files, permissions, passphrase, TLS, IoT
/// registration, thing attachment, role alias, role) before the service depends on it.
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "AWS credentials from the device certificate (AWS IoT credentials provider).",
        subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Fetch temporary credentials once and show what came back (never the secret).",
            discussion: """
                Reads upload.region, upload.credentials_endpoint, upload.role_alias, upload.certificate, \
                upload.private_key, upload.passphrase_file and upload.ca_bundle, and station.thing_name. \
                The key's passphrase comes from upload.passphrase_file or, under systemd, from the \
                credential $CREDENTIALS_DIRECTORY/key-passphrase (LoadCredential=key-passphrase:…); \
                never from the command line.
                Prints the thing name, the first characters of the access key id, the expiry and the \
                clock skew measured from the endpoint's Date header.
                Exit status: 0 credentials obtained; 69 endpoint unreachable (network, TLS, 5xx, \
                clock not synchronised); 77 the certificate or its permissions were refused (403/404/400) \
                or the key file is readable by others; 78 the configuration is incomplete or a file \
                (certificate, key, passphrase, CA bundle) cannot be used.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(
            help: ArgumentHelp("Connect to this port instead of 443 (test endpoints).", valueName: "port"))
        var endpointPort: Int?

        @Option(help: ArgumentHelp("CA bundle to trust instead of upload.ca_bundle.", valueName: "file"))
        var ca: String?

        @Option(
            help: ArgumentHelp(
                "Give up waiting for clock synchronisation after this many seconds.",
                valueName: "seconds"))
        var clockWait: Int = 30

        @Flag(help: "One JSON object: thing_name, access_key_id_prefix, expiration, expires_in_s, skew_s.")
        var json = false

        func run() async throws {
            let station = try options.load().configuration
            // The same passphrase and configuration rules as `run` (one helper, no drift).
            let configuration = station.upload.credentialsConfiguration(
                thingName: station.station.thingName, environment: ProcessInfo.processInfo.environment,
                endpointPort: endpointPort, caBundle: ca, maxAttempts: 3,
                backoff: Backoff(base: .milliseconds(500), cap: .seconds(4)))
            let style = Style(enabled: Terminal.useColor)
            let provider: CredentialsProvider
            do {
                provider = try CredentialsProvider(
                    configuration: configuration,
                    environment: .live(clockSyncMarker: station.upload.clockSyncMarker))
            } catch {
                fail(error, style: style)
            }
            let fetch: CredentialsFetch
            do {
                fetch = try await provider.fetch(clockWait: .seconds(max(0, clockWait)))
                await provider.shutdown()
            } catch {
                await provider.shutdown()
                // Why the clock is not trusted: the marker missing, the kernel's state, or that
                // the kernel's state could not be read (ProtectClock=yes).
                let clock = error == .clockNotSynchronised ? await provider.status.clock : nil
                fail(error, style: style, detail: clock.map { "\($0)" })
            }
            print(
                Self.report(
                    fetch, thing: configuration.thingName, endpoint: configuration.endpoint, json: json,
                    style: style, now: Date()))
        }

        /// The output: plain `key: value` lines (or one JSON object); the secret and the session
        /// token never appear.
        static func report(
            _ f: CredentialsFetch, thing: String, endpoint: String, json: Bool, style: Style,
            now: Date
        ) -> String {
            let prefix = f.credentials.redactedAccessKeyId(count: 5)
            let expiry = f.credentials.expiration
            let left = expiry.map { Int($0.timeIntervalSince(now).rounded()) }
            let skew = f.skew.map { $0.seconds }
            if json {
                var obj: [String: Any] = [
                    "thing_name": thing, "endpoint": endpoint, "access_key_id_prefix": prefix,
                ]
                if let expiry { obj["expiration"] = AWSDate.iso8601(expiry) }
                if let left { obj["expires_in_s"] = left }
                if let skew { obj["skew_s"] = skew }
                let data =
                    (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data()
                return String(decoding: data, as: UTF8.self)
            }
            var lines = [
                style.green("credentials obtained") + " from \(endpoint)",
                "thing:         \(thing)",
                "access key id: \(prefix)",
            ]
            if let expiry, let left {
                lines.append(
                    "expires:       \(AWSDate.iso8601(expiry)) (\(left < 0 ? "" : "in ")\(Self.minutes(left)))"
                )
            }
            if let skew {
                let text =
                    String(format: "%+.1f s (local clock minus endpoint's Date header)", skew)
                    + (abs(skew) > 300
                        ? ": more than 5 min, AWS will refuse signed requests (RequestTimeTooSkewed); check NTP"
                        : "")
                lines.append("clock skew:    " + (abs(skew) > 60 ? style.yellow(text) : text))
            } else {
                lines.append("clock skew:    unknown (no Date header)")
            }
            return lines.joined(separator: "\n")
        }

        static func minutes(_ seconds: Int) -> String {
            if seconds < 0 { return "expired \(-seconds / 60) min ago" }
            return seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min"
        }

        /// Prints the error and exits with the status scripts can trust.
        func fail(_ error: CredentialsError, style: Style, detail: String? = nil) -> Never {
            printError(error.description + (detail.map { ": " + $0 } ?? ""))
            Foundation.exit(Self.exitCode(for: error))
        }

        /// 78 configuration or unusable file, 77 refused (or key too open), 69 unreachable.
        static func exitCode(for error: CredentialsError) -> Int32 {
            switch error {
            case .configurationIncomplete, .fileUnreadable, .invalidCertificate, .invalidPrivateKey,
                .passphraseUnavailable,
                .invalidCABundle, .keyDoesNotMatchCertificate:
                return ExitCodes.config
            case .keyFileTooOpen:
                return ExitCodes.noPermission
            default:
                return error.isRejection ? ExitCodes.noPermission : ExitCodes.unavailable
            }
        }
    }
}
