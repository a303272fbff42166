/// What the router counted on one topic (or over all topics) since it started: messages by what
/// became of them, and control entries by direction.
///
/// Plain integers bumped where the router already handles each thing, so counting costs no
/// allocation. Control is counted in entries (one IHAVE, GRAFT or PRUNE per topic and RPC, one
/// IWANT per list), as nim-libp2p's `libp2p_pubsub_broadcast_*` and `libp2p_pubsub_received_*`
/// count them.
package struct TrafficCounters: Equatable, Sendable {
    /// A kind of control entry, sent and received.
    package struct Control: Equatable, Sendable {
        package var sent = 0
        package var received = 0

        /// None of either.
        package init() {}
    }

    /// First copies that passed validation and were delivered.
    package var received = 0
    /// Copies of a message already seen.
    package var duplicates = 0
    /// First copies the application rejected.
    package var invalid = 0
    /// First copies dropped by our own checks before validation (a signature, a bad seqno).
    package var malformed = 0
    /// First copies the application ignored.
    package var ignored = 0
    /// Copies of accepted messages sent on to mesh peers (one per peer).
    package var forwarded = 0
    /// Copies of our own publishes sent (one per peer).
    package var published = 0
    /// Bytes of every message copy received, `data` plus topic (nwaku's gross inbound size).
    package var bytesIn = 0
    /// Bytes of every message copy sent: forwards, publishes, IWANT answers.
    package var bytesOut = 0
    package var iHave = Control()
    /// Counted only over all topics: an IWANT names message ids, not a topic.
    package var iWant = Control()
    package var graft = Control()
    package var prune = Control()

    /// All zero.
    package init() {}
}

extension GossipsubRouter {
    /// Applies `change` to the counters over all topics, and to the topic's own when we are
    /// subscribed to it (only our topics get counters, so a peer's made-up topics cost nothing).
    mutating func count(_ topic: String, _ change: (inout TrafficCounters) -> Void) {
        change(&self.counters)
        if let index = self.countersByTopic.index(forKey: topic) {
            change(&self.countersByTopic.values[index])
        }
    }

    /// Counts a message copy sent to `peers` peers.
    mutating func countSent(_ message: RPC.Message, to peers: Int) {
        let size = message.data.count + message.topic.utf8.count
        self.count(message.topic) { $0.bytesOut += size * peers }
    }
}
