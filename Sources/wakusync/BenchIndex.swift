internal import ArgumentParser
internal import Foundation
internal import WakuCore
internal import WakuSync

/// `wakusync bench index`: SyncIndex operations at scale.
struct BenchIndex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Measure SyncIndex bulk load, memory, insert, remove and range fingerprints."
    )

    @Option(help: "Items in the index.")
    var items = 1_000_000

    @Flag(help: "Print JSON.")
    var json = false

    struct Report: Codable {
        var items: Int
        var bulkLoadSeconds: Double
        var bytesPerItem: Double
        var insertMicroseconds: Double
        var removeMicroseconds: Double
        var fingerprintMicroseconds: Double
        var countMicroseconds: Double
        var pruneTenPercentMilliseconds: Double
    }

    func run() async throws {
        var generator = SeededRandom(seed: 42)
        let start = SyncBenchmark.start
        let span = UInt64(SyncBenchmark.end - start)
        let topic = "/waku/2/rs/1/0"
        let content = "/bench/1/index/proto"
        var entries = (0..<self.items).map { _ in
            SyncIndex.Entry(
                id: SyncID(timestamp: start + Int64(generator.next() % span), hash: generator.nextHash()),
                pubsubTopic: topic,
                contentTopic: content
            )
        }
        entries.sort { $0.id < $1.id }
        let index = SyncIndex()
        let residentBefore = Measurement.residentBytes()
        let load = Measurement.cpuTime { index.load(sorted: entries) }
        let residentAfter = Measurement.residentBytes()

        let probes = 200_000
        let fresh = (0..<probes).map { _ in
            SyncID(timestamp: start + Int64(generator.next() % span), hash: generator.nextHash())
        }
        let insert = Measurement.cpuTime {
            for id in fresh { index.insert(id, pubsubTopic: topic, contentTopic: content) }
        }
        let remove = Measurement.cpuTime {
            for id in fresh { index.remove(id, pubsubTopic: topic) }
        }
        let scope = index.scope(pubsubTopics: [], contentTopics: [], matching: .strict)
        let intervals = (0..<probes).map { _ in
            let a = start + Int64(generator.next() % span)
            let b = start + Int64(generator.next() % span)
            return SyncInterval.halfOpen(.bound(min(a, b)), .bound(max(a, b)))
        }
        var sink = Fingerprint.zero
        let fingerprint = Measurement.cpuTime {
            for interval in intervals { sink ^= scope.fingerprint(interval) }
        }
        var total = 0
        let count = Measurement.cpuTime {
            for interval in intervals { total &+= scope.count(interval) }
        }
        let prune = Measurement.cpuTime { index.prune(olderThan: start + Int64(span / 10)) }
        precondition(total >= 0 && sink != .max, "keeps the measured loops alive")

        let report = Report(
            items: self.items,
            bulkLoadSeconds: Measurement.milliseconds(load) / 1e3,
            bytesPerItem: Double(residentAfter - residentBefore) / Double(max(self.items, 1)),
            insertMicroseconds: Measurement.microseconds(insert) / Double(probes),
            removeMicroseconds: Measurement.microseconds(remove) / Double(probes),
            fingerprintMicroseconds: Measurement.microseconds(fingerprint) / Double(probes),
            countMicroseconds: Measurement.microseconds(count) / Double(probes),
            pruneTenPercentMilliseconds: Measurement.milliseconds(prune)
        )
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print(
                """
                SyncIndex with \(report.items) items (one pubsub topic; CPU time)
                  bulk load            \(String(format: "%.3f", report.bulkLoadSeconds)) s
                  memory               \(String(format: "%.1f", report.bytesPerItem)) bytes per item (resident set growth)
                  insert               \(String(format: "%.2f", report.insertMicroseconds)) µs
                  remove               \(String(format: "%.2f", report.removeMicroseconds)) µs
                  fingerprint (range)  \(String(format: "%.2f", report.fingerprintMicroseconds)) µs
                  count (range)        \(String(format: "%.2f", report.countMicroseconds)) µs
                  prune oldest 10 %    \(String(format: "%.1f", report.pruneTenPercentMilliseconds)) ms
                """
            )
        }
    }
}
