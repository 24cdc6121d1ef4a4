/// How a chip's INT1 pin is wired to a GPIO line. Given one, the driver routes the event worth a
/// read to INT1 — the FIFO watermark with a FIFO, data ready without — so the sampler can sleep
/// until the chip has work instead of polling.
///
/// Every chip here keeps INT1 asserted (a level) until the read that serves it: the ADXL345 and
/// the LIS3DH until the FIFO is drained below the watermark (or the data registers read), the
/// H3LIS331DL until the data are read, the MPU-6050 (latched) until INT_STATUS is read. So an
/// edge the GPIO side missed leaves the line high and no new edge comes: the sampler reads the
/// line's level after each read and recovers from a missed edge with a timeout read.
public struct InterruptPin: Sendable, Equatable {
    /// The pin asserts low (ADXL345 INT_INVERT, LIS3DH INT_POLARITY, LIS331 IHL, MPU-6050
    /// INT_LEVEL). Use it when the line is shared or pulled up; default active-high.
    public var activeLow: Bool
    /// Open-drain instead of push-pull, where the chip has the choice (H3LIS331DL PP_OD, MPU-6050
    /// INT_OPEN): the line then needs a pull-up, and is active-low in practice.
    public var openDrain: Bool

    public init(activeLow: Bool = false, openDrain: Bool = false) {
        self.activeLow = activeLow
        self.openDrain = openDrain
    }
}
