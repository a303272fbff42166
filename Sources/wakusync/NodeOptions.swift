internal import ArgumentParser
internal import Foundation
internal import Libp2p
internal import Logging
internal import WakuArchive
internal import WakuCore
internal import WakuNode
internal import WakuSync

extension NodeConfiguration.FetchMode: ExpressibleByArgument {}

/// The options of a node (`run`, and the parts `sync` and `query` need). Names follow nwaku's
/// (PROTOCOLS.md §6.4).
struct NodeOptions: ParsableArguments {
    @OptionGroup var dataDir: DataDirOptions

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "A short name for this node, shown in the monitor.")
    var name = "default"

    @Option(help: ArgumentHelp("Multiaddr to listen on (repeatable; port 0 picks one).", valueName: "MULTIADDR"))
    var listen: [String] = ["/ip4/0.0.0.0/tcp/60000"]

    @Option(
        name: [.customLong("peer"), .customLong("staticnode")],
        help: ArgumentHelp("Static peer to dial and keep (repeatable).", valueName: "MULTIADDR")
    )
    var peers: [String] = []

    @Option(help: "Cluster id (metadata; sync topics come from cluster and shards).")
    var clusterID: UInt16 = 0

    @Option(help: "Shard to sync (repeatable).")
    var shard: [UInt16] = []

    @Option(help: "Pubsub topic to sync (repeatable; overrides --cluster-id/--shard for sync).")
    var pubsubTopic: [String] = []

    @Option(help: "Content topic to sync (repeatable; none = all).")
    var contentTopic: [String] = []

    @Option(help: "Seconds between periodic syncs (0 disables periodic sync and pruning).")
    var storeSyncInterval: Double = 300

    @Option(help: "Seconds of history each sync covers.")
    var storeSyncRange: Double = 3600

    @Option(help: "Seconds in the past the sync window ends.")
    var storeSyncRelayJitter: Double = 20

    @Option(help: "How missing messages are obtained: transfer, store or both.")
    var storeSyncFetch: NodeConfiguration.FetchMode = .both

    @Flag(help: "Run Store Resume at start-up.")
    var storeResume = false

    @Option(help: "Archive retention: time:SECONDS, capacity:COUNT or size:N[KB|MB|GB].")
    var storeMessageRetentionPolicy: String?

    @Option(
        help: ArgumentHelp(
            "Largest message accepted from anywhere, encoded (nwaku's flag): bytes, or with KiB, MiB, KB or MB.",
            valueName: "SIZE"
        )
    )
    var maxMsgSize = "150KiB"

    @Flag(inversion: .prefixedNo, help: "Answer other wakusync nodes' archive audits.")
    var serveAudit = true

    @OptionGroup var strategy: StrategyOptions

    func validate() throws {
        for address in self.listen + self.peers {
            do {
                _ = try Multiaddr(parsing: address)
            } catch {
                throw ValidationError("'\(address)': \(error.detail)")
            }
        }
        for topic in self.pubsubTopic where !topic.hasPrefix("/") {
            throw ValidationError(
                "--pubsub-topic '\(topic)' is not a pubsub topic (expected /waku/2/rs/<cluster>/<shard>)"
            )
        }
        if let shard = self.shard.first(where: { $0 > 1023 }) {
            throw ValidationError("--shard \(shard): shards are 0…1023")
        }
        for (name, value) in [
            ("interval", self.storeSyncInterval), ("range", self.storeSyncRange),
            ("relay-jitter", self.storeSyncRelayJitter),
        ]
        where !(value >= 0 && value < 1e9) {
            throw ValidationError("--store-sync-\(name) must be a number of seconds ≥ 0")
        }
        if self.storeSyncRange == 0 { throw ValidationError("--store-sync-range must be more than 0") }
        guard let size = MessageSize.bytes(self.maxMsgSize), size >= 1_024, size <= 64 << 20 else {
            throw ValidationError(
                "--max-msg-size '\(self.maxMsgSize)': expected a size from 1KiB to 64MiB, e.g. 150KiB"
            )
        }
        if let policy = self.storeMessageRetentionPolicy {
            do {
                _ = try RetentionPolicy(parsing: policy)
            } catch {
                throw ValidationError("--store-message-retention-policy: \(error.detail)")
            }
        }
    }

    /// Opens the archive these options name (`--store-message-db-url`, else the data directory's
    /// SQLite file), for a node to use.
    func openNodeArchive(logger: Logger) async throws -> any MessageArchive {
        try await openArchive(
            try self.archive.location(dataDirectory: self.dataDir.directory),
            dataDirectory: self.dataDir.directory,
            maxConnections: self.archive.maxConnections,
            logger: logger
        )
    }

    /// The node configuration these options describe.
    func configuration() -> NodeConfiguration {
        var configuration = NodeConfiguration(
            name: self.name,
            dataDirectory: self.dataDir.directory.path,
            agentVersion: "wakusync/\(WakusyncVersion.current)"
        )
        configuration.listenAddresses = self.listen
        configuration.staticPeers = self.peers
        configuration.clusterID = self.clusterID
        configuration.shards = self.shard
        configuration.pubsubTopics = self.pubsubTopic
        configuration.contentTopics = self.contentTopic
        configuration.syncInterval = .seconds(self.storeSyncInterval)
        configuration.syncRange = .seconds(self.storeSyncRange)
        configuration.syncJitter = .seconds(self.storeSyncRelayJitter)
        configuration.fetchMode = self.storeSyncFetch
        configuration.storeResume = self.storeResume
        configuration.retentionPolicy = self.storeMessageRetentionPolicy
        configuration.servesArchiveAudit = self.serveAudit
        configuration.strategy = self.strategy.resolved
        configuration.maxMessageSize = MessageSize.bytes(self.maxMsgSize) ?? MessageLimits.maxMessageSize
        return configuration
    }
}
