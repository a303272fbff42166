import NodeEvents
import Observers
import Testing

@Suite("Prometheus metrics from events")
struct NodeMetricsTests {
    /// The value of the sample line `name{labels}` in the exposition, if present.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("a session's end feeds nwaku's histograms and byte counters and our session counter")
    func sessions() {
        let metrics = NodeMetrics()
        metrics.record(EventLinesTests.ended(.reconciled))
        metrics.record(EventLinesTests.ended(.failed("x")))
        let text = metrics.exposition()
        #expect(Self.sample(text, "reconciliation_roundtrips_count") == 2)
        #expect(Self.sample(text, "reconciliation_roundtrips_sum") == 6)
        #expect(Self.sample(text, #"reconciliation_differences_bucket{le="10.0"}"#) == 2)
        #expect(Self.sample(text, #"total_bytes_exchanged_total{protocol="reconciliation",direction="sent"}"#) == 200)
        #expect(Self.sample(text, #"wakusync_sessions_total{role="initiator",outcome="reconciled"}"#) == 1)
        #expect(Self.sample(text, #"wakusync_sessions_total{role="initiator",outcome="failed"}"#) == 1)
    }

    @Test("transfer, rejections, limits, storage, retention and Store service are counted")
    func traffic() {
        let metrics = NodeMetrics()
        metrics.record(.transferred(TransferTraffic(peerID: "p", direction: .received, messages: 3, bytes: 300)))
        metrics.record(.rejected(RejectedMessages(source: .sync, peerID: "p", reason: .futureTimestamp, count: 2)))
        metrics.record(.rejected(RejectedMessages(source: .sync, peerID: "q", reason: .futureTimestamp, count: 1)))
        metrics.record(.limitExceeded(LimitExceeded(limit: .reconciliation, peerID: "p", detail: "d")))
        metrics.record(
            .stored(
                StoredBatch(
                    source: .fetch,
                    peerID: "p",
                    inserted: 5,
                    duplicates: 1,
                    byPubsubTopic: [:],
                    byContentTopic: [:]
                )
            )
        )
        metrics.record(.retention(deleted: 7, policy: "time:60"))
        metrics.record(.storeServed(StoreServed(peerID: "p", status: 429, messages: 0, duration: .zero)))
        metrics.record(
            .archive(ArchiveSnapshot(messages: 10, bytes: 1_000, oldest: nil, newest: nil, syncIndexItems: 4))
        )
        let text = metrics.exposition()
        #expect(Self.sample(text, #"total_transfer_messages_exchanged_total{direction="receive"}"#) == 3)
        #expect(Self.sample(text, #"total_bytes_exchanged_total{protocol="transfer",direction="receive"}"#) == 300)
        #expect(
            Self.sample(text, #"wakusync_messages_rejected_total{source="sync",reason="future_timestamp"}"#) == 3
        )
        #expect(Self.sample(text, #"wakusync_limits_exceeded_total{limit="reconciliation"}"#) == 1)
        #expect(Self.sample(text, #"wakusync_messages_stored_total{source="fetch"}"#) == 5)
        #expect(Self.sample(text, "wakusync_retention_deleted_total") == 7)
        #expect(Self.sample(text, "waku_store_queries_total") == 1)
        #expect(Self.sample(text, #"waku_store_errors_total{type="status_code_no_success"}"#) == 1)
        #expect(Self.sample(text, "total_messages_cached") == 4)
        #expect(Self.sample(text, "wakusync_archive_messages") == 10)
    }

    @Test("peers are counted by state as they change and leave")
    func peers() {
        let metrics = NodeMetrics()
        metrics.record(.peerUpdated(PeerSnapshot(peerID: "a", state: .connected)))
        metrics.record(.peerUpdated(PeerSnapshot(peerID: "b", state: .connected)))
        metrics.record(.peerUpdated(PeerSnapshot(peerID: "b", state: .backingOff)))
        #expect(Self.sample(metrics.exposition(), #"wakusync_peers{state="connected"}"#) == 1)
        metrics.record(.peerRemoved("a"))
        #expect(Self.sample(metrics.exposition(), #"wakusync_peers{state="connected"}"#) == 0)
    }

