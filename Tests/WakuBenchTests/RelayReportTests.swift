import Testing

@testable import WakuBench

@Suite("bench relay figures")
struct RelayReportTests {
    static let settings = RelayBenchmark(messages: 100, payloadSize: 1024, rate: nil, window: 256, stallSeconds: 5)

    @Test("deliveries give throughput, CPU per message, percentiles and the targets met")
    func figures() {
        let latencies = SortedSamples((1...98).map(Double.init))
        let report = RelayBenchmark.Report(
            settings: Self.settings,
            published: 100,
            latencies: latencies,
            seconds: 0.0098,
            cpuSeconds: 0.00049
        )
        #expect(report.delivered == 98)
        #expect(report.lost == 2)
        #expect(abs(report.messagesPerSecond - 10_000) < 1e-6)
        #expect(abs(report.cpuMicrosecondsPerMessage - 5) < 1e-9)
        #expect(abs(report.cpuMicrosecondsPerMessagePerNode - 5.0 / 3) < 1e-9)
        #expect(report.latencyP50Milliseconds == 49)
        #expect(report.latencyP99Milliseconds == 98)
        #expect(report.latencyMaxMilliseconds == 98)
        #expect(report.meetsMessagesPerSecond)
        #expect(report.meetsCPUPerMessage)
    }

    @Test("with nothing delivered the CPU per message is infinite and there is no latency")
    func nothingDelivered() {
        let report = RelayBenchmark.Report(
            settings: Self.settings,
            published: 100,
            latencies: SortedSamples([]),
            seconds: 5,
            cpuSeconds: 1
        )
        #expect(report.lost == 100)
        #expect(report.cpuMicrosecondsPerMessage == .infinity)
        #expect(report.latencyP50Milliseconds.isNaN)
        #expect(!report.meetsCPUPerMessage)
        #expect(!report.meetsMessagesPerSecond)
    }

    @Test("the CPU target is per node: a third of the whole line's CPU")
    func targetPerNode() {
        let perNode = { (cpuSeconds: Double) in
            RelayBenchmark.Report(
                settings: Self.settings,
                published: 100,
                latencies: SortedSamples((1...100).map(Double.init)),
                seconds: 0.01,
                cpuSeconds: cpuSeconds
            )
        }
        // 100 messages: 149 µs for the line is 49.7 µs per node; 151 µs is 50.3 µs.
        #expect(perNode(0.0149).meetsCPUPerMessage)
        #expect(!perNode(0.0151).meetsCPUPerMessage)
    }

    @Test("the table states the run, then each figure against its target")
    func table() {
        let report = RelayBenchmark.Report(
            settings: Self.settings,
            published: 100,
            latencies: SortedSamples([2, 1, 3]),
            seconds: 1,
            cpuSeconds: 0.5
        )
        let lines = report.table.split(separator: "\n").map(String.init)
        #expect(lines.count == 9)
        #expect(
            lines[0].hasPrefix(
                "relay line A–B–C on loopback: 100 messages of 1024 B published at A (as fast as possible"
            )
        )
        #expect(lines[1] == "scenario                          measured              target        ok")
        #expect(lines[2] == "forwarded through the line        3 msgs/s              >= 5000       NO")
        #expect(lines[5] == "latency A→C p50                   2.00 ms                             ")
        #expect(lines[3] == "CPU per message per node          55555.6 µs            <= 50         NO")
        #expect(lines[4] == "CPU per message, whole line       166666.7 µs                         ")
        #expect(lines[8] == "  process CPU 0.500 s for the whole line (three nodes and the bench; per node = a third)")
    }
}
