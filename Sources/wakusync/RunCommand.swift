internal import TerminalNCurses
internal import Observers
internal import ArgumentParser
internal import Foundation
internal import Logging
internal import NIOPosix
internal import NodeEvents
internal import ServiceLifecycle
internal import UnixSignals
internal import WakuNode

/// `wakusync run`: a node with the monitor, or headless with log lines and `/metrics`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Store Sync node (with the monitor, or --headless).",
        discussion: """
            Headless, it first prints every listen address in full (/ip4/…/tcp/…/p2p/<peer id>), then \
            one line per meaningful event, and serves Prometheus metrics on --metrics-port with nwaku's \
            sync metric names. SIGINT and SIGTERM shut it down gracefully. With --relay it also joins \
            the Waku Relay mesh of its topics, forwards what passes validation and stores it.
            """
    )

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var node: NodeOptions

    @OptionGroup var config: ConfigFileOption

    // nwaku relays by default; wakusync is a sync node first, and a relay peer takes on the
    // mesh's traffic and the duty to forward it, so it is asked for.
    @Flag(
        inversion: .prefixedNo,
        help: "Run Waku Relay (gossipsub) on the sync topics (default: shard 0), storing what arrives."
    )
    var relay = false

    @Flag(help: "No monitor: print event lines (and serve metrics) instead.")
    var headless = false

    @Option(help: "Headless line format: text or json.")
    var logFormat: LogFormat = .text

    @Option(help: "Serve Prometheus metrics on this port (headless).")
    var metricsPort: Int?

    @Option(help: "Address the metrics server binds.")
    var metricsAddress = "127.0.0.1"

    @OptionGroup var monitor: MonitorArguments

    func validate() throws {
        if let port = self.metricsPort, !(0...65535).contains(port) {
            throw ValidationError("--metrics-port must be 0…65535")
        }
    }

    func run() async throws {
        try self.node.dataDir.createDirectory()
        let logFile = self.monitor.logFile ?? self.node.dataDir.directory.appendingPathComponent("node.log").path
        let logger = try LogSetup.bootstrap(
            file: logFile,
            alsoStandardError: self.headless,
            label: "wakusync.\(self.node.name)"
        )
        var configuration = self.node.configuration()
        configuration.relay = self.relay
        let node = try WakuNode(
            configuration: configuration,
            archive: try await self.node.openNodeArchive(logger: logger),
            group: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        guard self.headless else {
            // The monitor owns the screen; the node runs beside it and stops when it exits.
            let watched = MonitoredNode(
                name: self.node.name,
                events: node.events.subscribe(buffering: 1024),
                send: node.send
            )
            let options = self.monitor.options(defaultLogFile: logFile)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await node.run() }
                defer { node.stop() }
                try await runMonitor(nodes: [watched], options: options)
                node.stop()
                try await group.waitForAll()
            }
            return
        }
        // The printer and the metrics recorder are not services: they end by themselves once the
        // node's event stream finishes, after the node has shut down.
        let format = self.logFormat
        let output = LineOutput { dropped in
            EventLines.dropped(dropped, json: format == .json, at: Int64(Date().timeIntervalSince1970 * 1e9))
        }
        let printer = EventPrinter(events: node.events.subscribe(), format: format, output: output)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var recorder: MetricsRecorder?
        if let port = self.metricsPort {
            let metrics = NodeMetrics()
            recorder = MetricsRecorder(events: node.events.subscribe(), metrics: metrics)
            services.append(.init(service: MetricsServer(host: self.metricsAddress, port: port, metrics: metrics)))
        }
        // A service group shuts its services down in reverse order: the node first.
        services.append(.init(service: node))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { await printer.run() }
            if let recorder { tasks.addTask { await recorder.run() } }
            try await group.run()
        }
        // Bounded: a reader that stopped reading must not keep a stopped node from exiting.
        await output.drain(within: .seconds(2))
    }
}

/// Prints the listen addresses, then one line per meaningful event, until the node stops.
struct EventPrinter {
    let events: AsyncStream<NodeEvent>
    let format: RunCommand.LogFormat
    let output: LineOutput

    func run() async {
        var peerStates: [String: PeerSnapshot.State] = [:]
        for await event in self.events {
            // A peer's snapshot changes often (identify, RTT, counters); only its state is a line.
            if case .peerUpdated(let peer) = event {
                guard peerStates.updateValue(peer.state, forKey: peer.peerID) != peer.state else { continue }
            }
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            var lines: [String] = []
            if case .started(let info) = event {
                lines += info.listenAddresses.map {
                    self.format == .json ? "{\"event\":\"listening\",\"address\":\"\($0)\"}" : $0
                }
            }
            if let line = self.format == .json ? EventLines.json(event, at: now) : EventLines.text(event, at: now) {
                lines.append(line)
            }
            if !lines.isEmpty { self.output.write(lines.joined(separator: "\n") + "\n") }
        }
    }
}

/// Feeds the metrics from the event stream.
struct MetricsRecorder {
    let events: AsyncStream<NodeEvent>
    let metrics: NodeMetrics

    func run() async {
        for await event in self.events { self.metrics.record(event) }
    }
}
