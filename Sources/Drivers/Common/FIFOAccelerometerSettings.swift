/// What a FIFO accelerometer's driver is opened with: the ADXL345/ADXL375 and the LIS3DH take the
/// same four settings (`ADXL345.Settings` and `LIS3DH.Settings` are this type). Which values a
/// chip accepts is in its capability table (`ChipModel.accelerometer`) and checked by its driver.
public struct FIFOAccelerometerSettings: Sendable, Equatable {
    /// Full scale, ±g.
    public var rangeG: Double
    /// Output data rate, Hz: one of the chip's rates.
    public var odrHz: Double
    /// Stream-mode FIFO (the chip buffers 32 samples; `read` drains it) instead of polling the
    /// chip's data-ready bit. Above ~100 Hz only the FIFO keeps every sample.
    public var fifo: Bool
    /// FIFO watermark, 1...31 entries: the level at which the chip's watermark bit (and
    /// interrupt) is set. Only used with `fifo`.
    public var watermark: Int
    /// INT1 wired to a GPIO line: the watermark (with `fifo`) or data ready is routed to it.
    /// Nil: no interrupt is enabled (the sampler polls).
    public var interrupt: InterruptPin?

    public init(
        rangeG: Double = 16, odrHz: Double = 100, fifo: Bool = true, watermark: Int = 16,
        interrupt: InterruptPin? = nil
    ) {
        self.rangeG = rangeG
        self.odrHz = odrHz
        self.fifo = fifo
        self.watermark = watermark
        self.interrupt = interrupt
    }
}
