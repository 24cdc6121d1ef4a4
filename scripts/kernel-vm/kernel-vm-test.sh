#!/bin/bash
# Boot Debian's real kernel under QEMU (TCG) and run TESTDIR/vm-test.sh inside it, with i2c-dev,
# i2c-stub (+ out-of-tree i2c-stub-rdwr), out-of-tree gpio-sim, and the kernel's bmp280 and
# (rebuilt) adxl345 IIO drivers available, and the host's root
# file system mounted read-only at /host (proc, sys, dev, tmp mounted inside it) so the guest can
# `chroot /host` and run the host's dynamically linked programs (a Swift debug build).
# No kernel package is installed on the host: the .debs are downloaded and unpacked into WORKDIR,
# which is reused: each step is skipped when its output already exists.
#
# usage: kernel-vm-test.sh TESTDIR
#   KERNEL_VM_WORKDIR  where downloads and builds live (default: <repo>/.kernel-vm)
#   KERNEL_VM_MEM      guest memory in MB (default 768; a Swift debug binary + runtime needs >256)
#   KERNEL_VM_TIMEOUT  seconds before the VM is killed (default 600)
#   KERNEL_VM_PREPARE_ONLY  set: stop after the kernel .debs and the out-of-tree modules (no boot;
#                      TESTDIR is not read)
#   KERNEL_VM_ARCH     amd64 (default) or arm64: Debian's arm64 kernel of the same release on QEMU's
#                      virt board (Cortex-A72), its modules cross-compiled (prepare-arm64.sh), and
#                      instead of the host's root an arm64 root the guest chroots into
#   KERNEL_VM_ROOT     with arm64: that root (arm64-root.sh makes one); busybox comes from it
# Exit code: that of TESTDIR/vm-test.sh inside the guest; 125 if none came back (boot failure,
# timeout, kernel panic).
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
REPO=$(realpath "$HERE/../..")
[ $# -eq 1 ] || { echo "usage: $0 TESTDIR" >&2; exit 2; }
T=$(realpath "$1")
W=$(realpath -m "${KERNEL_VM_WORKDIR:-$REPO/.kernel-vm}")
MEM=${KERNEL_VM_MEM:-768}
VM_TIMEOUT=${KERNEL_VM_TIMEOUT:-600}
mkdir -p "$W"; cd "$W"
ts() { echo "[$(date +%T)] kernel-vm: $*"; }

# --- host tools (apt only when something is missing: dpkg -s is instant, apt-get is not)
PKGS="qemu-system-x86 busybox-static gcc make libc6-dev kmod cpio xz-utils libelf1 strace"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  ts "apt: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
fi

# --- kernel version: the ABI Debian's linux-image-amd64 points at (e.g. 6.1.0-56-amd64). Pinned in
# WORKDIR once resolved so a later apt index update does not silently trigger a 214 MB re-download;
# delete WORKDIR/kver to move to a newer kernel.
if [ -s kver ]; then KVER=$(cat kver); else
  KVER=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}')
  if [ -z "$KVER" ]; then apt-get update -qq >/dev/null
    KVER=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}'); fi
  [ -n "$KVER" ] || { echo "kernel-vm: cannot resolve linux-image-amd64's kernel version" >&2; exit 125; }
  echo "$KVER" > kver
fi
KSER=$(echo "$KVER" | cut -d. -f1,2)              # 6.1
KABI=${KVER%-amd64}                                # 6.1.0-56
ts "kernel $KVER (workdir $W)"

# --- download (skipped when all five .debs are present)
mkdir -p debs root src mod; chmod 777 debs
need_dl=0
for p in linux-image-$KVER linux-headers-$KVER linux-headers-$KABI-common linux-kbuild-$KSER linux-source-$KSER; do
  ls debs/"${p}"_*.deb >/dev/null 2>&1 || need_dl=1
done
if [ $need_dl = 1 ]; then
  ts "apt: download kernel .debs (~214 MB)"
  (cd debs && apt-get download -q linux-image-$KVER linux-headers-$KVER linux-headers-$KABI-common \
      linux-kbuild-$KSER linux-source-$KSER >/dev/null 2>&1) || {
    apt-get update -qq >/dev/null
    (cd debs && apt-get download -q linux-image-$KVER linux-headers-$KVER linux-headers-$KABI-common \
        linux-kbuild-$KSER linux-source-$KSER >/dev/null); }
fi

# --- unpack (skipped when the stamp exists)
H=$W/root/usr/src/linux-headers-$KVER
if [ ! -e "root/.unpacked-$KVER" ]; then
  ts "unpack"
  for d in debs/linux-image-*.deb debs/linux-headers-*.deb debs/linux-kbuild-*.deb; do dpkg-deb -x "$d" root; done
  # the headers' Makefile includes the -common tree by absolute path; point it into WORKDIR
  sed -i "s#^include /usr/src/#include $W/root/usr/src/#" "$H/Makefile"
  depmod -b "$W/root" "$KVER"
  dpkg-deb --fsys-tarfile debs/linux-source-*.deb | tar -xO ./usr/src/linux-source-$KSER.tar.xz \
    | tar -xJ -C src --strip-components=1 --wildcards '*/drivers/gpio/gpio-sim.c' '*/drivers/gpio/gpiolib.h' \
        '*/kernel/irq/irq_sim.c' '*/drivers/i2c/i2c-stub.c' '*/Documentation/admin-guide/gpio/gpio-sim.rst'
  touch "root/.unpacked-$KVER"
