internal import Libp2p
internal import NodeEvents
internal import Synchronization
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// The archive audit between wakusync peers (PROTOCOLS.md §12): the whole retention compared
/// bucket by bucket, top-down, then the exact differing hashes, then the repair. This type answers
/// peers (``serve(_:)``) and runs audits (`ArchiveAudit+Run.swift`, and against Store-only peers
/// `ArchiveAudit+Store.swift`).
///
/// Every answer is bounded by ``AuditLimits``; at most ``concurrentAudits`` are served at once, one
/// per peer, and their frames share one byte budget.
final class ArchiveAudit: Sendable {
    static let protocolID = "/wakusync/audit/archive/1.0.0"
    /// Audits served at once, and to one peer (two, so a peer's next audit is not refused while
    /// the stream of its last one is still being closed).
    static let concurrentAudits = 4
    static let auditsPerPeer = 2
    /// How long a peer may take to send its next request.
    static let requestTimeout = Duration.seconds(60)

    let host: Libp2pHost
    let archive: any MessageArchive
    let engine: SyncEngine
    let events: EventHub
    let configuration: NodeConfiguration
    let client: StoreClient
    /// Pushes to a Store peer (nwaku takes transfer streams from any peer, PROTOCOLS.md §5.2).
    let transfer: Transfer
    let limits: AuditLimits
    let budget: ByteBudget
    private let serving = Mutex([PeerID: Int]())

    init(
        host: Libp2pHost,
        archive: any MessageArchive,
        engine: SyncEngine,
        events: EventHub,
        configuration: NodeConfiguration,
        client: StoreClient,
        transfer: Transfer
    ) {
        self.host = host
        self.archive = archive
        self.engine = engine
        self.events = events
        self.configuration = configuration
        self.client = client
        self.transfer = transfer
        self.limits = configuration.limits.audit
        self.budget = ByteBudget("archive audit", limit: configuration.limits.auditBytes)
    }

    /// Answers one peer's audit: requests in, one answer each, until the peer closes, a limit is
    /// crossed or a request is refused.
    func serve(_ stream: Libp2pStream) async throws {
        let peer = stream.peerID
        let admitted = self.serving.withLock { serving in
            let total = serving.values.reduce(0, +)
            guard total < Self.concurrentAudits, serving[peer, default: 0] < Self.auditsPerPeer else { return false }
            serving[peer, default: 0] += 1
            return true
        }
        guard admitted else {
            try? await stream.writeMessage(
                AuditResponse.error(AuditRefusal(.busy, "too many audits at once")).encoded()
            )
            await stream.close()
            return
        }
        defer {
            self.serving.withLock { serving in
                serving[peer, default: 1] -= 1
                if serving[peer] == 0 { serving[peer] = nil }
            }
        }
        var session = AuditAnswerer(audit: self, peer: peer)
        defer { session.finish() }
        do {
            for _ in 0..<self.limits.requests {
                guard
                    let bytes = try await stream.readMessage(
                        maxSize: self.limits.frameBytes,
                        timeout: Self.requestTimeout
                    )
                else { break }
                let response = await session.answer(bytes)
                let encoded = response.encoded()
                try await self.budget.withReservation(encoded.count) { try await stream.writeMessage(encoded) }
                if case .error(let refusal) = response {
                    self.report(refusal, peer: peer)
                    break
                }
            }
            await stream.close()
        } catch {
            stream.reset()
            self.events.emit(
                .notice(Notice(.warning, "audit stream failed: \(WakuNode.describe(error))", peerID: peer.description))
            )
        }
    }

    /// The span our archive can speak for at `now`: from the retention floor (time retention) to
    /// the future bound of the acceptance rule.
    func retentionSpan(at now: Int64) -> ClosedRange<Int64> {
        var floor = Int64.min
        if let text = self.configuration.retentionPolicy, case .time(let seconds)? = try? RetentionPolicy(parsing: text)
        {
            floor = now.subtractingSaturated(seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue)
        }
        return floor...now.addingSaturated(MessageAcceptance.futureTolerance)
    }

    private func report(_ refusal: AuditRefusal, peer: PeerID) {
        guard refusal.code == .overLimit else { return }
        self.events.emit(
            .limitExceeded(LimitExceeded(limit: .audit, peerID: peer.description, detail: refusal.detail))
        )
    }
}
