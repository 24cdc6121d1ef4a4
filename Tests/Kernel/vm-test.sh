#!/bin/sh
# Kernel test tier, guest side: runs inside the QEMU guest booted by scripts/kernel-vm/kernel-vm-test.sh
# (busybox shell, real Debian kernel). The host's root is mounted read-only at /host with the guest's
# /proc, /sys, /dev on top, so `chroot /host $SS ...` runs the host's dynamically linked debug build
# of sensorstation against real i2c-dev / i2c-stub and gpio-sim devices.
# /mnt/share/env.sh (written by scripts/kernel-tests) sets SS, the binary's path on the host.
# Prints PASS:/FAIL: lines; exits with the number of failures (0 = all passed).
. /mnt/share/env.sh
fails=0; passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ss() { chroot /host "$SS" "$@"; }
show() { sed 's/^/    | /' "$@"; }   # indent captured output in the log
T=/tmp                                  # guest tmpfs-free initramfs /tmp: fine for small files

echo "kernel $(uname -r); binary $SS"
[ -x "/host$SS" ] || { fail "binary /host$SS missing"; exit 1; }
if ss --help >/dev/null 2>&1; then pass "sensorstation starts in the chroot"; else fail "sensorstation does not start in the chroot"; ss --help 2>&1 | head -20; exit 1; fi

