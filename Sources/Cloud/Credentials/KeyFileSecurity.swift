import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Refuses a private key that other local users could read (the same rule as OpenSSH's
/// "UNPROTECTED PRIVATE KEY FILE"): mode & 0o077 must be 0.
public enum KeyFileSecurity {
    public static func check(privateKeyPath path: String) throws(CredentialsError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt16(truncatingIfNeeded: st.st_mode)
        if mode & 0o077 != 0 { throw .keyFileTooOpen(path: path, mode: mode) }
        // Not readable by this user (the service's user must own it): say so, not "wrong passphrase".
        guard access(path, R_OK) == 0 else {
            throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
