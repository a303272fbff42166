import Testing

@testable import WakuBench

@Suite("bench node, hash, index and ui tables")
struct ReportTableTests {
    static let node = NodeBenchmark.Report(
        items: 10_000,
        differing: 0.01,
        differences: 200,
        syncWallSeconds: 0.5,
        sessionWallSeconds: 0.25,
        storedWallSeconds: [0.4, 0.5],
        rounds: 3,
        reconciliationBytes: 9000,
        converged: true,
        idlePeers: 0,
        idleSeconds: 0,
        idleCPUPercent: nil
    )

    @Test("the node table has the idle line only when the idle node was watched")
    func node() {
        #expect(Self.node.table.split(separator: "\n").count == 3)
        #expect(Self.node.table.contains("converged: yes"))
        var idle = Self.node
        idle.idlePeers = 10
        idle.idleSeconds = 2
        idle.idleCPUPercent = 1.234
        let lines = idle.table.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.last == "  idle node with 10 peers: 1.23 % of one core over 2.0 s")
    }

    @Test("the hash figure is whole hashes per second")
    func hash() {
        let report = HashBenchmark.Report(payloadBytes: 100, messages: 10, hashesPerSecond: 1234.9)
        #expect(report.table == "message hash, 100-byte payloads: 1234 hashes/s (CPU time)")
    }

    @Test("hashing measures the count asked for at a positive rate")
    func hashRun() {
        let report = HashBenchmark.run(payloadSize: 16, count: 2000)
        #expect(report.messages == 2000)
        #expect(report.payloadBytes == 16)
        #expect(report.hashesPerSecond > 0)
    }

    @Test("the ui table lines up each frame size's costs")
    func ui() {
        let report = UIBenchmark.Report(
            frames: [UIBenchmark.FrameCost(size: "80×24", meanMs: 0.5, p99Ms: 1.25, maxMs: 2)],
            reducerNanosecondsPerEvent: 812.4,
            loop: UIBenchmark.LoopCost(
                size: "200×60",
                seconds: 1,
                eventsApplied: 1000,
                framesRendered: 10,
                meanFrameMs: 0.75,
                uiThreadCPUPercent: 1.5,
                processCPUPercent: 3.25
            )
        )
        let lines = report.table.split(separator: "\n").map(String.init)
        #expect(lines[1] == "size      mean ms  p99 ms  max ms")
        #expect(lines[2] == "80×24       0.500   1.250   2.000")
        #expect(lines[3] == "reducer: 812 ns per event")
        #expect(
            lines[4]
                == "loop at 200×60, 1 s: 1000 events, 10 frames (mean 0.750 ms): UI thread 1.50 % of one core, process 3.25 %"
        )
    }

    @Test("the ui workload is the same event stream for the same seed")
    func workload() {
        var one = UIWorkload(seed: 11)
        var other = UIWorkload(seed: 11)
        let now: Int64 = 1_700_000_000_000_000_000
        #expect(one.opening(at: now) == other.opening(at: now))
        for step in 0..<500 {
            let time = now + Int64(step) * 1_000_000
            #expect(one.next(at: time) == other.next(at: time))
        }
    }
}
