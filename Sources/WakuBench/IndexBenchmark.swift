internal import Foundation
internal import WakuCore
internal import WakuSync

/// `SyncIndex` operations at scale (`wakusync bench index`): bulk load, memory, insert, remove,
/// range fingerprints and counts, pruning, in CPU time.
package enum IndexBenchmark {
    /// The figures of one run.
    package struct Report: Codable {
        var items: Int
        var bulkLoadSeconds: Double
        var bytesPerItem: Double
        var insertMicroseconds: Double
        var removeMicroseconds: Double
        var fingerprintMicroseconds: Double
        var countMicroseconds: Double
        var pruneTenPercentMilliseconds: Double

        /// The figures as lines of text.
        package var table: String {
            """
            SyncIndex with \(self.items) items (one pubsub topic; CPU time)
              bulk load            \(String(format: "%.3f", self.bulkLoadSeconds)) s
              memory               \(String(format: "%.1f", self.bytesPerItem)) bytes per item (resident set growth)
              insert               \(String(format: "%.2f", self.insertMicroseconds)) µs
              remove               \(String(format: "%.2f", self.removeMicroseconds)) µs
              fingerprint (range)  \(String(format: "%.2f", self.fingerprintMicroseconds)) µs
              count (range)        \(String(format: "%.2f", self.countMicroseconds)) µs
              prune oldest 10 %    \(String(format: "%.1f", self.pruneTenPercentMilliseconds)) ms
            """
        }
    }

    /// Loads an index of `items` random items, then times 200 000 of each operation on it.
    package static func run(items: Int) -> Report {
        var generator = SeededRandom(seed: 42)
        let start = SyncBenchmark.start
        let span = UInt64(SyncBenchmark.end - start)
        let topic = "/waku/2/rs/1/0"
        let content = "/bench/1/index/proto"
        var entries = (0..<items).map { _ in
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

        return Report(
            items: items,
            bulkLoadSeconds: load.seconds,
            bytesPerItem: Double(residentAfter - residentBefore) / Double(max(items, 1)),
            insertMicroseconds: insert.microseconds / Double(probes),
            removeMicroseconds: remove.microseconds / Double(probes),
            fingerprintMicroseconds: fingerprint.microseconds / Double(probes),
            countMicroseconds: count.microseconds / Double(probes),
            pruneTenPercentMilliseconds: prune.milliseconds
        )
    }
}
