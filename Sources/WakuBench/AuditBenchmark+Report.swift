internal import Foundation
internal import WakuArchive
internal import WakuCore

extension AuditBenchmark {
    /// The figures of one run.
    package struct Report: Codable {
        var days: Double
        var rate: Double
        /// Shared messages, and messages only one side holds (each side).
        var messages: Int
        var uniqueEachSide: Int
        var fillSeconds = 0.0
        /// The audit with repair, from the first request to the last push answered.
        var auditWallSeconds = 0.0
        var roundTrips = 0
        var bytes = 0
        var foundHere = 0
        var foundThere = 0
        var outcome = ""
        var fetched = 0
        var pushed = 0
        /// A second audit after the repair found the archives equal, in how many round trips and
        /// bytes.
        var consistentAfter = false
        var secondAuditRoundTrips = 0
        var secondAuditBytes = 0
        var store: StoreFigures?
        var overhead: Overhead?

        init(days: Double, rate: Double, messages: Int, uniqueEachSide: Int) {
            self.days = days
            self.rate = rate
            self.messages = messages
            self.uniqueEachSide = uniqueEachSide
        }

        /// Whether every difference was found and repaired.
        var isComplete: Bool {
            self.foundHere == self.uniqueEachSide && self.foundThere == self.uniqueEachSide
                && self.fetched == self.uniqueEachSide && self.pushed == self.uniqueEachSide && self.consistentAfter
        }

        package var table: String {
            var lines = [
                String(
                    format: "two archives of %.1f days at %.0f msgs/s: %d shared messages, %d unique to each side",
                    self.days,
                    self.rate,
                    self.messages,
                    self.uniqueEachSide
                ),
                String(format: "  fill (not measured below): %.0f s", self.fillSeconds),
                String(
                    format: "  audit + repair: %.2f s wall, %d round trips, %d bytes on the wire",
                    self.auditWallSeconds,
                    self.roundTrips,
                    self.bytes
                ),
                "  found: we lacked \(self.foundHere), the peer lacked \(self.foundThere); fetched and stored "
                    + "\(self.fetched), pushed and stored by the peer \(self.pushed); outcome \(self.outcome)",
                "  audit after the repair: \(self.consistentAfter ? "consistent" : "NOT consistent") in "
                    + "\(self.secondAuditRoundTrips) round trip(s), \(self.secondAuditBytes) bytes",
                "  every difference found and repaired: \(self.isComplete ? "yes" : "NO")",
            ]
            if let store = self.store {
                lines.append(
                    String(
                        format:
                            "  Store-query fallback over %.1f h: %d queries, %d bytes, %.2f s (%@); per day: %.0f queries, %.0f s",
                        store.hours,
                        store.queries,
                        store.bytes,
                        store.seconds,
                        store.outcome,
                        store.queriesPerDay,
                        store.secondsPerDay
                    )
                )
            }
            if let overhead = self.overhead {
                lines.append(
                    String(
                        format:
                            "  ingest of %d messages in batches of 1000: %.0f msgs/s with buckets, %.0f without (%+.1f %%)",
                        overhead.messages,
                        overhead.withBuckets,
                        overhead.withoutBuckets,
                        (overhead.withoutBuckets / overhead.withBuckets - 1) * 100
                    )
                )
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The Store-query fallback against the same node.
    struct StoreFigures: Codable {
        var hours: Double
        var queries: Int
        var bytes: Int
        var seconds: Double
        var outcome: String
        var queriesPerDay: Double
        var secondsPerDay: Double
    }

    /// Insert rates with and without the buckets.
    struct Overhead: Codable {
        var messages: Int
        var withBuckets: Double
        var withoutBuckets: Double
    }

    /// Inserts `messages` messages in batches of 1000, the node's batch size, into a fresh archive
    /// with buckets and into one without, three rounds alternating; the best rate of each.
    static func overhead(_ base: URL, messages: Int, payload: Int) async throws -> Overhead {
        var best = [false: 0.0, true: 0.0]
        let spacing: Int64 = 100_000_000
        let start = Int64(Date().timeIntervalSince1970 * 1e9) - Int64(messages) * spacing
        for round in 0..<3 {
            for keeps in [true, false] {
                let path = base.appendingPathComponent("overhead-\(round)-\(keeps).sqlite3").path
                let archive = try Archive(path: path, keepsAuditBuckets: keeps)
                var generator = SeededRandom(seed: UInt64(round))
                let started = ContinuousClock.now
                for batchStart in stride(from: 0, to: messages, by: 1_000) {
                    let batch = (batchStart..<min(messages, batchStart + 1_000)).map { index in
                        let bytes =
                            (0..<max(0, payload - 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                            + withUnsafeBytes(of: index, Array.init)
                        let message = WakuMessage(
                            payload: bytes,
                            contentTopic: "/bench/1/audit/proto",
                            timestamp: start + Int64(index) * spacing
                        )
                        return ArchivedMessage(
                            pubsubTopic: AuditBenchmark.pubsubTopic,
                            message: message,
                            source: .relay
                        )
                    }
                    _ = try await archive.insert(batch)
                }
                let rate = Double(messages) / (ContinuousClock.now - started).seconds
                best[keeps] = max(best[keeps] ?? 0, rate)
                try archive.close()
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return Overhead(messages: messages, withBuckets: best[true] ?? 0, withoutBuckets: best[false] ?? 0)
    }
}
