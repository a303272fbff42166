/// Who and where a node is, and how it syncs: the header of every view of it.
package struct NodeInfo: Equatable, Sendable {
    /// A short name (`default`, or `node-1` … in the demo).
    package var name: String
    /// The libp2p peer ID in its text form.
    package var peerID: String
    /// Every listen address in full, `/ip4/…/tcp/…/p2p/<peer id>`, ready to copy into `--peer`.
    package var listenAddresses: [String]
    package var clusterID: UInt16
    package var shards: [UInt16]
    /// The pubsub topics this node syncs; empty means every topic.
    package var pubsubTopics: [String]
    /// The content topics this node syncs; empty means every topic.
    package var contentTopics: [String]
    package var agentVersion: String
    /// `balanced` or `nwaku`.
    package var strategy: String
    package var syncInterval: Duration
    package var syncRange: Duration
    package var syncJitter: Duration
    /// Wall-clock start time, nanoseconds since the epoch.
    package var startedAt: Int64
    /// Where the archive lives: a SQLite file's path, or `postgres://user@host:port/db` (never a
    /// password).
    package var archive: String
    /// The pubsub topics Waku Relay runs on; empty when relay is off.
    package var relayTopics: [String]

    package init(
        name: String,
        peerID: String,
        listenAddresses: [String],
        clusterID: UInt16,
        shards: [UInt16],
        pubsubTopics: [String],
        contentTopics: [String],
        agentVersion: String,
        strategy: String,
        syncInterval: Duration,
        syncRange: Duration,
        syncJitter: Duration,
        startedAt: Int64,
        archive: String = "",
        relayTopics: [String] = []
    ) {
        self.archive = archive
        self.relayTopics = relayTopics
        self.name = name
        self.peerID = peerID
        self.listenAddresses = listenAddresses
        self.clusterID = clusterID
        self.shards = shards
        self.pubsubTopics = pubsubTopics
        self.contentTopics = contentTopics
        self.agentVersion = agentVersion
        self.strategy = strategy
        self.syncInterval = syncInterval
        self.syncRange = syncRange
        self.syncJitter = syncJitter
        self.startedAt = startedAt
    }
}
