# Register images of the chips as i2c-stub holds them, shared by the kernel tier (vm-test.sh) and
# the booted-system tier's test hardware unit (Tests/System/image/testhw.sh). Needs $N, the bus
# number, and i2cset (busybox's or i2c-tools'). Sourced, not run.
#
# i2c-stub is a static register file: whatever a driver writes (BME280 soft reset 0xB6 to 0xE0,
# ctrl_meas, ADXL345 POWER_CTL...) just lands in its register, and status bits stay as preloaded.
# So each image holds what a real chip shows after a finished measurement: BME280 status 0x00
# (im_update and measuring clear), ADXL345 INT_SOURCE DATA_READY (0x80) set.
# busybox i2cset reads every number as hex ("51" is 0x51), so both are formatted 0x..
wb() { i2cset -y "$N" "$1" "$(printf 0x%02x $(($2)))" "$(printf 0x%02x $(($3 & 0xff)))" b; }   # ADDR REG VALUE (low byte)
wle() { wb "$1" "$2" "$3"; wb "$1" $(($2 + 1)) $(($3 >> 8)); }   # 16-bit little-endian
# bme_image T1 T2 T3 P1..P9 H1..H6 adcP adcT adcH: chip id, status, both trimming blocks, data
bme_image() {
  wb 0x76 0xd0 0x60; wb 0x76 0xf3 0x00
  r=0x88; for v in $1 $2 $3 $4 $5 $6 $7 $8 $9 ${10} ${11} ${12}; do wle 0x76 $r "$v"; r=$((r + 2)); done
  wb 0x76 0xa1 "${13}"; wle 0x76 0xe1 "${14}"; wb 0x76 0xe3 "${15}"
  h4=$((${16} & 0xfff)); h5=$((${17} & 0xfff))               # 12-bit, sharing 0xE5's nibbles
  wb 0x76 0xe4 $((h4 >> 4)); wb 0x76 0xe5 $(((h4 & 0xf) | (h5 & 0xf) << 4)); wb 0x76 0xe6 $((h5 >> 4))
  wb 0x76 0xe7 "${18}"
  wb 0x76 0xf7 $((${19} >> 12)); wb 0x76 0xf8 $((${19} >> 4)); wb 0x76 0xf9 $((${19} << 4))
  wb 0x76 0xfa $((${20} >> 12)); wb 0x76 0xfb $((${20} >> 4)); wb 0x76 0xfc $((${20} << 4))
  wb 0x76 0xfd $((${21} >> 8)); wb 0x76 0xfe "${21}"
}
# bme_expect (same arguments): sets E_T (0.01 °C), E_P (Pa, Q24.8), E_H (%RH, Q22.10) from the
# datasheet's compensate_T_int32 / compensate_P_int64 / compensate_H_int32.
bme_expect() {
  v1=$(((((${20} >> 3) - ($1 << 1)) * $2) >> 11)); d=$(((${20} >> 4) - $1))
  v2=$(((((d * d) >> 12) * $3) >> 14)); tf=$((v1 + v2)); E_T=$(((tf * 5 + 128) >> 8))
  v1=$((tf - 128000)); v2=$((v1 * v1 * $9)); v2=$((v2 + ((v1 * $8) << 17))); v2=$((v2 + ($7 << 35)))
  v1=$((((v1 * v1 * $6) >> 8) + ((v1 * $5) << 12))); v1=$(((((1 << 47) + v1) * $4) >> 33))
  p=$((((1048576 - ${19}) << 31) - v2)); p=$((p * 3125 / v1))
  v1=$(((${12} * (p >> 13) * (p >> 13)) >> 25)); v2=$(((${11} * p) >> 19))
  E_P=$((((p + v1 + v2) >> 8) + (${10} << 4)))
  v=$((tf - 76800))
  a=$(((((${21} << 14) - (${16} << 20) - (${17} * v)) + 16384) >> 15))
  b=$((((((((v * ${18}) >> 10) * (((v * ${15}) >> 11) + 32768)) >> 10) + 2097152) * ${14} + 8192) >> 14))
  v=$((a * b)); v=$((v - (((((v >> 15) * (v >> 15)) >> 7) * ${13}) >> 4)))
  [ $v -lt 0 ] && v=0; [ $v -gt 419430400 ] && v=419430400; E_H=$((v >> 12))
}
adxl_image() {   # x y z (raw counts, full resolution: 256 LSB/g)
  wb 0x53 0x00 0xe5; wb 0x53 0x30 0x80   # DEVID; INT_SOURCE: DATA_READY
  wle 0x53 0x32 "$1"; wle 0x53 0x34 "$2"; wle 0x53 0x36 "$3"
}
