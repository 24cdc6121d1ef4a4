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
    /// INT_ENABLE: FIFO_OFLOW_EN bit 4, DATA_RDY_EN bit 0. §4.15.
    static let intEnable: UInt8 = 0x38
    /// INT_STATUS: FIFO_OFLOW_INT bit 4, DATA_RDY_INT bit 0; each only while enabled in
    /// INT_ENABLE, cleared by reading INT_STATUS. §4.16.
    static let intStatus: UInt8 = 0x3A
    static let dataReady: UInt8 = 1 << 0
    static let fifoOverflow: UInt8 = 1 << 4
    /// FIFO_EN: ACCEL_FIFO_EN bit 3: each sample writes ACCEL_XOUT_H...ACCEL_ZOUT_L (6 bytes)
    /// into the FIFO. §4.7.
    static let fifoEnable: UInt8 = 0x23
    static let accelFIFO: UInt8 = 1 << 3
    /// USER_CTRL: FIFO_EN bit 6; FIFO_RESET bit 2 (empties the FIFO while FIFO_EN is 0; clears
    /// itself). §4.29.
    static let userCtrl: UInt8 = 0x6A
    static let userFIFOEnable: UInt8 = 1 << 6
    static let fifoReset: UInt8 = 1 << 2
    /// FIFO_COUNT_H/L 0x72–0x73: the bytes in the FIFO, big-endian; FIFO_R_W 0x74: each byte
    /// read pops one, and a burst read stays at this address. 1024 bytes: 170 six-byte samples.
    /// When full the oldest bytes are overwritten, so frames lose their alignment: after
    /// FIFO_OFLOW_INT the FIFO must be reset. §4.30–4.31, product specification §7.17.
    static let fifoCountH: UInt8 = 0x72
    static let fifoRW: UInt8 = 0x74
    static let fifoBytes = 1024
    static let frameLength = 6
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
