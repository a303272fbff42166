internal import Foundation
internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuNode

/// Two archives on disk holding days of traffic, a few messages apart, audited and repaired by
/// two real nodes on loopback (`wakusync bench audit`, PERFORMANCE.md §8); then the Store-query
/// fallback's cost per day against the same node serving Store only, and what keeping the
/// buckets costs an insert.
package struct AuditBenchmark {
    /// Days of traffic in each archive.
    package var days: Double
    /// Messages per second of that traffic.
    package var rate: Double
    /// The fraction of messages each archive holds that the other lacks.
    package var missing: Double
    /// Payload bytes per message.
    package var payloadBytes: Int
    /// Hours audited with Store queries (0 skips the fallback).
    package var storeHours: Double
    /// Messages inserted with and without buckets to measure their cost (0 skips it).
    package var overheadMessages: Int

    package init(
        days: Double,
        rate: Double,
        missing: Double,
        payloadBytes: Int,
        storeHours: Double,
        overheadMessages: Int
    ) {
        self.days = days
        self.rate = rate
        self.missing = missing
        self.payloadBytes = payloadBytes
        self.storeHours = storeHours
        self.overheadMessages = overheadMessages
    }

    static let pubsubTopic = "/waku/2/rs/0/0"
    static let batch = 10_000

    /// Fills the archives, audits, repairs, checks the union, then the fallback and the overhead.
    package func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Report {
        try await ScratchDirectory.with(prefix: "wakusync-bench-audit") { base in
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let end = AuditLevel.minute.bucketStart(of: now) - 3_600_000_000_000
            let count = Int(self.days * 86_400 * self.rate)
            let start = end - Int64(Double(count) / self.rate * 1e9)
            let unique = max(1, Int(Double(count) * self.missing))
            var report = Report(days: self.days, rate: self.rate, messages: count, uniqueEachSide: unique)
            let fillStarted = ContinuousClock.now
            let paths = try await self.fill(base, count: count, unique: unique, span: start..<end, progress: progress)
            report.fillSeconds = (ContinuousClock.now - fillStarted).seconds
            progress("filled two archives of \(count + unique) messages in \(Int(report.fillSeconds)) s")
            try await self.audit(paths, span: start..<end, into: &report)
            if self.storeHours > 0 {
                try await self.storeFallback(paths, end: end, into: &report)
            }
            if self.overheadMessages > 0 {
                report.overhead = try await Self.overhead(
                    base,
                    messages: self.overheadMessages,
                    payload: self.payloadBytes
                )
            }
            return report
        }
    }

    /// The shared traffic goes into the first archive, which is copied; then each gets its own
    /// unique messages.
    private func fill(
        _ base: URL,
        count: Int,
        unique: Int,
        span: Range<Int64>,
        progress: @Sendable (String) -> Void
    ) async throws -> [String] {
        let paths = ["a", "b"].map { base.appendingPathComponent("archive-\($0).sqlite3").path }
        let first = try Archive(path: paths[0])
        let interval = Double(span.upperBound - span.lowerBound) / Double(max(1, count))
        var generator = SeededRandom(seed: 7)
        for batchStart in stride(from: 0, to: count, by: Self.batch) {
            let batch = (batchStart..<min(count, batchStart + Self.batch)).map { index in
                self.message(index, at: span.lowerBound + Int64(Double(index) * interval), &generator)
            }
            _ = try await first.insert(batch)
            if batchStart % 1_000_000 == 0 && batchStart > 0 { progress("filled \(batchStart) messages") }
        }
        try await first.checkpoint()
        try first.close()
        try FileManager.default.copyItem(atPath: paths[0], toPath: paths[1])
        for (side, path) in paths.enumerated() {
            let archive = try Archive(path: path)
            var random = SeededRandom(seed: UInt64(100 + side))
            let extra = (0..<unique).map { index in
                let timestamp = span.lowerBound + Int64(random.next() % UInt64(span.upperBound - span.lowerBound))
                return self.message(count + side * unique + index, at: timestamp, &random)
            }
            _ = try await archive.insert(extra)
            try await archive.checkpoint()
            try archive.close()
        }
        return paths
    }

    private func message(_ number: Int, at timestamp: Int64, _ generator: inout SeededRandom) -> ArchivedMessage {
        let payload =
            (0..<max(0, self.payloadBytes - 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            + withUnsafeBytes(of: number, Array.init)
        let message = WakuMessage(payload: payload, contentTopic: "/bench/1/audit/proto", timestamp: timestamp)
        return ArchivedMessage(pubsubTopic: Self.pubsubTopic, message: message, source: .relay)
    }

    /// Two nodes on the archives; the first audits the second with repair, then again without.
    private func audit(_ paths: [String], span: Range<Int64>, into report: inout Report) async throws {
        let result = try await Self.withNodes(paths, servesAudit: true) { first, _, peer in
            let started = ContinuousClock.now
            let repaired = await first.audit(
                peer,
                plan: AuditPlan(from: span.lowerBound, to: span.upperBound, repair: true)
            )
            let wall = ContinuousClock.now - started
            let again = await first.audit(peer, plan: AuditPlan(from: span.lowerBound, to: span.upperBound))
            return (repaired, wall, again)
        }
        let (repaired, wall, again) = result
        report.auditWallSeconds = wall.seconds
        report.roundTrips = repaired.roundTrips
        report.bytes = repaired.bytesSent + repaired.bytesReceived
        report.foundHere = repaired.missingHereCount
        report.foundThere = repaired.missingThereCount
        report.outcome = repaired.outcome.rawValue
        report.fetched = repaired.repair?.stored ?? 0
        report.pushed = repaired.repair?.acceptedByPeer ?? 0
        report.consistentAfter = again.outcome == .consistent
        report.secondAuditRoundTrips = again.roundTrips
        report.secondAuditBytes = again.bytesSent + again.bytesReceived
    }

    /// The first node audits the last `storeHours` against the second serving Store only.
    private func storeFallback(_ paths: [String], end: Int64, into report: inout Report) async throws {
        let from = end - Int64(self.storeHours * 3_600e9)
        let fallback = try await Self.withNodes(paths, servesAudit: false) { first, _, peer in
            let started = ContinuousClock.now
            let audit = await first.audit(peer, plan: AuditPlan(from: from, to: end, maxQueries: 1_000_000))
            return (audit, ContinuousClock.now - started)
        }
        let perDay = 24 / self.storeHours
        report.store = StoreFigures(
            hours: self.storeHours,
            queries: fallback.0.roundTrips,
            bytes: fallback.0.bytesSent + fallback.0.bytesReceived,
            seconds: fallback.1.seconds,
            outcome: fallback.0.outcome.rawValue,
            queriesPerDay: Double(fallback.0.roundTrips) * perDay,
            secondsPerDay: fallback.1.seconds * perDay
        )
    }

    /// Runs two loopback nodes on `paths` (the first dialling the second) around `body`.
    private static func withNodes<T: Sendable>(
        _ paths: [String],
        servesAudit: Bool,
        _ body: @Sendable (WakuNode, WakuNode, PeerID) async throws -> T
    ) async throws -> T {
        let base = URL(fileURLWithPath: paths[0]).deletingLastPathComponent()
        let archives = try paths.map { try Archive(path: $0) }
        let first = try LoopbackNode.make("audit-a-\(servesAudit)", in: base, archive: archives[0])
        let second = try LoopbackNode.make(
            "audit-b-\(servesAudit)",
            in: base,
            archive: archives[1],
            servesAudit: servesAudit
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            group.addTask { try await second.run() }
            defer {
                first.stop()
                second.stop()
            }
            try await first.waitUntilStarted()
            try await second.waitUntilStarted()
            let peer = try await first.connect(to: second.listenAddresses[0])
            let result = try await body(first, second, peer)
            first.stop()
            second.stop()
            try await group.waitForAll()
            return result
        }
    }
}
