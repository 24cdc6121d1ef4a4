#if canImport(Glibc)
    import Glibc
#endif

public enum ThreadName {
    /// Names the calling thread (pthread_setname_np on itself): what `top -H`, `ps -L` and
    /// /proc/<pid>/task/<tid>/comm show; at most 15 bytes (a longer name is refused with ERANGE).
    /// Not Foundation's `Thread.name` set before `start()`: swift-corelibs-foundation applies that
    /// only to a thread already running and otherwise drops it, so a thread kept the name of the
    /// thread that created it (a Dispatch worker, `com.apple.root.default-qos`). Glibc's Swift
    /// module hides the GNU function; it is looked up with dlsym. False when the call is
    /// unavailable or refused.
    @discardableResult
    public static func setCurrent(_ name: String) -> Bool {
        #if os(Linux)
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "pthread_setname_np") else {
                return false
            }
            typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
            let setName = unsafeBitCast(symbol, to: SetName.self)
            return setName(pthread_self(), name) == 0
        #else
            return false
        #endif
    }
}
