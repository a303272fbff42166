import NIOCore
import Testing

@testable import WakuBench

@Suite("bench transport figures")
struct TransportReportTests {
    static let report = TransportBenchmark.Report(
        megabytesPerSecond: 812.3456,
        roundTripsPerSecond: 15_000.004,
        setUpMedianMilliseconds: 1.996,
        setUpP90Milliseconds: 3,
        bytesCorrect: true,
        echoCorrect: true
    )

    @Test("the JSON has its five keys in the documented order, figures to two decimals")
    func json() {
        let json = Self.report.json
        #expect(
            json.map { $0.key } == [
                "throughput_mb_per_s", "round_trips_per_s", "setup_ms_median", "setup_ms_p90", "correct",
            ]
        )
        #expect(json.map { $0.value as? Double }.prefix(4) == [812.35, 15_000, 2, 3])
        #expect(json[4].value as? Bool == true)
    }

    @Test("the table shows each figure against its target, and a wrong echo fails the run")
    func table() {
        let lines = Self.report.table.split(separator: "\n").map(String.init)
        #expect(lines[1] == "  throughput           812.35 MB/s      (target >= 200)")
        #expect(lines[3] == "  connection set-up    2.0 ms median, 3.0 ms p90 (target <= 5)")
        #expect(lines[4] == "  correctness          ok (bytes ok, echoes ok)")
        var wrong = Self.report
        wrong.echoCorrect = false
        #expect(!wrong.isCorrect)
        #expect(wrong.table.contains("correctness          FAILED (bytes ok, echoes wrong)"))
    }

    @Test("the stream checksum tells reordered bytes apart")
    func checksum() {
        var straight = Checksum()
        straight.add(ByteBuffer(bytes: [1, 2, 3]))
        var again = Checksum()
        again.add(ByteBuffer(bytes: [1]))
        again.add(ByteBuffer(bytes: [2, 3]))
        var reordered = Checksum()
        reordered.add(ByteBuffer(bytes: [2, 1, 3]))
        #expect(straight.value == again.value)
        #expect(straight.value != reordered.value)
        #expect(straight.value == "6-10")
    }
}
