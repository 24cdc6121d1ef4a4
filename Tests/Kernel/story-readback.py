#!/usr/bin/env python3
"""Tests/Servers/readback.py in a loop, in one process: the kernel tier's whole-story section
(Tests/Kernel/vm-test.sh) reads Kinesis, S3 and DynamoDB back while the service runs, and under
QEMU's software emulation every new Python process spends a minute importing boto3 and loading
its service models. This one imports them once and keeps rewriting snapshot files.

Each round runs every --read (readback.py's own commands and output, byte for byte) and replaces
DIR/NAME atomically, so the shell can wait for a condition on a file and then check the same
file. DIR/rounds counts finished rounds. Exits when stdin ends, on SIGTERM or after --max-seconds.

usage: story-readback.py --out DIR [--interval 3] [--max-seconds 1800]
         --endpoint URL --access-key K --secret-key S
         --read NAME:COMMAND[:ARG...] [--read ...]   e.g. --read kinesis.json:kinesis-read:sensorstation-live
"""
import argparse
import contextlib
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import readback  # noqa: E402  (Tests/Servers/readback.py, copied next to this file)
from parent_watch import exit_with_parent  # noqa: E402  (Tests/Servers too)


def main():
    exit_with_parent()

    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=3)
    p.add_argument("--max-seconds", type=float, default=1800)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--read", action="append", required=True)
    a = p.parse_args()
    common = ["--endpoint", a.endpoint, "--access-key", a.access_key, "--secret-key", a.secret_key]
    reads = [(r.split(":")[0], r.split(":")[1:]) for r in a.read]
    out = a.out
    deadline = time.monotonic() + a.max_seconds
    rounds = 0
    while time.monotonic() < deadline:
        for name, args in reads:
            buf = io.StringIO()
            sys.argv = ["readback.py"] + common + args
            try:
                with contextlib.redirect_stdout(buf):
                    readback.main()
            except (Exception, SystemExit) as e:  # moto busy or a read failing: try again next round
                print(f"story-readback: {name}: {e!r}", file=sys.stderr, flush=True)
                continue
            path = os.path.join(out, name)
            with open(path + ".tmp", "w") as f:
                f.write(buf.getvalue())
            os.replace(path + ".tmp", path)
        rounds += 1
        with open(os.path.join(out, "rounds.tmp"), "w") as f:
            f.write(f"{rounds}\n")
        os.replace(os.path.join(out, "rounds.tmp"), os.path.join(out, "rounds"))
        time.sleep(a.interval)


if __name__ == "__main__":
    main()
