#if canImport(Glibc)
    import Glibc
#endif

/// What the process is attached to, decided once: live views, colour and key input only on a
/// terminal; plain lines otherwise (pipes, files, journald).
public enum Terminal {
    public static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    public static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    public static var useColor: Bool {
        stdoutIsTTY && getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb"
    }

    /// Columns of the terminal, or 80.
    public static var width: Int {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }

    /// The terminal's settings, to put back.
    public struct Settings: Sendable {
        fileprivate var value: termios
    }

    /// Puts stdin in character mode (no line buffering, no echo) and returns the settings to
    /// restore. Signals stay on (ISIG), so Ctrl-C still reaches the service as SIGINT.
    public static func enterCharacterMode() -> Settings? {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return nil }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else { return nil }
        return Settings(value: original)
    }

    public static func restore(_ settings: Settings) {
        var s = settings.value
        tcsetattr(STDIN_FILENO, TCSANOW, &s)
    }

    /// Waits up to `timeoutMs` for a byte on stdin. nil on timeout; `.eof` when stdin is closed.
    public enum Input { case byte(UInt8), eof, timeout }

    public static func readByte(timeoutMs: Int32) -> Input {
        var pfd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        let r = poll(&pfd, 1, timeoutMs)
        if r == 0 { return .timeout }
        if r < 0 { return errno == EINTR ? .timeout : .eof }
        var b: UInt8 = 0
        let n = read(STDIN_FILENO, &b, 1)
        if n == 1 { return .byte(b) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return .timeout }
        return .eof
    }

    /// Writes all of `s` to standard output (unbuffered: the live view's frames go whole).
    public static func write(_ s: String) { write(s, to: STDOUT_FILENO) }

    /// Writes what `print` has buffered for standard output (a pipe is block-buffered).
    public static func flushPrinted() { fflush(nil) }

    /// Writes all of `s` to standard error.
    public static func writeError(_ s: String) { write(s, to: STDERR_FILENO) }

    private static func write(_ s: String, to fd: Int32) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                off += n
            }
        }
    }
}
