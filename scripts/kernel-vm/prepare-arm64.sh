#!/usr/bin/env bash
# The arm64 counterpart of kernel-vm-test.sh's preparation: Debian's arm64 kernel of the same
# release as the amd64 one already prepared in WORKDIR, and the same out-of-tree test modules
# (gpio-sim, i2c-stub-rdwr, adxl345-kt; and i2c-stub, which Debian's arm64 kernel lacks), cross-compiled from the sources and patches that
# preparation made. Results go to WORKDIR/arm64 in the layout the booted-system image expects:
# kver, debs/linux-image-KVER_*.deb, mod/*.ko; and lib/libgpiod.so.2 (bookworm's arm64 libgpiod 1.6).
#
# usage: prepare-arm64.sh WORKDIR      (run kernel-vm-test.sh with KERNEL_VM_PREPARE_ONLY=1 first)
# Adds arm64 as a foreign architecture to dpkg (apt then verifies the arm64 packages it downloads);
# installs gcc-aarch64-linux-gnu. Nothing of the kernel is installed on the host.
set -euo pipefail
W=$(realpath "$1")
A=$W/arm64
ts() { echo "[$(date +%T)] kernel-vm (arm64): $*" >&2; }
[ -s "$W/kver" ] && [ -f "$W/mod/Kbuild" ] || { echo "prepare-arm64: $W is not prepared (kernel-vm-test.sh first)" >&2; exit 69; }
KABI=$(sed 's/-amd64$//' "$W/kver")
KVER=$KABI-arm64
VERSION=$(dpkg-deb -f "$(ls "$W"/debs/linux-image-"$KABI"-amd64_*.deb | head -1)" Version)
mkdir -p "$A/debs" "$A/mod"
echo "$KVER" > "$A/kver"

"$(dirname "$(realpath "$0")")/../deps" gcc-aarch64-linux-gnu make

if ! ls "$A"/debs/linux-image-"$KVER"_*.deb "$A"/debs/linux-headers-"$KVER"_*.deb >/dev/null 2>&1; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    ts "dpkg --add-architecture arm64 (to download Debian's arm64 kernel with apt)"
    dpkg --add-architecture arm64 && apt-get update -qq >/dev/null
  fi
  ts "apt: download linux-image-$KVER and its headers ($VERSION, ~62 MB)"
  (cd "$A/debs" && apt-get download -q "linux-image-$KVER:arm64=$VERSION" "linux-headers-$KVER:arm64=$VERSION" >/dev/null 2>&1) || {
    apt-get update -qq >/dev/null
    (cd "$A/debs" && apt-get download -q "linux-image-$KVER:arm64=$VERSION" "linux-headers-$KVER:arm64=$VERSION" >/dev/null); }
fi

# bookworm's libgpiod 1.6 for arm64 (libgpiod.so.2): the arm64 kernel tier runs the C shim test
# with it as well as with the trixie root's 2.x, as the amd64 tier runs both.
if [ ! -f "$A/lib/libgpiod.so.2" ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64 && apt-get update -qq >/dev/null; }
  ts "apt: download libgpiod2:arm64 (libgpiod 1.6)"
  rm -rf "$A/lib" && mkdir -p "$A/lib/deb"
  (cd "$A/lib/deb" && { apt-get download -q libgpiod2:arm64 >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download -q libgpiod2:arm64 >/dev/null; }; })
  dpkg-deb -x "$A"/lib/deb/libgpiod2_*_arm64.deb "$A/lib/deb/x"
  cp -L "$A/lib/deb/x/usr/lib/aarch64-linux-gnu/libgpiod.so.2" "$A/lib/" && rm -rf "$A/lib/deb"
fi

# The arm64 headers beside the amd64 ones: they share the -common tree and linux-kbuild (its
# host programs, fixdep and modpost, run on this machine).
H=$W/root/usr/src/linux-headers-$KVER
if [ ! -e "$W/root/.unpacked-$KVER" ]; then
  dpkg-deb -x "$(ls "$A"/debs/linux-headers-"$KVER"_*.deb)" "$W/root"
  sed -i "s#^include /usr/src/#include $W/root/usr/src/#" "$H/Makefile"
  touch "$W/root/.unpacked-$KVER"
fi

if [ ! -e "$A/mod/gpio-sim.ko" ] || [ ! -e "$A/mod/i2c-stub-rdwr.ko" ] || [ ! -e "$A/mod/adxl345-kt.ko" ] || [ ! -e "$A/mod/i2c-stub.ko" ] \
   || [ "$W/mod/i2c-stub-rdwr.c" -nt "$A/mod/i2c-stub-rdwr.ko" ]; then
  ts "cross-compile the out-of-tree modules for $KVER"
  rm -rf "$A/mod" && mkdir -p "$A/mod"
  cp "$W"/mod/*.c "$W"/mod/*.h "$W/mod/Kbuild" "$A/mod/"
  # Debian's arm64 kernel lacks the stock i2c-stub that amd64 has as a module; the booted-system
  # image loads it where the machine has no I2C adapter of its own, to keep the test stub bus 1.
  cp "$W/src/drivers/i2c/i2c-stub.c" "$A/mod/i2c-stub.c"
  echo 'obj-m += i2c-stub.o' >> "$A/mod/Kbuild"
  make -s -C "$H" M="$A/mod" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CONFIG_DEBUG_INFO_BTF_MODULES= modules
fi
for m in gpio-sim i2c-stub-rdwr adxl345-kt i2c-stub; do
  file "$A/mod/$m.ko" | grep -q 'ARM aarch64' || { echo "prepare-arm64: $A/mod/$m.ko is not an arm64 module" >&2; exit 1; }
done
ts "prepared $A ($KVER)"
