import CGPIOD
import HAL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One GPIO chip through libgpiod (`/dev/gpiochipN`), via the version-neutral `CGPIOD` shim.
///
/// The chip handle is used only for lookups (line info, names); each requested line holds its own
/// request (its own fd), so lines outlive the chip object and are released on their deinit.
public final class LinuxGPIOChip: GPIOChip {
    public let path: String
    public let name: String
    public let label: String
    public let lineCount: Int
    /// The C handle. libgpiod chip objects are not thread-safe (v1 caches line objects), so every
    /// use goes through the lock.
    private let handle: Mutex<ChipHandle>

    /// Owns the C chip; only ever touched inside `handle`'s lock, hence the unchecked Sendable.
    private struct ChipHandle: ~Copyable, @unchecked Sendable {
        let pointer: OpaquePointer
        deinit { cgpiod_chip_close(pointer) }
    }

    /// Whether the library in use supports kernel debounce (libgpiod 2.x).
    public static var hasKernelDebounce: Bool { cgpiod_is_v2() != 0 }
    /// The libgpiod version string, for diagnostics ("none" when no libgpiod could be loaded).
    public static var libraryVersion: String { String(cString: cgpiod_version()) }

    /// libgpiod is loaded at run time (1.6 or 2.x, whichever is installed): the error that says
    /// why none could be, or nil when one was.
    static func libraryMissing(_ selector: String) -> GPIOError? {
        guard cgpiod_available() == 0 else { return nil }
        return GPIOError(
            kind: .unsupported, chip: selector, errno: ELIBACC, message: String(cString: cgpiod_load_error()))
    }

    private init(pointer: OpaquePointer) {
        path = String(cString: cgpiod_chip_path(pointer))
        name = String(cString: cgpiod_chip_name(pointer))
        label = String(cString: cgpiod_chip_label(pointer))
        lineCount = Int(cgpiod_chip_num_lines(pointer))
        handle = Mutex(ChipHandle(pointer: pointer))
    }

    /// Opens a chip by path (`/dev/gpiochip0`), name (`gpiochip0`) or label (`pinctrl-bcm2711`).
    /// Labels are what to configure on a Pi: chip numbers move between kernels (the Pi 5 header
    /// chip went from gpiochip4 to gpiochip0).
    public static func open(_ selector: String) throws(GPIOError) -> LinuxGPIOChip {
        if let missing = libraryMissing(selector) { throw missing }
        if selector.contains("/") { return try openPath(selector, selector: selector) }
        // A name: /dev/<name>, when it exists.
        if selector.hasPrefix("gpiochip") {
            let candidate = "/dev/" + selector
            if access(candidate, F_OK) == 0 { return try openPath(candidate, selector: selector) }
        }
        // A label: scan every chip.
        var found: LinuxGPIOChip?
        for path in chipPaths() {
            if let chip = try? openPath(path, selector: selector),
                chip.label == selector || chip.name == selector
            {
                found = chip
                break
            }
        }
        if let found { return found }
        throw GPIOError(kind: .chipNotFound, chip: selector, message: notFoundMessage(for: selector))
    }

    /// The chips present: path, name, label and line count of each one that could be opened.
    public static func availableChips() -> [(path: String, name: String, label: String, lines: Int)] {
        chipPaths().compactMap { path in
            guard let chip = try? openPath(path, selector: path) else { return nil }
            return (chip.path, chip.name, chip.label, chip.lineCount)
        }
    }

    /// `/dev/gpiochip*`, in numeric order.
    static func chipPaths() -> [String] {
        var buffer = [CChar](repeating: 0, count: 64 * Int(CGPIOD_NAME_MAX))
        let n = buffer.withUnsafeMutableBufferPointer {
            cgpiod_list_chip_paths($0.baseAddress, UInt($0.count))
        }
        guard n > 0 else { return [] }
        let text = buffer.withUnsafeBytes { cString($0) }
        return text.split(separator: "\n").map(String.init)
    }

    static func notFoundMessage(for selector: String) -> String {
        let chips = availableChips()
        let paths = chipPaths()
        if chips.isEmpty, !paths.isEmpty {
            return
                "no GPIO chip matches '\(selector)': \(paths.joined(separator: ", ")) exist but cannot be opened (add the user to group gpio)"
        }
        if chips.isEmpty {
            return
                "no GPIO chip matches '\(selector)', and this system has none (no /dev/gpiochip*; on a Pi, check the kernel and that the user is in group gpio)"
        }
        let list = chips.map { "\($0.name) [\($0.label)] (\($0.lines) lines)" }.joined(separator: ", ")
        return "no GPIO chip matches '\(selector)' by path, name or label; available: \(list)"
    }

