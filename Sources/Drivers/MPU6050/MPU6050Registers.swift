/// InvenSense MPU-6000/MPU-6050 register map (RM-MPU-6000A-00 rev 4.2).
enum MPU6050Register {
    /// SMPLRT_DIV: sample rate = gyroscope output rate / (1 + SMPLRT_DIV); the gyroscope output
    /// rate is 1 kHz with the DLPF enabled (DLPF_CFG 1...6). §4.2.
    static let sampleRateDivider: UInt8 = 0x19
    /// CONFIG: DLPF_CFG[2:0]. 1 = accelerometer bandwidth 184 Hz, 1 kHz rate. §4.3.
    static let config: UInt8 = 0x1A
    static let dlpf184Hz: UInt8 = 1
    /// ACCEL_CONFIG: AFS_SEL[4:3]: 0 ±2 g (16384 LSB/g), 1 ±4 g (8192), 2 ±8 g (4096), 3 ±16 g (2048). §4.5.
    static let accelConfig: UInt8 = 0x1C
    static let afsShift: UInt8 = 3
    /// INT_PIN_CFG: INT_LEVEL bit 7 (active low), INT_OPEN bit 6 (open drain), LATCH_INT_EN
    /// bit 5 (held until cleared, not a 50 µs pulse), INT_RD_CLEAR bit 4 (0: cleared by reading
    /// INT_STATUS only). §4.14.
    static let intPinConfig: UInt8 = 0x37
    static let intActiveLow: UInt8 = 1 << 7
    static let intOpenDrain: UInt8 = 1 << 6
    static let latchInterrupt: UInt8 = 1 << 5
    /// INT_ENABLE: DATA_RDY_EN bit 0. §4.15.
    static let intEnable: UInt8 = 0x38
    /// INT_STATUS: DATA_RDY_INT bit 0, cleared by reading INT_STATUS. §4.16.
    static let intStatus: UInt8 = 0x3A
    static let dataReady: UInt8 = 1 << 0
    /// ACCEL_XOUT_H 0x3B ... ACCEL_ZOUT_L 0x40: big-endian 16-bit two's complement. §4.17.
    static let accelXOutH: UInt8 = 0x3B
    /// PWR_MGMT_1: DEVICE_RESET bit 7, SLEEP bit 6 (set at power-on), CLKSEL[2:0]
    /// (1 = PLL with the X gyroscope reference, recommended over the internal oscillator). §4.28.
    static let pwrMgmt1: UInt8 = 0x6B
    static let deviceReset: UInt8 = 1 << 7
    static let clockPLLX: UInt8 = 0x01
    /// WHO_AM_I = 0x68. §4.32.
    static let whoAmI: UInt8 = 0x75
    static let whoAmIValue: UInt8 = 0x68

    static let ranges: [(g: Double, code: UInt8, lsbPerG: Double)] = [
        (2, 0, 16384), (4, 1, 8192), (8, 2, 4096), (16, 3, 2048),
    ]
}
