package import NodeEvents

/// Everything the monitor knows about one node, built only from its ``NodeEvent``s, plus what the
/// operator is looking at on it (``view``).
///
/// The one place state changes: ``apply(_:at:)`` for events and ``apply(_:)`` for
/// actions. Time comes in as an argument (wall clock, nanoseconds), so both are pure and every
/// collection is bounded (log lines, finished sessions, rounds per session, sparkline buckets).
package struct MonitorState: Equatable, Sendable {
    /// Finished sessions kept (newest first).
    package static let finishedSessionLimit = 50
    /// Finished sessions that keep their per-range summaries for the drill-down.
    package static let detailedSessionLimit = 10
    /// Hashes kept over the minutes of one peer's audit report (the counts stay exact).
    package static let auditHashLimit = 2_000

    /// Who the node is, once it started.
    package internal(set) var node: NodeInfo?
    /// Whether graceful shutdown began.
    package internal(set) var isStopping = false
    /// Every known peer by ID, as last reported.
    package internal(set) var peers: [String: PeerSnapshot] = [:]
    /// Peer IDs in the order they first appeared: the stable row order of the peer tables.
    package internal(set) var peerOrder: [String] = []
    /// Sessions under way, oldest first.
    package internal(set) var liveSessions: [SessionRecord] = []
    /// Sessions that ended, newest first.
    package internal(set) var finishedSessions: [SessionRecord] = []
    /// Transfer queues by peer ID.
    package internal(set) var transfers: [String: TransferTrack] = [:]
    /// The archive's size, as last reported.
    package internal(set) var archive: ArchiveSnapshot?
    /// What was stored since the monitor started, for the sparklines.
    package internal(set) var growth = GrowthHistory()
    /// Waku Relay's status and last messages.
    package internal(set) var relay = RelayHistory()
    /// Archive audits by peer ID: the latest report and the audit under way.
    package internal(set) var audits: [String: PeerAudit] = [:]
    /// Store Resume, as last reported.
    package internal(set) var resume: ResumeProgress?
    /// When the next periodic sync starts (wall clock, nanoseconds).
    package internal(set) var nextSyncAt: Int64?
    /// Messages retention deleted since the monitor started.
    package internal(set) var retentionDeleted = 0
    /// Pushed messages dropped, by reason.
    package internal(set) var rejections: [Rejection: Int] = [:]
    /// Times a peer went past one of the node's limits.
    package internal(set) var limitsExceeded = 0
    /// The event log.
    package internal(set) var log = EventLog()
    /// Events folded in so far.
    package internal(set) var eventsApplied = 0
    /// What the operator is looking at on this node.
    package var view = NodeView()

    /// A state that has seen no events.
    package init() {}

    /// Folds one event into the state; `now` is the wall clock when it arrived (nanoseconds).
    package mutating func apply(_ event: NodeEvent, at now: Int64) {
        self.eventsApplied += 1
        switch event {
        case .started(let info): self.start(info, at: now)
        case .stopping:
            self.isStopping = true
            self.appendLog(.warning, .node, "node is shutting down", at: now)
        case .peerUpdated(let peer): self.update(peer, at: now)
        case .peerRemoved(let peerID): self.removePeer(peerID, at: now)
        case .sessionStarted(let start): self.startSession(start)
        case .sessionRound(let round): self.recordRound(round, at: now)
        case .sessionEnded(let end): self.endSession(end, at: now)
        case .transfer(let queue): self.updateTransfer(queue, at: now)
        case .rejected(let rejected):
            self.rejections[rejected.reason, default: 0] += rejected.count
            let count = rejected.count
            self.appendLog(
                .warning,
                .transfer,
                "dropped \(count) \(rejected.source.participle) message\(count == 1 ? "" : "s"): \(rejected.reason.rawValue)",
                peerID: rejected.peerID,
                at: now
            )
        case .limitExceeded(let exceeded):
            self.limitsExceeded += 1
            self.appendLog(
                .warning,
                .node,
                "limit reached (\(exceeded.limit.rawValue)): \(exceeded.detail)",
                peerID: exceeded.peerID,
                at: now
            )
        case .stored(let batch):
            self.growth.record(batch, at: now)
            // The header and the archive pane count stored messages at once; the next snapshot
            // (at most a second later) brings bytes and the index size.
            self.archive?.messages += batch.inserted
        case .archive(let snapshot): self.archive = snapshot
        case .retention(let deleted, let policy):
            self.retentionDeleted += deleted
            self.appendLog(.info, .archive, "retention deleted \(Format.count(deleted)) messages (\(policy))", at: now)
        case .resume(let progress): self.updateResume(progress, at: now)
        case .auditProgress(let progress): self.recordAudit(progress)
        case .auditFinished(let report): self.finishAudit(report, at: now)
        case .nextSync(let time): self.nextSyncAt = time
        case .transferred:
            // The transfer queues' counters already show what moved; the traffic is for metrics.
            break
        case .storeServed(let served) where served.status != 200:
            self.appendLog(
                .warning,
                .notice,
                "answered a Store query with status \(served.status)",
                peerID: served.peerID,
                at: now
            )
        case .storeServed:
            break
        case .relayed(let message):
            // Listed in the relay pane; what the archive kept shows up as stored messages too.
            self.relay.record(message, at: now)
        case .relayStatus(let status): self.relay.record(status, at: now)
        case .notice(let notice):
            self.appendLog(notice.severity, .notice, notice.message, peerID: notice.peerID, at: now)
        }
    }

    // MARK: - Derived values the renderer and the actions share

    /// Whether the node runs Waku Relay.
    package var runsRelay: Bool { self.node?.relayTopics.isEmpty == false || self.relay.status != nil }

    /// Peers in row order.
    package var orderedPeers: [PeerSnapshot] { self.peerOrder.compactMap { self.peers[$0] } }

    /// The selected peer: the remembered one if it still exists, else the first.
    package var selectedPeer: PeerSnapshot? {
        if let id = self.view.selectedPeerID, let peer = self.peers[id] { return peer }
        return self.peerOrder.first.flatMap { self.peers[$0] }
    }

    /// The selected peer's audits, if it was ever audited.
    package var selectedAudit: PeerAudit? { self.selectedPeer.flatMap { self.audits[$0.peerID] } }

    /// The rows of the rounds pane: live sessions, then finished ones, newest first.
    package var sessionRows: [SessionRecord] { self.liveSessions.reversed() + self.finishedSessions }

    /// The selected session of the rounds pane: the remembered one if still kept, else the first.
    package var selectedSession: SessionRecord? {
        if let id = self.view.selectedSessionID, let session = self.session(id) { return session }
        return self.sessionRows.first
    }

    /// Peers with transfer queues, in row order: the rows of the missing pane.
    package var transferPeers: [String] { self.peerOrder.filter { self.transfers[$0] != nil } }

    /// A kept session, live or finished.
    package func session(_ id: SessionID) -> SessionRecord? {
        self.liveSessions.first { $0.id == id } ?? self.finishedSessions.first { $0.id == id }
    }

    /// The live session with a peer, if one runs.
    package func liveSession(with peerID: String) -> SessionRecord? {
        self.liveSessions.last { $0.peerID == peerID }
    }

    /// The most recent session with a peer, live or finished.
    package func latestSession(with peerID: String) -> SessionRecord? {
        self.liveSession(with: peerID) ?? self.finishedSessions.first { $0.peerID == peerID }
    }

    /// Whether every connected sync peer's last session succeeded and nothing is queued or running:
    /// what the header shows as "in sync".
    package var isInSync: Bool {
        let syncPeers = self.peers.values.filter { $0.state == .connected && $0.speaksSync && !$0.isPaused }
        guard !syncPeers.isEmpty, self.liveSessions.isEmpty else { return false }
        guard !self.transfers.values.contains(where: \.hasPending) else { return false }
        return syncPeers.allSatisfy { peer in
            self.finishedSessions.first { $0.peerID == peer.peerID }?.end?.outcome == .reconciled
        }
    }

    mutating func appendLog(
        _ severity: Notice.Severity,
        _ kind: LogEntry.Kind,
        _ text: String,
        peerID: String? = nil,
        at now: Int64
    ) {
        let entry = LogEntry(time: now, severity: severity, kind: kind, peerID: peerID, text: text)
        self.log.append(entry)
        // Keep a scrolled-up view on the same lines while new ones arrive below.
        if self.view.logScroll > 0 && entry.matches(lowercasedFilter: self.view.logFilter.lowercased()) {
            self.view.logScroll += 1
        }
    }
}
