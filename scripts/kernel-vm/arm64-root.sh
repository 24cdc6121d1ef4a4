#!/usr/bin/env bash
# The arm64 kernel tier's userland: a Debian trixie (Raspberry Pi OS trixie's base: glibc 2.41,
# libgpiod 2.x) arm64 root that the guest chroots into as the amd64 tier chroots into the host.
# It holds what the checks run besides the product: busybox-static (the initramfs's shell and
# tools), bash and openssl (the test PKI), and the upload test servers' Python (a venv with
# moto[server], boto3 and cryptography from PyPI, as scripts/test-servers installs them); and the
# product's runtime Depends as apt resolves them on trixie (libgpiod3, not bookworm's libgpiod2),
# so that scripts/kernel-tests can install the arm64 .deb in it with apt and no network.
#
# usage: arm64-root.sh WORKDIR      prints the root's path (WORKDIR/arm64/userland)
# Rebuilt only when this script changes (a stamp with its hash); ~6 minutes under qemu-aarch64
# (binfmt_misc, registered here when missing). Needs root, mmdebstrap, qemu-user-static.
#   DEBIAN_MIRROR  default http://deb.debian.org/debian
set -euo pipefail
W=$(realpath "$1")
ROOT=$W/arm64/userland
KEY=$(sha256sum "$0" | cut -c1-16)
ts() { echo "[$(date +%T)] kernel-vm (arm64 root): $*" >&2; }
if [ "$(cat "$ROOT/.sensorstation-key" 2>/dev/null)" != "$KEY" ]; then
  "$(dirname "$(realpath "$0")")/../deps" mmdebstrap qemu-user-static >&2
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register \
      || { echo "arm64-root: cannot register qemu-aarch64 with binfmt_misc" >&2; exit 69; }
  fi
  ts "mmdebstrap trixie arm64 (the product's Depends, busybox, Python test servers)"
  rm -rf "$ROOT" "$ROOT.new"; mkdir -p "$W/arm64"
  # pip in the root trusts what pip on this machine trusts (PIP_CERT, else the system's CA bundle:
  # a site's TLS-inspecting proxy is in it, not in the root's fresh ca-certificates).
  CA=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
  PIP="env -u PIP_FIND_LINKS PIP_CERT=/tmp/build-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180"
  mmdebstrap --quiet --arch=arm64 --variant=apt \
    --include=busybox-static,libgpiod3,libi2c0,libsqlite3-0,zlib1g,libstdc++6,libgcc-s1,systemd,init-system-helpers,python3,python3-venv,openssl,ca-certificates \
    --customize-hook='chroot "$1" python3 -m venv /opt/venv' \
    --customize-hook="cp '$CA' \"\$1/tmp/build-ca.crt\"" \
    --customize-hook="chroot \"\$1\" $PIP /opt/venv/bin/python -m pip install -q 'moto[server]>=5.1,<6' 'boto3>=1.34' 'cryptography>=42'" \
    --customize-hook='rm "$1/tmp/build-ca.crt"' \
    --customize-hook='chroot "$1" /opt/venv/bin/python -c "import moto, boto3, cryptography"' \
    trixie "$ROOT.new" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
  echo "$KEY" > "$ROOT.new/.sensorstation-key"
  mv "$ROOT.new" "$ROOT"
  ts "built $ROOT ($(du -sh "$ROOT" | cut -f1))"
fi
echo "$ROOT"
