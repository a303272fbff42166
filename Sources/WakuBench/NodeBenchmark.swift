internal import Foundation
internal import NodeEvents
internal import Synchronization
internal import WakuArchive
internal import WakuCore
internal import WakuNode

/// Two real nodes on loopback reconciling and transferring, and the idle cost of a node with
/// connected peers (`wakusync bench node`), in wall-clock time.
package struct NodeBenchmark {
    /// Messages per node.
    package var items: Int
    /// The fraction of each node's messages unique to it.
    package var differing: Double
    /// How long to watch the idle node; zero skips it.
    package var idleSeconds: Double
    /// Whether both archives are checkpointed after loading, as a node that has been running
    /// holds its messages in the database file rather than the WAL.
    package var checkpoint: Bool
    /// Whether to keep both nodes' events during the sync, with the time since it started.
    package var trace: Bool
    /// The arguments that make this executable run a headless node listening on 127.0.0.1 (port
    /// 0) and print its address first; the idle node's `--data-dir DIR` is appended.
    package var idleNodeArguments: [String]

    /// A run; the command line's defaults are the command's.
    package init(
        items: Int,
        differing: Double,
        idleSeconds: Double,
        checkpoint: Bool,
        trace: Bool,
        idleNodeArguments: [String]
    ) {
        self.items = items
        self.differing = differing
        self.idleSeconds = idleSeconds
        self.checkpoint = checkpoint
        self.trace = trace
        self.idleNodeArguments = idleNodeArguments
    }

    /// The sync, then the idle node; with the trace lines when ``trace`` is set.
    package func run() async throws -> (report: Report, trace: [String]) {
        try await ScratchDirectory.with(prefix: "wakusync-bench-node") { base in
            var (report, trace) = try await self.measureSync(base: base)
            if self.idleSeconds > 0 {
                report.idlePeers = 10
                report.idleSeconds = self.idleSeconds
                report.idleCPUPercent = try await self.measureIdle(base: base)
            }
            return (report, trace)
        }
    }

    private func measureSync(base: URL) async throws -> (Report, [String]) {
        let archives = try ["sync-a", "sync-b"].map { name in
            let directory = base.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try Archive(path: directory.appendingPathComponent("archive.sqlite3").path)
        }
        let first = try LoopbackNode.make("sync-a", in: base, archive: archives[0])
        let second = try LoopbackNode.make("sync-b", in: base, archive: archives[1])
        let unique = Int(Double(self.items) * self.differing)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let shared = Self.messages(self.items - unique, seed: 1, now: now)
        let onlyFirst = Self.messages(unique, seed: 2, now: now)
        let onlySecond = Self.messages(unique, seed: 3, now: now)
        let union = Set((shared + onlyFirst + onlySecond).map { $0.message.hash(pubsubTopic: $0.pubsubTopic) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            group.addTask { try await second.run() }
            defer {
                first.stop()
                second.stop()
            }
            try await first.waitUntilStarted()
            try await second.waitUntilStarted()
            await first.publish(shared + onlyFirst)
            await second.publish(shared + onlySecond)
            if self.checkpoint {
                for archive in archives { try await archive.checkpoint() }
            }
            let peer = try await first.connect(to: second.listenAddresses[0])
            let timeline = Timeline()
            if self.trace {
                for (name, node) in [("initiator", first), ("responder", second)] {
                    let events = node.events.subscribe()
                    group.addTask {
                        for await event in events {
                            let line = "\(name): \(String(describing: event).prefix(200))"
                            timeline.entries.withLock { $0.append((.now, line)) }
                        }
                    }
                }
            }
            let start = ContinuousClock.now
            guard let end = await first.syncNow(with: peer) else { throw BenchFailure("the session did not start") }
            let sessionEnded = ContinuousClock.now
            var converged = false
            var stored: [ContinuousClock.Instant?] = [nil, nil]
            while ContinuousClock.now - start < .seconds(60) {
                for (index, node) in [first, second].enumerated() where stored[index] == nil {
                    if await node.archiveSnapshot().messages == union.count { stored[index] = .now }
                }
                if stored.allSatisfy({ $0 != nil }) {
                    converged = true
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            let elapsed = ContinuousClock.now - start
            if converged {
                let firstHashes = Set(try await first.storedHashes())
                let secondHashes = Set(try await second.storedHashes())
                converged = firstHashes == union && secondHashes == union
            }
            first.stop()
            second.stop()
            try await group.waitForAll()
            var trace = self.trace ? ["start: \(start)"] : []
            for (instant, line) in timeline.entries.withLock({ $0 }) where instant >= start {
                trace.append(String(format: "%8.1f ms  ", (instant - start).milliseconds) + line)
            }
            let report = Report(
                items: self.items,
                differing: self.differing,
                differences: 2 * unique,
                syncWallSeconds: elapsed.seconds,
                sessionWallSeconds: (sessionEnded - start).seconds,
                storedWallSeconds: stored.map { (($0 ?? .now) - start).seconds },
                rounds: end.rounds,
                reconciliationBytes: end.bytesSent + end.bytesReceived,
                converged: converged,
                idlePeers: 0,
                idleSeconds: 0,
                idleCPUPercent: nil
            )
            return (report, trace)
        }
    }

    /// `count` messages of 64 random bytes plus their number, stamped within the hour before
    /// `now` (and at least a minute before it), on one pubsub topic.
    static func messages(_ count: Int, seed: UInt64, now: Int64) -> [TransferPayload] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { number in
            let payload =
                (0..<64).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                + withUnsafeBytes(of: number, Array.init)
            let timestamp = now - 60_000_000_000 - Int64(generator.next() % 3_000_000_000_000)
            return TransferPayload(
                pubsubTopic: "/waku/2/rs/0/0",
                message: WakuMessage(payload: payload, contentTopic: "/bench/1/node/proto", timestamp: timestamp)
            )
        }
    }
}

/// Events of the nodes under measurement, with when they arrived.
private final class Timeline: Sendable {
    let entries = Mutex<[(ContinuousClock.Instant, String)]>([])
}