    private static func openPath(_ path: String, selector: String) throws(GPIOError) -> LinuxGPIOChip {
        var err: Int32 = 0
        guard let pointer = cgpiod_chip_open(path, &err) else {
            switch err {
            case ENOENT, ENODEV, ENOTDIR:
                throw GPIOError(
                    kind: .chipNotFound, chip: selector, errno: err, message: notFoundMessage(for: selector))
            case EACCES, EPERM:
                throw GPIOError(
                    kind: .permissionDenied, chip: path, errno: err,
                    message: "permission denied opening the chip (add the user to group gpio)")
            default:
                throw GPIOError(
                    kind: .other, chip: path, errno: err, message: "cannot open the chip: \(errnoText(err))")
            }
        }
        return LinuxGPIOChip(pointer: pointer)
    }

    public func lineInfo() throws(GPIOError) -> [LineInfo] {
        var out: [LineInfo] = []
        out.reserveCapacity(lineCount)
        for offset in 0..<lineCount {
            out.append(try info(offset: offset))
        }
        return out
    }

    /// Information about one line.
    public func info(offset: Int) throws(GPIOError) -> LineInfo {
        var raw = cgpiod_line_info()
        let r = handle.withLock { cgpiod_chip_line_info($0.pointer, UInt32(clamping: offset), &raw) }
        guard r >= 0 else {
            if r == -EINVAL, offset >= lineCount || offset < 0 {
                throw GPIOError(
                    kind: .lineNotFound, chip: path, line: "line \(offset)",
                    message:
                        "offset out of range: \(name) [\(label)] has \(lineCount) lines (0...\(lineCount - 1))"
                )
            }
            throw GPIOError(
                kind: .other, chip: path, line: "line \(offset)", errno: -r,
                message: "reading line info failed")
        }
        let name = withUnsafeBytes(of: raw.name) { cString($0) }
        let consumer = withUnsafeBytes(of: raw.consumer) { cString($0) }
        return LineInfo(
            offset: offset, name: name.isEmpty ? nil : name, consumer: consumer.isEmpty ? nil : consumer,
            isOutput: raw.is_output != 0, isUsed: raw.is_used != 0)
    }

    /// The offset of a line, by name or offset.
    public func resolve(_ selector: LineSelector) throws(GPIOError) -> Int {
        switch selector {
        case .offset(let o):
            guard o >= 0, o < lineCount else {
                throw GPIOError(
                    kind: .lineNotFound, chip: path, line: selector.description,
                    message:
                        "offset out of range: \(name) [\(label)] has \(lineCount) lines (0...\(max(0, lineCount - 1)))"
                )
            }
            return o
        case .name(let n):
            let r = handle.withLock { cgpiod_chip_find_line($0.pointer, n) }
            if r >= 0 { return Int(r) }
            if r == -ENOENT {
                throw GPIOError(
                    kind: .lineNotFound, chip: path, line: n,
                    message:
                        "no line named '\(n)' on \(name) [\(label)] (\(lineCount) lines; 'gpio lines' lists them)"
                )
            }
            throw GPIOError(
                kind: .other, chip: path, line: n, errno: -r, message: "looking up the line failed")
        }
    }

    public func requestOutput(_ request: OutputLineRequest) throws(GPIOError) -> any OutputLine {
        try output(request)
    }

    public func requestInput(_ request: InputLineRequest) throws(GPIOError) -> any InputLine {
        try input(request)
    }

    /// `requestOutput` with the concrete type.
    public func output(_ request: OutputLineRequest) throws(GPIOError) -> LinuxOutputLine {
        let offset = try resolve(request.line)
        var err: Int32 = 0
        let pointer = handle.withLock {
            cgpiod_request_output(
                $0.pointer, UInt32(offset), request.consumer, request.activeLow ? 1 : 0,
                request.initialValue ? 1 : 0, &err)
        }
        guard let pointer else { throw requestError(err, line: request.line, offset: offset, bias: .asIs) }
        return LinuxOutputLine(request: pointer, offset: offset, chip: path, line: request.line.description)
    }

    /// `requestInput` with the concrete type.
    public func input(_ request: InputLineRequest) throws(GPIOError) -> LinuxInputLine {
        let offset = try resolve(request.line)
        var err: Int32 = 0
        var debounced: Int32 = 0
        let micros = max(
            0,
            request.debounce.components.seconds * 1_000_000 + request.debounce.components.attoseconds
                / 1_000_000_000_000)
        let bias: cgpiod_bias =
            switch request.bias {
            case .asIs: CGPIOD_BIAS_AS_IS
            case .disabled: CGPIOD_BIAS_DISABLED
            case .pullUp: CGPIOD_BIAS_PULL_UP
            case .pullDown: CGPIOD_BIAS_PULL_DOWN
            }
        let edges =
            switch request.edges {
            case .both: CGPIOD_EDGES_BOTH
            case .rising: CGPIOD_EDGES_RISING
            case .falling: CGPIOD_EDGES_FALLING
            }
        let pointer = handle.withLock {
            cgpiod_request_input(
                $0.pointer, UInt32(offset), request.consumer, request.activeLow ? 1 : 0, bias, edges,
                UInt(clamping: micros), &debounced, &err)
        }
        guard let pointer else {
            throw requestError(err, line: request.line, offset: offset, bias: request.bias)
        }
        return LinuxInputLine(
            request: pointer, offset: offset, chip: path, line: request.line.description,
            hasKernelDebounce: debounced != 0)
    }

