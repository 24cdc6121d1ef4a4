import Foundation

/// The control socket's place. The socket lives next to
/// the database (`<storage dir>/control.sock`): the service user owns that directory, and the
/// `sensorstation` group may enter it, which is exactly who may use the socket. There is no
/// network listener.
public enum ControlSocket {
    public static func path(forDatabase database: String) -> String {
        let dir = (database as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/control.sock"
    }
}
