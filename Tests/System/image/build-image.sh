#!/usr/bin/env bash
# Builds the booted-system tier's Debian 12 (bookworm) image: what Raspberry Pi OS bookworm is
# built on, from Debian's own packages (mmdebstrap), with systemd as PID 1, udev, sshd and apt,
# Debian's kernel (the one the kernel tier downloads and builds gpio-sim for), the test hardware
# set up at boot by a unit of the image (Tests/System/image/testhw.sh), and a local apt repository
# holding the product's runtime Depends so that `apt install ./sensorstation_*.deb` works offline.
#
# usage: build-image.sh OUTDIR KERNEL_VM_WORKDIR DEPENDS_PACKAGES
#   OUTDIR        receives rootfs.img (ext4, raw), vmlinuz, initrd.img, id_ed25519(.pub)
#   KERNEL_VM_WORKDIR  prepared by scripts/kernel-vm/kernel-vm-test.sh (KERNEL_VM_PREPARE_ONLY=1):
#                 debs/linux-image-KVER_*.deb, mod/gpio-sim.ko, mod/i2c-stub-rdwr.ko, kver
#   DEPENDS_PACKAGES  space-separated package names (the .deb's Depends) for the local repository;
#                 alternatives bookworm lacks (libgpiod3 of 'libgpiod3 | libgpiod2') are left out
# Runs as root (mmdebstrap in root mode, mkfs.ext4 -d keeps owners). Takes 3–6 minutes.
# SYSTEM_TESTS_ARCH=arm64: an arm64 image (KERNEL_VM_WORKDIR then holds the arm64 kernel and
# modules, scripts/kernel-vm/prepare-arm64.sh), its packages configured under qemu-aarch64.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1 KW=$2 DEPS=$3
ARCH=${SYSTEM_TESTS_ARCH:-amd64}
KVER=$(cat "$KW/kver")
KDEB=$(ls "$KW"/debs/linux-image-"$KVER"_*.deb | head -1)
[ -f "$KDEB" ] && [ -f "$KW/mod/gpio-sim.ko" ] && [ -f "$KW/mod/i2c-stub-rdwr.ko" ] || { echo "build-image: $KW is not prepared" >&2; exit 69; }
mkdir -p "$OUT"
# The test modules (arm64 adds the stock i2c-stub, which Debian builds for amd64 only).
MODS="\"$KW/mod/gpio-sim.ko\" \"$KW/mod/i2c-stub-rdwr.ko\""
[ "$ARCH" = arm64 ] && MODS="$MODS \"$KW/mod/i2c-stub.ko\""
# A foreign architecture's maintainer scripts run under qemu user emulation (binfmt_misc).
if [ "$ARCH" != "$(dpkg --print-architecture)" ] && [ "$ARCH" = arm64 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  dpkg -s qemu-user-static >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register \
    || { echo "build-image: cannot register qemu-aarch64 with binfmt_misc" >&2; exit 69; }
fi
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/ss-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root

# The harness's key: root logs in with it over the forwarded SSH port.
rm -f "$OUT/id_ed25519" "$OUT/id_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C sensorstation-system-tests -f "$OUT/id_ed25519"

# What a Raspberry Pi OS Lite image has that matters here: systemd, udev, dbus, sshd, apt,
# systemd-timesyncd (no RTC: the clock is set by NTP), sudo; i2c-tools for the test hardware (and
# the package's Recommends); sqlite3 to check the database after a power cut; procps/psmisc for
# the checks. initramfs-tools, kmod and linux-base for Debian's kernel package.
INCLUDE=systemd,systemd-sysv,udev,dbus,systemd-timesyncd,openssh-server,sudo,kmod,iproute2,procps,psmisc
INCLUDE=$INCLUDE,i2c-tools,sqlite3,initramfs-tools,linux-base,ca-certificates,less

# Under emulation mkinitramfs takes a quarter of an hour for the default MODULES=most (a modinfo
# per module); the arm64 image lists the three modules its root needs instead (virtio PCI and
# block, ext4; the rest loads from the root file system as usual).
HOOKS=()
[ "$ARCH" = arm64 ] && HOOKS=(--customize-hook='echo MODULES=list > "$1/etc/initramfs-tools/conf.d/sensorstation-tests"'
  --customize-hook='printf "virtio_pci\nvirtio_blk\next4\n" >> "$1/etc/initramfs-tools/modules"')
mmdebstrap --quiet --arch="$ARCH" --variant=apt --include="$INCLUDE" "${HOOKS[@]}" \
  --customize-hook='copy-in "'"$KDEB"'" /tmp' \
  --customize-hook='chroot "$1" sh -c "dpkg -i /tmp/linux-image-*.deb >/dev/null && rm /tmp/linux-image-*.deb"' \
  --customize-hook='mkdir -p "$1/lib/modules/'"$KVER"'/extra"' \
  --customize-hook='copy-in '"$MODS"' "/lib/modules/'"$KVER"'/extra"' \
  --customize-hook='chroot "$1" depmod '"$KVER" \
  --customize-hook='mkdir -p "$1/var/local/debs"' \
  --customize-hook='chroot "$1" sh -c "apt-get install -y -qq --download-only -o APT::Install-Recommends=true -o Dir::Cache::archives=/var/local/debs \$(for p in '"$DEPS"'; do apt-cache show \$p >/dev/null 2>&1 && echo \$p; done) >/dev/null"' \
  bookworm "$ROOT"

# --- the local repository: the Depends' and Recommends' .debs with their own Recommends (as apt
# installs them from a mirror: systemd-coredump's libdw1 makes its stack traces), and the only apt
# source (the guest has no network)
rm -f "$ROOT/var/local/debs/lock"; rm -rf "$ROOT/var/local/debs/partial"
(cd "$ROOT/var/local/debs" && apt-ftparchive packages . > Packages)
rm -f "$ROOT/etc/apt/sources.list"; rm -rf "$ROOT"/etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/var/local/debs ./' > "$ROOT/etc/apt/sources.list.d/local.list"
chroot "$ROOT" apt-get update -qq -o APT::Update::Error-Mode=any

# --- boot and network
echo 'sensorstation-test' > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 sensorstation-test\n10.0.2.100 aws.test\n' > "$ROOT/etc/hosts"
echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' > "$ROOT/etc/fstab"
printf '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n' > "$ROOT/etc/systemd/network/eth0.network"
ln -sf /lib/systemd/system/systemd-networkd.service "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# no NTP server is reachable: timesyncd stays unsynchronised (a Pi without network)
install -d -m 0700 "$ROOT/root/.ssh"
install -m 0600 "$OUT/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
# a serial console that logs root in, for debugging by hand (README: how to log in)
case "$ARCH" in arm64) TTY=ttyAMA0 ;; *) TTY=ttyS0 ;; esac
mkdir -p "$ROOT/etc/systemd/system/serial-getty@$TTY.service.d"
printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %%I $TERM\n' \
  > "$ROOT/etc/systemd/system/serial-getty@$TTY.service.d/autologin.conf"