    private func requestError(_ err: Int32, line: LineSelector, offset: Int, bias: Bias) -> GPIOError {
        let lineName = line.description
        switch err {
        case EBUSY:
            // Name the holder: that is what a person needs to fix it (stop the other program or
            // remove the overlay that claimed the pin).
            let holder =
                (try? info(offset: offset))?.consumer.map { "'\($0)'" } ?? "another consumer (unnamed)"
            return GPIOError(
                kind: .lineBusy, chip: path, line: lineName, errno: err,
                message: "line \(offset) is busy: already requested by \(holder)")
        case EACCES, EPERM:
            return GPIOError(
                kind: .permissionDenied, chip: path, line: lineName, errno: err,
                message: "permission denied (add the user to group gpio)")
        case EINVAL where bias != .asIs, EOPNOTSUPP:
            // Bias flags came with kernel 5.5; older kernels reject the request with EINVAL.
            return GPIOError(
                kind: .unsupported, chip: path, line: lineName, errno: err,
                message:
                    "the kernel or chip does not support this request (bias \(bias.rawValue) needs Linux 5.5+)"
            )
        default:
            return GPIOError(
                kind: .other, chip: path, line: lineName, errno: err,
                message: "line request failed: \(errnoText(err))")
        }
    }
}

/// A line requested as output; released on deinit.
public final class LinuxOutputLine: OutputLine {
    public let offset: Int
    private let request: OpaquePointer
    private let chip: String
    private let line: String

    init(request: OpaquePointer, offset: Int, chip: String, line: String) {
        self.request = request
        self.offset = offset
        self.chip = chip
        self.line = line
    }

    deinit { cgpiod_request_release(request) }

    public func set(_ active: Bool) throws(GPIOError) {
        let r = cgpiod_request_set_value(request, active ? 1 : 0)
        guard r >= 0 else {
            throw GPIOError(
                kind: .other, chip: chip, line: line, errno: -r,
                message: "setting the value failed: \(errnoText(-r))")
        }
    }
}

/// A line requested as input with edge events (the requested edges); released on deinit.
public final class LinuxInputLine: InputLine {
    public let offset: Int
    public let hasKernelDebounce: Bool
    private let request: OpaquePointer
    private let chip: String
    private let line: String

    init(request: OpaquePointer, offset: Int, chip: String, line: String, hasKernelDebounce: Bool) {
        self.request = request
        self.offset = offset
        self.chip = chip
        self.line = line
        self.hasKernelDebounce = hasKernelDebounce
    }

    deinit { cgpiod_request_release(request) }

    public func read() throws(GPIOError) -> Bool {
        let r = cgpiod_request_get_value(request)
        guard r >= 0 else {
            throw GPIOError(
                kind: .other, chip: chip, line: line, errno: -r,
                message: "reading the value failed: \(errnoText(-r))")
        }
        return r != 0
    }

    public func waitForEvents(timeout: Duration) throws(GPIOError) -> [EdgeEvent] {
        let (seconds, attos) = timeout.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let total = nanos.overflow ? Int64.max : nanos.partialValue &+ attos / 1_000_000_000
        var r = cgpiod_request_wait(request, max(0, total))
        // EINTR: a signal arrived (e.g. the service's SIGTERM handler); report "no events" and let
        // the caller's loop decide whether to stop.
        if r == -EINTR { return [] }
        guard r >= 0 else {
            throw GPIOError(
                kind: .other, chip: chip, line: line, errno: -r,
                message: "waiting for events failed: \(errnoText(-r))")
        }
        guard r > 0 else { return [] }
        var buffer = [cgpiod_event](repeating: cgpiod_event(), count: 16)
        r = buffer.withUnsafeMutableBufferPointer { cgpiod_request_read_events(request, $0.baseAddress, 16) }
        guard r >= 0 else {
            throw GPIOError(
                kind: .other, chip: chip, line: line, errno: -r,
                message: "reading events failed: \(errnoText(-r))")
        }
        return buffer.prefix(Int(r)).map {
            EdgeEvent(
                kind: $0.rising != 0 ? .rising : .falling,
                timestamp: .nanoseconds(Int64(clamping: $0.timestamp_ns)))
        }
    }
}

func cString(_ bytes: UnsafeRawBufferPointer) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}

func errnoText(_ e: Int32) -> String {
    guard let s = strerror(e) else { return "errno \(e)" }
    return String(cString: s)
}
