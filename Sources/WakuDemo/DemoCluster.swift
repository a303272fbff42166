internal import Foundation
package import Logging
package import WakuArchive
internal import NodeEvents
package import WakuCore
package import WakuNode

/// N real nodes on loopback, each with its own archive in a temporary directory, all connected
/// to each other and meshed by Waku Relay, and a traffic generator that publishes each message
/// through relay at a random node while every relay link drops deliveries at the configured loss.
package actor DemoCluster {
    package let configuration: DemoConfiguration
    /// The nodes as first started, `node-1` … `node-N` (what the monitor watches).
    package nonisolated let initialNodes: [WakuNode]
    /// The running instance of each node (a churned node is a new instance on the same data).
    package private(set) var nodes: [WakuNode]
    private var nodeConfigurations: [NodeConfiguration] = []
    private let logger: Logger
    private var restarting: Set<Int> = []
    private var stopping = false
    private var churnEnded = false
    /// Nodes restarted by churn so far.
    package private(set) var restarts = 0
    private let directory: URL
    private var generator: SeededRandom
    /// Opens node `number`'s archive, or says nil for the SQLite file in its data directory.
    private let openArchive: ArchiveOpener
    /// Hashes delivered to at least one node: what every node must end up holding.
    package private(set) var union = Set<MessageHash>()
    package private(set) var published = 0
    /// Publishes relay refused (no peer on the topic yet, e.g. while the meshes form or every
    /// other node is down): the message stays with its publisher, and sync spreads it.
    package private(set) var relayPublishFailures = 0
    /// Relay deliveries the lossy links dropped, over every node.
    package let links: LossyLinks
    /// Messages each node slot stored, by source (`relay`, `publish`, `sync`, `fetch`, …).
    private var stored: [Int: [String: Int]] = [:]

    /// Opens the archive of demo node `number` (1-based), or returns nil to use the SQLite file in
    /// its data directory.
    package typealias ArchiveOpener = @Sendable (_ number: Int) async throws -> (any MessageArchive)?

    /// Creates the nodes (not yet running) under a fresh temporary directory.
    package init(
        configuration: DemoConfiguration,
        logger: Logger,
        openArchive: @escaping ArchiveOpener = { _ in nil }
    ) async throws {
        self.configuration = configuration
        self.openArchive = openArchive
        self.logger = logger
        self.generator = SeededRandom(seed: configuration.seed)
        self.links = LossyLinks(loss: configuration.loss, seed: configuration.seed)
        self.directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "wakusync-demo-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        var nodes: [WakuNode] = []
        var configurations: [NodeConfiguration] = []
        for number in 1...max(1, configuration.nodes) {
            var node = NodeConfiguration(
                name: "node-\(number)",
                dataDirectory: self.directory.appendingPathComponent("node-\(number)").path,
                agentVersion: "wakusync/demo"
            )
            node.listenAddresses = ["/ip4/127.0.0.1/tcp/0"]
            node.clusterID = configuration.clusterID
            node.shards = [configuration.shard]
            node.syncInterval = configuration.syncInterval
            node.syncRange = configuration.syncRange
            node.syncJitter = configuration.syncJitter
            node.fetchGrace = .seconds(2)
            // Demo archives are small, and five nodes share one process.
            node.archiveCacheMiB = 8
            node.relay = true
            node.relayDeliveryFilter = self.links.filter(into: number)
            configurations.append(node)
            nodes.append(
                try Self.makeNode(node, number: number, archive: try await openArchive(number), logger: logger)
            )
        }
        self.nodes = nodes
        self.initialNodes = nodes
        self.nodeConfigurations = configurations
    }

    private static func makeNode(
        _ configuration: NodeConfiguration,
        number: Int,
        archive: (any MessageArchive)?,
        logger: Logger
    ) throws -> WakuNode {
        var nodeLogger = logger
        nodeLogger[metadataKey: "waku.node"] = "\(number)"
        return try WakuNode(configuration: configuration, archive: archive, logger: nodeLogger)
    }

    /// Runs every node until `body` returns; connects them all to each other first. Removes the
    /// temporary directory at the end.
    package func run<T: Sendable>(_ body: @Sendable (DemoCluster) async throws -> T) async throws -> T {
        defer { try? FileManager.default.removeItem(at: self.directory) }
        let nodes = self.nodes
        var result: T?
        try await withThrowingDiscardingTaskGroup { group in
            for slot in nodes.indices { group.addTask { try await self.runSlot(slot) } }
            do {
                for node in nodes { try await node.waitUntilStarted() }
                let addresses = nodes.map { $0.listenAddresses.first ?? "" }
                for (index, node) in nodes.enumerated() {
                    let peers = addresses.enumerated().filter { $0.offset > index }.map(\.element)
                    for address in peers { node.send(.addPeer(multiaddr: address)) }
                    // A churned node comes back on the same port and key and dials the same peers.
                    self.nodeConfigurations[index].staticPeers = peers
                }
                try await self.waitForMeshes()
                result = try await body(self)
            } catch {
                self.stopAll()
                throw error
            }
            self.stopAll()
        }
        guard let result else { throw CancellationError() }
        return result
    }

    /// Runs one node slot: the node, and after each churn restart a new instance on the same
    /// data directory, key and port, until the cluster stops.
    private func runSlot(_ slot: Int) async throws {
        while true {
            let node = self.nodes[slot]
            let events = node.events.subscribe(buffering: 1024)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.tally(events, slot: slot) }
                try await node.run()
                group.cancelAll()
            }
            guard !self.stopping, self.restarting.contains(slot) else { return }
            // Down for a while: what is published meanwhile does not reach it.
            try await Task.sleep(for: .seconds(2))
            var configuration = self.nodeConfigurations[slot]
            if let address = node.listenAddresses.first,
                let port = address.split(separator: "/").drop(while: { $0 != "tcp" }).dropFirst().first
            {
                configuration.listenAddresses = ["/ip4/127.0.0.1/tcp/\(port)"]
            }
            self.nodes[slot] = try Self.makeNode(
                configuration,
                number: slot + 1,
                archive: try await self.openArchive(slot + 1),
                logger: self.logger
            )
            self.restarting.remove(slot)
            self.restarts += 1
        }
    }

    /// Counts what node `slot` stores by the way it came, until its events end.
    private func tally(_ events: AsyncStream<NodeEvent>, slot: Int) async {
        for await event in events {
            guard case .stored(let batch) = event, batch.inserted > 0 else { continue }
            self.stored[slot, default: [:]][batch.source.rawValue, default: 0] += batch.inserted
        }
    }

    /// Restarts a random node every `interval` (soak churn) until cancelled or ``endChurn()``.
    /// Nodes go in random rounds, each node once per round, so every node (the first, which only
    /// dials, and the last, which is only dialled, included) goes down and must catch up.
    package func churn(every interval: Duration) async {
        var round: [Int] = []
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            guard !self.stopping, !self.churnEnded else { return }
            if round.isEmpty { round = self.nodes.indices.shuffled(using: &self.generator) }
            let slot = round.removeLast()
            guard !self.restarting.contains(slot) else { continue }
            self.restarting.insert(slot)
            self.nodes[slot].stop()
        }
    }

    /// Stops restarting nodes and waits until every restart in progress is done.
    package func endChurn() async {
        self.churnEnded = true
        while !self.restarting.isEmpty {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for node in self.nodes { try? await node.waitUntilStarted() }
    }

    private func stopAll() {
        self.stopping = true
        for node in self.nodes { node.stop() }
    }

    /// Waits until every node has a relay peer on the demo's topic for each other node, so the
    /// first messages are not published into an empty mesh (at most 10 s; sync repairs the rest).
    private func waitForMeshes() async throws {
        let topic = self.configuration.pubsubTopic
        let others = self.nodes.count - 1
        guard others > 0 else { return }
        let deadline = ContinuousClock.now + .seconds(10)
        // Polled: the router announces no subscription changes.
        for node in self.nodes {
            while node.relayPeers(subscribedTo: topic).count < others, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Publishes `count` messages now, each through relay at a random running node, which also
    /// keeps it (it originated there); the lossy links decide who else gets it.
    package func publish(_ count: Int, at now: Int64) async {
        let running = self.nodes.indices.filter { !self.restarting.contains($0) }
        var batches = Array(repeating: [TransferPayload](), count: self.nodes.count)
        for _ in 0..<count {
            let payload = self.makeMessage(at: now)
            self.published += 1
            // A message published while every node is down reaches nobody, as with real relay.
            guard !running.isEmpty else { continue }
            batches[running[Int(self.generator.next() % UInt64(running.count))]].append(payload)
            self.union.insert(payload.message.hash(pubsubTopic: payload.pubsubTopic))
        }
        // One write per publishing node, then the messages go out through its relay.
        for (node, batch) in zip(self.nodes, batches) where !batch.isEmpty {
            await node.publish(batch)
            for payload in batch {
                do {
                    _ = try await node.relayPublish(payload.message, on: payload.pubsubTopic)
                } catch {
                    self.relayPublishFailures += 1
                }
            }
        }
    }

    /// Publishes at the configured rate until cancelled (or `duration` passes).
    package func generateTraffic(for duration: Duration? = nil) async {
        let tick = Duration.milliseconds(200)
        let perTick = self.configuration.rate * 0.2
        var carried = 0.0
        let end = duration.map { ContinuousClock.now + $0 }
        while !Task.isCancelled {
            if let end, ContinuousClock.now >= end { return }
            carried += perTick
            let count = Int(carried)
            carried -= Double(count)
            if count > 0 { await self.publish(count, at: Self.wallClock()) }
            do { try await Task.sleep(for: tick) } catch { return }
        }
    }

    /// How many messages each node's archive holds: cheap enough to poll for convergence (a demo
    /// node only stores messages that reached some node, so it has converged when this equals the
    /// union's size; ``report(timeToConsistency:)`` checks the hashes themselves).
    package func holdings() async throws -> [Int] {
        var counts: [Int] = []
        for node in self.nodes { counts.append(try await node.storedCount()) }
        return counts
    }

    /// The report `wakusync demo --headless --json` prints. Compares each archive's hashes with
    /// the union, one node at a time, so memory holds one node's hash list, not all of them.
    package func report(timeToConsistency: Duration?) async throws -> DemoReport {
        var entries: [DemoReport.Node] = []
        var missing: [String: Int] = [:]
        var foreign = 0
        for (number, node) in self.nodes.enumerated() {
            let name = "node-\(number + 1)"
            let stored = try await node.storedHashes()
            let known = stored.count(where: self.union.contains)
            foreign += stored.count - known
            entries.append(
                DemoReport.Node(
                    name: name,
                    peerId: node.peerID,
                    messages: stored.count,
                    storedBySource: self.stored[number] ?? [:]
                )
            )
            missing[name] = self.union.count - known
        }
        return DemoReport(
            nodes: entries,
            published: self.published,
            union: self.union.count,
            missing: missing,
            // A message no node was given (a wrong hash) would be a bug; it fails convergence too.
            converged: foreign == 0 && missing.values.allSatisfy { $0 == 0 },
            // NaN when it did not converge: the JSON then says null, as the documented shape keeps
            // the key in every report.
            timeToConsistencySeconds: timeToConsistency.map {
                Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
            } ?? .nan,
            relay: DemoReport.Relay(
                publishFailures: self.relayPublishFailures,
                linkDrops: self.links.dropped
            )
        )
    }

    private func makeMessage(at now: Int64) -> TransferPayload {
        let topics = self.configuration.contentTopics
        let topic = topics[Int(self.generator.next() % UInt64(topics.count))]
        let size = 40 + Int(self.generator.next() % 200)
        let payload = (0..<size).map { _ in UInt8(truncatingIfNeeded: self.generator.next()) }
        return TransferPayload(
            pubsubTopic: self.configuration.pubsubTopic,
            message: WakuMessage(
                payload: payload,
                contentTopic: topic,
                timestamp: now + Int64(self.generator.next() % 1000)
            )
        )
    }

    /// Wall-clock nanoseconds.
    package static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}

/// What `wakusync demo --headless --json` prints.
package struct DemoReport: Codable, Sendable {
    package struct Node: Codable, Sendable {
        package var name: String
        package var peerId: String
        package var messages: Int
        /// Messages it stored, by the way they came: `publish` (its own traffic), `relay`, and
        /// what Store Sync repaired (`sync` pushes, `fetch`); over restarts in a soak.
        package var storedBySource: [String: Int]
    }

    package var nodes: [Node]
    package var published: Int
    package var union: Int
    package var missing: [String: Int]
    package var converged: Bool
    package var timeToConsistencySeconds: Double
    /// What relay did with the traffic.
    package var relay: Relay
    /// Only in soak runs (with churn).
    package var soak: Soak?

    /// Relay's share: every message is published through relay at one node.
    package struct Relay: Codable, Sendable {
        /// Publishes relay refused (no peer subscribed yet); sync spreads those messages.
        package var publishFailures: Int
        /// Deliveries the lossy links dropped (first copies, forwards and IWANT answers alike).
        package var linkDrops: Int

        package init(publishFailures: Int, linkDrops: Int) {
            self.publishFailures = publishFailures
            self.linkDrops = linkDrops
        }
    }

    /// What a soak run adds: restarts and the process's memory over time.
    package struct Soak: Codable, Sendable {
        package var restarts: Int
        /// Resident set size sampled every 10 s, MiB.
        package var residentMiB: [Double]

        package init(restarts: Int, residentMiB: [Double]) {
            self.restarts = restarts
            self.residentMiB = residentMiB
        }
    }
}
