internal import Foundation
internal import Gossipsub
internal import Libp2p
package import Logging
package import NIOCore
internal import NIOPosix
package import NodeEvents
internal import ServiceLifecycle
internal import Synchronization
package import WakuArchive
internal import WakuCore
internal import WakuSync

/// A Waku Store Sync node: Store v3 server and client, metadata, reconciliation and transfer,
/// periodic sync, fetching by Store, Store Resume, retention, and one event stream that explains
/// all of it (ARCHITECTURE.md §2).
///
/// Composition only: each protocol is a small type holding what it uses, registered with the
/// host; the engine owns the data and the single ingest path; ``NodeLoops`` drives the schedule.
/// A `Service`: ``run()`` serves until graceful shutdown (or ``stop()``), then lets live sessions
/// finish (briefly), drains the ingest buffer, shuts the host down and closes the archive.
package final class WakuNode: Service, Sendable {
    /// Protocol IDs (PROTOCOLS.md §3, §4, §5, §7.8, §9).
    package static let metadataProtocol = MetadataExchange.protocolID
    package static let storeProtocol = StoreClient.protocolID
    package static let reconciliationProtocol = Reconciliation.protocolID
    package static let transferProtocol = Transfer.protocolID
    package static let auditProtocol = CountAudit.protocolID
    package static let archiveAuditProtocol = ArchiveAudit.protocolID

    package let configuration: NodeConfiguration
    package let events: EventHub
    let host: Libp2pHost
    let archive: any MessageArchive
    let engine: SyncEngine
    let peers: PeerManager
    let logger: Logger
    let clock: any Clock<Duration>
    let now: @Sendable () -> Int64
    let metadata: MetadataExchange
    let storeServer: StoreServer
    let storeClient: StoreClient
    let transfer: Transfer
    let fetcher: MissingFetcher
    let audit: CountAudit
    let archiveAudit: ArchiveAudit
    let resume: StoreResume
    let reconciliation: Reconciliation
    /// Waku Relay, when enabled (`--relay`).
    let relay: Relay?
    private let work: AsyncStream<Work>
    let workSink: AsyncStream<Work>.Continuation
    private let random: Mutex<any RandomNumberGenerator & Sendable>
    let info = Mutex<NodeInfo?>(nil)
    /// Announced once the node listens.
    let started = ChangeSignal()

    /// Work the main loop runs as child tasks.
    enum Work: Sendable {
        case command(NodeCommand)
        case sync(PeerID)
    }

    /// Opens the archive (unless one is given) and the node key in the data directory and
    /// prepares the host and the protocols.
    ///
    /// - Parameters:
    ///   - configuration: what to run.
    ///   - archive: the archive to use; nil opens the SQLite archive in the data directory.
    ///   - group: NIO event loops for the network.
    ///   - logger: where log records go (the TUI sends them to a file).
    ///   - clock: what every wait of the node sleeps on (a test clock in tests).
    ///   - now: wall-clock time in nanoseconds (sync windows, timestamps in events).
    ///   - random: picks sync and store peers.
    /// - Throws: an ``ArchiveError``, a ``Libp2pError`` for a bad key or listen address.
    package init(
        configuration: NodeConfiguration,
        archive: (any MessageArchive)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Int64 = Archive.systemTime,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.now = now
        var generator = random
        // Drawn only with relay on, so a seeded node without relay picks the same peers as before.
        let relaySeed = configuration.relay ? UInt64.random(in: 0...UInt64.max, using: &generator) : 0
        self.random = Mutex(generator)
        let events = EventHub()
        self.events = events
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let archive =
            try archive
            ?? Archive(
                path: configuration.dataDirectory + "/archive.sqlite3",
                wallClock: now,
                cacheMiB: configuration.archiveCacheMiB
            )
        self.archive = archive
        let host = try Self.makeHost(configuration, group: group)
        self.host = host
        let engine = SyncEngine(archive: archive, configuration: configuration, events: events, now: now)
        self.engine = engine
        let peers = PeerManager(events: events)
        self.peers = peers
        let storeClient = StoreClient(host: host, limits: configuration.limits)
        self.storeClient = storeClient
        self.metadata = MetadataExchange(host: host, peers: peers, events: events, configuration: configuration)
        self.storeServer = StoreServer(archive: archive, events: events, limits: configuration.limits)
        self.transfer = Transfer(
            host: host,
            archive: archive,
            engine: engine,
            events: events,
            peers: peers,
            configuration: configuration
        )
        let fetcher = MissingFetcher(
            engine: engine,
            client: storeClient,
            events: events,
            configuration: configuration,
            clock: clock
        )
        self.fetcher = fetcher
        self.audit = CountAudit(
            host: host,
            engine: engine,
            peers: peers,
            events: events,
            configuration: configuration,
            client: storeClient,
            fetcher: fetcher
        )
        self.archiveAudit = ArchiveAudit(
            host: host,
            archive: archive,
            engine: engine,
            events: events,
            configuration: configuration,
            client: storeClient,
            transfer: self.transfer
        )
        self.resume = StoreResume(
            engine: engine,
            archive: archive,
            peers: peers,
            events: events,
            configuration: configuration,
            client: storeClient,
            clock: clock,
            now: now
        )
        self.reconciliation = Reconciliation(
            host: host,
            engine: engine,
            peers: peers,
            events: events,
            configuration: configuration,
            transfer: self.transfer,
            fetcher: fetcher,
            audit: self.audit,
            now: now
        )
        self.relay =
            configuration.relay
            ? Relay(
                host: host,
                engine: engine,
                events: events,
                configuration: configuration,
                clock: clock,
                now: now,
                seed: relaySeed
            ) : nil
        (self.work, self.workSink) = AsyncStream.makeStream(of: Work.self, bufferingPolicy: .bufferingNewest(256))
    }

    private static func makeHost(_ configuration: NodeConfiguration, group: any EventLoopGroup) throws -> Libp2pHost {
        let key = try NodeKey.loadOrCreate(in: configuration.dataDirectory)
        var hostConfiguration = HostConfiguration(agentVersion: configuration.agentVersion)
        hostConfiguration.upgradeTimeout = configuration.upgradeTimeout
        hostConfiguration.maximumInboundConnections = configuration.maximumInboundConnections
        hostConfiguration.maximumMessageSizes = [
            MetadataExchange.protocolID: MetadataExchange.messageLimit,
            StoreClient.protocolID: configuration.limits.storeResponse,
            Reconciliation.protocolID: configuration.limits.reconciliationFrame,
            Transfer.protocolID: configuration.maxMessageSize + 1_024,
            ArchiveAudit.protocolID: configuration.limits.audit.frameBytes,
        ]
        for protocolID in Relay.protocolIDs {
            hostConfiguration.maximumMessageSizes[protocolID] = configuration.maxMessageSize
        }
        // As nwaku: the meshsub ids are served (py-libp2p needs them) but only Waku's is announced.
        hostConfiguration.unannouncedProtocols = Set(Relay.protocolIDs).subtracting([Relay.wakuProtocolID])
        let listen = try configuration.listenAddresses.map { address throws(Libp2pError) in
            try Multiaddr(parsing: address)
        }
        return try Libp2pHost(key: key, listenAddresses: listen, configuration: hostConfiguration, group: group)
    }

    /// Our peer ID in its text form.
    package var peerID: String { self.host.peerID.description }

    /// Asks the node to do something; never waits.
    package func send(_ command: NodeCommand) {
        self.workSink.yield(.command(command))
    }

    /// Ends ``run()``: stops accepting work, lets it wind down, closes everything.
    package func stop() {
        self.workSink.finish()
    }

    /// Serves until graceful shutdown or ``stop()``.
    package func run() async throws {
        try await self.engine.load()
        self.registerHandlers()
        let addresses = try await self.host.start()
        let info = self.makeInfo(addresses: addresses.map(\.description))
        self.info.withLock { $0 = info }
        self.events.emit(.started(info))
        self.started.notify()
        self.logger.info("listening", metadata: ["waku.addresses": "\(addresses.map(\.description))"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.engine.runWriter() }
            await withGracefulShutdownHandler {
                await self.serve()
            } onGracefulShutdown: {
                self.stop()
            }
            await self.engine.closeIngest()
        }
        self.events.emit(.stopping)
        try? await self.archive.recordOnline(at: self.now())
        do {
            try await self.archive.close()
        } catch {
            self.logger.error("closing the archive failed", metadata: ["waku.error": "\(error)"])
        }
        self.events.finish()
    }

    private func serve() async {
        let loops = NodeLoops(node: self)
        await withDiscardingTaskGroup { group in
            group.addTask { try? await self.host.run() }
            group.addTask { await loops.followHostEvents() }
            group.addTask { await loops.maintainStaticPeers() }
            group.addTask { await loops.pingPeers() }
            group.addTask { await loops.recordOnlineEveryMinute() }
            group.addTask { await self.fetcher.run() }
            if let relay = self.relay {
                group.addTask { await relay.run() }
            }
            if self.configuration.syncInterval > .zero {
                group.addTask { await loops.syncPeriodically() }
                group.addTask { await loops.pruneIndexPeriodically() }
            }
            if let policy = self.configuration.retentionPolicy {
                group.addTask { await loops.applyRetentionPeriodically(policy) }
            }
            if self.configuration.storeResume {
                group.addTask { await self.runResume(waitingForPeers: true) }
            }
            for await work in self.work {
                group.addTask { await self.perform(work) }
            }
            // Shutting down: give live sessions a moment to finish, then close every connection
            // (pending reads fail at once) and stop the loops.
            let engine = self.engine
            _ = await withTimeout(.seconds(3), on: self.clock) {
                await engine.sessionsChanged.wait { await !engine.hasLiveSessions }
            }
            await self.transfer.closeAll()
            await self.host.shutdown()
            group.cancelAll()
        }
    }

    private func perform(_ work: Work) async {
        switch work {
        case .sync(let peer):
            _ = await self.reconciliation.initiate(with: peer)
        case .command(let command):
            await self.handle(command)
        }
    }

    /// Registers the Waku protocols; identify then announces exactly these (plus id and ping).
    /// The host keeps the handlers, so they hold the protocols weakly: a stopped node is freed.
    private func registerHandlers() {
        self.register(MetadataExchange.protocolID, self.metadata) { try await $0.serve($1) }
        self.register(StoreClient.protocolID, self.storeServer) { try await $0.serve($1) }
        self.register(Reconciliation.protocolID, self.reconciliation) { try await $0.serve($1) }
        self.register(Transfer.protocolID, self.transfer) { try await $0.receive($1) }
        self.register(CountAudit.protocolID, self.audit) { try await $0.serve($1) }
        if self.configuration.servesArchiveAudit {
            self.register(ArchiveAudit.protocolID, self.archiveAudit) { try await $0.serve($1) }
        }
        if let relay = self.relay {
            for protocolID in Relay.protocolIDs {
                let isWaku = protocolID == Relay.wakuProtocolID
                self.register(protocolID, matchingPrefix: isWaku, relay) { try await $0.receive($1) }
            }
        }
    }

    private func register<Handler: AnyObject & Sendable>(
        _ protocolID: String,
        matchingPrefix: Bool = false,
        _ handler: Handler,
        _ serve: @escaping @Sendable (Handler, Libp2pStream) async throws -> Void
    ) {
        self.host.register(protocolID: protocolID, matchingPrefix: matchingPrefix) { [weak handler] stream in
            guard let handler else { return stream.reset() }
            try await serve(handler, stream)
        }
    }

    /// Runs Store Resume, trying store peers in an order from the node's generator.
    func runResume(waitingForPeers: Bool) async {
        await self.resume.run(waitingForPeers: waitingForPeers) { peers in self.shuffled(peers) }
    }

    /// Picks a random element with the node's generator.
    func pick<T>(_ candidates: [T]) -> T? {
        guard !candidates.isEmpty else { return nil }
        let index = self.random.withLock { Int.random(in: 0..<candidates.count, using: &$0) }
        return candidates[index]
    }

    /// A random number in `0..<1` from the node's generator.
    func randomFraction() -> Double {
        self.random.withLock { Double.random(in: 0..<1, using: &$0) }
    }

    /// Shuffles with the node's generator.
    func shuffled<T>(_ candidates: [T]) -> [T] {
        let order = self.random.withLock { Array(candidates.indices).shuffled(using: &$0) }
        return order.map { candidates[$0] }
    }

    private func makeInfo(addresses: [String]) -> NodeInfo {
        NodeInfo(
            name: self.configuration.name,
            peerID: self.peerID,
            listenAddresses: addresses,
            clusterID: self.configuration.clusterID,
            shards: self.configuration.shards,
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics,
            agentVersion: self.configuration.agentVersion,
            strategy: self.configuration.strategy.kind.rawValue,
            syncInterval: self.configuration.syncInterval,
            syncRange: self.configuration.syncRange,
            syncJitter: self.configuration.syncJitter,
            startedAt: self.now(),
            archive: self.archive.location,
            relayTopics: self.relay?.topics ?? []
        )
    }

    /// A one-line description of any error for events and peer state.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as Libp2pError: "\(error.code.rawValue): \(error.detail)"
        case let error as CodecError: error.description
        default: "\(error)"
        }
    }
}

/// A failure of the node's own protocol logic, with a readable reason.
struct NodeError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