fi

# The ADXL345 IIO driver's sources (the reference driver the kernel tier compares ours with);
# extracted separately so a WORKDIR unpacked by an older version of this script gains them.
if [ ! -e src/drivers/iio/accel/adxl345_core.c ]; then
  dpkg-deb --fsys-tarfile debs/linux-source-*.deb | tar -xO ./usr/src/linux-source-$KSER.tar.xz \
    | tar -xJ -C src --strip-components=1 --wildcards '*/drivers/iio/accel/adxl345*'
fi

# --- out-of-tree modules (skipped when all three .ko exist)
# (and when mkrdwr.py changed since the stub was built)
if [ ! -e mod/gpio-sim.ko ] || [ ! -e mod/i2c-stub-rdwr.ko ] || [ ! -e mod/adxl345-kt.ko ] \
   || [ "$HERE/mkrdwr.py" -nt mod/i2c-stub-rdwr.ko ]; then
  ts "build out-of-tree modules"
  cp src/drivers/gpio/gpio-sim.c mod/gpio-sim-main.c; cp src/drivers/gpio/gpiolib.h src/kernel/irq/irq_sim.c mod/
  # irq_to_desc() is not exported to modules; generic_handle_irq() does the same dispatch
  sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' mod/irq_sim.c
  python3 "$HERE/mkrdwr.py" src/drivers/i2c/i2c-stub.c mod/i2c-stub-rdwr.c
  # adxl345-kt: Debian's adxl345_core + adxl345_i2c in one module. The stock 6.1 core takes the chip
  # type only from firmware match data (device_get_match_data), which a device made with
  # `new_device` lacks, so probe fails with EINVAL; default to ADXL345 there (later kernels fall
  # back to the i2c_device_id table the same way). Nothing else changes.
  cp src/drivers/iio/accel/adxl345.h src/drivers/iio/accel/adxl345_i2c.c mod/
  sed 's/type = (uintptr_t)device_get_match_data(dev);/&\n\tif (!type) type = ADXL345; \/* kernel tier: new_device *\//' \
    src/drivers/iio/accel/adxl345_core.c > mod/adxl345_core.c
  grep -q 'kernel tier: new_device' mod/adxl345_core.c || { echo "kernel-vm: adxl345_core.c patch did not apply" >&2; exit 125; }
  printf '%s\n' 'obj-m += gpio-sim.o i2c-stub-rdwr.o adxl345-kt.o' 'gpio-sim-y := gpio-sim-main.o irq_sim.o' \
    'adxl345-kt-y := adxl345_core.o adxl345_i2c.o' > mod/Kbuild
  make -s -C "$H" M="$W/mod" CONFIG_DEBUG_INFO_BTF_MODULES= modules
fi

# The booted-system tier (scripts/system-tests) needs only the kernel .debs and the modules above.
if [ -n "${KERNEL_VM_PREPARE_ONLY:-}" ]; then ts "prepared (KERNEL_VM_PREPARE_ONLY)"; exit 0; fi

# --- the guest's kernel, modules and userland: amd64 is the host's own; arm64 Debian's arm64
# kernel (unpacked once into WORKDIR/arm64/root) with an arm64 root of its own
ARCH=${KERNEL_VM_ARCH:-amd64}
KROOT=$W/root BUSYBOX=/bin/busybox HOSTROOT=/ BBRUN=()
EXTRA=(mod/gpio-sim.ko mod/i2c-stub-rdwr.ko mod/adxl345-kt.ko)
MODS="i2c-dev i2c-stub configfs 9p 9pnet_virtio virtio_pci bmp280-i2c industrialio"
QEMU=(qemu-system-x86_64 -accel tcg -cpu max) CONSOLE=ttyS0 KARGS=""
case $ARCH in
  amd64) ;;
  arm64)
    HOSTROOT=$(realpath "${KERNEL_VM_ROOT:?KERNEL_VM_ARCH=arm64 needs KERNEL_VM_ROOT}")
    bash "$HERE/prepare-arm64.sh" "$W"
    KVER=$(cat arm64/kver); KROOT=$W/arm64/root
    if [ ! -e "$KROOT/.unpacked-$KVER" ]; then
      ts "unpack the arm64 kernel"
      rm -rf "$KROOT"; dpkg-deb -x "$(ls arm64/debs/linux-image-"$KVER"_*.deb)" "$KROOT"
      depmod -b "$KROOT" "$KVER"; touch "$KROOT/.unpacked-$KVER"
    fi
    # Debian's arm64 kernel has no stock i2c-stub module: prepare-arm64.sh builds it
    EXTRA=(arm64/mod/gpio-sim.ko arm64/mod/i2c-stub-rdwr.ko arm64/mod/adxl345-kt.ko arm64/mod/i2c-stub.ko)
    MODS=${MODS/i2c-stub /}
    BUSYBOX=$HOSTROOT/usr/bin/busybox BBRUN=(qemu-aarch64-static)
    [ -x "$BUSYBOX" ] || { echo "kernel-vm: $BUSYBOX missing (busybox-static in the arm64 root)" >&2; exit 125; }
    # virt's own GPIO controller (PL061) would be gpiochip0: kept from probing, so that the test's
    # gpio-sim chip is gpiochip0 as on amd64 (and the Pi's header chip on a Pi 4)
    QEMU=(qemu-system-aarch64 -accel tcg -M virt -cpu cortex-a72) CONSOLE=ttyAMA0 KARGS="initcall_blacklist=pl061_gpio_driver_init"
    for p in qemu-system-arm qemu-user-static; do dpkg -s $p >/dev/null 2>&1 || "$REPO/scripts/deps" $p; done ;;
  *) echo "kernel-vm: KERNEL_VM_ARCH is amd64 or arm64, not '$ARCH'" >&2; exit 125 ;;