# journald: persistent, so a crash's backtrace and the power-cut boot can be read afterwards
mkdir -p "$ROOT/var/log/journal"

# --- the test hardware, set up at boot by a unit of the image (not by the product)
install -m 0755 "$HERE/testhw.sh" "$ROOT/usr/local/sbin/sensorstation-testhw"
install -d "$ROOT/usr/local/lib/sensorstation-testhw"
install -m 0644 "$HERE/../../Kernel/chip-images.sh" "$ROOT/usr/local/lib/sensorstation-testhw/"
cat > "$ROOT/etc/systemd/system/sensorstation-testhw.service" <<'EOF'
[Unit]
Description=Test hardware for SensorStation: i2c-stub (ADXL345 0x53, BME280 0x76) on /dev/i2c-1, gpio-sim header lines
DefaultDependencies=no
After=systemd-modules-load.service sys-kernel-config.mount
Wants=sys-kernel-config.mount
Before=sysinit.target sensorstation.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/sensorstation-testhw

[Install]
WantedBy=sysinit.target
EOF
mkdir -p "$ROOT/etc/systemd/system/sysinit.target.wants"
ln -sf ../sensorstation-testhw.service "$ROOT/etc/systemd/system/sysinit.target.wants/sensorstation-testhw.service"

cp "$ROOT/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
cp "$ROOT/boot/initrd.img-$KVER" "$OUT/initrd.img"
rm -f "$OUT/rootfs.img"
mkfs.ext4 -q -L rootfs -d "$ROOT" "$OUT/rootfs.img" 3G
echo "build-image: $OUT/rootfs.img ($(du -sh "$ROOT" | cut -f1) used), kernel $KVER"
