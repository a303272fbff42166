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
}
