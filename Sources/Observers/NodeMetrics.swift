package import NodeEvents
internal import Prometheus
internal import Synchronization

/// Prometheus metrics fed from the node's event stream: nwaku's Store Sync metric names
/// (PROTOCOLS.md §6.5) and nwaku's and nim-libp2p's relay names, so nwaku's Grafana panels work on
/// our node, plus ours (`wakusync_…`).
package final class NodeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let roundTrips: ValueHistogram
    private let differences: ValueHistogram
    private let cached: Gauge
    private let peerStates = Mutex<[String: PeerSnapshot.State]>([:])
    /// The last relay status counted: its cumulative counts are turned into counter increments.
    let countedRelayStatus = Mutex<RelayStatus?>(nil)

    /// Metrics at zero, with nwaku's histograms registered.
    package init() {
        self.roundTrips = self.registry.makeValueHistogram(
            descriptor: Self.name("reconciliation_roundtrips", "the number of roundtrips for each reconciliation"),
            buckets: [1, 2, 3, 5, 8, 13]
        )
        self.differences = self.registry.makeValueHistogram(
            descriptor: Self.name("reconciliation_differences", "the number of differences for each reconciliation"),
            buckets: [0, 10, 50, 100, 500, 1000, 5000]
        )
        self.cached = self.registry.makeGauge(
            descriptor: Self.name("total_messages_cached", "the number of messages cached by the node after prunning")
        )
    }

    /// Updates the metrics for one event.
    package func record(_ event: NodeEvent) {
        switch event {
        case .sessionEnded, .transferred, .rejected, .limitExceeded, .transfer: self.recordSync(event)
        case .relayed(let relayed): self.recordRelay(relayed)
        case .relayStatus(let status): self.recordRelay(status)
        case .stored, .archive, .retention, .storeServed: self.recordArchive(event)
        case .peerUpdated, .peerRemoved: self.recordPeers(event)
        case .auditFinished(let report): self.recordAudit(report)
        case .auditProgress: break
        case .started, .stopping, .sessionStarted, .sessionRound, .resume, .nextSync, .notice: break
        }
    }

    private func recordSync(_ event: NodeEvent) {
        switch event {
        case .sessionEnded(let end):
            self.roundTrips.record(Double(end.rounds))
            self.differences.record(Double(end.weNeed + end.theyNeed))
            self.bytes("reconciliation", "sent").increment(by: Int64(end.bytesSent))
            self.bytes("reconciliation", "receive").increment(by: Int64(end.bytesReceived))
            let outcome: String
            switch end.outcome {
            case .reconciled: outcome = "reconciled"
            case .scopeMismatch: outcome = "scope_mismatch"
            case .failed: outcome = "failed"
            }
            self.registry.makeCounter(
                descriptor: Self.name("wakusync_sessions_total", "reconciliation sessions by role and outcome"),
                labels: [("role", end.role.rawValue), ("outcome", outcome)]
            ).increment()
        case .transferred(let traffic):
            self.bytes("transfer", traffic.direction.rawValue).increment(by: Int64(traffic.bytes))
            self.registry.makeCounter(
                descriptor: Self.name(
                    "total_transfer_messages_exchanged_total",
                    "the number of messages sent and received by the transfer protocol"
                ),
                labels: [("direction", traffic.direction.rawValue)]
            ).increment(by: Int64(traffic.messages))
        case .rejected(let rejected):
            self.registry.makeCounter(
                descriptor: Self.name(
                    "wakusync_messages_rejected_total",
                    "incoming messages dropped by the acceptance rule, the transfer gate or a limit, by source and reason"
                ),
                labels: [("source", rejected.source.rawValue), ("reason", rejected.reason.rawValue)]
            ).increment(by: Int64(rejected.count))
        case .limitExceeded(let exceeded):
            self.registry.makeCounter(
                descriptor: Self.name(
                    "wakusync_limits_exceeded_total",
                    "requests refused or sessions ended at a limit"
                ),
                labels: [("limit", exceeded.limit.rawValue)]
            ).increment()
        case .transfer(let queue):
            self.registry.makeGauge(
                descriptor: Self.name(
                    "wakusync_missing_messages",
                    "messages reconciliation found we lack, still awaited from the peer"
                ),
                labels: [("peer", queue.peerID)]
            ).set(Double(queue.weNeedPending))
        default:
            break
        }
    }

    private func recordArchive(_ event: NodeEvent) {
        switch event {
        case .stored(let batch):
            self.registry.makeCounter(
                descriptor: Self.name(
                    "wakusync_messages_stored_total",
                    "messages newly stored in the archive, by source"
                ),
                labels: [("source", batch.source.rawValue)]
            ).increment(by: Int64(batch.inserted))
        case .archive(let snapshot):
            self.cached.set(Double(snapshot.syncIndexItems))
            self.registry.makeGauge(descriptor: Self.name("wakusync_archive_messages", "messages in the archive")).set(
                Double(snapshot.messages)
            )
            self.registry.makeGauge(
                descriptor: Self.name("wakusync_archive_payload_bytes", "payload bytes in the archive")
            )
            .set(Double(snapshot.bytes))
        case .retention(let deleted, _):
            self.registry.makeCounter(
                descriptor: Self.name("wakusync_retention_deleted_total", "messages deleted by retention")
            )
            .increment(by: Int64(deleted))
        case .storeServed(let served):
            self.registry.makeCounter(descriptor: Self.name("waku_store_queries_total", "store queries served"))
                .increment()
            if served.status != 200 {
                self.registry.makeCounter(
                    descriptor: Self.name("waku_store_errors_total", "store queries answered with an error"),
                    labels: [("type", "status_code_no_success")]
                ).increment()
            }
        default:
            break
        }
    }

    private func recordAudit(_ report: AuditReport) {
        self.registry.makeCounter(
            descriptor: Self.name("wakusync_audits_total", "archive audits by method and outcome"),
            labels: [("method", report.method.rawValue), ("outcome", report.outcome.rawValue)]
        ).increment()
        self.registry.makeCounter(
            descriptor: Self.name("wakusync_audit_missing_total", "hashes archive audits found lacking, by side"),
            labels: [("side", "here")]
        ).increment(by: Int64(report.missingHereCount))
        self.registry.makeCounter(
            descriptor: Self.name("wakusync_audit_missing_total", "hashes archive audits found lacking, by side"),
            labels: [("side", "there")]
        ).increment(by: Int64(report.missingThereCount))
    }

    private func recordPeers(_ event: NodeEvent) {
        switch event {
        case .peerUpdated(let peer):
            self.updatePeers { $0[peer.peerID] = peer.state }
        case .peerRemoved(let peer):
            self.updatePeers { $0[peer] = nil }
        default:
            break
        }
    }

    /// A full metric name (no namespace or unit parts of its own) with its help text.
    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The text exposition format.
    package func exposition() -> String { self.registry.emitToString() }

    private func bytes(_ protocolName: String, _ direction: String) -> Counter {
        self.registry.makeCounter(
            descriptor: Self.name(
                "total_bytes_exchanged_total",
                "the number of bytes sent and received by the protocols"
            ),
            labels: [("protocol", protocolName), ("direction", direction)]
        )
    }

    private func updatePeers(_ change: (inout [String: PeerSnapshot.State]) -> Void) {
        let counts = self.peerStates.withLock { states in
            change(&states)
            return Dictionary(grouping: states.values, by: \.self).mapValues(\.count)
        }
        for state in [PeerSnapshot.State.connecting, .connected, .disconnected, .backingOff] {
            self.registry.makeGauge(
                descriptor: Self.name("wakusync_peers", "known peers by state"),
                labels: [("state", state.rawValue)]
            )
            .set(Double(counts[state] ?? 0))
        }
    }
}
