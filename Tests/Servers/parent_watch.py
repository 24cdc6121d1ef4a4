"""One lifetime rule for the test servers and helpers: they end when whoever started them does."""
import os
import signal
import sys
import threading


def exit_with_parent():
    """The tests hold our stdin open; when they exit (even killed), EOF arrives and we leave.

    A child spawned from a Swift concurrency (libdispatch) thread inherits its blocked signal
    mask, SIGTERM included: unblock it, or Process.terminate() would never end us."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    def watch():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)
    threading.Thread(target=watch, daemon=True).start()
