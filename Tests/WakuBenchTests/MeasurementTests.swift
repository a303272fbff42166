import Foundation
import Testing

@testable import WakuBench

@Suite("CPU time, memory and duration readings")
struct MeasurementTests {
    @Test("durations turn into seconds, milliseconds and microseconds with their fractions")
    func fractions() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.seconds(2).milliseconds == 2000)
        #expect(abs(Duration.microseconds(250).milliseconds - 0.25) < 1e-12)
        #expect(Duration.seconds(3).microseconds == 3_000_000)
        #expect(abs(Duration.nanoseconds(1).microseconds - 0.001) < 1e-12)
        #expect((Duration.seconds(-1) + .milliseconds(500)).seconds == -0.5)
        #expect(Duration.zero.seconds == 0)
    }

    @Test("work on the calling thread shows in its CPU time and in the process's")
    func cpuTime() {
        let processBefore = Measurement.processCPUTime()
        var sink: UInt64 = 1
        let spent = Measurement.cpuTime {
            for value in 0..<5_000_000 { sink = sink &* 6_364_136_223_846_793_005 &+ UInt64(value) }
        }
        let processSpent = Measurement.processCPUTime() - processBefore
        #expect(sink != 0)
        #expect(spent > .zero)
        // getrusage counts in microseconds and the thread clock in nanoseconds: allow one tick.
        #expect(processSpent + .milliseconds(10) >= spent)
    }

    @Test("another process's CPU time is read from /proc, and a process that is not there is an error")
    func otherProcess() throws {
        let own = try Measurement.processCPUTime(of: getpid())
        #expect(own >= .zero)
        #expect(throws: BenchFailure.self) { try Measurement.processCPUTime(of: Int32.max) }
    }

    @Test("the resident set is non-zero and the peak is at least what is resident now")
    func memory() {
        let resident = Measurement.residentBytes()
        let peak = Measurement.peakResidentBytes()
        #expect(resident > 0)
        #expect(peak >= resident)
    }
}
