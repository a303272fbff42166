/// Waku Relay's state about once a second: the mesh of each topic and what the gossipsub router
/// counted since the node started.
///
/// Counts are cumulative, so an observer that missed some snapshots (the event stream keeps the
/// newest) still gets every message into its totals and rates.
package struct RelayStatus: Equatable, Sendable {
    /// What the router counted on one topic or over all of them (the router's
    /// `TrafficCounters`; see there for what each field counts).
    package struct Counts: Equatable, Sendable {
        /// First copies that passed validation and were delivered.
        package var received = 0
        package var duplicates = 0
        /// First copies our validation rejected.
        package var invalid = 0
        /// First copies dropped before validation (a signature, a bad seqno).
        package var malformed = 0
        /// First copies our validation ignored (a timestamp too far ahead).
        package var ignored = 0
        /// Copies of accepted messages sent on to mesh peers.
        package var forwarded = 0
        /// Copies of our own publishes sent.
        package var published = 0
        /// Bytes (`data` plus topic) of every copy received, and of every copy sent.
        package var bytesIn = 0
        package var bytesOut = 0
        /// Control entries sent and received. IWANT is counted only over all topics: it names
        /// message ids, not a topic.
        package var iHaveSent = 0
        package var iHaveReceived = 0
        package var iWantSent = 0
        package var iWantReceived = 0
        package var graftSent = 0
        package var graftReceived = 0
        package var pruneSent = 0
        package var pruneReceived = 0

        /// All zero.
        package init() {}
    }

    /// One subscribed pubsub topic.
    package struct Topic: Equatable, Sendable {
        package var pubsubTopic: String
        /// Peer IDs in our mesh for the topic, sorted.
        package var meshPeers: [String]
        /// Connected relay peers subscribed to the topic, mesh or not.
        package var subscribedPeers: Int
        package var counts: Counts

        package init(pubsubTopic: String, meshPeers: [String], subscribedPeers: Int, counts: Counts) {
            self.pubsubTopic = pubsubTopic
            self.meshPeers = meshPeers
            self.subscribedPeers = subscribedPeers
            self.counts = counts
        }
    }

    /// Our topics, in the order the node subscribed to them.
    package var topics: [Topic]
    /// Counts over all topics, those we are not subscribed to included.
    package var total: Counts
    /// Connected peers with a relay stream.
    package var peers: Int

    package init(topics: [Topic], total: Counts, peers: Int) {
        self.topics = topics
        self.total = total
        self.peers = peers
    }

    /// Peers in our mesh on any topic.
    package var meshPeers: Set<String> { Set(self.topics.flatMap(\.meshPeers)) }
}
