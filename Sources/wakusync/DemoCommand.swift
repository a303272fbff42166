internal import TerminalNCurses
internal import ArgumentParser
internal import Foundation
internal import Logging
internal import WakuBench
internal import WakuDemo
internal import WakuNode

/// `wakusync demo`: an embedded cluster of real nodes on loopback with lossy traffic.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch Store Sync converge: real nodes on loopback, lossy traffic, a compressed schedule.",
        discussion: """
            Each node has its own archive in a temporary directory; the nodes form Waku Relay meshes, a \
            traffic generator publishes each message through relay at a random node, and every relay \
            link drops deliveries with chance --loss, so a node misses a message only when every link \
            bringing it drops it: real relay loss that Store Sync repairs. Nodes sync every --sync-interval \
            seconds over a 2-minute window. With --headless --duration S, traffic runs for S seconds, \
            then the cluster keeps syncing until every node holds every message that reached at least one \
            node (or --settle runs out); the exit status is 0 only if it converged.
            """
    )

    @Option(help: "Nodes in the cluster.")
    var nodes = 4

    @Option(help: "Messages published per second.")
    var rate: Double = 5

    @Option(help: "Chance that a relay link drops a delivery (0…1).")
    var loss: Double = 0.2

    @Option(help: "Seconds between each node's syncs.")
    var syncInterval: Double = 10

    @Flag(help: "No monitor: run for --duration, then report.")
    var headless = false

    @Option(help: "Headless: seconds of traffic.")
    var duration: Double = 30

    @Option(help: "Headless: seconds to wait for convergence after the traffic (default three sync intervals).")
    var settle: Double?

    @Flag(help: "Headless: print the report as JSON.")
    var json = false

    @Option(help: "Seed of the generated traffic.")
    var seed: UInt64 = 1

    @Option(help: "Headless soak: restart a random node every this many seconds (each once per round).")
    var churn: Double?

    @OptionGroup var archive: ArchiveOptions

    @OptionGroup var config: ConfigFileOption

    @OptionGroup var monitor: MonitorArguments

    func validate() throws {
        guard (1...32).contains(self.nodes) else { throw ValidationError("--nodes must be 1…32") }
        guard self.rate >= 0 && self.rate <= 10_000 else { throw ValidationError("--rate must be 0…10000") }
        guard (0...1).contains(self.loss) else { throw ValidationError("--loss must be 0…1") }
        guard self.syncInterval > 0 && self.syncInterval <= 3600 else {
            throw ValidationError("--sync-interval must be > 0 s")
        }
        guard self.duration >= 0 else { throw ValidationError("--duration must be ≥ 0") }
        if let settle = self.settle, settle < 0 { throw ValidationError("--settle must be ≥ 0") }
        if !self.headless && (self.json || self.churn != nil) {
            throw ValidationError("--json and --churn need --headless")
        }
        if let churn = self.churn, churn < 5 { throw ValidationError("--churn must be at least 5 seconds") }
    }

    var demoConfiguration: DemoConfiguration {
        var configuration = DemoConfiguration()
        configuration.nodes = self.nodes
        configuration.rate = self.rate
        configuration.loss = self.loss
        configuration.syncInterval = .seconds(self.syncInterval)
        configuration.seed = self.seed
        return configuration
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wakusync-demo-logs")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logFile =
            self.monitor.logFile
            ?? directory.appendingPathComponent("demo-\(ProcessInfo.processInfo.processIdentifier).log").path
        let logger = try LogSetup.bootstrap(file: logFile, alsoStandardError: false, label: "wakusync.demo")
        let archive = self.archive
        let cluster = try await DemoCluster(configuration: self.demoConfiguration, logger: logger) { number in
            // `--store-message-db-url` puts node 1 on that archive; the others keep their own files.
            guard number == 1, archive.url != nil else { return nil }
            return try await openArchive(
                try archive.location(dataDirectory: URL(fileURLWithPath: NSTemporaryDirectory())),
                dataDirectory: URL(fileURLWithPath: NSTemporaryDirectory()),
                maxConnections: archive.maxConnections,
                logger: logger
            )
        }
        if self.headless {
            try await self.runHeadless(cluster)
        } else {
            try await self.runWithMonitor(cluster, logFile: logFile)
        }
    }

    /// The monitor over the cluster: it watches node 1 (keys 1–9 switch), while traffic flows
    /// until the operator quits.
    private func runWithMonitor(_ cluster: DemoCluster, logFile: String) async throws {
        let options = self.monitor.options(defaultLogFile: logFile)
        // Subscribed before the cluster starts: the nodes connect and form their relay meshes
        // before `run` hands over, and the monitor must see those events.
        let watched = cluster.initialNodes.enumerated().map { number, node in
            MonitoredNode(
                name: "node-\(number + 1)",
                events: node.events.subscribe(buffering: 1024),
                send: node.send
            )
        }
        try await cluster.run { cluster in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await cluster.generateTraffic() }
                try await runMonitor(nodes: watched, options: options)
                group.cancelAll()
            }
        }
    }

    /// Waits until every node holds every message that reached one, or `settle` passes.
    private static func settle(
        _ cluster: DemoCluster,
        since trafficEnded: ContinuousClock.Instant,
        within settle: Duration
    ) async throws -> DemoReport {
        let deadline = trafficEnded + settle
        while true {
            let holdings = try await cluster.holdings()
            let union = await cluster.union.count
            // Equal counts are the cheap sign; the report then compares the hashes themselves.
            if holdings.allSatisfy({ $0 == union }) {
                let report = try await cluster.report(timeToConsistency: ContinuousClock.now - trafficEnded)
                if report.converged { return report }
            }
            if ContinuousClock.now >= deadline { return try await cluster.report(timeToConsistency: nil) }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func runHeadless(_ cluster: DemoCluster) async throws {
        let duration = Duration.seconds(self.duration)
        let settle = Duration.seconds(self.settle ?? 3 * self.syncInterval)
        let churn = self.churn.map { Duration.seconds($0) }
        let report = try await cluster.run { cluster in
            try await withThrowingTaskGroup(of: DemoReport?.self) { group in
                if let churn {
                    group.addTask {
                        await cluster.churn(every: churn); return nil
                    }
                }
                let samples = MemorySamples()
                if churn != nil {
                    group.addTask {
                        await samples.record(every: .seconds(10)); return nil
                    }
                }
                group.addTask {
                    await cluster.generateTraffic(for: duration)
                    let trafficEnded = ContinuousClock.now
                    // Churn stops with the traffic, so the cluster can settle.
                    await cluster.endChurn()
                    var report = try await Self.settle(cluster, since: trafficEnded, within: settle)
                    if churn != nil {
                        report.soak = DemoReport.Soak(
                            restarts: await cluster.restarts,
                            residentMiB: await samples.values
                        )
                    }
                    return report
                }
                var report: DemoReport?
                while let finished = try await group.next() {
                    if let finished {
                        report = finished
                        group.cancelAll()
                    }
                }
                guard let report else { throw CancellationError() }
                return report
            }
        }
        if self.json {
            print(try JSONOutput.string(report))
        } else {
            print("published \(report.published), reached at least one node \(report.union)")
            print(
                "relay: \(report.relay.linkDrops) deliveries dropped by the lossy links, "
                    + "\(report.relay.publishFailures) publishes with no relay peer"
            )
            for node in report.nodes {
                let by = node.storedBySource
                print(
                    "  \(node.name)  \(node.peerId)  \(node.messages) messages, missing \(report.missing[node.name] ?? 0)"
                        + " (own \(by["publish"] ?? 0), relay \(by["relay"] ?? 0),"
                        + " repaired by sync \((by["sync"] ?? 0) + (by["fetch"] ?? 0)))"
                )
            }
            if report.converged {
                print(
                    "converged \(String(format: "%.1f", report.timeToConsistencySeconds)) s after the traffic stopped"
                )
            } else {
                print("NOT converged within the settle time")
            }
        }
        if !report.converged { throw ExitCode.failure }
    }
}
