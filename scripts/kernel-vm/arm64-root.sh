#!/usr/bin/env bash
# The arm64 kernel tier's userland: a Debian trixie (Raspberry Pi OS trixie's base: glibc 2.41,
# libgpiod 2.x) arm64 root that the guest chroots into as the amd64 tier chroots into the host.
# It holds what the checks run besides the product: busybox-static (the initramfs's shell and
# tools), bash and openssl (the test PKI), and the upload test servers' Python (a venv with
# Tests/Servers/requirements.txt from PyPI, as scripts/test-servers installs it); and the
# product's runtime Depends as apt resolves them on trixie (libgpiod3, not bookworm's libgpiod2),
# so that scripts/kernel-tests can install the arm64 .deb in it with apt and no network.
#
# usage: arm64-root.sh WORKDIR      prints the root's path (WORKDIR/arm64/userland)
# Rebuilt only when this script or the requirements change (a stamp with their hash); ~6 minutes under qemu-aarch64
# (binfmt_misc, registered here when missing). Needs root, mmdebstrap, qemu-user-static.
#   DEBIAN_MIRROR  default http://deb.debian.org/debian
set -euo pipefail
W=$(realpath "$1")
ROOT=$W/arm64/userland
REQ=$(dirname "$(realpath "$0")")/../../Tests/Servers/requirements.txt
KEY=$(cat "$0" "$REQ" | sha256sum | cut -c1-16)
ts() { echo "[$(date +%T)] kernel-vm (arm64 root): $*" >&2; }
# A build killed halfway (a session's end, a CI timeout) leaves mmdebstrap's mounts (proc, sys,
# dev/pts, dev/shm) in the half-made root; rm -rf would descend into them. Unmount them first
# (deepest first) and never cross into another file system.
remove_tree() {
  [ -e "$1" ] || return 0
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  rm -rf --one-file-system "$1"
}
if [ "$(cat "$ROOT/.sensorstation-key" 2>/dev/null)" != "$KEY" ]; then
  "$(dirname "$(realpath "$0")")/../deps" mmdebstrap qemu-user-static arch-test >&2
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register \
      || { echo "arm64-root: cannot register qemu-aarch64 with binfmt_misc" >&2; exit 69; }
  fi
  ts "mmdebstrap trixie arm64 (the product's Depends, busybox, Python test servers)"
  remove_tree "$ROOT"; remove_tree "$ROOT.new"; mkdir -p "$W/arm64"
  trap 'remove_tree "$ROOT.new"' EXIT
  # The test servers' packages: wheels for trixie's Python 3.13 on aarch64, fetched by this
  # machine's pip (its configuration and trust store: a TLS-inspecting proxy's CA is in those, not
  # in the root's fresh ca-certificates) and installed in the root without an index.
  WHEELS=$W/arm64/wheels; rm -rf "$WHEELS"
  env -u PIP_FIND_LINKS python3 -m pip download -q --only-binary=:all: --implementation cp --python-version 3.13 \
    --abi cp313 --abi abi3 --abi none --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 \
    --platform manylinux_2_34_aarch64 --platform any -d "$WHEELS" -r "$REQ" >&2
  cp "$REQ" "$WHEELS/requirements.txt"
  mmdebstrap --quiet --arch=arm64 --variant=apt \
    --include=busybox-static,libgpiod3,libi2c0,libsqlite3-0,zlib1g,libstdc++6,libgcc-s1,systemd,init-system-helpers,python3,python3-venv,openssl,ca-certificates \
    --customize-hook='chroot "$1" python3 -m venv /opt/venv' \
    --customize-hook="copy-in '$WHEELS' /tmp" \
    --customize-hook="chroot \"\$1\" /opt/venv/bin/python -m pip install -q --no-index --find-links /tmp/wheels -r /tmp/wheels/requirements.txt" \
    --customize-hook='chroot "$1" /opt/venv/bin/python -c "import moto, awscrt, boto3, cryptography"' \
    --customize-hook='rm -rf "$1/tmp/wheels"' \
    trixie "$ROOT.new" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
  echo "$KEY" > "$ROOT.new/.sensorstation-key"
  mv "$ROOT.new" "$ROOT"; trap - EXIT
  ts "built $ROOT ($(du -sh "$ROOT" | cut -f1))"
fi
echo "$ROOT"
