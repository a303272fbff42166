internal import Libp2p
internal import NodeEvents
internal import Synchronization
internal import WakuCore

/// Fetches by Store what reconciliation found we lack and transfer did not bring (PROTOCOLS.md
/// §3.6, §4.8): hash queries of at most 50 hashes, each result through the acceptance rule.
///
/// Every peer is fetched from in its own task, so one slow peer holds up nobody else; a failed
/// query is retried after a pause, a few times (``MissingTracker``).
final class MissingFetcher: Sendable {
    private let engine: SyncEngine
    private let client: StoreClient
    private let events: EventHub
    private let configuration: NodeConfiguration
    private let clock: any Clock<Duration>
    /// Peers a fetch is running for.
    private let busy = Mutex<Set<PeerID>>([])

    /// Peers fetched from at once.
    static let concurrentPeers = 8

    init(
        engine: SyncEngine,
        client: StoreClient,
        events: EventHub,
        configuration: NodeConfiguration,
        clock: any Clock<Duration>
    ) {
        self.engine = engine
        self.client = client
        self.events = events
        self.configuration = configuration
        self.clock = clock
    }

    /// Every second, fetches what did not arrive by transfer within the grace period
    /// (`--store-sync-fetch both`), or gives up on it (`transfer`).
    func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do { try await self.clock.sleep(for: .seconds(1)) } catch { return }
                for peer in await self.engine.peersWithPendingMessages {
                    switch self.configuration.fetchMode {
                    case .both, .store:
                        guard self.claim(peer) else { continue }
                        group.addTask {
                            await self.fetch(from: peer, grace: self.configuration.fetchGrace)
                            self.busy.withLock { _ = $0.remove(peer) }
                        }
                    case .transfer:
                        for batch in await self.engine.dueForFetch(from: peer, grace: self.configuration.fetchGrace) {
                            await self.engine.markUnavailable(batch, from: peer)
                        }
                    }
                }
            }
        }
    }

    /// Fetches from `peer` what has been missing for `grace`.
    func fetch(from peer: PeerID, grace: Duration) async {
        for batch in await self.engine.dueForFetch(from: peer, grace: grace) {
            let request = StoreQueryRequest(
                requestID: StoreClient.requestID(),
                includeData: true,
                messageHashes: batch,
                paginationForward: true,
                paginationLimit: UInt64(batch.count)
            )
            let response: StoreQueryResponse
            do {
                response = try await self.client.query(request, peer: peer)
                guard response.statusCode.isSuccess else {
                    throw NodeError("fetch refused: \(response.statusCode) \(response.statusDesc)")
                }
            } catch {
                await self.engine.fetchFailed(batch, from: peer)
                self.events.emit(
                    .notice(
                        Notice(
                            .warning,
                            "fetching missing messages failed (will retry): \(WakuNode.describe(error))",
                            peerID: peer.description
                        )
                    )
                )
                continue
            }
            let requested = Set(batch)
            let found = response.messages.compactMap { entry -> IncomingMessage? in
                guard requested.contains(entry.messageHash), let message = entry.message, let topic = entry.pubsubTopic
                else { return nil }
                return IncomingMessage(pubsubTopic: topic, message: message, claimedHash: entry.messageHash)
            }
            var report = await self.engine.ingest(found, via: .fetch(peer))
            // Entries under hashes we did not ask for are dropped unread, and counted like the rest.
            let unasked = response.messages.count { !requested.contains($0.messageHash) }
            if unasked > 0 { report.rejected[.unrequested, default: 0] += unasked }
            self.events.reportRejections(report, source: .fetch, peer: peer)
            let delivered = Set(found.map { $0.claimedHash ?? $0.hash })
            await self.engine.markUnavailable(batch.filter { !delivered.contains($0) }, from: peer)
        }
    }

    private func claim(_ peer: PeerID) -> Bool {
        self.busy.withLock { busy in
            guard busy.count < Self.concurrentPeers, !busy.contains(peer) else { return false }
            busy.insert(peer)
            return true
        }
    }
}

extension EventHub {
    /// Emits one event per refusal reason in `report`.
    func reportRejections(_ report: IngestReport, source: MessageSource, peer: PeerID?) {
        for (reason, count) in report.rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            self.emit(
                .rejected(RejectedMessages(source: source, peerID: peer?.description, reason: reason, count: count))
            )
        }
    }
}
