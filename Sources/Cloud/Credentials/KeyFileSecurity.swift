import Foundation
import LinuxSystem

/// Refuses a private key that other local users could read (the same rule as OpenSSH's
/// "UNPROTECTED PRIVATE KEY FILE"): mode & 0o077 must be 0.
public enum KeyFileSecurity {
    public static func check(privateKeyPath path: String) throws(CredentialsError) {
        let mode: UInt16
        do { mode = try FileStatus(path: path).permissions } catch {
            throw .fileUnreadable(path: path, reason: error.reason)
        }
        if mode & 0o077 != 0 { throw .keyFileTooOpen(path: path, mode: mode) }
        // Not readable by this user (the service's user must own it): say so, not "wrong passphrase".
        do { try Files.checkReadable(path) } catch { throw .fileUnreadable(path: path, reason: error.reason) }
    }
}