# ---------------------------------------------------------------- (a) I2C: stock i2c-stub
modprobe i2c-dev
# Three chips: a BME280 (chip id 0xD0=0x60), an ADXL345 (DEVID 0x00=0xE5), and an EEPROM-like
# device at 0x50 whose registers match neither.
if modprobe i2c-stub chip_addr=0x76,0x53,0x50; then
  B=$(grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
  i2cset -y "$N" 0x76 0xd0 0x60 b
  i2cset -y "$N" 0x53 0x00 0xe5 b
  i2cset -y "$N" 0x50 0x00 0x42 b; i2cset -y "$N" 0x50 0xd0 0x13 b; i2cset -y "$N" 0x50 0x0f 0x99 b
  echo "i2c-stub on /dev/$B"
  ss probe --bus "/dev/$B" --json >$T/probe.out 2>$T/probe.err; rc=$?
  show $T/probe.out $T/probe.err
  # JSON spacing is free: normalise '"key": "v"' to '"key":"v"' before matching
  P=$(sed 's/" *: *"/":"/g; s/" *, *"/","/g' <$T/probe.out)
  has() { echo "$P" | grep "\"address\":\"$1\"" | grep -q "\"chip\":\"$2\""; }
  [ $rc = 0 ] && pass "probe --bus /dev/$B --json exits 0" || fail "probe exit code $rc"
  if has 0x76 bme280 && echo "$P" | grep '"address":"0x76"' | grep -q '"chip_id":"0x60"'; then
    pass "probe finds bme280 (chip id 0x60) at 0x76"; else fail "probe: no bme280 at 0x76"; fi
  if has 0x53 adxl345 && echo "$P" | grep '"address":"0x53"' | grep -q '"chip_id":"0xe5"'; then
    pass "probe finds adxl345 (chip id 0xe5) at 0x53"; else fail "probe: no adxl345 at 0x53"; fi
  has 0x50 "unknown device" && pass "probe reports unknown device at 0x50" || fail "probe: 0x50 not reported as unknown device"
  n=$(echo "$P" | grep -c '"address"')
  [ "$n" = 3 ] && pass "probe reports exactly the 3 stub chips (absent addresses: ENODEV from i2c-stub)" || fail "probe reported $n devices, expected 3"
  echo "$P" | grep -q "\"bus\":\"/dev/$B\"" && pass "probe names the bus /dev/$B" || fail "probe JSON lacks \"bus\":\"/dev/$B\""
  ss probe --bus /dev/i2c-9 --json >$T/nobus.out 2>$T/nobus.err; rc=$?
  show $T/nobus.err
  [ $rc != 0 ] && pass "probe of a missing bus exits non-zero ($rc)" || fail "probe of a missing bus exits 0"
  rmmod i2c-stub
else
  fail "modprobe i2c-stub"
fi

# ---------------------------------------------------------------- (b) GPIO: gpio-sim
# One bank of 8 lines, named like a Pi header (configfs: bank/lineN/name, see gpio-sim.rst).
NAMES="GPIO17 GPIO22 GPIO27 GPIO5 GPIO6 GPIO13 GPIO19 GPIO26"
C=/sys/kernel/config/gpio-sim/ss
if modprobe gpio-sim && mkdir $C && mkdir $C/bank0 && echo 8 >$C/bank0/num_lines; then
  i=0; for n in $NAMES; do mkdir $C/bank0/line$i; echo $n >$C/bank0/line$i/name; i=$((i + 1)); done
  echo 1 >$C/live || fail "gpio-sim: live"
  CH=$(cat $C/bank0/chip_name); SIM=/sys/devices/platform/$(cat $C/dev_name)/$CH
  echo "gpio-sim chip /dev/$CH, sim dir $SIM"
  val() { cat $SIM/sim_gpio$1/value; }
  pull() { echo "$2" >$SIM/sim_gpio$1/pull; }
  # wait_for CMD...: retries up to ~10 s (a Swift process starts in ~1 s under TCG)
  wait_for() { k=0; while [ $k -lt 100 ]; do "$@" && return 0; sleep 0.1; k=$((k + 1)); done; return 1; }

  # lines: every name, by default chip, by path
  ss gpio lines >$T/lines.out 2>&1; rc=$?; show $T/lines.out
  ok=1; for n in $NAMES; do grep -q " $n " $T/lines.out || ok=0; done
  [ $rc = 0 ] && [ $ok = 1 ] && pass "gpio lines lists all 8 names (GPIO17 ... GPIO26)" || fail "gpio lines (rc $rc)"
  grep -q "^5 *GPIO13 *input" $T/lines.out && pass "gpio lines: offset 5 is GPIO13, input" || fail "gpio lines: offset/name/direction columns"
  ss gpio lines --chip /dev/$CH >/dev/null 2>&1 && pass "gpio lines --chip /dev/$CH (path)" || fail "gpio lines --chip /dev/$CH"

  # set: the output level reaches the chip while held; released afterwards
  ss gpio set GPIO17 on --hold 2 >$T/set.out 2>&1 &
  sp=$!
  if wait_for grep -q 1 $SIM/sim_gpio0/value; then pass "gpio set GPIO17 on --hold 2: sim_gpio0/value = 1 while held"
  else fail "gpio set GPIO17 on: sim_gpio0/value stayed $(val 0)"; fi
  wait $sp; rc=$?; show $T/set.out
  [ $rc = 0 ] && pass "gpio set exits 0 after the hold" || fail "gpio set exit code $rc"
  [ "$(val 0)" = 0 ] && pass "GPIO17 released: back to the sim pull (0)" || fail "GPIO17 still $(val 0) after release"

  # a held line: consumer shown by `lines`, and a second request is refused naming the holder
  ss gpio set GPIO26 on --hold 6 >/dev/null 2>&1 &
  sp=$!
  wait_for grep -q 1 $SIM/sim_gpio7/value
  ss gpio lines >$T/lines2.out 2>&1; show $T/lines2.out
  grep -q "^7 *GPIO26 *output *sensorstation-gpio" $T/lines2.out && pass "gpio lines shows GPIO26 output, consumer sensorstation-gpio" || fail "gpio lines: held GPIO26 not shown as output with consumer"
  ss gpio set GPIO26 off >$T/busy.out 2>&1; rc=$?; show $T/busy.out
  [ $rc != 0 ] && grep -q "busy" $T/busy.out && grep -q "sensorstation-gpio" $T/busy.out \
    && pass "second request of a held line fails: busy, names the consumer" || fail "busy line (rc $rc)"
  wait $sp

  # watch: a rising edge driven through the sim pull, seen as 'rising' and exit 0
  pull 1 pull-down
  ss gpio watch GPIO22 --count 1 --timeout 5 --bias disabled >$T/watch.out 2>$T/watch.err &
  wp=$!
  if wait_for grep -q watching $T/watch.err; then
    pull 1 pull-up
    wait $wp; rc=$?
  else rc=timeout-waiting-for-request; kill $wp 2>/dev/null; fi
  show $T/watch.out $T/watch.err
  [ "$rc" = 0 ] && grep -q "^rising [0-9]*\.[0-9]\{9\}$" $T/watch.out && [ "$(wc -l <$T/watch.out)" = 1 ] \
    && pass "gpio watch GPIO22 --count 1: printed 'rising <timestamp>' and exited 0" || fail "gpio watch GPIO22 (rc $rc)"

  # watch: falling edges too, two events
  ss gpio watch GPIO27 --count 2 --timeout 8 >$T/watch2.out 2>$T/watch2.err &
  wp=$!
  if wait_for grep -q watching $T/watch2.err; then pull 2 pull-up; sleep 0.3; pull 2 pull-down; wait $wp; rc=$?
  else rc=timeout-waiting-for-request; kill $wp 2>/dev/null; fi
  show $T/watch2.out $T/watch2.err
  [ "$rc" = 0 ] && [ "$(cut -d' ' -f1 $T/watch2.out | tr '\n' ' ')" = "rising falling " ] \
    && pass "gpio watch GPIO27 --count 2: rising then falling, exit 0" || fail "gpio watch GPIO27 --count 2 (rc $rc)"

  # watch timeout: no edge → exit 1 with a message
  ss gpio watch GPIO6 --count 1 --timeout 1 >$T/watch3.out 2>$T/watch3.err; rc=$?
  show $T/watch3.err
  [ $rc = 1 ] && grep -q "timeout" $T/watch3.err && [ ! -s $T/watch3.out ] \
    && pass "gpio watch with no edge: exit 1 after --timeout 1, message on stderr" || fail "gpio watch timeout (rc $rc)"

  # get: the level set by the sim pull, logical with --active-low, by name and by offset
  pull 3 pull-up
  r=$(ss gpio get GPIO5 2>&1); [ "$r" = 1 ] && pass "gpio get GPIO5 (pulled up) = 1" || fail "gpio get GPIO5 (pulled up) = '$r'"
  r=$(ss gpio get 3 --active-low 2>&1); [ "$r" = 0 ] && pass "gpio get 3 --active-low (pulled up) = 0" || fail "gpio get 3 --active-low = '$r'"
  pull 3 pull-down
  r=$(ss gpio get GPIO5 2>&1); [ "$r" = 0 ] && pass "gpio get GPIO5 (pulled down) = 0" || fail "gpio get GPIO5 (pulled down) = '$r'"

  # clear errors
  ss gpio get GPIO99 >$T/e1.out 2>&1; rc=$?; show $T/e1.out
  [ $rc != 0 ] && grep -q "no line named 'GPIO99'" $T/e1.out && pass "unknown line name: non-zero exit, clear message" || fail "unknown line (rc $rc)"
  ss gpio get 8 >$T/e2.out 2>&1; rc=$?; show $T/e2.out
  [ $rc != 0 ] && grep -q "out of range" $T/e2.out && pass "offset 8 of 8 lines: out of range" || fail "offset out of range (rc $rc)"
  ss gpio lines --chip nosuchchip >$T/e3.out 2>&1; rc=$?; show $T/e3.out
  [ $rc != 0 ] && grep -q "available: $CH \[" $T/e3.out && pass "unknown chip: non-zero exit, lists $CH with its label" || fail "unknown chip (rc $rc)"
  LABEL=$(sed -n "s/.*available: $CH \[\([^]]*\)\].*/\1/p" $T/e3.out)
  [ -n "$LABEL" ] && ss gpio lines --chip "$LABEL" >/dev/null 2>&1 && pass "gpio lines --chip '$LABEL' (by label)" || fail "chip by label '$LABEL'"

  # the CGPIOD shim itself, built against libgpiod 1.6 and 2.x (static C, outside the chroot)
  for v in v1 v2; do
    if [ -x /mnt/share/cgpiod-test-$v ]; then
      /mnt/share/cgpiod-test-$v /dev/$CH $SIM >$T/cg.out 2>&1; rc=$?
      grep -E '^(PASS|FAIL):' $T/cg.out; grep -vE '^(PASS|FAIL):' $T/cg.out | show
      passes=$((passes + $(grep -c '^PASS:' $T/cg.out))); fails=$((fails + $(grep -c '^FAIL:' $T/cg.out)))
      [ $rc = 0 ] || [ "$(grep -c '^FAIL:' $T/cg.out)" != 0 ] || fail "cgpiod-test-$v exit $rc"
    else
      echo "SKIP: cgpiod $v shim test (not built)"
    fi
  done

  echo 0 >$C/live; for i in 0 1 2 3 4 5 6 7; do rmdir $C/bank0/line$i; done; rmdir $C/bank0 $C
else
  fail "gpio-sim setup"
fi

echo "SUMMARY: $passes passed, $fails failed"
exit $fails
