/// Sample bookkeeping of the accelerometer models, for tests and benchmarks.
/// At any time `generated == popped + lost + held`, where held is what the chip still has for a
/// reader: FIFO entries (frames on the MPU-6050), or the one unread sample in the output
/// registers when no FIFO is in use.
public struct SimulatedSampleCounters: Sendable, Equatable, CustomStringConvertible {
    /// Samples the chip produced at its output data rate while powered.
    public var generated: Int
    /// Samples a read consumed: a read reaching the last data register (OUT_Z_H on ST parts,
    /// ACCEL_ZOUT_L on the MPU-6050) or a FIFO entry popped (on the MPU-6050, a frame whose
    /// first byte was read from FIFO_R_W).
    public var popped: Int
    /// Samples overwritten before anyone read them, dropped by a full FIFO, or cleared with it.
    public var lost: Int

    public init(generated: Int = 0, popped: Int = 0, lost: Int = 0) {
        self.generated = generated
        self.popped = popped
        self.lost = lost
    }

    public var description: String { "generated \(generated), popped \(popped), lost \(lost)" }
}
