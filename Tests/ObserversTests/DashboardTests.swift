import Foundation
import NodeEvents
import Observers
import Testing

/// `deploy/grafana/wakusync.json` against the metrics `NodeMetrics` renders, so the dashboard
/// cannot drift from the code.
@Suite("The Grafana dashboard")
struct DashboardTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/grafana/wakusync.json")

    /// Every panel's query expressions, rows' nested panels included.
    static func expressions(_ panels: [[String: Any]]) -> [String] {
        panels.flatMap { panel in
            let targets = panel["targets"] as? [[String: Any]] ?? []
            return targets.compactMap { $0["expr"] as? String }
                + Self.expressions(panel["panels"] as? [[String: Any]] ?? [])
        }
    }

    /// The series names (`name` of `name{labels} value`) in an exposition.
    static func series(_ exposition: String) -> Set<String> {
        Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                String($0.prefix { $0 != "{" && $0 != " " })
            }
        )
    }

    /// Metrics with every event kind that creates one recorded once.
    static func fedMetrics() -> NodeMetrics {
        let metrics = NodeMetrics()
        metrics.record(EventLinesTests.ended(.reconciled))
        metrics.record(.transferred(TransferTraffic(peerID: "p", direction: .received, messages: 1, bytes: 10)))
        metrics.record(.rejected(RejectedMessages(source: .sync, peerID: "p", reason: .futureTimestamp, count: 1)))
        metrics.record(.limitExceeded(LimitExceeded(limit: .reconciliation, peerID: "p", detail: "d")))
        metrics.record(.transfer(TransferQueue(peerID: "p")))
        metrics.record(
            .stored(
                StoredBatch(
                    source: .fetch,
                    peerID: "p",
                    inserted: 1,
                    duplicates: 0,
                    byPubsubTopic: [:],
                    byContentTopic: [:]
                )
            )
        )
        metrics.record(.retention(deleted: 1, policy: "time:60"))
        metrics.record(.storeServed(StoreServed(peerID: "p", status: 429, messages: 0, duration: .zero)))
        metrics.record(.archive(ArchiveSnapshot(messages: 1, bytes: 1, oldest: nil, newest: nil, syncIndexItems: 1)))
        metrics.record(.peerUpdated(PeerSnapshot(peerID: "a", state: .connected)))
        metrics.record(.relayStatus(NodeMetricsTests.relayStatus(scale: 1)))
        metrics.record(
            .relayed(
                RelayedMessage(peerID: "p", pubsubTopic: "/waku/2/rs/1/0", bytes: 10, forwardedTo: 1, ephemeral: false)
            )
        )
        return metrics
    }

    @Test("the dashboard is a Grafana dashboard with a Prometheus data source input")
    func shape() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        #expect((json["schemaVersion"] as? Int ?? 0) >= 36)
        let inputs = try #require(json["__inputs"] as? [[String: Any]])
        #expect(
            inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" }
        )
        let panels = try #require(json["panels"] as? [[String: Any]])
        for panel in panels where panel["type"] as? String != "row" {
            let source = panel["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == "${DS_PROMETHEUS}", "\(panel["title"] ?? "?")")
        }
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(Set(ids).count == panels.count, "panel ids are unique")
    }

    @Test("every metric a panel queries is one NodeMetrics renders, under the same name")
    func metricsExist() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        let expressions = Self.expressions(try #require(json["panels"] as? [[String: Any]]))
        #expect(expressions.count >= 20)
        let rendered = Self.series(Self.fedMetrics().exposition())
        // Our own names, nwaku's Store Sync, Store and relay names and nim-libp2p's gossipsub
        // names: everything the panels read.
        let pattern = try Regex(#"\b(wakusync|reconciliation|total|waku_store|waku_relay|libp2p)_[a-z_]+"#)
        var queried: Set<String> = []
        for expression in expressions {
            queried.formUnion(expression.matches(of: pattern).map { String(expression[$0.range]) })
        }
        #expect(queried.contains("wakusync_messages_rejected_total"))
        #expect(queried.contains("reconciliation_roundtrips_bucket"))
        #expect(queried.contains("libp2p_gossipsub_peers_per_topic_mesh"))
        #expect(queried.contains("waku_relay_network_bytes_total"))
        for name in queried.sorted() {
            #expect(rendered.contains(name), "the dashboard queries \(name), which NodeMetrics does not render")
        }
        let ours = rendered.filter { $0.hasPrefix("wakusync_") }
        #expect(ours.isSubset(of: queried), "metrics without a panel: \(ours.subtracting(queried).sorted())")
    }

    @Test("a panel grouping by a label groups by one its metric has")
    func labelsExist() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any])
        let exposition = Self.fedMetrics().exposition()
        let grouping = try Regex(#"by \(([a-z_, ]+)\) \((?:rate|increase)?\(?([a-z_]+)"#)
        for expression in Self.expressions(try #require(json["panels"] as? [[String: Any]])) {
            for match in expression.matches(of: grouping) {
                let labels = String(expression[try #require(match.output[1].range)])
                let metric = String(expression[try #require(match.output[2].range)])
                let lines = exposition.split(separator: "\n").filter { $0.hasPrefix(metric + "{") }
                for label in labels.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
                where label != "instance" && label != "le" {
                    #expect(lines.contains { $0.contains("\(label)=\"") }, "\(metric) has no label \(label)")
                }
            }
        }
    }
}
