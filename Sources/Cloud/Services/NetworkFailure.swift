import AsyncHTTPClient
import Foundation
import NIOCore
import Storage

/// Says in words what went wrong on the way to an endpoint, for the log and `sensorstation
/// status`. AsyncHTTPClient and NIO describe transport failures in their own terms ("I/O on
/// closed channel", "HTTPClientError.remoteConnectionClosed"); an operator reading why uploads
/// stopped needs to know whether the server refused, went away, or never answered.
public enum NetworkFailure {
    /// - Parameter timeout: the request's whole timeout, named when the failure is a timeout.
    public static func describe(_ error: any Error, timeout: Duration? = nil) -> String {
        let within = timeout.map { " within \(Int($0.seconds.rounded())) s" } ?? ""
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout:
                return "no answer\(within) (timed out)"
            case .connectTimeout:
                return
                    "could not connect\(within) (connect timed out; the host is down, unreachable or refusing)"
            case .remoteConnectionClosed:
                return "the server closed the connection before answering"
            case .cancelled:
                return "the request was cancelled (the service is stopping)"
            case .bodyLengthMismatch:
                return
                    "the connection ended in the middle of the answer (body shorter than its Content-Length)"
            default:
                return "\(e)"
            }
        }
        if let e = error as? ChannelError {
            switch e {
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return
                    "the connection closed while the request was under way (the server went away or the link dropped)"
            case .connectTimeout:
                return "could not connect\(within) (connect timed out)"
            default:
                return "\(e)"
            }
        }
        if let io = error as? IOError {
            return "\(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))"
        }
        return String(describing: error)
    }
}
