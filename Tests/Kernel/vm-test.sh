#!/bin/sh
# Kernel test tier, guest side: runs inside the QEMU guest booted by scripts/kernel-vm/kernel-vm-test.sh
# (busybox shell, real Debian kernel). The host's root is mounted read-only at /host with the guest's
# /proc, /sys, /dev on top, so `chroot /host $SS ...` runs the host's dynamically linked debug build
# of sensorstation against real i2c-dev / i2c-stub and gpio-sim devices.
# /mnt/share/env.sh (written by scripts/kernel-tests) sets SS, the binary's path on the host, and KT_PYTHON,
# the host's .venv-test Python (the whole-story section's test servers; their scripts in /mnt/share/servers).
# Prints PASS:/FAIL: lines; exits with the number of failures (0 = all passed).
. /mnt/share/env.sh
fails=0; passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# Every CLI call is bounded: a hung one fails its check (with the logs) instead of stalling the
# guest until the host's VM timeout, which reports nothing about where it stopped.
ss() { timeout 300 chroot /host "$SS" "$@"; }
show() { sed 's/^/    | /' "$@"; }   # indent captured output in the log
# waituntil SECONDS CMD...: until CMD succeeds, once a second
# (By the monotonic clock, not by tries: under TCG one try can take many seconds; and not by
# `date`, which the story sets back an hour.)
up() { cut -d. -f1 /proc/uptime; }
waituntil() { end=$(($(up) + $1)); shift; while :; do "$@" 2>/dev/null && return 0
  [ "$(up)" -ge "$end" ] && return 1; sleep 1; done; }
# cpu PID: the process's user + system CPU seconds so far (a spinning service shows here)
cpu() { awk '{ printf "%.1f", ($14 + $15) / 100 }' /proc/$1/stat 2>/dev/null; }
T=/tmp                                  # guest tmpfs-free initramfs /tmp: fine for small files

echo "kernel $(uname -r); binary $SS"
[ -x "/host$SS" ] || { fail "binary /host$SS missing"; exit 1; }
if ss --help >/dev/null 2>&1; then pass "sensorstation starts in the chroot"; else fail "sensorstation does not start in the chroot"; ss --help 2>&1 | head -20; exit 1; fi

