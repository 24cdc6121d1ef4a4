#!/usr/bin/env bash
# System tests for running SensorStation under systemd and shipping it as a .deb:
#   - the unit passes `systemd-analyze verify` (offline) and rates exposure <= 2.0 in
#     `systemd-analyze security --offline=true`; both checks are shown to fail on a broken unit;
#   - the unit has the hardening and the notify/watchdog/restart settings the service relies on,
#     and does not order itself after time-sync.target;
#   - sysusers.d and tmpfiles.d files applied to a scratch root create the user, the groups and
#     the directories with the right owners and modes; the udev rules set the device groups;
#   - `make install DESTDIR=…` lays the files out and never overwrites a configuration;
#   - `make deb` builds a package whose contents, modes, owners, conffiles, Depends and
#     maintainer scripts are checked with dpkg-deb; lintian runs (installed if missing) and only
#     its errors fail the test;
#   - as root in CI (or with SENSORSTATION_TEST_DPKG=1): dpkg -i, -r, -P on this machine, with
#     the log surviving -r and going with -P.
#
# usage: Tests/System/systemd-tests.sh [BIN]
#   BIN   the sensorstation binary to package (default: .build/release/sensorstation if it exists,
#         else .build/debug/sensorstation, built with `swift build --product sensorstation`).
# Exit status 0 when every check passed; the last line is "N passed, M failed, K skipped".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)

passed=0; failed=0; skipped=0
ok()   { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ $# -lt 2 ] || printf '       %s\n' "${@:2}"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1"; }
check() { # check NAME COMMAND...: ok when the command succeeds
  local name=$1; shift
  local out; if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}
finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit $?
}

