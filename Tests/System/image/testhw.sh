#!/bin/bash
# The booted-system tier's test hardware, set up at boot by sensorstation-testhw.service (a unit of
# the test image, not of the product), before sensorstation.service:
#   - /dev/i2c-1 (the Raspberry Pi header bus the product's unit allows): the machine's own SMBus
#     controller (q35: i2c-i801; arm64: a plain i2c-stub) takes bus 0, then i2c-stub (the kernel tier's i2c-stub-rdwr, with
#     I2C_RDWR and a writable chip_addr) takes bus 1 with an ADXL345 at 0x53 (at rest, +1 g on z)
#     and a BME280 at 0x76 (the datasheet's worked example);
#   - a gpio-sim chip whose lines are named like the Pi header in examples/raspberry-pi.yaml:
#     LEDs GPIO17 (status), GPIO27 (impact), GPIO22 (streaming), GPIO24 (fault); the button
#     GPIO23, pulled up (released; the button is active low).
# Writes /run/sensorstation-testhw.env: N (the stub's bus number) and SIM (the gpio-sim sysfs dir).
# Pulling the ADXL345 off the bus: `echo 0x54,0x76 > /sys/module/i2c_stub_rdwr/parameters/chip_addr`
# (0x53 no longer answers); back with its registers: `echo 0x53,0x76 > ...`.
set -euo pipefail
. /usr/local/lib/sensorstation-testhw/chip-images.sh
EX="27504 26435 -1000 36477 -10685 3024 2855 140 -7 15500 -14600 6000 75 362 0 313 50 30"

modprobe i2c-dev
modprobe i2c-i801 2>/dev/null || true
# arm64 (QEMU's virt machine) has no SMBus controller: the stock i2c-stub, with one EEPROM-like
# address and nothing the product looks for, takes bus 0 there (as the Pi's i2c-0, the HAT ID
# EEPROM bus, does), so the test stub is bus 1 on both machines.
ls /sys/bus/i2c/devices/ | grep -q '^i2c-' || modprobe i2c-stub chip_addr=0x50
modprobe i2c-stub-rdwr chip_addr=0x53,0x76
B=$(grep -l 'SMBus stub driver (with I2C_RDWR)' /sys/bus/i2c/devices/i2c-*/name | head -1 | cut -d/ -f6); N=${B#i2c-}
[ "$N" = 1 ] || echo "sensorstation-testhw: i2c-stub is bus $N, not 1: the unit allows only /dev/i2c-1" >&2
bme_image $EX 415148 519888 30000
adxl_image 0 0 256

C=/sys/kernel/config/gpio-sim/header
NAMES="GPIO17 GPIO27 GPIO22 GPIO24 GPIO23 GPIO5 GPIO6 GPIO13"
modprobe gpio-sim
mkdir -p $C/bank0; echo 8 > $C/bank0/num_lines
i=0; for n in $NAMES; do mkdir -p $C/bank0/line$i; echo $n > $C/bank0/line$i/name; i=$((i + 1)); done
echo 1 > $C/live
CH=$(cat $C/bank0/chip_name); SIM=/sys/devices/platform/$(cat $C/dev_name)/$CH
echo pull-up > $SIM/sim_gpio4/pull     # GPIO23: the button, released
# udev gives the nodes their groups (the product's 60-sensorstation.rules once installed)
udevadm trigger --action=change --subsystem-match=i2c-dev --subsystem-match=gpio 2>/dev/null || true
printf 'N=%s\nSIM=%s\nCH=%s\n' "$N" "$SIM" "$CH" > /run/sensorstation-testhw.env
echo "sensorstation-testhw: /dev/i2c-$N (ADXL345 0x53, BME280 0x76), /dev/$CH ($NAMES)"