esac

# --- initramfs (rebuilt each run: a few seconds, and it keeps /init in step with this script)
ts "initramfs ($ARCH)"
R=$W/initramfs; rm -rf "$R"; mkdir -p "$R"/{bin,dev,proc,sys,tmp,host,mnt/share} "$R/lib/modules/$KVER/extra"
cp "$BUSYBOX" "$R/bin/busybox"; for a in $("${BBRUN[@]}" "$BUSYBOX" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
# bmp280-i2c and industrialio: the kernel's own BME280 driver and the IIO core the ADXL345 one needs
for m in $MODS; do
  modprobe -d "$KROOT" -S "$KVER" --show-depends $m | awk '$1=="insmod"{print $2}'
done | sort -u | while read -r f; do rel=${f#$KROOT}; mkdir -p "$R$(dirname "$rel")"; cp "$f" "$R$rel"; done
find "$R/lib/modules" -name '*.ko.xz' -exec xz -d {} \;
cp "${EXTRA[@]}" "$R/lib/modules/$KVER/extra/"
cp "$KROOT/lib/modules/$KVER"/modules.{builtin,order} "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER" 2>/dev/null
cat > "$R/init" <<'EOI'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
modprobe configfs && mount -t configfs none /sys/kernel/config
modprobe virtio_pci; modprobe 9pnet_virtio; modprobe 9p
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 hostshare /mnt/share
# The host's root, read-only. Its /proc, /sys, /dev, /tmp directories are mount points here: the
# guest's own kernel file systems go over them, so a chrooted host program sees the guest's
# devices (/dev/i2c-N, /dev/gpiochipN) and sysfs. The test share appears at /host/tmp/share.
# cache=loose: the host root is read-only here, so caching is safe, and it lets a 100+ MB debug
# binary page in once; with the default cache=none, two instances running at once crashed
# (SIGSEGV) while the other one exited.
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /host 2>/dev/null; then
  mount -t proc proc /host/proc; mount -t sysfs sysfs /host/sys; mount -t devtmpfs devtmpfs /host/dev
  mount -t configfs none /host/sys/kernel/config 2>/dev/null
  mount -t tmpfs tmpfs /host/tmp; mount -t tmpfs tmpfs /host/run
  mkdir -p /host/tmp/share && mount --bind /mnt/share /host/tmp/share
fi
rc=99; [ -x /mnt/share/vm-test.sh ] && { /mnt/share/vm-test.sh; rc=$?; }
echo "VM-EXIT-CODE=$rc"
poweroff -f
EOI
chmod +x "$R/init"; (cd "$R" && find . | cpio -o -H newc --quiet | gzip -1 > "$W/initramfs.cpio.gz")

LOG=$W/vm.log; [ "$ARCH" = arm64 ] && LOG=$W/vm-arm64.log
ts "boot VM ($ARCH, TCG, ${MEM} MB; log $LOG)"
set +e
timeout "$VM_TIMEOUT" "${QEMU[@]}" -m "$MEM" -smp 1 -nographic -no-reboot -net none \
  -kernel "$KROOT/boot/vmlinuz-$KVER" -initrd "$W/initramfs.cpio.gz" \
  -append "console=$CONSOLE panic=-1 quiet $KARGS" \
  -virtfs local,path="$T",mount_tag=hostshare,security_model=none \
  -virtfs local,path="$HOSTROOT",mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  </dev/null 2>&1 | tr -d '\r' | tee "$LOG"
qrc=${PIPESTATUS[0]}
set -e
ts "done (qemu exit $qrc)"
rc=$(sed -n 's/.*VM-EXIT-CODE=\([0-9]*\).*/\1/p' "$LOG" | tail -1)
[ -n "$rc" ] || echo "kernel-vm: no exit code came back from the guest (qemu exit $qrc; 124 = timeout)" >&2
exit "${rc:-125}"
