import Foundation

/// Why temporary credentials could not be had, with the context an operator needs to fix it.
/// `description` is the sentence for the log and for `sensorstation status`; it never contains
/// the secret access key or the session token.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    // Local files and configuration.
    case configurationIncomplete(missing: [String])
    case keyFileTooOpen(path: String, mode: UInt16)
    case fileUnreadable(path: String, reason: String)
    case invalidCertificate(path: String, reason: String)
    case invalidPrivateKey(path: String, reason: String)
    case keyDoesNotMatchCertificate(keyPath: String, certificatePath: String)
    case passphraseUnavailable(reason: String)
    case invalidCABundle(path: String, reason: String)
    // The documented 4xx answers of the AWS IoT credentials provider.
    case certificateRejected(endpoint: String, message: String)
    case invalidThingName(endpoint: String, thingName: String, message: String)
    case accessDenied(endpoint: String, roleAlias: String, message: String)
    case roleAliasNotFound(endpoint: String, roleAlias: String, message: String)
    case unableToAssumeRole(endpoint: String, roleAlias: String, message: String)
    case durationExceedsMaxSession(endpoint: String, roleAlias: String, message: String)
    case clientError(endpoint: String, status: Int, message: String)
    // Transient: retried with backoff.
    case throttled(endpoint: String, message: String)
    case serverError(endpoint: String, status: Int, message: String)
    case network(endpoint: String, reason: String)
    // A 200 whose body is not the documented shape.
    case malformedResponse(endpoint: String, status: Int, reason: String)
    case clockNotSynchronised

    /// 429, 5xx and network errors: worth retrying soon with backoff and jitter. Everything else
    /// needs an operator (or a clock) and is retried slowly by the caller.
    public var isTransient: Bool {
        switch self {
        case .throttled, .serverError, .network: return true
        default: return false
        }
    }

    /// The certificate or its permissions were refused by the endpoint (EX_NOPERM in the CLI).
    public var isRejection: Bool {
        switch self {
        case .certificateRejected, .invalidThingName, .accessDenied, .roleAliasNotFound, .unableToAssumeRole,
            .durationExceedsMaxSession, .clientError:
            return true
        default: return false
        }
    }

    /// A stable identifier of the case (`certificateRejected`, …) for logs, metrics and tests.
    public var code: String {
        switch self {
        case .configurationIncomplete: return "configurationIncomplete"
        case .keyFileTooOpen: return "keyFileTooOpen"
        case .fileUnreadable: return "fileUnreadable"
        case .invalidCertificate: return "invalidCertificate"
        case .invalidPrivateKey: return "invalidPrivateKey"
        case .keyDoesNotMatchCertificate: return "keyDoesNotMatchCertificate"
        case .passphraseUnavailable: return "passphraseUnavailable"
        case .invalidCABundle: return "invalidCABundle"
        case .certificateRejected: return "certificateRejected"
        case .invalidThingName: return "invalidThingName"
        case .accessDenied: return "accessDenied"
        case .roleAliasNotFound: return "roleAliasNotFound"
        case .unableToAssumeRole: return "unableToAssumeRole"
        case .durationExceedsMaxSession: return "durationExceedsMaxSession"
        case .clientError: return "clientError"
        case .throttled: return "throttled"
        case .serverError: return "serverError"
        case .network: return "network"
        case .malformedResponse: return "malformedResponse"
        case .clockNotSynchronised: return "clockNotSynchronised"
        }
    }

    public var description: String {
        switch self {
        case .configurationIncomplete(let missing):
            return "upload configuration is incomplete: set \(missing.joined(separator: ", "))"
        case .keyFileTooOpen(let path, let mode):
            return
                "private key \(path) is readable by group or others (mode \(String(mode & 0o777, radix: 8))); "
                + "refusing to use it: run `chmod 600 \(path)`"
        case .fileUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidCertificate(let path, let reason):
            return "certificate \(path) is not a PEM certificate chain: \(reason)"
        case .invalidPrivateKey(let path, let reason):
            return "private key \(path) cannot be loaded (wrong passphrase, or not a PEM key): \(reason)"
        case .keyDoesNotMatchCertificate(let key, let certificate):
            return
                "private key \(key) does not belong to certificate \(certificate): use the key made with that certificate"
        case .passphraseUnavailable(let reason):
            return "the private key's passphrase is not available: \(reason)"
        case .invalidCABundle(let path, let reason):
            return "CA bundle \(path) cannot be used: \(reason)"
        case .certificateRejected(let endpoint, let message):
            return
                "\(endpoint) refused the device certificate (\(message.hasPrefix("TLS alert") ? message : "HTTP 403 \"\(message)\"")): register and activate "
                + "it in AWS IoT in this account and region, or check the endpoint"
        case .invalidThingName(let endpoint, let thing, let message):
            return
                "\(endpoint) refused thing name \"\(thing)\" (HTTP 403 \"\(message)\"): the thing does not exist "
                + "or is not attached to this certificate (aws iot attach-thing-principal)"
        case .accessDenied(let endpoint, let alias, let message):
            return
                "\(endpoint) denied access to role alias \"\(alias)\" (HTTP 403 \"\(message)\"): the certificate's "
                + "IoT policy must allow iot:AssumeRoleWithCertificate on the role alias"
        case .roleAliasNotFound(let endpoint, let alias, let message):
            return "role alias \"\(alias)\" does not exist at \(endpoint) (HTTP 404 \"\(message)\"): check "
                + "upload.role_alias and the region"
        case .unableToAssumeRole(let endpoint, let alias, let message):
            return
                "\(endpoint) could not assume the role behind alias \"\(alias)\" (HTTP 400 \"\(message)\"): the "
                + "role is missing or its trust policy does not allow credentials.iot.amazonaws.com"
        case .durationExceedsMaxSession(let endpoint, let alias, let message):
            return
                "role alias \"\(alias)\" asks for longer credentials than its role allows (HTTP 400 \"\(message)\" "
                + "from \(endpoint)): lower credentialDurationSeconds or raise the role's MaxSessionDuration"
        case .clientError(let endpoint, let status, let message):
            return "\(endpoint) rejected the credentials request (HTTP \(status) \"\(message)\")"
        case .throttled(let endpoint, let message):
            return
                "\(endpoint) is throttling credential requests (HTTP 429 \"\(message)\"); retrying with backoff"
        case .serverError(let endpoint, let status, let message):
            return "\(endpoint) failed (HTTP \(status) \"\(message)\"); retrying with backoff"
        case .network(let endpoint, let reason):
            return "cannot reach \(endpoint): \(reason); retrying with backoff"
        case .malformedResponse(let endpoint, let status, let reason):
            return "\(endpoint) answered HTTP \(status) with an unexpected body: \(reason)"
        case .clockNotSynchronised:
            return
                "waiting for the system clock to be synchronised (NTP) before requesting or signing anything"
        }
    }
}