# ---------------------------------------------------------------- (a) I2C: stock i2c-stub
modprobe i2c-dev
# Six chips: a BME280 (chip id 0xD0=0x60), an ADXL345 (DEVID 0x00=0xE5), a LIS3DH (WHO_AM_I
# 0x0F=0x33), an H3LIS331DL (0x0F=0x32, which a LIS331HH shares), an MPU-6050 (WHO_AM_I 0x75=0x68),
# and an EEPROM-like device at 0x50 whose registers match none of them.
if modprobe i2c-stub chip_addr=0x76,0x53,0x50,0x18,0x19,0x68; then
  B=$(grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
  i2cset -y "$N" 0x76 0xd0 0x60 b
  i2cset -y "$N" 0x53 0x00 0xe5 b
  i2cset -y "$N" 0x18 0x0f 0x33 b; i2cset -y "$N" 0x19 0x0f 0x32 b; i2cset -y "$N" 0x68 0x75 0x68 b
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
  has 0x18 lis3dh && pass "probe finds lis3dh (WHO_AM_I 0x33) at 0x18" || fail "probe: no lis3dh at 0x18"
  has 0x19 h3lis331dl && echo "$P" | grep '"address":"0x19"' | grep -q 'lis331hh' \
    && pass "probe finds h3lis331dl at 0x19, also matching lis331hh (shared WHO_AM_I 0x32)" || fail "probe: no h3lis331dl/lis331hh at 0x19"
  has 0x68 mpu6050 && pass "probe finds mpu6050 (WHO_AM_I 0x68) at 0x68" || fail "probe: no mpu6050 at 0x68"
  has 0x50 "unknown device" && pass "probe reports unknown device at 0x50" || fail "probe: 0x50 not reported as unknown device"
  n=$(echo "$P" | grep -c '"address"')
  [ "$n" = 6 ] && pass "probe reports exactly the 6 stub chips (absent addresses: ENODEV from i2c-stub)" || fail "probe reported $n devices, expected 6"
  echo "$P" | grep -q "\"bus\":\"/dev/$B\"" && pass "probe names the bus /dev/$B" || fail "probe JSON lacks \"bus\":\"/dev/$B\""
  ss probe --bus /dev/i2c-9 --json >$T/nobus.out 2>$T/nobus.err; rc=$?
  show $T/nobus.err
  [ $rc != 0 ] && pass "probe of a missing bus exits non-zero ($rc)" || fail "probe of a missing bus exits 0"

  # ------------------------------------------------------------ (a2) register images, read --json
  # Expected values are computed HERE, independently of the Swift code, with the datasheet's
  # integer formulas (BME280 §4.2.3) in busybox sh arithmetic, which is signed 64-bit with
  # arithmetic >> and truncating / (as C on the kernel's s64).
  # wb, wle, bme_image, adxl_image: the register images (chip-images.sh, beside this script)
  . "$(dirname "$0")/chip-images.sh"
  # jfield SENSOR KEY FILE: a value from our `read --json` line for SENSOR
  # (JSON spacing is free and "\/" is "/": both normalised first)
  jfield() { sed 's/" *: */":/g; s/, *"/,"/g; s#\\/#/#g' "$3" | grep "\"sensor\":\"$1\"" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }
  # near A B TOL: |A - B| <= TOL (awk doubles: fine for these magnitudes)
  near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
  # rnd LO HI: next value of a MINSTD generator (never overflows 64-bit), seeded below
  rnd() { SEED=$((SEED * 48271 % 2147483647)); R=$(($1 + SEED % ($2 - $1 + 1))); }
  # JSON rounding of an integer fixed-point value: round_to Q DIV PLACES → decimal (Q >= 0)
  round_to() { awk -v q="$1" -v d="$2" -v n="$3" 'BEGIN { f = 1; for (i = 0; i < n; i++) f *= 10; printf("%." n "f", int(q * f / d + 0.5) / f) }'; }
  # check_ours LABEL FILE: our JSON against E_T/E_P/E_H and AX/AY/AZ (exact after the JSON's rounding)
  check_ours() {
    t=$(jfield bme280 temperature_c "$2"); p=$(jfield bme280 pressure_pa "$2"); h=$(jfield bme280 humidity_percent "$2")
    et=$(awk -v c=$E_T 'BEGIN { printf "%.2f", c / 100 }'); ep=$(round_to $E_P 256 1); eh=$(round_to $E_H 1024 2)
    if near "$t" "$et" 0.0001 && near "$p" "$ep" 0.0001 && near "$h" "$eh" 0.0001; then
      pass "$1: bme280 read --json = datasheet integer formulas ($et °C, $ep Pa, $eh %RH)"
    else fail "$1: bme280 read --json gave T=$t P=$p H=$h, expected $et °C, $ep Pa, $eh %RH"; fi
    ok=1; exp=""
    for ax in x:$AX y:$AY z:$AZ; do
      v=${ax#*:}; g=$(jfield adxl345 ${ax%%:*}_g "$2")
      # Swift's rounded() is half away from zero: round |v| and put the sign back
      if [ $v -lt 0 ]; then e=-$(round_to $((0 - v)) 256 4); else e=$(round_to $v 256 4); fi
      exp="$exp $e"; near "$g" "$e" 0.00001 || ok=0
    done
    sat=false; for v in $AX $AY $AZ; do [ $v -ge 4094 ] || [ $v -le -4095 ] && sat=true; done
    [ "$(jfield adxl345 saturated "$2")" = $sat ] || ok=0
    [ $ok = 1 ] && pass "$1: adxl345 read --json = raw/256 g:$exp, saturated $sat" \
      || fail "$1: adxl345 read --json: $(grep adxl345 "$2"), expected$exp saturated $sat"
  }

  # 1. The datasheet's worked example (BMP280 datasheet §3.12 trimming, adc_T 519888 → 25.08 °C,
  # adc_P 415148 → 100653.27 Pa in the double formula) with the BME280 humidity trimming used in
  # Tests/DriversTests; the ADXL345 at +100, -203, +256 counts (0.3906, -0.793, 1 g).
  EX="27504 26435 -1000 36477 -10685 3024 2855 140 -7 15500 -14600 6000 75 362 0 313 50 30"
  bme_image $EX 415148 519888 30000; bme_expect $EX 415148 519888 30000
  AX=100 AY=-203 AZ=256; adxl_image $AX $AY $AZ
  [ "$E_T" = 2508 ] && pass "shell integer formulas reproduce the datasheet example: 25.08 °C" || fail "shell formulas: E_T=$E_T, datasheet 2508"
  RD="--bus /dev/$B --device bme280@0x76 --device adxl345@0x53 --json"
  ss read $RD >$T/read.out 2>$T/read.err; rc=$?
  show $T/read.out $T/read.err
  [ $rc = 0 ] && [ "$(wc -l <$T/read.out)" = 2 ] && pass "read $RD: exit 0, two JSON lines" || fail "read --json (rc $rc)"
  [ "$(jfield bme280 address $T/read.out)" = '"0x76"' ] && [ "$(jfield bme280 bus $T/read.out)" = "\"/dev/$B\"" ] \
    && pass "read --json names bus /dev/$B and address \"0x76\"" || fail "read --json: bus/address fields"
  near "$(jfield bme280 temperature_c $T/read.out)" 25.08 0.0001 && pass "datasheet example through /dev/$B: 25.08 °C" \
    || fail "datasheet example: temperature_c $(jfield bme280 temperature_c $T/read.out), datasheet 25.08"
  near "$(jfield bme280 pressure_pa $T/read.out)" 100653.27 0.05 && pass "datasheet example: pressure within 0.05 Pa of the datasheet's 100653.27 Pa" \
    || fail "datasheet example: pressure_pa $(jfield bme280 pressure_pa $T/read.out), datasheet 100653.27"
  check_ours "datasheet image" $T/read.out
  AX=-4096 AY=4095 AZ=-1; adxl_image $AX $AY $AZ    # full scale: the 13-bit code limits, saturated
  ss read --bus /dev/$B --device adxl345@0x53 --device bme280 --json >$T/read2.out 2>&1; show $T/read2.out
  check_ours "full-scale image" $T/read2.out
  # A BME280 whose NVM copy never finishes (status im_update stuck at 1): a clear error, no hang.
  wb 0x76 0xf3 0x01
  ss read --bus /dev/$B --device bme280@0x76 --json >$T/read3.out 2>$T/read3.err; rc=$?; show $T/read3.err
  [ $rc = 1 ] && grep -q "0x76" $T/read3.err && grep -qi "im_update\|NVM" $T/read3.err \
    && pass "status im_update stuck: read exits 1 naming the address and the NVM copy" || fail "im_update stuck (rc $rc)"
  wb 0x76 0xf3 0x00

  # 2. Randomised images against the Linux kernel's own drivers (bmp280 IIO in Debian's kernel;
  # adxl345 rebuilt from Debian's source so `new_device` can bind it, see kernel-vm-test.sh).
  # Per image: our `read --json`, then the kernel driver bound to the same stub address (its
  # sysfs values), then unbound (a bound address is busy for i2c-dev). The image is preloaded
  # again each time; the drivers' config writes touch neither trimming nor data registers.
  SEED=${KT_SEED:-12345}; echo "random images: seed $SEED (KERNEL_TESTS_SEED=$SEED repeats them)"
  NEWDEV=/sys/bus/i2c/devices/$B/new_device; DELDEV=/sys/bus/i2c/devices/$B/delete_device
  if modprobe bmp280-i2c && modprobe adxl345-kt; then
    IMAGES=${KT_IMAGES:-8}; k=1
    while [ $k -le $IMAGES ]; do
      # trimming within the ranges real parts show (as Tests/DriversTests' plausibleCalibration),
      # raw ADC values giving about -15...60 °C, 700...1400 hPa, 0...100 %RH
      C=""; for rg in 26000:29500 25000:27500 -1000:50 35000:39000 -11000:-10000 2900:3300 2000:10000 \
          -200:200 -10:0 9800:15500 -14600:-10000 4200:6000 70:80 340:380 0:5 280:340 30:60 25:35 \
          280000:420000 420000:600000 24000:36000; do rnd ${rg%:*} ${rg#*:}; C="$C $R"; done
      rnd -4095 4095; AX=$R; rnd -4095 4095; AY=$R; rnd -4095 4095; AZ=$R
      echo "image $k: trimming+adc_P adc_T adc_H:$C; adxl345 $AX $AY $AZ"
      bme_image $C; bme_expect $C; adxl_image $AX $AY $AZ
      ss read $RD >$T/r.out 2>$T/r.err || { show $T/r.out $T/r.err; }
      check_ours "image $k" $T/r.out
      # the kernel's bmp280 (bme280 chip): in_temp_input m°C = centi × 10, in_pressure_input kPa
      # = Q24.8 / 256000 printed with 9 decimals (truncated), in_humidityrelative_input m%RH =
      # Q22.10 × 1000 / 1024 (truncated)
      echo bme280 0x76 >$NEWDEV; echo adxl345 0x53 >$NEWDEV
      D=$(ls -d /sys/bus/i2c/devices/$N-0076/iio:device* 2>/dev/null | head -1)
      A=$(ls -d /sys/bus/i2c/devices/$N-0053/iio:device* 2>/dev/null | head -1)
      if [ -n "$D" ]; then
        kt=$(cat $D/in_temp_input); kp=$(cat $D/in_pressure_input); kh=$(cat $D/in_humidityrelative_input)
        kpn=$(echo "$kp" | awk -F. '{ printf "%s%-9s", $1, $2 }' | tr ' ' 0)   # kPa → nano-kPa, exactly
        if [ "$kt" = $((E_T * 10)) ] && [ "$kpn" = $((E_P * 15625 / 4)) ] && [ "$kh" = $((E_H * 1000 / 1024)) ]; then
          pass "image $k: kernel bmp280 = datasheet integer formulas exactly ($kt m°C, $kp kPa, $kh m%RH)"
        else fail "image $k: kernel bmp280 $kt m°C $kp kPa $kh m%RH; formulas $((E_T * 10)) $((E_P * 15625 / 4))e-9 kPa $((E_H * 1000 / 1024))"; fi
        t=$(jfield bme280 temperature_c $T/r.out); p=$(jfield bme280 pressure_pa $T/r.out); h=$(jfield bme280 humidity_percent $T/r.out)
        # tolerances: temperature exact (both 0.01 °C steps); pressure 0.05 Pa (our JSON rounds
        # to 0.1 Pa; the kernel's 1e-6 Pa truncation is below that); humidity 0.006 %RH (our JSON
        # rounds to 0.01, the kernel truncates to 0.001)
        if near "$(awk -v t="$t" 'BEGIN { printf "%.0f", t * 1000 }')" "$kt" 0 && near "$p" "$(awk -v k="$kp" 'BEGIN { printf "%.6f", k * 1000 }')" 0.0500001 \
           && near "$h" "$(awk -v k="$kh" 'BEGIN { printf "%.6f", k / 1000 }')" 0.006; then
          pass "image $k: our bme280 = kernel bmp280 (T exact, P ±0.05 Pa, H ±0.006 %RH)"
        else fail "image $k: ours $t °C $p Pa $h %RH vs kernel $kt m°C $kp kPa $kh m%RH"; fi
      else fail "image $k: kernel bmp280 did not bind at 0x76 ($(dmesg | grep -i bmp280 | tail -2))"; fi
      if [ -n "$A" ]; then
        kx=$(cat $A/in_accel_x_raw); ky=$(cat $A/in_accel_y_raw); kz=$(cat $A/in_accel_z_raw); ks=$(cat $A/in_accel_scale)
        ok=1
        for ax in x:$AX:$kx y:$AY:$ky z:$AZ:$kz; do
          n=${ax#*:}; raw=${n%%:*}; kr=${n#*:}; g=$(jfield adxl345 ${ax%%:*}_g $T/r.out)
          [ "$kr" = "$raw" ] || ok=0
          # ours ×9.80665 vs kernel raw × scale: 0.02 % (the kernel's 38.300 mm/s² per LSB vs the
          # datasheet's 1/256 g = 38.307 mm/s²) + 0.0005 m/s² (our JSON's 0.0001 g rounding)
          awk -v g="$g" -v r="$kr" -v s="$ks" 'BEGIN { a = g * 9.80665; b = r * s; d = a - b; if (d < 0) d = -d;
            if (b < 0) b = -b; exit !(g != "" && d <= 0.0002 * b + 0.0005) }' || ok=0
        done
        [ $ok = 1 ] && [ "$ks" = 0.038300 ] && pass "image $k: kernel adxl345 raw = image ($kx $ky $kz), scale $ks; ours agrees in m/s²" \
          || fail "image $k: kernel adxl345 raw $kx $ky $kz scale $ks, image $AX $AY $AZ, ours $(grep adxl345 $T/r.out)"
      else fail "image $k: kernel adxl345 did not bind at 0x53 ($(dmesg | grep -i adxl | tail -2))"; fi
      echo 0x76 >$DELDEV; echo 0x53 >$DELDEV
      k=$((k + 1))
    done
  else
    echo "SKIP: kernel bmp280 / adxl345 comparison: modprobe bmp280-i2c or adxl345-kt failed"
  fi
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
  # (chroot directly, not the ss function: a backgrounded function is a subshell, and $! would be
  # its pid rather than the program's)
  chroot /host "$SS" gpio set GPIO26 on --hold 60 >/dev/null 2>&1 &
  sp=$!
  wait_for grep -q 1 $SIM/sim_gpio7/value
  ss gpio lines >$T/lines2.out 2>&1; show $T/lines2.out
  grep -q "^7 *GPIO26 *output *sensorstation-gpio" $T/lines2.out && pass "gpio lines shows GPIO26 output, consumer sensorstation-gpio" || fail "gpio lines: held GPIO26 not shown as output with consumer"
  ss gpio set GPIO26 off >$T/busy.out 2>&1; rc=$?; show $T/busy.out
  [ $rc != 0 ] && grep -q "busy" $T/busy.out && grep -q "sensorstation-gpio" $T/busy.out \
    && pass "second request of a held line fails: busy, names the consumer" || fail "busy line (rc $rc)"
  kill -TERM $sp 2>/dev/null; wait $sp   # a long hold: a loaded TCG guest can take seconds to start the next process

  # watch: a rising edge driven through the sim pull, seen as 'rising' and exit 0
  pull 1 pull-down
  ss gpio watch GPIO22 --count 1 --timeout 5 --bias disabled >$T/watch.out 2>$T/watch.err &
  wp=$!
  if wait_for grep -q watching $T/watch.err; then
    u0=$(cut -d' ' -f1 /proc/uptime)
    pull 1 pull-up
    wait $wp; rc=$?
    u1=$(cut -d' ' -f1 /proc/uptime)
  else rc=timeout-waiting-for-request; kill $wp 2>/dev/null; fi
  show $T/watch.out $T/watch.err
  [ "$rc" = 0 ] && grep -q "^rising [0-9]*\.[0-9]\{9\}$" $T/watch.out && [ "$(wc -l <$T/watch.out)" = 1 ] \
    && pass "gpio watch GPIO22 --count 1: printed 'rising <timestamp>' and exited 0" || fail "gpio watch GPIO22 (rc $rc)"
  # The kernel stamps edges on CLOCK_MONOTONIC, the clock the sampler's sample times are on (an
  # edge's stamp bounds them): it lies between the uptime (CLOCK_BOOTTIME, the same clock in a
  # guest that never suspends; 10 ms steps) read before the pull and after the watch ended.
  ts=$(cut -d' ' -f2 $T/watch.out 2>/dev/null)
  awk -v a="${u0:-x}" -v t="${ts:-x}" -v b="${u1:-x}" 'BEGIN { exit !(a != "x" && t != "x" && a - 0.01 <= t && t <= b + 0.01) }' \
    && pass "the edge's kernel stamp $ts lies between the uptimes $u0 and $u1 (CLOCK_MONOTONIC, the sample times' clock)" \
    || fail "the edge's stamp $ts is not between the uptimes $u0 and $u1: not the sampler's clock"

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

  # ------------------------------------------------------------ (b2) the service on gpio-sim
  # The real service (`run --plain`): simulated sensors (demo scenario: its first impact, 5–8 g, is
  # scheduled 30 s after start), real LEDs and button on this gpio-sim chip
  # (`simulation.gpio: linux`). Lines: status GPIO17 (0), streaming GPIO22 (1), impact GPIO27 (2),
  # button GPIO5 (3), active-low with a pull-up: the sim's pull-up is "released", pull-down is
  # "pressed". The configuration and database live on the guest's tmpfs /tmp of the chroot.
  # The LEDs and the button on this chip, as both service runs (b2, c) configure them.
  GPIO_YAML="gpio:
  chip: /dev/$CH
  leds:
    - { role: status, line: GPIO17 }
    - { role: streaming, line: GPIO22 }
    - { role: impact, line: GPIO27 }
  button: { line: GPIO5, bias: pull-up, active_low: true, long_press_ms: 2000 }"
  SV=/host/tmp/svc; mkdir -p $SV
  cat >$SV/config.yaml <<EOC
hardware: simulated
simulation:
  scenario: demo
  seed: 1
  gpio: linux
accelerometer:
  sensor: adxl345
  odr_hz: 400          # TCG is slow: 400 Hz keeps the guest responsive and still samples a
                       # 8 ms impact pulse three times
$GPIO_YAML
storage:
  path: /tmp/svc/station.db
EOC
  # LED lines pulled down, so a released line reads 0 (earlier checks left GPIO22 pulled up)
  pull 0 pull-down; pull 1 pull-down; pull 2 pull-down
  pull 3 pull-up                                    # button released
  chroot /host "$SS" run --plain --config /tmp/svc/config.yaml </dev/null >$T/run.out 2>&1 &
  RP=$!                                             # chroot execs: this is the service's pid
  # poll LINE VALUE SECONDS: waits for a LED line's value (TCG: everything is slow, so generous)
  poll() { k=0; while [ $k -lt $(($3 * 10)) ]; do [ "$(val $1)" = $2 ] && return 0; sleep 0.1; k=$((k + 1)); done; return 1; }
  k=0; while [ $k -lt 600 ] && ! grep -q "weather bme280" $T/run.out && kill -0 $RP 2>/dev/null; do sleep 0.1; k=$((k + 1)); done
  if grep -q "weather bme280" $T/run.out && poll 1 0 10; then
    pass "service runs on simulated sensors with /dev/$CH: sampling, lamp test over (streaming LED 0)"
    grep -q "with GPIO /dev/$CH" $T/run.out && pass "service start line names the real chip /dev/$CH" || fail "start line lacks 'with GPIO /dev/$CH'"
    ss gpio lines >$T/svlines.out 2>&1; show $T/svlines.out
    grep -q "^3 *GPIO5 *input *sensorstation-button" $T/svlines.out && grep -q "^1 *GPIO22 *output *sensorstation-streaming" $T/svlines.out \
      && pass "the service holds GPIO5 (input, sensorstation-button) and GPIO22 (output, sensorstation-streaming)" || fail "service's line requests not shown"
    # short press (~200 ms): streaming toggles on, the streaming LED lights
    pull 3 pull-down; sleep 0.2; pull 3 pull-up
    poll 1 1 15 && pass "short press through gpio-sim pull: streaming LED (GPIO22) on" || fail "short press: streaming LED stayed $(val 1)"
    # the impact: the scenario's first one, ~30 s after start; the impact LED latches on
    if poll 2 1 150; then
      pass "scheduled impact latched: impact LED (GPIO27) on"
      # long press (held 2.5 s > long_press_ms 2000) acknowledges it: the impact LED goes off
      pull 3 pull-down; sleep 2.5; pull 3 pull-up
      poll 2 0 15 && pass "long press (2.5 s): impact acknowledged, impact LED off" || fail "long press: impact LED stayed $(val 2)"
      [ "$(val 1)" = 1 ] && pass "streaming LED still on after the long press (a long press does not toggle streaming)" || fail "long press changed streaming (LED $(val 1))"
    else fail "no impact latched within 150 s (impact LED $(val 2))"; fi
  else fail "service did not start sampling on /dev/$CH"; fi
  kill -TERM $RP 2>/dev/null; wait $RP; rc=$?
  show $T/run.out
  [ $rc = 0 ] && pass "SIGTERM: the service exits 0" || fail "service exit status $rc after SIGTERM"
  [ "$(val 0)$(val 1)$(val 2)" = 000 ] && pass "after exit all LED lines are 0" || fail "LED lines after exit: $(val 0)$(val 1)$(val 2)"
  ss gpio lines >$T/svlines2.out 2>&1
  grep -q "sensorstation-" $T/svlines2.out && fail "lines still held after exit: $(grep sensorstation- $T/svlines2.out)" || pass "after exit no line is held (all released)"
  # the presses are in the database: short → streaming on, long → impact acknowledged
  ss query events --config /tmp/svc/config.yaml --since 1h --format json >$T/ev.out 2>&1; rc=$?; show $T/ev.out
  EV=$(sed 's/" *: */":/g; s/, *"/,"/g' $T/ev.out)
  # (the pattern accepts the payload as an object, "press":"short", or as escaped JSON text)
  echo "$EV" | grep '"kind":"button"' | grep '"detail":"streaming on"' | grep -q 'press[\"]*:[\"]*short' && pass "query events: the short press is recorded (streaming on)" || fail "query events: no short press 'streaming on' (rc $rc)"
  echo "$EV" | grep '"kind":"button"' | grep '"detail":"impact acknowledged"' | grep -q 'press[\"]*:[\"]*long' && pass "query events: the long press is recorded (impact acknowledged)" || fail "query events: no long press 'impact acknowledged'"

  # adxl_config NAME ODR [LINE]: /host/tmp/NAME/config.yaml for a service on the stub's ADXL345 ($B)
  # with its FIFO, nothing else but gpio-sim ($CH), the log in /tmp/NAME; LINE is added to the
  # accelerometer section
  adxl_config() {
    printf '%s\n' "hardware: linux" "i2c:" "  bus: /dev/$B" "weather:" "  sensor: none" "accelerometer:" \
      "  sensor: adxl345" "  odr_hz: $2" "  fifo: true" ${3:+"$3"} "gpio:" "  chip: /dev/$CH" "  leds: []" \
      "  button: none" "storage:" "  path: /tmp/$1/station.db" >/host/tmp/$1/config.yaml
  }

  # ------------------------------------------------------------ (b3) the interrupt line on gpio-sim
  # `accelerometer.interrupt` on a real line: an i2c-stub ADXL345 (FIFO mode; i2c-stub models no
  # FIFO, so FIFO_STATUS reads 0 entries) with INT1 "wired" to GPIO13 (line 5), which this test
  # drives through the gpio-sim pull. Shown on the real kernel: the service holds the line as an
  # input; with no edge it reads on the timeout and counts it; a line held asserted that no read
  # releases (the stub never drains) is found stuck, counted, and reported; SIGTERM ends the wait
  # at once. (Waking on the rising edge only: cgpiod-test below; the whole path with a chip that
  # drives INT1: the Swift tier's simulated chips.)
  if modprobe i2c-stub chip_addr=0x53; then
    B=$(grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
    adxl_image 0 0 256
    IV=/host/tmp/int; mkdir -p $IV
    adxl_config int 25 "  interrupt: { line: GPIO13 }"
    pull 5 pull-down                                  # INT1 idle (active high)
    chroot /host "$SS" run --plain --config /tmp/int/config.yaml </dev/null >$T/int.out 2>&1 &
    IP=$!
    k=0; while [ $k -lt 600 ] && ! grep -q "motion sampling under" $T/int.out && kill -0 $IP 2>/dev/null; do sleep 0.1; k=$((k + 1)); done
    ss gpio lines >$T/intlines.out 2>&1
    grep -q "^5 *GPIO13 *input *sensorstation-int1" $T/intlines.out && pass "interrupt line: the service holds GPIO13 as an input (sensorstation-int1)" \
      || { show $T/intlines.out $T/int.out; fail "interrupt line not requested"; }
    # counter NAME: the number after "NAME": in status --json (0 when absent)
    counter() { ss status --config /tmp/int/config.yaml --json 2>/dev/null | tr -d ' \n' | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1; }
    # no edge: a read on each timeout (16 periods at 25 Hz: 0.64 s), counted
    above() { [ "$(counter $1)" -gt $2 ] 2>/dev/null; }   # above NAME N
    waituntil 120 above interrupt_timeouts 2
    TO=$(counter interrupt_timeouts)
    [ "${TO:-0}" -gt 2 ] && pass "interrupt line idle: the sampler reads on the timeout, counted ($TO interrupt timeouts)" \
      || fail "interrupt timeouts not counted (status says '${TO}')"
    # INT1 held asserted while the FIFO reads empty: stuck, polled instead, counted and said
    pull 5 pull-up
    waituntil 120 above interrupt_unusable 0
    UN=$(counter interrupt_unusable)
    [ "${UN:-0}" -gt 0 ] && grep -q "INT1 stays asserted after a read that served it" $T/int.out \
      && pass "interrupt line stuck asserted: found after two reads, polled instead, counted ($UN) and warned" \
      || { show $T/int.out; fail "stuck interrupt line not reported (status '${UN}')"; }
    pull 5 pull-down
    c0=$(cpu $IP)
    kill -TERM $IP 2>/dev/null; wait $IP; rc=$?
    [ $rc = 0 ] && pass "interrupt line: SIGTERM ends the wait, exit 0 (CPU ${c0} s)" || { show $T/int.out; fail "interrupt run: exit $rc"; }
    ss gpio lines >$T/intlines2.out 2>&1
    grep -q "sensorstation-int1" $T/intlines2.out && fail "interrupt line still held after exit" || pass "interrupt line released after exit"
    rmmod i2c-stub
  else
    fail "interrupt line: modprobe i2c-stub"
  fi

  # ------------------------------------------------------------ (b4) the FIFO drain through I2C_RDWR
  # The service drains an ADXL345's FIFO as one batch of 6-byte reads: on an adapter with plain I2C
  # (I2C_FUNC_I2C: the project's i2c-stub-rdwr) up to 21 records (42 messages, the kernel's limit) in
  # one I2C_RDWR; on one that refuses a read before a transfer's last message, as the Raspberry Pi's
  # i2c-bcm2835 does (the stub's read_last_only, switched on while the service runs), one SMBus block
  # read each from then on. strace, not the service, counts the calls. FIFO_STATUS reads 16 entries
  # (the stub keeps it), what an 800 Hz chip holds at each 20 ms read; every entry is the image, so
  # each second's summary has min = max = mean = |a| exactly when no record came back wrong.
  if modprobe i2c-stub-rdwr chip_addr=0x53; then
    B=$(grep -l 'with I2C_RDWR' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
    AX=13 AY=-20 AZ=256; adxl_image $AX $AY $AZ; wb 0x53 0x39 16
    RW=/host/tmp/rdwr; mkdir -p $RW; rm -f $RW/station.db*
    adxl_config rdwr 800
    TRACE=""; chroot /host sh -c 'command -v strace' >/dev/null 2>&1 && TRACE="strace -f -qq -X raw -o /tmp/rdwr/trace"
    [ -n "$TRACE" ] || echo "SKIP: the I2C_RDWR call counts (no strace in the chroot)"
    chroot /host $TRACE "$SS" run --plain --config /tmp/rdwr/config.yaml </dev/null >$T/rdwr.out 2>&1 &
    RP=$!
    k=0; while [ $k -lt 600 ] && ! grep -q "motion sampling under" $T/rdwr.out && kill -0 $RP 2>/dev/null; do sleep 0.1; k=$((k + 1)); done
    # (strace -X raw: I2C_RDWR is ioctl 0x707, I2C_SMBUS 0x720)
    # rdwr: the I2C_RDWR calls in the trace (a call strace split has the number on its own line)
    rdwr() { grep -c ", 0x707, " $RW/trace 2>/dev/null; }
    if [ -n "$TRACE" ]; then
      waituntil 120 sh -c "[ \$(grep -c ', 0x707, ' $RW/trace) -ge 40 ]"
      B1=$(rdwr); S1=$(grep -c ", 0x720, " $RW/trace)
    fi
    echo 1 >/sys/module/i2c_stub_rdwr/parameters/read_last_only
    sleep 5
    # the service: strace's first traced process (a SIGTERM to strace would only detach it)
    SP=$RP; [ -n "$TRACE" ] && SP=$(head -1 $RW/trace | cut -d' ' -f1)
    c0=$(cpu $SP)
    kill -TERM $SP 2>/dev/null; wait $RP; rc=$?
    echo 0 >/sys/module/i2c_stub_rdwr/parameters/read_last_only
    [ $rc = 0 ] && pass "I2C_RDWR drain: the service ran on /dev/$B and stopped with exit 0 (CPU ${c0} s)" || { show $T/rdwr.out; fail "I2C_RDWR drain: exit $rc"; }
    if [ -n "$TRACE" ]; then
      # the sampler is the thread that made the I2C_RDWR calls: its system calls per sample
      TID=$(grep ", 0x707, .* = 32$" $RW/trace | head -1 | cut -d' ' -f1)
      B2=$(rdwr); REF=$(grep -c "EOPNOTSUPP" $RW/trace)
      AFTER=$(awk '/EOPNOTSUPP/ { on = 1; next } on && /, 0x720, / { s++ } on && /, 0x707, / { r++ } END { printf "%d %d", s, r }' $RW/trace)
      SM=${AFTER% *} RA=${AFTER#* }
      # from the sampler's first I2C_RDWR to the refusal: its system calls (every one, ppoll
      # included; a call strace split in two, "<... resumed>", counted once) per sample read
      PER=$(awk -v t="$TID" '/EOPNOTSUPP/ { exit } $1 == t && /, 0x707, / { b++ } b && $1 == t && $2 !~ /^</ { n++ }
        END { printf "%.3f", b ? n / (b * 16) : -1 }' $RW/trace)
      # and which they are, per read (a figure for Benchmarks/README.md)
      MIX=$(awk -v t="$TID" '/EOPNOTSUPP/ { exit } $1 == t && /, 0x707, / { b++ }
        b && $1 == t && $2 !~ /^</ { c = $2; sub(/\(.*/, "", c); if (c ~ /^ioctl$/) c = c "(" ($3 ~ /0x707/ ? "I2C_RDWR" : $3 ~ /0x720/ ? "I2C_SMBUS" : "other") ")"; n[c]++ }
        END { for (c in n) printf "%s %.2f, ", c, n[c] / b }' $RW/trace)
      # about one SMBus call a read (FIFO_STATUS) and the set-up's few dozen: a drain by block
      # reads would be 17 a read
      [ "${B1:-0}" -ge 40 ] && [ "$B1" -le "$S1" ] && [ "$S1" -lt $((B1 + 60)) ] && [ "$B2" -ge "$B1" ] \
        && pass "I2C_RDWR drain: each read of 16 entries is one I2C_RDWR of 32 messages ($B1 calls, $S1 SMBus calls until then: the FIFO_STATUS reads and the set-up; the sampler thread until the refusal: $PER system calls a sample; a read: ${MIX%, })" \
        || { grep -m 20 -E ", 0x(707|720), " $RW/trace | show; fail "I2C_RDWR drain: $B1 calls of 32 messages, $S1 SMBus calls"; }
      [ "$REF" = 1 ] && [ "${RA:-1}" = 0 ] && [ "${SM:-0}" -ge 34 ] \
        && pass "I2C_RDWR refused as by i2c-bcm2835 (EOPNOTSUPP once): the service goes on with SMBus block reads ($SM SMBus calls after it, no I2C_RDWR)" \
        || { grep -A3 -m 3 EOPNOTSUPP $RW/trace | show; fail "after read_last_only: $REF refusals, $RA I2C_RDWR and $SM SMBus calls after the first"; }
    fi
    ss query motion --config /tmp/rdwr/config.yaml --since 1h --format json >$T/rmq.out 2>&1; rc=$?
    E_MAG2=$(awk -v x=$AX -v y=$AY -v z=$AZ 'BEGIN { printf "%.12f", (x * x + y * y + z * z) / 65536 }')
    nm=$(grep -c '"samples"' $T/rmq.out)
    nok=$(awk -v m2=$E_MAG2 '{ ok = 1; split("min_g max_g mean_g", k, " ")
        for (i = 1; i <= 3; i++) { v = ""; if (match($0, "\"" k[i] "\": *[-0-9.e]+")) { v = substr($0, RSTART, RLENGTH); sub(/.*: */, "", v) }
          d = v * v - m2; if (v == "" || d * d > 1e-12) ok = 0 }
        if (ok) n++ } END { print n + 0 }' $T/rmq.out)
    [ $rc = 0 ] && [ "$nm" -ge 3 ] && [ "$nok" = "$nm" ] \
      && pass "I2C_RDWR drain: query motion: all $nm summaries exactly the image (min = max = mean |a|, |a|² $E_MAG2 g²), through both ways of reading" \
      || { head -3 $T/rmq.out | show; fail "I2C_RDWR drain: $nok of $nm summaries match the image (rc $rc)"; }
    rmmod i2c-stub-rdwr
  else
    fail "I2C_RDWR drain: modprobe i2c-stub-rdwr"
  fi

  # the CGPIOD shim itself, in the chroot, the library loaded at run time as by the service: on
  # amd64 libgpiod 1.6 (the host's) and 2.x (SENSORSTATION_LIBGPIOD); on arm64 trixie's 2.x and
  # bookworm's 1.6 (SENSORSTATION_LIBGPIOD)
  # KT_CGPIOD (env.sh): VERSION=LIBRARY pairs, an empty LIBRARY being the chroot's own
  for vl in $KT_CGPIOD; do
    v=${vl%%=*} lib=${vl#*=}
    if [ ! -x /mnt/share/cgpiod-test ] || { [ -n "$lib" ] && [ ! -f "/host$lib" ]; }; then
      echo "SKIP: cgpiod $v shim test (not built)"; continue
    fi
    chroot /host env SENSORSTATION_LIBGPIOD=$lib /tmp/share/cgpiod-test /dev/$CH $SIM >$T/cg.out 2>&1; rc=$?
    grep -E '^(PASS|FAIL):' $T/cg.out; grep -vE '^(PASS|FAIL):' $T/cg.out | show
    passes=$((passes + $(grep -c '^PASS:' $T/cg.out))); fails=$((fails + $(grep -c '^FAIL:' $T/cg.out)))
    [ $rc = 0 ] || [ "$(grep -c '^FAIL:' $T/cg.out)" != 0 ] || fail "cgpiod-test ($v) exit $rc"
    grep -q "^cgpiod $v: libgpiod ${v#v}\." $T/cg.out && pass "cgpiod $v: the shim loaded libgpiod ${v#v}.x" \
      || fail "cgpiod $v: the shim did not load libgpiod ${v#v}.x: $(head -1 $T/cg.out)"
  done

  # ------------------------------------------------------------ (c) the whole story on real devices
  # Issue 8's "whole story in one test" (host side: Tests/CloudTests/WholeStoryTests.swift), here
  # with `hardware: linux`: a BME280 and an ADXL345 on i2c-stub (register images as in (a2); the
  # accelerometer polled, `fifo: false`: i2c-stub models no FIFO, INT_SOURCE keeps DATA_READY),
  # LEDs and button on this gpio-sim chip, a NOTIFY_SOCKET, and uploads to moto behind the mTLS
  # credentials endpoint (Tests/Servers, the host's .venv-test) running in the guest on 127.0.0.1.
  # The impact is written into the ADXL345's data registers with i2cset while the service runs.
  # Python and everything else runs under TCG on one emulated CPU: waits are generous.
  ST=/tmp/story; SD=/host$ST                         # the same directory in and out of the chroot
  SRV=/tmp/share/servers                             # Tests/Servers + notify-listen.py (copied by scripts/kernel-tests)
  rm -rf $SD; mkdir -p $SD
  HENV="env PATH=/usr/local/bin:/usr/bin:/bin HOME=$ST PYTHONDONTWRITEBYTECODE=1"   # for host programs in the chroot
  py() { chroot /host $HENV "$KT_PYTHON" "$@"; }
  # waitgrep PATTERN FILE SECONDS [PID]: until FILE has PATTERN (stops early if PID has exited)
  waitgrep() { k=0; while [ $k -lt $(($3 * 10)) ]; do grep -q "$1" "$2" 2>/dev/null && return 0
    [ -n "$4" ] && ! kill -0 "$4" 2>/dev/null && { grep -q "$1" "$2" 2>/dev/null; return; }; sleep 0.1; k=$((k + 1)); done; return 1; }
  # js KEY FILE: a scalar from the one-line JSON the servers print
  js() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -1; }
  # records FILE: readback.py's JSON array, one record per line
  records() { awk '{ gsub(/\}, \{"partition_key"/, "}\n{\"partition_key\""); print }' "$1"; }
  S_OK=0
  if ! chroot /host test -x "$KT_PYTHON"; then
    fail "whole story: $KT_PYTHON missing in the guest's view of the host (run scripts/test-servers)"
  elif ! modprobe i2c-stub chip_addr=0x76,0x53; then
    fail "whole story: modprobe i2c-stub"
  else
    B=$(grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
    # The datasheet's BME280 image (25.08 °C) and an ADXL345 at rest: x +13, y -20, z +256 counts
    # (0.05078125, -0.078125, 1 g; exact in binary, so the summaries' means are exact too)
    bme_image $EX 415148 519888 30000; bme_expect $EX 415148 519888 30000
    AX=13 AY=-20 AZ=256; adxl_image $AX $AY $AZ
    echo "whole story: i2c-stub on /dev/$B"
    ip link set lo up && ip addr show lo | grep -q "inet 127.0.0.1" && S_OK=1 || fail "whole story: loopback up"
  fi
  if [ $S_OK = 1 ]; then
    S_OK=0
    # The servers leave when their stdin ends: give them a FIFO that this shell holds open.
    mkfifo $SD/hold; exec 7<>$SD/hold
    chroot /host $HENV /bin/bash $SRV/pki.sh $ST/pki >$SD/pki.log 2>&1 || { show $SD/pki.log; fail "whole story: pki.sh"; }
    touch $SD/clock-synchronised                      # upload.clock_sync_marker: the clock is right (RTC)
    t0=$(date +%s)
    py $SRV/moto_stack.py --state-file $ST/moto.json <&7 >$SD/moto.out 2>$SD/moto.err &
    MOTO=$!
    if waitgrep '"stream"' $SD/moto.json 900 $MOTO; then
      M=$SD/moto.json; MP=$(js port $M); AK=$(js accessKeyId $M); SK=$(js secretAccessKey $M)
      BUCKET=$(js bucket $M); TABLE=$(js weather_table $M); STREAM=$(js stream $M); TOPIC=$(js topic_arn $M)
      echo "moto up on 127.0.0.1:$MP after $(($(date +%s) - t0)) s"
      printf '{"accessKeyId": "%s", "secretAccessKey": "%s"}\n' "$AK" "$SK" >$SD/keys.json
      t0=$(date +%s)
      py $SRV/credentials_endpoint.py --cert $ST/pki/server.pem --key $ST/pki/server.key --ca $ST/pki/ca.pem \
        --moto "http://127.0.0.1:$MP" --user-keys $ST/keys.json --role-arn "$(js role_arn $M)" --port 0 \
        <&7 >$SD/cred.out 2>$SD/cred.err &
      CRED=$!
      if waitgrep '"control_port"' $SD/cred.out 600 $CRED; then
        CP=$(js port $SD/cred.out); echo "credentials endpoint up on 127.0.0.1:$CP after $(($(date +%s) - t0)) s"; S_OK=1
        # boto3 reading Kinesis, S3 and DynamoDB back every few seconds into $SD/rb (readback.py's
        # reads in one long-lived process: a new Python with boto3 takes a minute under TCG)
        mkdir -p $SD/rb
        py $SRV/story-readback.py --out $ST/rb --interval 3 --endpoint "http://127.0.0.1:$MP" --access-key "$AK" --secret-key "$SK" \
          --read "kinesis.json:kinesis-read:$STREAM" --read "ddb.json:ddb-scan:$TABLE" \
          --read "s3-impact.json:s3-lines:$BUCKET:kt/TestThing/impact/" --read "s3-event.json:s3-lines:$BUCKET:kt/TestThing/event/" \
          --read "s3-weather.json:s3-list:$BUCKET:kt/TestThing/weather/" --read "sqs.json:sqs-peek:sensorstation-alerts-queue" \
          <&7 >$SD/rb.log 2>&1 &
        RB=$!
      else show $SD/cred.out $SD/cred.err; fail "whole story: the credentials endpoint did not start"; fi
    else show $SD/moto.out $SD/moto.err; fail "whole story: moto did not start"; fi
  fi
  if [ $S_OK = 1 ]; then
    pass "whole story: moto and the mTLS credentials endpoint run in the guest on 127.0.0.1 (ports $MP, $CP)"
    cat >$SD/config.yaml <<EOC
hardware: linux
station:
  thing_name: TestThing
  serial_number: KT-0001
i2c:
  bus: /dev/$B
weather:
  sensor: bme280
  address: 0x76
  interval_s: 2
accelerometer:
  sensor: adxl345
  address: 0x53
  range_g: 16
  odr_hz: 25           # polled (no FIFO on i2c-stub): one DATA_READY read per period under TCG
  fifo: false
$GPIO_YAML
storage:
  path: $ST/station.db
upload:
  enabled: true
  region: us-east-1
  credentials_endpoint: 127.0.0.1:$CP
  role_alias: sensorstation
  certificate: $ST/pki/good.pem
  private_key: $ST/pki/good.key
  ca_bundle: $ST/pki/ca.pem
  poll_interval_s: 1
  clock_sync_marker: $ST/clock-synchronised
  s3: { bucket: $BUCKET, prefix: kt, endpoint: "http://127.0.0.1:$MP" }
  dynamodb: { table: $TABLE, endpoint: "http://127.0.0.1:$MP" }
  kinesis: { stream: $STREAM, endpoint: "http://127.0.0.1:$MP" }
alert:
  enabled: true
  topic_arn: $TOPIC
  endpoint: "http://127.0.0.1:$MP"
  cancel_window_s: 120  # generous: under TCG every CLI call takes seconds (60 s ran out once)
  coalesce_s: 0
EOC
    SCFG="--config $ST/config.yaml"
    py $SRV/notify-listen.py $ST/notify.sock $ST/notify.out >$SD/nl.log 2>&1 &
    NL=$!
    waitgrep listening $SD/notify.out 300 $NL || { show $SD/nl.log; fail "whole story: the NOTIFY_SOCKET listener did not start"; }
    pull 0 pull-down; pull 1 pull-down; pull 2 pull-down; pull 3 pull-up   # LEDs read 0 when released; button up
    chroot /host env NOTIFY_SOCKET=$ST/notify.sock "$SS" run --plain $SCFG </dev/null >$SD/run.out 2>&1 &
    RP=$!                                            # chroot and env exec: the service's pid
    # 1. READY=1 (sensors probed, storage open) with a STATUS= line
    if waitgrep 'READY=1' $SD/notify.out 300 $RP; then
      grep 'READY=1' $SD/notify.out | grep -q 'STATUS=.' && pass "whole story: READY=1 with a STATUS= on the NOTIFY_SOCKET ($(grep -m1 READY=1 $SD/notify.out))" \
        || fail "whole story: READY=1 without STATUS: $(grep -m1 READY=1 $SD/notify.out)"
    else fail "whole story: no READY=1 on the NOTIFY_SOCKET"; show $SD/notify.out $SD/run.out; fi
    # the STATUS= line with both sensors' readings: the image's 25.08 °C and a sample rate
    ET1=$(awk -v c=$E_T 'BEGIN { printf "%.1f", c / 100 }')
    if waitgrep "no faults; $ET1 °C; [0-9]* samples/s" $SD/notify.out 180 $RP && poll 1 0 30; then
      pass "whole story: sampling the i2c-stub BME280 and ADXL345 on /dev/$B, no faults (STATUS=$(grep "$ET1 °C" $SD/notify.out | tail -1 | sed 's/.*STATUS=//')), lamp test over"
    else fail "whole story: the service is not sampling /dev/$B without faults (last: $(tail -1 $SD/notify.out))"; show $SD/run.out; fi

    # 2. The impact over real I2C: z from 1 g to 8 g (DATAZ1 0x01 → 0x08: one byte, so no
    # half-written value is ever read), a moment later back to 1 g. The impact LED latches.
    sleep 3                                          # > pre_ms (500 ms) of history before the trigger
    wb 0x53 0x37 0x08
    poll 2 1 60 && pass "whole story: 8 g written to the ADXL345's DATAZ1 with i2cset: the impact LED (GPIO27) latches" \
      || fail "whole story: impact LED stayed $(val 2) after 8 g in the data registers"
    sleep 1; wb 0x53 0x37 0x01
    k=0; while [ $k -lt 60 ]; do ss query impacts $SCFG --since 1h --format json >$SD/imp.out 2>&1; [ -s $SD/imp.out ] && break; sleep 2; k=$((k + 1)); done
    show $SD/imp.out
    # |a|² of the 8 g image in g² (busybox awk has no sqrt): squares are compared
    E_PEAK2=$(awk -v x=$AX -v y=$AY 'BEGIN { printf "%.12f", (x * x + y * y + 2048 * 2048) / 65536 }')
    # sq_near V E2: |V² − E2| < 1e-4 (|V − √E2| below 7e-6 g at 8 g)
    sq_near() { awk -v v="$1" -v e="$2" 'BEGIN { d = v * v - e; exit !(v != "" && d * d < 1e-8) }'; }
    I=$(sed 's/" *: */":/g; s/, *"/,"/g' $SD/imp.out)
    IID=$(echo "$I" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1)
    PEAK=$(echo "$I" | sed -n 's/.*"peak_g":\([^,}]*\).*/\1/p')
    if [ "$(echo "$I" | grep -c .)" = 1 ] && sq_near "$PEAK" $E_PEAK2 \
       && echo "$I" | grep -q '"severity":"impact"' && echo "$I" | grep -q '"sensor":"adxl345"'; then
      pass "whole story: query impacts: one impact, peak $PEAK g = |($AX, $AY, 2048)|/256, severity impact, sensor adxl345"
    else fail "whole story: query impacts gave: $I (expected one impact with peak_g² $E_PEAK2)"; fi
    # impacts show: the waveform holds exactly the register values, 1 g before the trigger, 8 g at it
    ss impacts show "${IID:-1}" $SCFG --csv $ST/wave.csv >$SD/show.out 2>&1; rc=$?
    show $SD/show.out
    if [ $rc = 0 ] && awk -F, 'NR > 1 { n++; if ($2 != "0.0508" || $3 != "-0.0781") bad++
         if ($4 == "1.0000" && $1 < 0) pre++; else if ($4 == "8.0000" && $1 >= 0) hit++; else if ($4 != "1.0000") bad++ }
         END { exit !(n > 0 && !bad && pre > 0 && hit > 0) }' $SD/wave.csv; then
      pass "whole story: impacts show ${IID:-1}: the waveform is the registers' (x 0.0508, y -0.0781; z 1 g before the trigger, 8 g from it; $(($(wc -l <$SD/wave.csv) - 1)) samples)"
    else fail "whole story: impacts show ${IID:-1} (rc $rc), waveform: $(head -5 $SD/wave.csv 2>/dev/null | tr '\n' ' ')"; fi

    # 2b. The alert's cancel window (alert.cancel_window_s): the impact LED blinks fast (5 Hz), read
    # from gpio-sim; a long press through the gpio-sim pull says "I'm fine" and cancels the alert.
    blinks() { n=0; last=$(val 2); k=0; while [ $k -lt 40 ]; do sleep 0.05; v=$(val 2); [ "$v" != "$last" ] && n=$((n + 1)); last=$v; k=$((k + 1)); done; [ $n -ge 4 ]; }
    waituntil 60 blinks && pass "whole story: the alert's cancel window: the impact LED (GPIO27) blinks fast" \
      || fail "whole story: the impact LED does not blink in the alert's cancel window (stays $(val 2))"
    pull 3 pull-down; sleep 3; pull 3 pull-up          # > long_press_ms (2000)
    cancelled() { ss alerts $SCFG --since 1h --format json >$SD/al.out 2>&1 \
      && sed 's/" *: */":/g' $SD/al.out | grep '"state":"cancelled"' | grep -q '"cancelled_by":"button"'; }
    waituntil 90 cancelled && pass "whole story: a long press in the window cancels the alert (alerts: cancelled, by button)" \
      || { fail "whole story: the long press did not cancel the alert (service CPU $(cpu $RP) s)"; show $SD/al.out; tail -40 $SD/run.out | show; }
    poll 2 0 30 && pass "whole story: the impact LED is off after the cancel" || fail "whole story: impact LED $(val 2) after the cancel"

    # 3. A short press through the gpio-sim pull: streaming on, Kinesis gets the logged rows at once
    TP=$(($(date +%s) + 2))000000   # µs: motion seconds summarised from 2 s after the press (at rest)
    pull 3 pull-down; sleep 0.2; pull 3 pull-up
    poll 1 1 30 && pass "whole story: short press through the gpio-sim pull: streaming LED (GPIO22) on" || fail "whole story: short press: streaming LED stayed $(val 1)"
    E_MAG2=$(awk -v x=$AX -v y=$AY -v z=$AZ 'BEGIN { printf "%.12f", (x * x + y * y + z * z) / 65536 }')
    # the reader's latest Kinesis snapshot: the logged rows (each once, by the uploader's cursor,
    # every 250 ms while streaming) and the raw samples
    kin_live() { cp $SD/rb/kinesis.json $SD/kin.json 2>/dev/null && records $SD/kin.json >$SD/live.txt \
      && awk -v t=$TP 'match($0, /"time_us": [0-9]+/) { if (substr($0, RSTART + 11, RLENGTH - 11) + 0 > t + 0) print }' $SD/live.txt >$SD/after.txt
      live=$(grep -c '"kind": "motion"' $SD/after.txt); grep '"event_kind": "streaming"' $SD/live.txt | grep -q '"detail": "on"' && [ "$live" -ge 2 ]; }
    t0=$(date +%s); live=0
    waituntil 600 kin_live; kin_live
    echo "kinesis: $(records $SD/kin.json | grep -c partition_key) records, after $(($(date +%s) - t0)) s (reader round $(cat $SD/rb/rounds 2>/dev/null))"
    grep '"event_kind": "streaming"' $SD/live.txt | grep '"detail": "on"' | grep -q '"cause": "button' \
      && pass "whole story: Kinesis (moto, read back with boto3) has the 'streaming on' event, cause button" \
      || { fail "whole story: no 'streaming on' event with cause button in Kinesis"; show $SD/rb.log; head -c 1500 $SD/kin.json; echo; }
    nbad=$(grep '"kind": "motion"' $SD/after.txt | grep -v '"partition_key": "TestThing"' | grep -c .)
    nrest=$(grep '"kind": "motion"' $SD/after.txt | grep '"mean_x_g": 0.05078125,' | grep '"mean_y_g": -0.078125,' | grep -c '"mean_z_g": 1.0,')
    if [ "$live" -ge 2 ] && [ "$nbad" = 0 ] && [ "$nrest" = "$live" ]; then
      pass "whole story: Kinesis has $live motion records, partition key TestThing, means = the register image (0.05078125, -0.078125, 1.0 g)"
    else fail "whole story: motion records in Kinesis: $live, $nrest matching the image, $nbad with another partition key"; grep '"kind": "motion"' $SD/after.txt | head -3; fi

    # 4. query while the service runs: readings = the register images
    ss query weather $SCFG --since 1h --format json >$SD/wq.out 2>&1; rc=$?
    ET=$(awk -v c=$E_T 'BEGIN { printf "%.2f", c / 100 }'); EPH=$(awk -v p=$E_P 'BEGIN { printf "%.7f", p / 25600 }')
    EH=$(awk -v h=$E_H 'BEGIN { printf "%.7f", h / 1024 }')
    nw=$(grep -c '"sensor": *"bme280"' $SD/wq.out)
    nwok=$(awk -v t=$ET -v p=$EPH -v h=$EH '{ T = P = H = ""
        if (match($0, /"temperature_c": *[-0-9.e]+/)) { T = substr($0, RSTART, RLENGTH); sub(/.*: */, "", T) }
        if (match($0, /"pressure_hpa": *[-0-9.e]+/)) { P = substr($0, RSTART, RLENGTH); sub(/.*: */, "", P) }
        if (match($0, /"humidity_percent": *[-0-9.e]+/)) { H = substr($0, RSTART, RLENGTH); sub(/.*: */, "", H) }
        d1 = T - t; d2 = P - p; d3 = H - h
        if (T != "" && P != "" && H != "" && d1 * d1 < 1e-10 && d2 * d2 < 1e-10 && d3 * d3 < 1e-8) n++ } END { print n + 0 }' $SD/wq.out)
    if [ $rc = 0 ] && [ "$nw" -ge 2 ] && [ "$nwok" = "$nw" ]; then
      pass "whole story: query weather: $nw bme280 rows, all = the datasheet formulas on the image ($ET °C, $EPH hPa, $EH %RH)"
    else fail "whole story: query weather (rc $rc): $nwok of $nw rows match $ET °C $EPH hPa $EH %RH"; head -3 $SD/wq.out; fi
    ss query motion $SCFG --since 1h --format json >$SD/mq.out 2>&1; rc=$?
    nm=$(grep -c '"samples"' $SD/mq.out)
    # seconds entirely at rest: every sample the image's, so min = max = mean = |a| and the means exact
    nrest=$(awk -v m2=$E_MAG2 '{ split("min_g max_g mean_g mean_x_g mean_y_g mean_z_g", k, " "); ok = 1
        for (i = 1; i <= 6; i++) { v = ""; if (match($0, "\"" k[i] "\": *[-0-9.e]+")) { v = substr($0, RSTART, RLENGTH); sub(/.*: */, "", v) }
          if (i <= 3) { d = v * v - m2 } else { d = v - (i == 4 ? 0.05078125 : (i == 5 ? -0.078125 : 1)) }
          if (v == "" || d * d > 1e-12) ok = 0 }
        if (ok) n++ } END { print n + 0 }' $SD/mq.out)
    nimp=$(awk '{ if (match($0, /"max_g": *[-0-9.e]+/)) { v = substr($0, RSTART, RLENGTH); sub(/.*: */, "", v); if (v + 0 > 7.9) n++ } } END { print n + 0 }' $SD/mq.out)
    if [ $rc = 0 ] && [ "$nrest" -ge 3 ] && [ "$nimp" -ge 1 ] && [ $((nrest + nimp)) -le "$nm" ]; then
      pass "whole story: query motion: $nm summaries, $nrest at rest exactly the image (min = max = mean |a|, |a|² $E_MAG2 g², means 0.05078125 -0.078125 1.0), $nimp with the 8 g impact"
    else fail "whole story: query motion (rc $rc): $nm rows, $nrest at rest matching the image (|a|² $E_MAG2), $nimp with max > 7.9 g"; head -3 $SD/mq.out; fi

    # 5. store-and-forward: the same rows in S3 and DynamoDB (boto3 on moto). The reader fetches the
    # impact and event objects whole but only lists the weather ones: with poll_interval_s 1 there
    # are hundreds of small weather and motion objects, too many to download each round under TCG.
    s3_all() { cp $SD/rb/s3-impact.json $SD/s3i.json 2>/dev/null && grep -q '"peak_g"' $SD/s3i.json \
      && cp $SD/rb/s3-event.json $SD/s3e.json && grep -q '"event_kind": "streaming"' $SD/s3e.json \
      && cp $SD/rb/s3-weather.json $SD/s3w.json && grep -q '"kt/TestThing/weather/year=' $SD/s3w.json \
      && cp $SD/rb/ddb.json $SD/ddb.json && grep -q '"serial_number": "TestThing"' $SD/ddb.json; }
    waituntil 300 s3_all; s3_all
    # impact lines (one per stored impact; "kind": "impact" opens each), then their peak_g
    grep -o '"kind": "impact", [^}]*' $SD/s3i.json >$SD/s3i.txt
    if [ "$(grep -c . $SD/s3i.txt)" = 1 ] && grep -q '"kt/TestThing/impact/year=' $SD/s3i.json && grep -q '"peak_z_g": 8.0,' $SD/s3i.txt \
       && sq_near "$(sed -n 's/.*"peak_g": \([0-9.]*\).*/\1/p' $SD/s3i.txt)" $E_PEAK2; then
      pass "whole story: S3 has the one impact under kt/TestThing/impact/ (peak $(sed -n 's/.*"peak_g": \([0-9.]*\).*/\1/p' $SD/s3i.txt) g, peak_z_g 8.0)"
    else fail "whole story: S3 impact lines: $(head -c 600 $SD/s3i.txt)"; show $SD/rb.log; fi
    awk '{ gsub(/\}, \{/, "}\n{"); print }' $SD/s3e.json | grep '"event_kind": "streaming", "detail": "on"' | grep -q 'cause[\"]*: *[\"]*button' \
      && pass "whole story: S3 has the 'streaming on' event (cause button) under kt/TestThing/event/" \
      || { fail "whole story: no 'streaming on' event with cause button in S3"; head -c 800 $SD/s3e.json; echo; }
    nsw=$(grep -o '"kt/TestThing/weather/year=[^"]*' $SD/s3w.json | grep -c .)
    [ "$nsw" -ge 1 ] && pass "whole story: S3 has $nsw weather objects under kt/TestThing/weather/" || fail "whole story: no weather objects in S3"
    dw=$(awk '{ gsub(/\}, \{/, "}\n{"); print }' $SD/ddb.json | grep '"serial_number": "TestThing"' | grep -c "\"temperature_c\": $ET")
    [ "$dw" -ge 1 ] && pass "whole story: DynamoDB has $dw weather items of TestThing at $ET °C" || { fail "whole story: no DynamoDB weather item of TestThing at $ET °C"; head -c 800 $SD/ddb.json; echo; }

    # 5b. A second impact, not cancelled: when its window closes, its alert is published to the SNS
    # topic, and the SQS queue subscribed to it (read back with boto3) holds that one message.
    wb 0x53 0x37 0x08; sleep 1; wb 0x53 0x37 0x01
    sent() { ss alerts $SCFG --since 1h --format json >$SD/al.out 2>&1 && [ "$(sed 's/" *: */":/g' $SD/al.out | grep -c '"state":"sent"')" = 1 ]; }
    if waituntil 300 sent; then
      IID2=$(sed 's/" *: */":/g' $SD/al.out | grep '"state":"sent"' | sed -n 's/.*"impacts":"\([0-9]*\)".*/\1/p')
      pass "whole story: the second impact (#$IID2), not cancelled: its alert is sent when the window closes"
    else fail "whole story: the second impact's alert was not sent"; show $SD/al.out; fi
    sqs_one() { cp $SD/rb/sqs.json $SD/sqs.json 2>/dev/null && grep -q '"Message": "IMPACT ' $SD/sqs.json; }
    waituntil 120 sqs_one
    if [ "$(grep -o '"Type": "Notification"' $SD/sqs.json | grep -c .)" = 1 ] && grep -q '"Message": "IMPACT [0-9.]* g on TestThing at ' $SD/sqs.json \
       && grep -q "\"impact_id\": {\"Type\": \"String\", \"Value\": \"${IID2:-x}\"}" $SD/sqs.json; then
      pass "whole story: the SQS queue subscribed to the topic holds exactly one alert, for impact #$IID2 (the cancelled one never went)"
    else fail "whole story: SQS holds: $(head -c 1200 $SD/sqs.json 2>/dev/null)"; show $SD/rb.log; fi

    # 5c. The wall clock set back an hour (NTP correcting a Pi without a battery clock): the
    # sampler's sleeps are timed on the monotonic clock, so sampling goes on. (A sleep until a
    # wall-clock deadline, as Foundation's NSCondition takes one, would last an hour.) The latched
    # impact is acknowledged first; an 8 g in the registers after the step latches the LED again.
    ss ack $SCFG >$SD/ack.out 2>&1
    if poll 2 0 30; then
      T0=$(date +%s); date -s "@$((T0 - 3600))" >/dev/null
      wb 0x53 0x37 0x08
      if poll 2 1 30; then
        pass "whole story: wall clock set back an hour while sampling: an 8 g read at once after it latches the impact LED"
      else fail "whole story: after the wall clock was set back an hour, 8 g in the registers did not latch the impact LED (sampling stalled)"; fi
      wb 0x53 0x37 0x01
      date -s "@$(($(date +%s) + 3600))" >/dev/null
      three() { ss query impacts $SCFG --since 3h --format json 2>&1 | grep -c '"id"' | grep -qx 3; }
      waituntil 60 three \
        || fail "whole story: the impact after the clock step is not in the log: $(ss query impacts $SCFG --since 3h --format json 2>&1 | tail -3)"
    else fail "whole story: ack did not clear the impact LED: $(cat $SD/ack.out)"; fi

    # 6. SIGTERM: exit 0, everything flushed, LEDs off, lines released, events in the log
    kill -TERM $RP 2>/dev/null; wait $RP; rc=$?
    show $SD/run.out | tail -30
    [ $rc = 0 ] && grep -q "sensorstation stopped" $SD/run.out && pass "whole story: SIGTERM: exit 0, 'sensorstation stopped'" || fail "whole story: exit status $rc after SIGTERM"
    waitgrep 'STOPPING=1' $SD/notify.out 10 && pass "whole story: STOPPING=1 on the NOTIFY_SOCKET" || fail "whole story: no STOPPING=1"
    [ "$(val 0)$(val 1)$(val 2)" = 000 ] && pass "whole story: after exit all LED lines are 0" || fail "whole story: LED lines after exit: $(val 0)$(val 1)$(val 2)"
    ss gpio lines >$SD/lines.out 2>&1
    grep -q "sensorstation-" $SD/lines.out && fail "whole story: lines still held after exit: $(grep sensorstation- $SD/lines.out)" || pass "whole story: after exit no line is held"
    ss query events $SCFG --since 1h --format json >$SD/ev.out 2>&1; rc=$?; show $SD/ev.out
    EV=$(sed 's/" *: */":/g; s/, *"/,"/g' $SD/ev.out)
    echo "$EV" | grep '"kind":"button"' | grep '"detail":"streaming on"' | grep -q 'press[\"]*:[\"]*short' \
      && pass "whole story: query events: the short press (streaming on)" || fail "whole story: query events: no short press 'streaming on' (rc $rc)"
    echo "$EV" | grep '"kind":"streaming"' | grep '"detail":"on"' | grep -q 'cause[\"]*:[\"]*button' \
      && pass "whole story: query events: streaming on, cause button" || fail "whole story: query events: no 'streaming on' with cause button"
    echo "$EV" | grep '"kind":"alert"' | grep '"detail":"cancelled"' | grep -q 'cause[\"]*:[\"]*button' \
      && pass "whole story: query events: the alert cancelled, cause button" || fail "whole story: query events: no alert cancelled by the button"
    ss query impacts $SCFG --since 3h --format json 2>&1 | grep -c '"id"' | grep -qx 3 \
      && pass "whole story: after the stop the database still has exactly the three impacts" || fail "whole story: impacts after stop: $(ss query impacts $SCFG --since 3h --format json 2>&1)"
    kill $NL 2>/dev/null; wait $NL 2>/dev/null
  fi
  [ -n "$RB" ] && { kill $RB 2>/dev/null; wait $RB 2>/dev/null; }
  [ -n "$CRED" ] && { kill $CRED 2>/dev/null; wait $CRED 2>/dev/null; }
  [ -n "$MOTO" ] && { kill $MOTO 2>/dev/null; wait $MOTO 2>/dev/null; }
  exec 7>&-
  lsmod | grep -q '^i2c_stub' && rmmod i2c-stub

  echo 0 >$C/live; for i in 0 1 2 3 4 5 6 7; do rmdir $C/bank0/line$i; done; rmdir $C/bank0 $C
else
  fail "gpio-sim setup"
fi

echo "SUMMARY: $passes passed, $fails failed"
exit $fails
