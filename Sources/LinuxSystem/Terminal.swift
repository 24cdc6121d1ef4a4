#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the process is attached to, decided once: live views, colour and key input only on a
/// terminal; plain lines otherwise (pipes, files, journald).
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static var useColor: Bool {
        stdoutIsTTY && getenv("NO_COLOR") == nil && String(cString: getenv("TERM") ?? strdup("")) != "dumb"
    }

    /// Columns of the terminal, or 80.
    static var width: Int {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }

    /// Puts stdin in character mode (no line buffering, no echo) and returns the settings to
    /// restore. Signals stay on (ISIG), so Ctrl-C still reaches the service as SIGINT.
    static func enterCharacterMode() -> termios? {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return nil }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else { return nil }
        return original
    }

    static func restore(_ settings: termios) {
        var s = settings
        tcsetattr(STDIN_FILENO, TCSANOW, &s)
    }

    /// Waits up to `timeoutMs` for a byte on stdin. nil on timeout; `.eof` when stdin is closed.
    enum Input { case byte(UInt8), eof, timeout }

    static func readByte(timeoutMs: Int32) -> Input {
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

    static func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(STDOUT_FILENO, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}

/// ANSI styling that disappears when colour is off.
struct Style: Sendable {
    let enabled: Bool

    func paint(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { paint(s, "1") }
    func dim(_ s: String) -> String { paint(s, "2") }
    func red(_ s: String) -> String { paint(s, "31") }
    func green(_ s: String) -> String { paint(s, "32") }
    func yellow(_ s: String) -> String { paint(s, "33") }
    func blue(_ s: String) -> String { paint(s, "34") }
    func cyan(_ s: String) -> String { paint(s, "36") }
}
