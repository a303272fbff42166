/// Everything a node reports to its observers: the TUI, the headless log lines and the metrics
/// all read the same stream, so they always agree (ARCHITECTURE.md §2).
///
/// Events are values; the stream that carries them keeps the newest when a reader falls behind,
/// so observers must tolerate gaps (snapshots in ``peerUpdated(_:)`` and ``archive(_:)`` are
/// whole for that reason).
package enum NodeEvent: Equatable, Sendable {
    /// The node is listening.
    case started(NodeInfo)
    /// Graceful shutdown began.
    case stopping
    /// A peer appeared or any of its state changed.
    case peerUpdated(PeerSnapshot)
    /// A peer was forgotten.
    case peerRemoved(String)
    case sessionStarted(SessionStart)
    case sessionRound(SessionRound)
    case sessionEnded(SessionEnd)
    /// The transfer queues with a peer changed.
    case transfer(TransferQueue)
    /// Incoming messages (pushed, fetched, resumed, published, relayed) were dropped.
    case rejected(RejectedMessages)
    /// A peer went past one of the node's limits; what it asked for was refused or ended.
    case limitExceeded(LimitExceeded)
    /// Messages moved by transfer, in one direction, since the last such event for the peer.
    case transferred(TransferTraffic)
    /// We answered a Store query.
    case storeServed(StoreServed)
    /// Relay accepted a message from a peer (one event per message).
    case relayed(RelayedMessage)
    /// Relay's mesh and counters, about once a second while relay runs.
    case relayStatus(RelayStatus)
    case stored(StoredBatch)
    case archive(ArchiveSnapshot)
    /// Retention deleted messages (and the sync index dropped them).
    case retention(deleted: Int, policy: String)
    case resume(ResumeProgress)
    /// When the scheduler will start the next periodic sync (wall clock, nanoseconds); nil when
    /// periodic sync is off.
    case nextSync(at: Int64?)
    /// An archive audit with a peer made progress.
    case auditProgress(AuditProgress)
    /// An archive audit with a peer ended.
    case auditFinished(AuditReport)
    /// Something an operator should see in the log: a misbehaving peer, a failed dial, an
    /// archive error.
    case notice(Notice)
}

/// A peer went past a limit (docs/SECURITY.md lists them all).
package struct LimitExceeded: Equatable, Sendable {
    /// Which family of limits.
    package enum Limit: String, Sendable, CaseIterable {
        /// A reconciliation payload or session cap, or the frame budget.
        case reconciliation
        /// The Store server's per-peer streams or query rate, or its response budget.
        case store
        /// Store Resume or the count audit: pages, entries, a cursor that does not advance.
        case storeClient = "store_client"
        /// Topics the node tracks.
        case topics
        /// An archive audit request or answer over its bounds.
        case audit
    }

    package var limit: Limit
    package var peerID: String?
    package var detail: String

    package init(limit: Limit, peerID: String?, detail: String) {
        self.limit = limit
        self.peerID = peerID
        self.detail = detail
    }
}

/// A line for the event log.
package struct Notice: Equatable, Sendable {
    package enum Severity: String, Sendable, Comparable {
        case info
        case warning
        case error

        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }
    }

    package var severity: Severity
    package var message: String
    package var peerID: String?

    package init(_ severity: Severity, _ message: String, peerID: String? = nil) {
        self.severity = severity
        self.message = message
        self.peerID = peerID
    }
}

/// What an observer can ask the node to do.
package enum NodeCommand: Equatable, Sendable {
    /// Reconcile now with one peer, or with every eligible peer when nil.
    case forceSync(peerID: String?)
    case pause(peerID: String)
    case unpause(peerID: String)
    /// Run Store Resume now.
    case startResume
    /// Dial a multiaddr and keep it as a static peer.
    case addPeer(multiaddr: String)
    case disconnect(peerID: String)
    /// Publish a small test message through relay on the node's first relay topic.
    case publishTest
    /// Audit our archive against a peer's over the retention span (PROTOCOLS.md §12), repairing
    /// the differences when `repair`.
    case audit(peerID: String, repair: Bool)
}
