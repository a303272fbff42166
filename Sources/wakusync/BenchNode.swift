internal import ArgumentParser
internal import Foundation
internal import Logging
internal import NIOPosix
internal import NodeEvents
internal import Synchronization
internal import WakuArchive
internal import WakuCore
internal import WakuNode

/// `wakusync bench node`: two real nodes on loopback reconciling and transferring, and the idle
/// cost of a node with connected peers.
struct BenchNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Measure a whole sync between two nodes, and an idle node's CPU with 10 peers.",
        discussion: """
            Sync: each node stores --items messages, --differing of them unique to it; one session \
            plus the transfer of every missing message both ways is timed (wall clock) until both \
            archives hold the union. Idle: a node (a child process) with 10 connected peers is \
            watched for --idle-seconds and its CPU share reported.
            """
    )

    @Option(help: "Messages per node.")
    var items = 100_000

    @Option(help: "Fraction unique to each node.")
    var differing = 0.01

    @Option(help: "Seconds to watch the idle node (0 skips it).")
    var idleSeconds: Double = 30

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(
        inversion: .prefixedNo,
        help: """
            Checkpoint both archives after loading them, as a node that has been running holds its \
            messages in the database file rather than the WAL (without it the load's checkpoint, \
            with its sync to disk, lands inside the measurement).
            """
    )
    var checkpoint = true

    @Flag(help: "Print both nodes' events during the sync, with the time since it started.")
    var trace = false

    struct Report: Codable {
        var items: Int
        var differing: Double
        var differences: Int
        var syncWallSeconds: Double
        /// From the start until the initiator's session ended.
        var sessionWallSeconds: Double
        /// From the start until each archive held the union (initiator, responder).
        var storedWallSeconds: [Double]
        var rounds: Int
        var reconciliationBytes: Int
        var converged: Bool
        var idlePeers: Int
        var idleSeconds: Double
        var idleCPUPercent: Double?
    }

    func run() async throws {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "wakusync-bench-node-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: base) }
        let sync = try await self.measureSync(base: base, logger: logger)
        var report = sync
        if self.idleSeconds > 0 {
            report.idlePeers = 10
            report.idleSeconds = self.idleSeconds
            report.idleCPUPercent = try await self.measureIdle(base: base, logger: logger)
        }
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print(
                """
                two nodes on loopback, \(report.items) messages each, \(report.differences) differences (wall clock)
                  session + transfer until both archives hold the union: \(String(format: "%.2f", report.syncWallSeconds)) s \
                (\(report.rounds) rounds, \(report.reconciliationBytes) reconciliation bytes), converged: \(report.converged ? "yes" : "NO")
                    session ended after \(String(format: "%.3f", report.sessionWallSeconds)) s; \
                initiator's archive complete after \(String(format: "%.3f", report.storedWallSeconds[0])) s, \
                responder's after \(String(format: "%.3f", report.storedWallSeconds[1])) s
                """
            )
            if let cpu = report.idleCPUPercent {
                print(
                    "  idle node with \(report.idlePeers) peers: \(String(format: "%.2f", cpu)) % of one core over \(report.idleSeconds) s"
                )
            }
        }
    }

    private func node(
        _ name: String,
        base: URL,
        logger: Logger,
        listen: Bool = true,
        archive: Archive? = nil
    ) throws -> WakuNode {
        var configuration = NodeConfiguration(
            name: name,
            dataDirectory: base.appendingPathComponent(name).path,
            agentVersion: "wakusync/bench"
        )
        configuration.listenAddresses = listen ? ["/ip4/127.0.0.1/tcp/0"] : []
        configuration.syncInterval = .zero
        return try WakuNode(configuration: configuration, archive: archive, logger: logger)
    }

    private func measureSync(base: URL, logger: Logger) async throws -> Report {
        let archives = try ["sync-a", "sync-b"].map { name in
            let directory = base.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try Archive(path: directory.appendingPathComponent("archive.sqlite3").path)
        }
        let first = try self.node("sync-a", base: base, logger: logger, archive: archives[0])
        let second = try self.node("sync-b", base: base, logger: logger, archive: archives[1])
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
            guard let end = await first.syncNow(with: peer) else { throw CommandFailure("the session did not start") }
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
            if self.trace { print("start: \(start)") }
            for (instant, line) in timeline.entries.withLock({ $0 }) where instant >= start {
                print(String(format: "%8.1f ms  ", ArchiveBenchResult.milliseconds(instant - start)) + line)
            }
            return Report(
                items: self.items,
                differing: self.differing,
                differences: 2 * unique,
                syncWallSeconds: ArchiveBenchResult.seconds(elapsed),
                sessionWallSeconds: ArchiveBenchResult.seconds(sessionEnded - start),
                storedWallSeconds: stored.map { ArchiveBenchResult.seconds(($0 ?? .now) - start) },
                rounds: end.rounds,
                reconciliationBytes: end.bytesSent + end.bytesReceived,
                converged: converged,
                idlePeers: 0,
                idleSeconds: 0,
                idleCPUPercent: nil
            )
        }
    }

    /// Runs `wakusync run --headless` as a child, connects 10 in-process peers to it and reads
    /// its CPU time from /proc while it idles.
    private func measureIdle(base: URL, logger: Logger) async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "run", "--headless", "--data-dir", base.appendingPathComponent("idle").path, "--listen",
            "/ip4/127.0.0.1/tcp/0",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let firstLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let address = firstLine.split(separator: "\n").first.map(String.init), address.hasPrefix("/ip4/") else {
            throw CommandFailure("the idle node did not print its address")
        }
        let peers = try (0..<10).map { try self.node("peer-\($0)", base: base, logger: logger, listen: false) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for peer in peers { group.addTask { try await peer.run() } }
            defer { for peer in peers { peer.stop() } }
            for peer in peers {
                try await peer.waitUntilStarted()
                _ = try await peer.connect(to: address)
            }
            try await Task.sleep(for: .seconds(2))
            let before = try Self.cpuTicks(of: process.processIdentifier)
            try await Task.sleep(for: .seconds(self.idleSeconds))
            let after = try Self.cpuTicks(of: process.processIdentifier)
            for peer in peers { peer.stop() }
            try await group.waitForAll()
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            return Double(after - before) / ticksPerSecond / self.idleSeconds * 100
        }
    }

    /// utime + stime of a process, in clock ticks.
    private static func cpuTicks(of pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        guard let close = stat.lastIndex(of: ")") else { throw CommandFailure("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw CommandFailure("unreadable /proc/\(pid)/stat")
        }
        return user + system
    }

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
