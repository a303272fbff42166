internal import NodeEvents
internal import Prometheus
internal import Synchronization

// Relay metrics under nwaku's names (`waku_relay_network_bytes`) and nim-libp2p's (`libp2p_pubsub_*`,
// `libp2p_gossipsub_*`; nim-metrics adds `_total` to counters), with the labels they have there;
// only where our router counts the same thing. nim-libp2p labels a topic it was not built to know
// `generic` (gauges: `other`); we label by the topic, as it does for known ones.
extension NodeMetrics {
    /// One accepted message: our per-topic count, and nwaku's net inbound bytes (its subscription
    /// handler counts `data` plus topic once per validated message).
    func recordRelay(_ relayed: RelayedMessage) {
        let topic = relayed.pubsubTopic
        self.registry.makeCounter(
            descriptor: Self.name(
                "wakusync_relay_messages_total",
                "messages relay accepted from peers (validated and forwarded), by pubsub topic"
            ),
            labels: [("topic", topic)]
        ).increment()
        self.networkBytes(topic, "net", "in").increment(by: Int64(relayed.bytes + topic.utf8.count))
    }

    /// Relay's periodic status: gauges are set; counters grow by what the cumulative counts grew
    /// since the last status counted (missed statuses lose nothing).
    func recordRelay(_ status: RelayStatus) {
        let previous = self.countedRelayStatus.withLock { counted in
            defer { counted = status }
            return counted
        }
        self.gauge("libp2p_pubsub_peers", "pubsub peer instances").set(Double(status.peers))
        self.gauge("libp2p_pubsub_topics", "pubsub subscribed topics").set(Double(status.topics.count))
        for topic in status.topics {
            let before = previous?.topics.first { $0.pubsubTopic == topic.pubsubTopic }?.counts
            self.recordTopic(topic, before: before ?? RelayStatus.Counts())
        }
        let before = previous?.total ?? RelayStatus.Counts()
        let totals: [(String, String, KeyPath<RelayStatus.Counts, Int>)] = [
            ("libp2p_pubsub_validation_success_total", "pubsub successfully validated messages", \.received),
            ("libp2p_pubsub_validation_failure_total", "pubsub failed validated messages", \.invalid),
            ("libp2p_pubsub_validation_ignore_total", "pubsub ignore validated messages", \.ignored),
            ("libp2p_gossipsub_duplicate_total", "number of duplicates received", \.duplicates),
            ("libp2p_pubsub_broadcast_iwant_total", "pubsub broadcast iwant", \.iWantSent),
            ("libp2p_pubsub_received_iwant_total", "pubsub broadcast iwant", \.iWantReceived),
        ]
        for (name, help, count) in totals {
            self.registry.makeCounter(descriptor: Self.name(name, help))
                .increment(by: Self.growth(from: before[keyPath: count], to: status.total[keyPath: count]))
        }
    }

    private func recordTopic(_ topic: RelayStatus.Topic, before: RelayStatus.Counts) {
        let name = topic.pubsubTopic
        let label = [("topic", name)]
        self.gauge("libp2p_gossipsub_peers_per_topic_mesh", "gossipsub peers per topic in mesh", label)
            .set(Double(topic.meshPeers.count))
        self.gauge("libp2p_gossipsub_peers_per_topic_gossipsub", "gossipsub peers per topic in gossipsub", label)
            .set(Double(topic.subscribedPeers))
        let counts = topic.counts
        let perTopic: [(String, String, KeyPath<RelayStatus.Counts, Int>)] = [
            ("libp2p_pubsub_messages_rebroadcasted_total", "re-broadcasted messages", \.forwarded),
            ("libp2p_pubsub_messages_published_total", "published messages", \.published),
            ("libp2p_pubsub_broadcast_ihave_total", "pubsub broadcast ihave", \.iHaveSent),
            ("libp2p_pubsub_received_ihave_total", "pubsub broadcast ihave", \.iHaveReceived),
            ("libp2p_pubsub_broadcast_graft_total", "pubsub broadcast graft", \.graftSent),
            ("libp2p_pubsub_received_graft_total", "pubsub broadcast graft", \.graftReceived),
            ("libp2p_pubsub_broadcast_prune_total", "pubsub broadcast prune", \.pruneSent),
            ("libp2p_pubsub_received_prune_total", "pubsub broadcast prune", \.pruneReceived),
        ]
        for (metric, help, count) in perTopic {
            self.registry.makeCounter(descriptor: Self.name(metric, help), labels: label)
                .increment(by: Self.growth(from: before[keyPath: count], to: counts[keyPath: count]))
        }
        self.networkBytes(name, "gross", "in").increment(by: Self.growth(from: before.bytesIn, to: counts.bytesIn))
        self.networkBytes(name, "net", "out").increment(by: Self.growth(from: before.bytesOut, to: counts.bytesOut))
        let dropped: [(String, KeyPath<RelayStatus.Counts, Int>)] = [
            ("duplicate", \.duplicates), ("invalid", \.invalid), ("malformed", \.malformed), ("ignored", \.ignored),
        ]
        for (reason, count) in dropped {
            self.registry.makeCounter(
                descriptor: Self.name(
                    "wakusync_relay_dropped_total",
                    "received message copies relay did not deliver, by pubsub topic and reason"
                ),
                labels: [("topic", name), ("reason", reason)]
            ).increment(by: Self.growth(from: before[keyPath: count], to: counts[keyPath: count]))
        }
    }

    /// How much a cumulative count grew; a smaller count means the counting started over.
    private static func growth(from before: Int, to after: Int) -> Int64 {
        Int64(after >= before ? after - before : after)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        self.registry.makeGauge(descriptor: Self.name(name, help), labels: labels)
    }

    /// nwaku's relay traffic counter: `type` is `gross` (every copy) or `net` (what was kept).
    private func networkBytes(_ topic: String, _ type: String, _ direction: String) -> Counter {
        self.registry.makeCounter(
            descriptor: Self.name(
                "waku_relay_network_bytes_total",
                "total traffic per topic, distinct gross/net and direction"
            ),
            labels: [("topic", topic), ("type", type), ("direction", direction)]
        )
    }
}
