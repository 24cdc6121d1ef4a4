import Foundation
import LinuxSystem
import Testing

@testable import Station

/// The sleep every dedicated thread (the samplers, the indicators, the button) takes between
/// reads: one ppoll on an eventfd, timed on CLOCK_MONOTONIC. (That a step of the wall clock does
/// not stretch it is shown where the clock can be set: the kernel tier steps the guest's clock
/// back an hour while the motion sampler runs.)
@Suite("WakeSignal and StopSignal: monotonic sleeps that a stop ends at once")
struct WakeSignalTests {
    @Test("a wait with nothing to wake it lasts at least its timeout on the monotonic clock")
    func timesOut() {
        let wake = WakeSignal()
        for timeout in [Duration.microseconds(300), .milliseconds(3), .milliseconds(20)] {
            let start = Clocks.monotonic()
            #expect(wake.wait(for: timeout) == .timedOut)
            #expect(Clocks.monotonic() - start >= timeout)
        }
        #expect(wake.wait(for: .zero) == .timedOut)
        #expect(wake.wait(for: .milliseconds(-5)) == .timedOut)
    }

    @Test("raising from another thread ends a long wait, and every later wait returns at once")
    func raiseWakes() async {
        let wake = WakeSignal()
        let waited = await withCheckedContinuation { (c: CheckedContinuation<WakeSignal.Outcome, Never>) in
            Thread { c.resume(returning: wake.wait(for: .seconds(120))) }.start()
            Thread {
                Thread.sleep(forTimeInterval: 0.05)
                wake.raise()
            }.start()
        }
        #expect(waited == .raised)
        #expect(wake.isRaised)
        #expect(wake.wait(for: .seconds(120)) == .raised)
        #expect(wake.wait(for: .seconds(120), orReadable: 0) == .raised)
    }

    @Test("a readable descriptor ends the wait; an empty one does not")
    func readable() throws {
        let wake = WakeSignal()
        let pipe = Pipe()
        let fd = pipe.fileHandleForReading.fileDescriptor
        #expect(wake.wait(for: .milliseconds(5), orReadable: fd) == .timedOut)
        pipe.fileHandleForWriting.write(Data([1]))
        #expect(wake.wait(for: .seconds(120), orReadable: fd) == .readable)
        wake.raise()
        #expect(wake.wait(for: .seconds(120), orReadable: fd) == .raised)
    }

    @Test("StopSignal: wait(for:) says whether the loop was stopped, before or during the wait")
    func stopSignal() async {
        let signal = StopSignal()
        #expect(!signal.wait(for: .milliseconds(2)))
        #expect(!signal.wait(for: .zero))
        let stopped = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            Thread { c.resume(returning: signal.wait(for: .seconds(120))) }.start()
            Thread {
                Thread.sleep(forTimeInterval: 0.05)
                signal.stop()
            }.start()
        }
        #expect(stopped)
        #expect(signal.isStopped)
        #expect(signal.wait(for: .seconds(120)))
    }
}
