#!/usr/bin/env bash
# The arm64 binary on the build machine, under qemu user emulation (Debian's qemu-user-static):
# what a Pi owner does first, with the bookworm arm64 sysroot of scripts/cross-arm64 as the
# dynamic loader's root (glibc 2.36, libgpiod 1.6, libi2c, SQLite, as on Raspberry Pi OS bookworm).
#
# usage: Tests/Cross/qemu-user-test.sh BIN SYSROOT
# Prints "ok - ..." / "FAIL - ..." per check and "N passed, M failed"; exit 0 only when none failed.
set -uo pipefail
BIN=$(realpath "$1"); SYSROOT=$(realpath "$2")
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
W=$(mktemp -d /var/tmp/sensorstation-qemu-user.XXXXXX)
LISTENER=""
trap '[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null; rm -rf "$W"' EXIT
pass=0; failed=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
# The binary as the Pi runs it: emulated, its libraries from the sysroot, stdin closed.
ss() { qemu-aarch64-static -L "$SYSROOT" "$BIN" "$@" </dev/null; }

# 1. --help and --version
out=$(ss --help 2>&1); rc=$?
[ $rc = 0 ] && grep -q 'USAGE: sensorstation <subcommand>' <<<"$out" && ok "--help (exit 0, usage)" || fail "--help: exit $rc: $out"
ver=$(ss --version 2>&1) && grep -qE '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$ver" && ok "--version: $ver" || fail "--version: $ver"

# 2. config check: the shipped example, and one broken on purpose
out=$(ss config check "$REPO/examples/raspberry-pi.yaml" 2>&1); rc=$?
[ $rc = 0 ] && ok "config check examples/raspberry-pi.yaml (exit 0)" || fail "config check of the example: exit $rc: $out"
printf 'station:\n  thing_name: pi-1\nimpact:\n  threshold_g: fast\n' > "$W/broken.yaml"
out=$(ss config check "$W/broken.yaml" 2>&1); rc=$?
[ $rc = 78 ] && grep -q 'broken.yaml:4:.*threshold_g' <<<"$out" \
  && ok "config check of a broken file: exit 78, names file, line and key" || fail "broken config: exit $rc: $out"

# 3. run --simulated: READY through a NOTIFY_SOCKET, a clean stop on SIGTERM
mkdir -p "$W/station"
sed "s#path: ./.sensorstation/station.db.*#path: $W/station/station.db#" "$REPO/examples/simulation.yaml" > "$W/station/config.yaml"
python3 "$REPO/Tests/Kernel/notify-listen.py" "$W/notify" "$W/notify.log" --max-seconds 300 &
LISTENER=$!
for _ in $(seq 50); do [ -S "$W/notify" ] && break; sleep 0.1; done
start=$(date +%s.%N)
NOTIFY_SOCKET=$W/notify qemu-aarch64-static -L "$SYSROOT" "$BIN" run --simulated --config "$W/station/config.yaml" \
  </dev/null >"$W/run.log" 2>&1 &
RUN=$!
ready=""
for _ in $(seq 600); do grep -q 'READY=1' "$W/notify.log" 2>/dev/null && { ready=$(date +%s.%N); break; }; kill -0 $RUN 2>/dev/null || break; sleep 0.1; done
if [ -n "$ready" ]; then
  ok "run --simulated: READY=1 after $(printf '%.1f' "$(echo "$ready - $start" | bc)") s under emulation"
  # RSS of the emulator process: the binary's own plus qemu's (an upper bound of what a Pi sees).
  sleep 12
  rss=$(awk '/VmRSS/ {print $2}' /proc/$RUN/status 2>/dev/null)
  echo "# VmRSS under qemu-aarch64 (binary + emulator): ${rss:-?} kB"
  kill -TERM $RUN
  wait $RUN; rc=$?
  [ $rc = 0 ] && grep -q 'sensorstation stopped' "$W/run.log" && ok "SIGTERM: exit 0, 'sensorstation stopped' logged" \
    || fail "SIGTERM: exit $rc: $(tail -5 "$W/run.log")"
  grep -q 'STOPPING=1' "$W/notify.log" && ok "STOPPING=1 sent on SIGTERM" || fail "no STOPPING=1: $(cat "$W/notify.log")"
else
  fail "run --simulated: no READY=1 within 60 s: $(tail -20 "$W/run.log")"
  kill -KILL $RUN 2>/dev/null
fi
grep -E '\b(error|critical)\b' "$W/run.log" && fail "errors in the run's log" || ok "no error lines in the run's log"

# 4. query the database it wrote
out=$(ss query weather --database "$W/station/station.db" --format json 2>&1); rc=$?
rows=$(grep -c '"temperature' <<<"$out")
[ $rc = 0 ] && [ "$rows" -ge 1 ] && ok "query weather --format json: $rows rows" || fail "query weather: exit $rc: $out"
out=$(ss query motion --database "$W/station/station.db" --format csv 2>&1); rc=$?
lines=$(($(wc -l <<<"$out") - 1))
[ $rc = 0 ] && [ "$lines" -ge 5 ] && ok "query motion --format csv: $lines rows" || fail "query motion: exit $rc: $out"
out=$(ss query events --database "$W/station/station.db" 2>&1); rc=$?
[ $rc = 0 ] && ok "query events (table)" || fail "query events: exit $rc: $out"
out=$(ss query weather --database "$W/nothing.db" 2>&1); rc=$?
[ $rc = 69 ] && ok "query of a missing database: exit 69" || fail "missing database: exit $rc: $out"

echo "$pass passed, $failed failed"
[ $failed = 0 ]
