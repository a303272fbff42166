internal import Foundation
internal import Libp2p
package import Logging
package import NIOCore
internal import NIOPosix
package import NodeEvents
internal import ServiceLifecycle
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// A Waku Store Sync node: Store v3 server and client, metadata, reconciliation and transfer,
/// periodic sync, fetching by Store, Store Resume, retention, and one event stream that explains
/// all of it (ARCHITECTURE.md §2).
///
/// A `Service`: ``run()`` serves until graceful shutdown (or ``stop()``), then finishes live
/// sessions or cancels them, shuts the host down and closes the archive.
package actor WakuNode: Service {
    /// Protocol IDs (PROTOCOLS.md §3, §4, §5, §7.8).
    package static let metadataProtocol = "/vac/waku/metadata/1.0.0"
    package static let storeProtocol = "/vac/waku/store-query/3.0.0"
    package static let reconciliationProtocol = "/vac/waku/reconciliation/1.0.0"
    package static let transferProtocol = "/vac/waku/transfer/1.0.0"

    /// Largest Store response our client reads (a page of 100 messages of up to 150 KiB each).
    static let storeResponseLimit = 32 << 20
    /// Largest Store request we read.
    static let storeRequestLimit = 1 << 20
    /// Metadata messages are read up to this size, as nwaku does.
    static let metadataLimit = 1_024

    package let configuration: NodeConfiguration
    package nonisolated let events: EventHub
    nonisolated let host: Libp2pHost
    nonisolated let archive: any MessageArchive
    nonisolated let engine: SyncEngine
    nonisolated let peers: PeerManager
    nonisolated let sender: TransferSender
    nonisolated let logger: Logger
    nonisolated let clock: any Clock<Duration>
    nonisolated let now: @Sendable () -> Int64
    private nonisolated let work: AsyncStream<Work>
    nonisolated let workSink: AsyncStream<Work>.Continuation
    private var random: any RandomNumberGenerator & Sendable
    private(set) var info: NodeInfo?
    var resumeRunning = false

    /// Work the main loop runs as child tasks.
    enum Work: Sendable {
        case command(NodeCommand)
        case sync(peerID: String)
    }

    /// Opens the archive and the node key in the data directory and prepares the host.
    ///
    /// - Parameters:
    ///   - configuration: what to run.
    ///   - group: NIO event loops for the network.
    ///   - logger: where log records go (the TUI sends them to a file).
    ///   - clock: what the periodic loops sleep on (a test clock in tests).
    ///   - now: wall-clock time in nanoseconds (sync windows, timestamps in events).
    ///   - random: picks sync and store peers.
    /// - Throws: an ``ArchiveError``, a ``Libp2pError`` for a bad key or listen address.
    package init(
        configuration: NodeConfiguration,
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
        self.random = random
        self.events = EventHub()
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        self.archive = try Archive(
            path: configuration.dataDirectory + "/archive.sqlite3",
            wallClock: now,
            cacheMiB: configuration.archiveCacheMiB
        )
        let key = try NodeKey.loadOrCreate(in: configuration.dataDirectory)
        var hostConfiguration = HostConfiguration(agentVersion: configuration.agentVersion)
        hostConfiguration.upgradeTimeout = configuration.upgradeTimeout
        hostConfiguration.maximumInboundConnections = configuration.maximumInboundConnections
        hostConfiguration.maximumMessageSizes = [
            Self.metadataProtocol: Self.metadataLimit,
            Self.storeProtocol: Self.storeResponseLimit,
            Self.reconciliationProtocol: RangesData.maxPayloadSize,
            Self.transferProtocol: MessageLimits.maxMessageSize,
        ]
        let listen = try configuration.listenAddresses.map { address throws(Libp2pError) in
            try Multiaddr(parsing: address)
        }
        self.host = try Libp2pHost(key: key, listenAddresses: listen, configuration: hostConfiguration, group: group)
        self.engine = SyncEngine(archive: self.archive, configuration: configuration, events: self.events, now: now)
        self.peers = PeerManager(events: self.events)
        self.sender = TransferSender(host: self.host, archive: self.archive, events: self.events)
        (self.work, self.workSink) = AsyncStream.makeStream(of: Work.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Our peer ID in its text form.
    package nonisolated var peerID: String { self.host.peerID.description }

    /// Asks the node to do something; never waits.
    package nonisolated func send(_ command: NodeCommand) {
        self.workSink.yield(.command(command))
    }

    /// Ends ``run()``: stops accepting work, lets it wind down, closes everything.
    package nonisolated func stop() {
        self.workSink.finish()
    }

    /// Serves until graceful shutdown or ``stop()``.
    package func run() async throws {
        try await self.engine.load()
        self.registerHandlers()
        let addresses = try await self.host.start()
        let info = self.makeInfo(addresses: addresses.map(\.description))
        self.info = info
        self.events.emit(.started(info))
        self.logger.info("listening", metadata: ["waku.addresses": "\(addresses.map(\.description))"])
        await withGracefulShutdownHandler {
            await self.serve()
        } onGracefulShutdown: {
            self.stop()
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
        await withDiscardingTaskGroup { group in
            group.addTask { try? await self.host.run() }
            group.addTask { await self.followHostEvents() }
            group.addTask { await self.maintainStaticPeers() }
            group.addTask { await self.pingPeers() }
            group.addTask { await self.recordOnlineEveryMinute() }
            group.addTask { await self.fetchMissing() }
            if self.configuration.syncInterval > .zero {
                group.addTask { await self.syncPeriodically() }
                group.addTask { await self.pruneIndexPeriodically() }
            }
            if let policy = self.configuration.retentionPolicy {
                group.addTask { await self.applyRetentionPeriodically(policy) }
            }
            if self.configuration.storeResume {
                group.addTask { await self.resume(waitingForPeers: true) }
            }
            for await work in self.work {
                group.addTask { await self.perform(work) }
            }
            // Shutting down: give live sessions a moment to finish, then close every connection
            // (pending reads fail at once) and stop the loops.
            let deadline = ContinuousClock.now + .seconds(3)
            while await self.engine.hasLiveSessions, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            await self.sender.closeAll()
            await self.host.shutdown()
            group.cancelAll()
        }
    }

    private func perform(_ work: Work) async {
        switch work {
        case .sync(let peer):
            await self.synchronize(with: peer)
        case .command(let command):
            await self.handle(command)
        }
    }

    /// Picks a random element with the node's generator.
    func pick<T>(_ candidates: [T]) -> T? {
        candidates.randomElement(using: &self.random)
    }

    /// A random number in `0..<1` from the node's generator.
    func randomFraction() -> Double {
        Double.random(in: 0..<1, using: &self.random)
    }

    /// Shuffles with the node's generator.
    func shuffled<T>(_ candidates: [T]) -> [T] {
        candidates.shuffled(using: &self.random)
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
            startedAt: self.now()
        )
    }
}