TMP=$(mktemp -d /tmp/sensorstation-systemd-tests.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'echo "systemd-tests: interrupted" >&2; exit 130' INT TERM

UNIT=systemd/sensorstation.service
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# Tools: systemd-analyze (systemd), dpkg-deb/dpkg-shlibdeps (dpkg-dev), lintian. Installed through
# apt like scripts/deps does, so a fresh machine (CI) has them.
need=()
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
command -v lintian >/dev/null || need+=(lintian)
command -v objdump >/dev/null || need+=(binutils)
if ((${#need[@]})); then
  echo "systemd-tests: installing ${need[*]}" >&2
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
           --no-install-recommends "${need[@]}" >/dev/null; }; then
    echo "systemd-tests: could not install ${need[*]}" >&2
  fi
fi

# ---------------------------------------------------------------------------------------------
# The unit, offline.
# systemd-analyze verify checks that ExecStart's program exists: point it at an existing
# executable in a temporary copy (the same name, so the unit name is kept).
analyze_copy() { # analyze_copy SRC DST: a copy whose ExecStart program exists
  sed "s#^ExecStart=/usr/bin/sensorstation #ExecStart=$TMP/bin/sensorstation #" "$1" > "$2"
}
mkdir -p "$TMP/bin" "$TMP/unit" "$TMP/bad1" "$TMP/bad2"
printf '#!/bin/sh\nexit 0\n' > "$TMP/bin/sensorstation"; chmod 0755 "$TMP/bin/sensorstation"
analyze_copy "$UNIT" "$TMP/unit/sensorstation.service"

verify() { # verify DIR: prints every diagnostic; succeeds only on no output and status 0
  local out rc
  out=$(cd "$1" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no ./sensorstation.service 2>&1); rc=$?
  printf '%s' "$out"
  [ "$rc" -eq 0 ] && [ -z "$out" ]
}
exposure() { # exposure DIR: prints the overall exposure level, e.g. 1.5
  (cd "$1" && systemd-analyze security --offline=true --threshold=100 ./sensorstation.service 2>&1) |
    sed -n 's/.*Overall exposure level for sensorstation.service: \([0-9.]*\).*/\1/p'
}

if out=$(verify "$TMP/unit"); then ok "systemd-analyze verify: no diagnostics"
else fail "systemd-analyze verify: no diagnostics" "$out"; fi

# The check is able to fail: a misspelt key and a bad value must be reported.
sed -e 's/^ProtectSystem=strict/ProtectSytem=strict/' -e 's/^WatchdogSec=30s/WatchdogSec=thirty/' \
  "$TMP/unit/sensorstation.service" > "$TMP/bad1/sensorstation.service"
if out=$(verify "$TMP/bad1"); then fail "verify reports a broken unit" "no diagnostics for ProtectSytem= / WatchdogSec=thirty"
elif grep -q "Unknown key 'ProtectSytem'" <<<"$out" && grep -q "thirty" <<<"$out"; then ok "verify reports a broken unit (misspelt key, bad value)"
else fail "verify reports a broken unit" "$out"; fi

level=$(exposure "$TMP/unit")
if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
  ok "systemd-analyze security --offline: exposure $level <= 2.0"
else
  fail "systemd-analyze security --offline: exposure <= 2.0" "got '${level:-no Overall exposure line}'" \
    "$(cd "$TMP/unit" && systemd-analyze security --offline=true --threshold=100 ./sensorstation.service 2>&1 | grep '✗')"
fi
# …and the same measure rates an unhardened copy (only Type, ExecStart, User) far worse.
{ echo "[Service]"; grep -E '^(Type|ExecStart|User)=' "$TMP/unit/sensorstation.service"; } > "$TMP/bad2/sensorstation.service"
bare=$(exposure "$TMP/bad2")
if [ -n "$bare" ] && awk -v l="$bare" 'BEGIN { exit !(l > 5.0) }'; then ok "security rates an unhardened copy at $bare (> 5.0)"
else fail "security rates an unhardened copy worse" "got '${bare:-nothing}'"; fi

# The settings themselves, from the unit's effective lines (comments stripped).
eff=$(grep -v -E '^[[:space:]]*(#|;|$)' "$UNIT")
has() { grep -qx -- "$1" <<<"$eff"; }
for line in \
    "Type=notify" "NotifyAccess=main" "WatchdogSec=30s" "Restart=on-failure" \
    "ExecStart=/usr/bin/sensorstation run --config /etc/sensorstation/config.yaml" \
    "ExecReload=/bin/kill -HUP \$MAINPID" \
    "User=sensorstation" "Group=sensorstation" "SupplementaryGroups=i2c gpio" \
    "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
    "StateDirectory=sensorstation" "StateDirectoryMode=0750" "ConfigurationDirectory=sensorstation" \
    "DevicePolicy=closed" "CapabilityBoundingSet=" "AmbientCapabilities=" \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "SystemCallFilter=@system-service" \
    "LoadCredential=key-passphrase:sensorstation.key-passphrase" "WantedBy=multi-user.target"; do
  if has "$line"; then ok "unit: $line"; else fail "unit: $line" "missing from $UNIT"; fi
done
grep -q -E '^StartLimitBurst=[0-9]+$' <<<"$eff" && grep -q -E '^StartLimitIntervalSec=' <<<"$eff" \
  && ok "unit: a start limit (StartLimitIntervalSec/StartLimitBurst)" || fail "unit: a start limit" "no StartLimitBurst/IntervalSec"
devices=$(sed -n 's/^DeviceAllow=//p' <<<"$eff" | sort | tr '\n' ';')
[ "$devices" = "/dev/i2c-1 rw;char-gpiochip rw;" ] && ok "unit: DeviceAllow only the I2C bus and the GPIO chips" \
  || fail "unit: DeviceAllow only the I2C bus and the GPIO chips" "got: $devices"
if grep -E '^(After|Wants|Requires|BindsTo|Requisite)=' <<<"$eff" | grep -q 'time-sync.target'; then
  fail "unit: sampling does not wait for time-sync.target" "$(grep time-sync <<<"$eff")"
else ok "unit: sampling does not wait for time-sync.target"; fi
# Restart=on-failure with a watchdog: the watchdog kill counts as a failure (systemd.service(5)),
# so a hung sampler is restarted; exit 78 (configuration) is not retried.
grep -q -E '^RestartPreventExitStatus=.*\b78\b' <<<"$eff" && ok "unit: an invalid configuration (78) is not restarted" \
  || fail "unit: an invalid configuration (78) is not restarted"

# ---------------------------------------------------------------------------------------------
# sysusers.d, tmpfiles.d, udev rules, applied to a scratch root (nothing on this machine changes).
R="$TMP/root"; mkdir -p "$R/etc"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
: > "$R/etc/shadow"; : > "$R/etc/gshadow"
if out=$(systemd-sysusers --root="$R" "$ROOT/systemd/sensorstation.sysusers" 2>&1); then
  pw=$(grep '^sensorstation:' "$R/etc/passwd")
  IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
  [ -n "$pw" ] && [ "$home" = /var/lib/sensorstation ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] \
    && [[ "$shell" == */nologin ]] && ok "sysusers: system user sensorstation (uid $uid, home $home, $shell)" \
    || fail "sysusers: system user sensorstation" "passwd line: ${pw:-none}"
  for g in i2c gpio; do
    members=$(sed -n "s/^$g:x:[0-9]*://p" "$R/etc/group")
    [[ ",$members," == *",sensorstation,"* ]] && ok "sysusers: group $g exists with member sensorstation" \
      || fail "sysusers: group $g with member sensorstation" "$(grep "^$g:" "$R/etc/group" || echo "no group $g")"
  done
  grep -q "^sensorstation:x:$gid:" "$R/etc/group" && ok "sysusers: primary group sensorstation" \
    || fail "sysusers: primary group sensorstation"
else
  fail "systemd-sysusers accepts sensorstation.sysusers" "$out"
fi
if out=$(systemd-tmpfiles --root="$R" --create "$ROOT/systemd/sensorstation.tmpfiles" 2>&1); then
  st=$(stat -c '%a %U %G' "$R/var/lib/sensorstation" 2>&1)
  # stat resolves names against this machine's passwd; compare numeric ids against the scratch root.
  st_n=$(stat -c '%a %u %g' "$R/var/lib/sensorstation" 2>&1)
  [ "$st_n" = "750 $uid $gid" ] && ok "tmpfiles: /var/lib/sensorstation 0750 sensorstation:sensorstation" \
    || fail "tmpfiles: /var/lib/sensorstation 0750 sensorstation:sensorstation" "got $st_n ($st), want 750 $uid $gid"
  st_n=$(stat -c '%a %u %g' "$R/etc/sensorstation" 2>&1)
  [ "$st_n" = "755 0 0" ] && ok "tmpfiles: /etc/sensorstation 0755 root:root" || fail "tmpfiles: /etc/sensorstation" "got $st_n"
else
  fail "systemd-tmpfiles accepts sensorstation.tmpfiles" "$out"
fi
# udev (systemd 252 has no `udevadm verify`): every rule matches a subsystem and a kernel name and
# assigns group and mode; the two device families are covered.
rules=$(grep -v -E '^[[:space:]]*(#|$)' systemd/60-sensorstation.rules)
bad=$(grep -v -E '^SUBSYSTEM=="[a-z0-9-]+", KERNEL=="[a-z0-9*[-]+\]?[*]?", GROUP="[a-z0-9]+", MODE="0660"$' <<<"$rules" || true)
[ -z "$bad" ] && ok "udev: every rule is SUBSYSTEM/KERNEL match, GROUP, MODE 0660" || fail "udev rule syntax" "$bad"
grep -q 'SUBSYSTEM=="i2c-dev", KERNEL=="i2c-\[0-9\]\*", GROUP="i2c"' <<<"$rules" && \
  grep -q 'SUBSYSTEM=="gpio", KERNEL=="gpiochip\[0-9\]\*", GROUP="gpio"' <<<"$rules" \
  && ok "udev: /dev/i2c-* to group i2c, /dev/gpiochip* to group gpio" || fail "udev: i2c and gpio rules" "$rules"

# ---------------------------------------------------------------------------------------------
# The binary to install and package.
BIN=${1:-}
if [ -z "$BIN" ]; then
  if [ -x .build/release/sensorstation ]; then BIN=.build/release/sensorstation
  else
    [ -x .build/debug/sensorstation ] || swift build --product sensorstation >&2
    BIN=.build/debug/sensorstation
  fi
fi
BIN=$(readlink -f "$BIN")
if [ ! -x "$BIN" ]; then fail "a sensorstation binary to package" "$BIN is not executable"; finish; fi
dynamic_swift=0
# (Captured first: with pipefail, `objdump | grep -q` fails when grep exits before objdump has
# written everything and objdump dies of SIGPIPE, which made this check flaky.)
bin_headers=$(objdump -p "$BIN")
grep -q 'NEEDED *libswiftCore' <<<"$bin_headers" && dynamic_swift=1

# `make build` is the release build with the Swift runtime linked in (checked on the recipe; the
# release binary itself is checked when one exists).
recipe=$(make -n build 2>&1)
grep -q -- '-c release' <<<"$recipe" && grep -q -- '--static-swift-stdlib' <<<"$recipe" \
  && grep -q -- '-Xfrontend -Xswiftc -function-sections' <<<"$recipe" && grep -q -- '-Xcc -ffunction-sections' <<<"$recipe" \
  && grep -q -- '-Xswiftc -L -Xswiftc packaging/link' <<<"$recipe" \
  && ok "make build: swift build -c release --static-swift-stdlib, every function in its own section, libstdc++ linked in" \
  || fail "make build recipe" "$recipe"
if [ -x .build/release/sensorstation ]; then
  release_headers=$(objdump -p .build/release/sensorstation)
  if grep -q 'NEEDED *libswift' <<<"$release_headers"; then
    fail "release binary has the Swift runtime linked in" "$(grep 'NEEDED *libswift' <<<"$release_headers")"
  else ok "release binary has the Swift runtime linked in (no libswift*.so needed)"; fi
  if grep -q 'NEEDED *libstdc++' <<<"$release_headers"; then
    fail "release binary has libstdc++ linked in (packaging/link)" "$(grep 'NEEDED' <<<"$release_headers")"
  else ok "release binary has libstdc++ linked in (no libstdc++.so needed)"; fi
else skip "release binary check (no .build/release/sensorstation; run make build)"; fi

# make install into a staging root: the layout, modes, the unit's ExecStart following PREFIX,
# and an existing configuration kept.
D="$TMP/destdir"
if out=$(make --no-print-directory install DESTDIR="$D" BIN="$BIN" 2>&1); then
  ok "make install DESTDIR=…"
  for f in "755 usr/bin/sensorstation" "644 lib/systemd/system/sensorstation.service" \
           "644 usr/lib/sysusers.d/sensorstation.conf" "644 usr/lib/tmpfiles.d/sensorstation.conf" \
           "644 usr/lib/udev/rules.d/60-sensorstation.rules" "644 usr/lib/modules-load.d/sensorstation.conf" \
           "644 etc/sensorstation/config.yaml" "644 usr/share/doc/sensorstation/README.md" \
           "644 usr/share/man/man1/sensorstation.1.gz"; do
    mode=${f%% *}; path=${f#* }
    got=$(stat -c '%a' "$D/$path" 2>/dev/null || echo missing)
    [ "$got" = "$mode" ] && ok "install: /$path ($mode)" || fail "install: /$path" "mode $got, want $mode"
  done
  cmp -s "$D/etc/sensorstation/config.yaml" examples/raspberry-pi.yaml \
    && ok "install: config.yaml is the commented Raspberry Pi example" || fail "install: config.yaml content"
  echo "# the operator's edit" >> "$D/etc/sensorstation/config.yaml"
  make --no-print-directory install DESTDIR="$D" BIN="$BIN" >/dev/null 2>&1
  tail -n1 "$D/etc/sensorstation/config.yaml" | grep -q "the operator's edit" \
    && ok "install: an existing config.yaml is never overwritten" || fail "install: config.yaml was overwritten"
  make --no-print-directory uninstall DESTDIR="$D" >/dev/null 2>&1
  [ ! -e "$D/usr/bin/sensorstation" ] && [ ! -e "$D/lib/systemd/system/sensorstation.service" ] \
    && [ -e "$D/etc/sensorstation/config.yaml" ] && ok "uninstall: files gone, configuration kept" \
    || fail "uninstall: files gone, configuration kept" "$(find "$D" -type f)"
else
  fail "make install DESTDIR=…" "$out"
fi
D2="$TMP/destdir-local"
make --no-print-directory install DESTDIR="$D2" PREFIX=/usr/local BIN="$BIN" >/dev/null 2>&1
grep -qx 'ExecStart=/usr/local/bin/sensorstation run --config /etc/sensorstation/config.yaml' \
  "$D2/lib/systemd/system/sensorstation.service" 2>/dev/null && [ -x "$D2/usr/local/bin/sensorstation" ] \
  && ok "install PREFIX=/usr/local: binary and ExecStart follow" || fail "install PREFIX=/usr/local" \
  "$(grep ExecStart= "$D2/lib/systemd/system/sensorstation.service" 2>&1)"

# ---------------------------------------------------------------------------------------------
# make deb, inspected.
DEBDIR="$TMP/deb"
if out=$(make --no-print-directory deb BIN="$BIN" DEBDIR="$DEBDIR" DEB_COMPRESS=gzip 2>&1); then
  DEB=$(ls "$DEBDIR"/sensorstation_*.deb 2>/dev/null | head -n1)
  [ -n "$DEB" ] && ok "make deb: $(basename "$DEB")" || fail "make deb produced a .deb" "$out"
else
  fail "make deb" "$(tail -n 20 <<<"$out")"; finish
fi

contents=$(dpkg-deb --contents "$DEB")
entry() { awk -v p="./$1" '$6 == p { print $1, $2 }' <<<"$contents"; }
for f in "-rwxr-xr-x usr/bin/sensorstation" "-rw-r--r-- lib/systemd/system/sensorstation.service" \
         "-rw-r--r-- usr/lib/sysusers.d/sensorstation.conf" "-rw-r--r-- usr/lib/tmpfiles.d/sensorstation.conf" \
         "-rw-r--r-- usr/lib/udev/rules.d/60-sensorstation.rules" "-rw-r--r-- usr/lib/modules-load.d/sensorstation.conf" \
         "-rw-r--r-- etc/sensorstation/config.yaml" "-rw-r--r-- usr/share/doc/sensorstation/copyright" \
         "-rw-r--r-- usr/share/doc/sensorstation/changelog.gz" "-rw-r--r-- usr/share/man/man1/sensorstation.1.gz" \
         "-rw-r--r-- usr/share/lintian/overrides/sensorstation"; do
  want="${f%% *} root/root"; path=${f#* }
  got=$(entry "$path")
  [ "$got" = "$want" ] && ok "deb contents: /$path $want" || fail "deb contents: /$path" "got '${got:-absent}', want '$want'"
done
others=$(awk '$2 != "root/root"' <<<"$contents")
[ -z "$others" ] && ok "deb contents: every file owned by root/root" || fail "deb: files not owned by root" "$others"
grep -q '\./var/lib' <<<"$contents" && fail "deb ships no /var/lib (the service and tmpfiles create it)" \
  || ok "deb ships no /var/lib (the service and tmpfiles create it)"

info=$(dpkg-deb --info "$DEB")
grep -q -E '^ Installed-Size: [0-9]+$' <<<"$info" && grep -q -E '^ Maintainer: .+ <[^@ ]+@[^@ ]+\.[^@ ]+>$' <<<"$info" \
  && ok "deb control: Installed-Size and a Maintainer with an address" || fail "deb control: Installed-Size/Maintainer" "$info"
field() { dpkg-deb --field "$DEB" "$1"; }
[ "$(field Package)" = sensorstation ] && ok "deb control: Package sensorstation" || fail "deb control: Package"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] && ok "deb control: Architecture $(field Architecture)" \
  || fail "deb control: Architecture" "$(field Architecture)"
deps=$(field Depends)
for d in libi2c0 libsqlite3-0 libc6 systemd init-system-helpers; do
  grep -q -E "(^|, )$d( |,|$)" <<<"$deps" && ok "deb Depends: $d" || fail "deb Depends: $d" "Depends: $deps"
done
# libgpiod is loaded at run time, 2.x or 1.6: either package satisfies the dependency
grep -q -E '(^|, )libgpiod3 \| libgpiod2 \(>= 1\.5\.1\)(,|$)' <<<"$deps" && ok "deb Depends: libgpiod3 | libgpiod2 (>= 1.5.1)" \
  || fail "deb Depends: libgpiod3 | libgpiod2" "Depends: $deps"
grep -q -E '(^|, )libgpiod2 \(>= 1\.[0-9.]*\), ' <<<"$deps" && fail "deb Depends: no bare libgpiod2 (trixie has none)" "Depends: $deps" \
  || ok "deb Depends: no bare libgpiod2 (trixie has none)"
grep -q 'libswift' <<<"$deps" && fail "deb Depends names no Swift runtime" "$deps" || ok "deb Depends names no Swift runtime"
mkdir -p "$TMP/ctrl" && dpkg-deb --control "$DEB" "$TMP/ctrl"
[ "$(cat "$TMP/ctrl/conffiles" 2>/dev/null)" = /etc/sensorstation/config.yaml ] \
  && ok "deb conffiles: /etc/sensorstation/config.yaml" || fail "deb conffiles" "$(cat "$TMP/ctrl/conffiles" 2>&1)"
for s in preinst postinst prerm postrm; do
  if [ -x "$TMP/ctrl/$s" ] && sh -n "$TMP/ctrl/$s" && grep -q '^set -e' "$TMP/ctrl/$s"; then ok "deb $s: executable, valid sh, set -e"
  else fail "deb $s: executable, valid sh, set -e"; fi
done
# The preinst creates the groups before the udev rules that name them are unpacked (udevd drops a
# GROUP= whose group does not exist when it parses the file): it must carry every line of the
# shipped sysusers.d file, whatever that file says today.
want=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/lib/sysusers.d/sensorstation.conf | grep -v -e '^#' -e '^[[:space:]]*$')
got=$(sed -n "/systemd-sysusers --replace=\/usr\/lib\/sysusers.d\/sensorstation.conf - <<'SYSUSERS'/,/^SYSUSERS\$/p" "$TMP/ctrl/preinst" | sed '1d;$d')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "deb preinst: creates the groups and the user from the shipped sysusers.d lines" \
  || fail "deb preinst: sysusers lines" "$(diff <(echo "$want") <(echo "$got"))"
grep -q 'systemd-sysusers /usr/lib/sysusers.d/sensorstation.conf' "$TMP/ctrl/postinst" \
  && grep -q "deb-systemd-helper enable 'sensorstation.service'" "$TMP/ctrl/postinst" \
  && ok "deb postinst: creates the user and enables the unit" || fail "deb postinst: user and enable"
# Every systemctl/deb-systemd-invoke call is guarded by /run/systemd/system (no systemd here).
unguarded=$(awk '
  function indent(l) { match(l, /^ */); return RLENGTH }
  /^[[:space:]]*if \[ -d \/run\/systemd\/system \]/ { if (!g) { g = 1; gi = indent($0) }; next }
  g && /^[[:space:]]*fi[[:space:]]*$/ && indent($0) == gi { g = 0; next }
  /(systemctl|deb-systemd-invoke) / && !/^[[:space:]]*#/ && !g { print FILENAME ": " $0 }' \
  "$TMP/ctrl/preinst" "$TMP/ctrl/postinst" "$TMP/ctrl/prerm" "$TMP/ctrl/postrm")
[ -z "$unguarded" ] && ok "deb scripts: systemctl only where systemd runs" || fail "deb scripts: unguarded systemctl" "$unguarded"
grep -q 'rm -rf /var/lib/sensorstation' "$TMP/ctrl/postrm" && \
  awk '/"\$1" = "purge"/ { p = 1 } /rm -rf \/var\/lib\/sensorstation/ { exit !p }' "$TMP/ctrl/postrm" \
  && ok "deb postrm: the log is deleted on purge only" || fail "deb postrm: log deleted on purge only"
# The packaged binary runs (it is the binary given, stripped).
mkdir -p "$TMP/x" && dpkg-deb --extract "$DEB" "$TMP/x"
v=$("$TMP/x/usr/bin/sensorstation" --version 2>&1) && ok "deb binary runs: sensorstation --version = $v" \
  || fail "deb binary runs" "$v"
if file "$TMP/x/usr/bin/sensorstation" 2>/dev/null | grep -q 'not stripped'; then fail "deb binary is stripped"
else ok "deb binary is stripped"; fi

# lintian: errors fail, warnings are reported. A debug binary given as BIN keeps its RUNPATH to
# the toolchain's Swift runtime: that one error is expected then and reported, not counted.
if command -v lintian >/dev/null; then
  lint=$(lintian --tag-display-limit 0 "$DEB" 2>&1 || true)
  [ -n "$lint" ] && printf '       lintian: %s\n' "${lint//$'\n'/$'\n'       lintian: }"
  errors=$(grep '^E:' <<<"$lint" || true)
  if ((dynamic_swift)); then errors=$(grep -v -E 'custom-library-search-path|library-not-linked-against-libc' <<<"$errors" || true); fi
  [ -z "$errors" ] && ok "lintian: no errors ($(grep -c '^W:' <<<"$lint") warnings)" || fail "lintian: errors" "$errors"
else
  skip "lintian (not installed and could not be installed)"
fi

# ---------------------------------------------------------------------------------------------
# Install, remove, purge on this machine: as root, in CI or when asked (it adds the groups i2c and
# gpio, which stay, as on a real system; purge removes the user and group sensorstation).
dpkg_retry() { # dpkg waits for nobody: retry while another dpkg holds the lock
  local out
  for _ in $(seq 1 30); do
    if out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" 2>&1); then printf '%s' "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { printf '%s' "$out"; return 1; }
    sleep 2
  done
  printf '%s' "$out"; return 1
}
if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != true ] && [ "${SENSORSTATION_TEST_DPKG:-}" != 1 ]; }; then
  skip "dpkg -i/-r/-P on this machine (runs as root with CI=true or SENSORSTATION_TEST_DPKG=1)"
elif dpkg-query -W -f='${Status}' sensorstation 2>/dev/null | grep -q 'installed'; then
  skip "dpkg -i/-r/-P: a sensorstation package is already installed here; not touching it"
else
  if out=$(dpkg_retry -i "$DEB"); then
    ok "dpkg -i: installs and configures without systemd as PID 1"
    getent passwd sensorstation >/dev/null && id -nG sensorstation | tr ' ' '\n' | grep -qx i2c \
      && id -nG sensorstation | tr ' ' '\n' | grep -qx gpio \
      && ok "dpkg -i: user sensorstation in groups i2c and gpio" || fail "dpkg -i: user and groups" "$(id sensorstation 2>&1)"
    [ "$(stat -c '%a %U %G' /var/lib/sensorstation 2>&1)" = "750 sensorstation sensorstation" ] \
      && ok "dpkg -i: /var/lib/sensorstation 0750 sensorstation" || fail "dpkg -i: state directory" "$(stat -c '%a %U %G' /var/lib/sensorstation 2>&1)"
    [ -L /etc/systemd/system/multi-user.target.wants/sensorstation.service ] \
      && ok "dpkg -i: unit enabled (multi-user.target.wants)" || fail "dpkg -i: unit enabled"
    echo "test data" > /var/lib/sensorstation/station.db
    echo "# kept" >> /etc/sensorstation/config.yaml
    if out=$(dpkg_retry -r sensorstation); then
      [ ! -e /usr/bin/sensorstation ] && [ ! -e /lib/systemd/system/sensorstation.service ] \
        && ok "dpkg -r: program and unit removed" || fail "dpkg -r: program and unit removed"
      [ "$(cat /var/lib/sensorstation/station.db 2>/dev/null)" = "test data" ] && grep -q '# kept' /etc/sensorstation/config.yaml \
        && ok "dpkg -r: the log and the configuration are kept" || fail "dpkg -r: log and configuration kept"
    else fail "dpkg -r" "$out"; fi
    if out=$(dpkg_retry -P sensorstation); then
      [ ! -e /var/lib/sensorstation ] && ok "dpkg -P: the log is deleted" || fail "dpkg -P: the log is deleted"
      [ ! -e /etc/sensorstation/config.yaml ] && [ ! -e /etc/sensorstation ] \
        && ok "dpkg -P: the configuration is deleted" || fail "dpkg -P: configuration deleted" "$(ls -la /etc/sensorstation 2>&1)"
      [ ! -e /etc/systemd/system/multi-user.target.wants/sensorstation.service ] \
        && ok "dpkg -P: enablement removed" || fail "dpkg -P: enablement removed"
      ! getent passwd sensorstation >/dev/null && ! getent group sensorstation >/dev/null \
        && ok "dpkg -P: the user and group sensorstation are removed" || fail "dpkg -P: user/group sensorstation kept"
    else fail "dpkg -P" "$out"; fi
  else
    fail "dpkg -i" "$out"
    dpkg_retry -P sensorstation >/dev/null 2>&1 || true
  fi
fi

finish
