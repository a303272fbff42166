package import Libp2p
internal import WakuCore
package import WakuSync

/// How a node runs: identity and addresses, topic scope, sync schedule, resume, retention.
///
/// Option names follow nwaku's where the concept is the same (PROTOCOLS.md §6.4).
package struct NodeConfiguration: Sendable {
    /// How missing messages are obtained after reconciliation (`--store-sync-fetch`).
    package enum FetchMode: String, Sendable, CaseIterable {
        /// Only wait for the peer's pushes.
        case transfer
        /// Fetch every missing message with Store hash queries right away.
        case store
        /// Wait `fetchGrace` for pushes, then fetch what is still missing (default).
        case both
    }

    /// A short name for views and the default data directory.
    package var name: String
    /// Where the archive and the node key live.
    package var dataDirectory: String
    /// Multiaddrs to listen on; port 0 picks a free port.
    package var listenAddresses: [String]
    /// Static peers dialled at start and redialled with backoff (`--peer` / `--staticnode`).
    package var staticPeers: [String]
    package var clusterID: UInt16
    package var shards: [UInt16]
    /// Pubsub topics synced; empty means `/waku/2/rs/<cluster>/<shard>` for each shard, or every
    /// topic when there are no shards either.
    package var pubsubTopics: [String]
    /// Content topics synced; empty means every topic.
    package var contentTopics: [String]
    package var strategy: SyncStrategy
    /// Pause before each periodic sync; zero disables periodic sync and pruning.
    package var syncInterval: Duration
    /// Length of the sync window.
    package var syncRange: Duration
    /// How far in the past the window ends.
    package var syncJitter: Duration
    package var fetchMode: FetchMode
    /// How long missing messages may take to arrive by transfer before they are fetched.
    package var fetchGrace: Duration
    /// How long after a session pushes from its peer are still accepted.
    package var transferGrace: Duration
    /// Run Store Resume at start.
    package var storeResume: Bool
    /// `time:SECONDS`, `capacity:COUNT` or `size:N[KB|MB|GB]`; nil keeps everything.
    package var retentionPolicy: String?
    /// Agent version announced through identify.
    package var agentVersion: String
    /// Session payloads accepted from a peer before the session is abandoned.
    package var roundLimit: Int
    /// How long a session waits for the peer's next payload.
    package var roundTimeout: Duration
    /// How long a new connection may take to finish TCP, Noise and the muxer (nwaku: 30 s).
    package var upgradeTimeout: Duration
    /// Inbound connections accepted at once.
    package var maximumInboundConnections: Int
    /// The archive writer's SQLite page cache, MiB (readers get an eighth each).
    package var archiveCacheMiB: Int
    /// Largest encoded message accepted from anywhere (nwaku's `--max-msg-size`, 150 KiB).
    package var maxMessageSize: Int
    /// Bounds on what peers can make the node hold or do.
    package var limits: NodeLimits
    /// Answer other wakusync nodes' archive audits (`--no-serve-audit` turns it off; our own audits
    /// of others run either way). A node that does not answer looks to auditors like nwaku, which
    /// they audit with Store queries instead.
    package var servesArchiveAudit: Bool
    /// Run Waku Relay (gossipsub) on ``relayPubsubTopics`` (`--relay`). Off by default: wakusync
    /// is a sync node, and a relay peer must keep up with the mesh's traffic (PROTOCOLS.md §10).
    package var relay: Bool
    /// Simulated relay link loss for `wakusync demo` and tests: whether a message (by relay
    /// message id) arriving from a peer is taken; false drops that delivery as a lossy link would.
    /// Nil in a real node.
    package var relayDeliveryFilter: (@Sendable (_ messageID: [UInt8], _ from: PeerID) -> Bool)?

    package init(name: String, dataDirectory: String, agentVersion: String) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.listenAddresses = ["/ip4/0.0.0.0/tcp/60000"]
        self.staticPeers = []
        self.clusterID = 0
        self.shards = []
        self.pubsubTopics = []
        self.contentTopics = []
        self.strategy = .balanced
        self.syncInterval = .seconds(300)
        self.syncRange = .seconds(3600)
        self.syncJitter = .seconds(20)
        self.fetchMode = .both
        self.fetchGrace = .seconds(10)
        self.transferGrace = .seconds(60)
        self.storeResume = false
        self.retentionPolicy = nil
        self.agentVersion = agentVersion
        self.roundLimit = 64
        self.roundTimeout = .seconds(30)
        self.upgradeTimeout = .seconds(30)
        self.maximumInboundConnections = 256
        self.archiveCacheMiB = 64
        self.maxMessageSize = MessageLimits.maxMessageSize
        self.limits = NodeLimits()
        self.servesArchiveAudit = true
        self.relay = false
    }

    /// The pubsub topics sessions are scoped to (nwaku derives them from cluster and shards).
    package var syncPubsubTopics: [String] {
        if !self.pubsubTopics.isEmpty { return self.pubsubTopics }
        return self.shards.map { StaticShard(cluster: self.clusterID, shard: $0).pubsubTopic }
    }

    /// The pubsub topics relay subscribes to: the synced ones, or nwaku's default without shards
    /// or topics, shard 0 of our cluster (autosharding over one shard, PROTOCOLS.md §10.6).
    package var relayPubsubTopics: [String] {
        let topics = self.syncPubsubTopics
        return topics.isEmpty ? [StaticShard(cluster: self.clusterID, shard: 0).pubsubTopic] : topics
    }

    /// The sync window ending `syncJitter` before `now` (nanoseconds).
    package func syncWindow(at now: Int64) -> (start: Int64, end: Int64) {
        let end = now - self.syncJitter.nanoseconds
        return (end - self.syncRange.nanoseconds, end)
    }

    /// How our sessions are configured: strategy, topics, and the limits on what a peer may send.
    package var sessionConfiguration: ReconciliationSession.Configuration {
        ReconciliationSession.Configuration(
            strategy: self.strategy,
            pubsubTopics: self.syncPubsubTopics,
            contentTopics: self.contentTopics,
            roundLimit: self.roundLimit,
            maxPayloadSize: self.limits.reconciliationFrame,
            limits: self.limits.session
        )
    }
}