    /// A status of one topic with two mesh peers, every count `scale` times its base.
    static func relayStatus(scale: Int) -> RelayStatus {
        var counts = RelayStatus.Counts()
        counts.received = 10 * scale
        counts.duplicates = 4 * scale
        counts.invalid = 2 * scale
        counts.malformed = scale
        counts.ignored = 3 * scale
        counts.forwarded = 20 * scale
        counts.published = 5 * scale
        counts.bytesIn = 1_000 * scale
        counts.bytesOut = 2_000 * scale
        counts.iHaveSent = 6 * scale
        counts.iHaveReceived = 7 * scale
        counts.graftSent = 2 * scale
        counts.graftReceived = scale
        counts.pruneSent = scale
        counts.pruneReceived = 3 * scale
        var total = counts
        total.iWantSent = 8 * scale
        total.iWantReceived = 9 * scale
        total.duplicates += 1
        let topic = RelayStatus.Topic(
            pubsubTopic: "/waku/2/rs/1/0",
            meshPeers: ["a", "b"],
            subscribedPeers: 3,
            counts: counts
        )
        return RelayStatus(topics: [topic], total: total, peers: 4)
    }

    @Test("relay status fills nwaku's and nim-libp2p's relay metrics, counters growing by what the counts grew")
    func relayStatus() {
        let metrics = NodeMetrics()
        metrics.record(.relayStatus(Self.relayStatus(scale: 1)))
        // A missed status loses nothing: the next one carries the cumulative counts.
        metrics.record(.relayStatus(Self.relayStatus(scale: 3)))
        let text = metrics.exposition()
        let topic = #"topic="/waku/2/rs/1/0""#
        let expected: [(String, Double)] = [
            ("libp2p_pubsub_peers", 4),
            ("libp2p_pubsub_topics", 1),
            ("libp2p_gossipsub_peers_per_topic_mesh{\(topic)}", 2),
            ("libp2p_gossipsub_peers_per_topic_gossipsub{\(topic)}", 3),
            ("libp2p_pubsub_validation_success_total", 30),
            ("libp2p_pubsub_validation_failure_total", 6),
            ("libp2p_pubsub_validation_ignore_total", 9),
            ("libp2p_gossipsub_duplicate_total", 13),
            ("libp2p_pubsub_broadcast_iwant_total", 24),
            ("libp2p_pubsub_received_iwant_total", 27),
            ("libp2p_pubsub_messages_rebroadcasted_total{\(topic)}", 60),
            ("libp2p_pubsub_messages_published_total{\(topic)}", 15),
            ("libp2p_pubsub_broadcast_ihave_total{\(topic)}", 18),
            ("libp2p_pubsub_received_ihave_total{\(topic)}", 21),
            ("libp2p_pubsub_broadcast_graft_total{\(topic)}", 6),
            ("libp2p_pubsub_received_graft_total{\(topic)}", 3),
            ("libp2p_pubsub_broadcast_prune_total{\(topic)}", 3),
            ("libp2p_pubsub_received_prune_total{\(topic)}", 9),
            ("waku_relay_network_bytes_total{\(topic),type=\"gross\",direction=\"in\"}", 3_000),
            ("waku_relay_network_bytes_total{\(topic),type=\"net\",direction=\"out\"}", 6_000),
            ("wakusync_relay_dropped_total{\(topic),reason=\"duplicate\"}", 12),
            ("wakusync_relay_dropped_total{\(topic),reason=\"invalid\"}", 6),
            ("wakusync_relay_dropped_total{\(topic),reason=\"malformed\"}", 3),
            ("wakusync_relay_dropped_total{\(topic),reason=\"ignored\"}", 9),
        ]
        for (series, value) in expected {
            #expect(Self.sample(text, series) == value, "\(series)")
        }
    }

    @Test("a relayed message counts on our topic counter and as nwaku's net inbound bytes")
    func relayedMessage() {
        let metrics = NodeMetrics()
        let topic = "/waku/2/rs/1/0"
        let message = RelayedMessage(peerID: "p", pubsubTopic: topic, bytes: 100, forwardedTo: 2, ephemeral: false)
        metrics.record(.relayed(message))
        metrics.record(.relayed(message))
        let text = metrics.exposition()
        #expect(Self.sample(text, #"wakusync_relay_messages_total{topic="/waku/2/rs/1/0"}"#) == 2)
        #expect(
            Self.sample(text, #"waku_relay_network_bytes_total{topic="/waku/2/rs/1/0",type="net",direction="in"}"#)
                == Double(2 * (100 + topic.utf8.count))
        )
    }
}
