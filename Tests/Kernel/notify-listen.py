#!/usr/bin/env python3
"""A systemd-style NOTIFY_SOCKET for the kernel tier's whole-story section (Tests/Kernel/vm-test.sh).

Binds a Unix datagram socket at PATH and appends every sd_notify message it receives to OUT, one
message per line with its newlines shown as '|' (so "READY=1\nSTATUS=..." becomes
"READY=1|STATUS=..."), flushed at once so the shell can grep the file while the service runs.
Exits after --max-seconds (a safety net: the test kills it by pid when done).

usage: notify-listen.py PATH OUT [--max-seconds 1800]
"""
import argparse
import os
import socket
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("path")
    p.add_argument("out")
    p.add_argument("--max-seconds", type=float, default=1800)
    a = p.parse_args()
    if os.path.exists(a.path):
        os.unlink(a.path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(a.path)
    s.settimeout(1.0)
    deadline = time.monotonic() + a.max_seconds
    with open(a.out, "a") as out:
        out.write("listening\n")
        out.flush()
        while time.monotonic() < deadline:
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            out.write(data.decode(errors="replace").replace("\n", "|") + "\n")
            out.flush()
    os.unlink(a.path)


if __name__ == "__main__":
    main()
