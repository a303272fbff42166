internal import Gossipsub
internal import Libp2p
internal import NodeEvents
internal import Synchronization

extension Relay {
    /// The mesh of each of our topics and the router's counters, as observers see them.
    func status() -> RelayStatus {
        self.router.withLock { router in
            let topics = self.topics.map { topic in
                RelayStatus.Topic(
                    pubsubTopic: topic,
                    meshPeers: router.meshPeers(of: topic).map(\.description),
                    subscribedPeers: router.peers(subscribedTo: topic).count,
                    counts: RelayStatus.Counts(router.countersByTopic[topic] ?? TrafficCounters())
                )
            }
            return RelayStatus(
                topics: topics,
                total: RelayStatus.Counts(router.counters),
                peers: router.connectedPeerCount
            )
        }
    }
}

extension RelayStatus.Counts {
    /// The router's counters in the event's terms.
    init(_ counters: TrafficCounters) {
        self.init()
        self.received = counters.received
        self.duplicates = counters.duplicates
        self.invalid = counters.invalid
        self.malformed = counters.malformed
        self.ignored = counters.ignored
        self.forwarded = counters.forwarded
        self.published = counters.published
        self.bytesIn = counters.bytesIn
        self.bytesOut = counters.bytesOut
        self.iHaveSent = counters.iHave.sent
        self.iHaveReceived = counters.iHave.received
        self.iWantSent = counters.iWant.sent
        self.iWantReceived = counters.iWant.received
        self.graftSent = counters.graft.sent
        self.graftReceived = counters.graft.received
        self.pruneSent = counters.prune.sent
        self.pruneReceived = counters.prune.received
    }
}
