import Foundation
import Testing
import WakuCore
import WakuSync

@testable import WakuBench

@Suite("bench sync")
struct SyncBenchmarkTests {
    static let result = SyncBenchmark.Result(
        items: 10_000,
        differing: 0.001,
        strategy: "nwaku",
        roundTrips: 3,
        bytesInitiatorToResponder: 1234,
        bytesResponderToInitiator: 5678,
        bytesTotal: 6912,
        cpuMsInitiator: 1.24,
        cpuMsResponder: 2.5,
        cpuMsTotal: 3.74,
        peakMemoryBytes: 50 * 1_048_576 + 17,
        largestFrameBytes: 4096,
        mostRangesInFrame: 32,
        mostItemsInFrame: 20,
        correct: true
    )

    @Test("a small scenario finds exactly the items unique to each side")
    func smallScenario() {
        let scenario = SyncBenchmark.Scenario(items: 2000, differing: 0.01, strategy: .balanced)
        let (result, transcript) = SyncBenchmark.run(scenario, seed: 5)
        #expect(result.correct)
        #expect(result.roundTrips >= 1)
        #expect(result.bytesTotal == result.bytesInitiatorToResponder + result.bytesResponderToInitiator)
        #expect(result.cpuMsTotal == result.cpuMsInitiator + result.cpuMsResponder)
        #expect(transcript.failure == nil)
    }

    @Test("two ascending lists are merged into one index holding both")
    func merge() {
        var random = SeededRandom(seed: 3)
        let ids = (0..<100).map { _ in SyncID(timestamp: Int64(random.next() % 1000), hash: random.nextHash()) }
        let left = ids[..<60].sorted()
        let right = ids[60...].sorted()
        let index = SyncBenchmark.index(merging: left, right)
        let scope = index.scope(pubsubTopics: [], contentTopics: [], matching: .strict)
        #expect(scope.count(.halfOpen(.bound(0), .bound(1000))) == 100)
    }

    @Test("the table has one aligned line per scenario under the header")
    func table() {
        let lines = SyncBenchmark.Report(scenarios: [Self.result]).table.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("items      differing  strategy  round trips"))
        #expect(
            lines[1]
                == "10000      0.1 %      nwaku     3            1234         5678         6912         "
                + "1.2       2.5       3.7     50        4096       32          20         yes    "
        )
    }

    @Test("a report survives JSON both ways, as the matrix reads each child's")
    func json() throws {
        let report = SyncBenchmark.Report(scenarios: [Self.result])
        let decoded = try JSONDecoder().decode(SyncBenchmark.Report.self, from: JSONEncoder().encode(report))
        #expect(decoded.scenarios.count == 1)
        #expect(decoded.scenarios[0].bytesTotal == 6912)
        #expect(decoded.scenarios[0].correct)
    }

    @Test("the matrix is 3 sizes × 3 fractions × both strategies")
    func matrix() {
        #expect(SyncBenchmark.matrix.count == 18)
        #expect(Set(SyncBenchmark.matrix.map(\.items)) == [10_000, 100_000, 1_000_000])
        #expect(SyncBenchmark.matrix.first?.description == "10000 items, 0.0 % differing, balanced")
    }
}
