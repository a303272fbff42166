internal import Libp2p
internal import NodeEvents
internal import Synchronization
internal import WakuArchive
internal import WakuCore

/// Store Resume (PROTOCOLS.md §6.1–6.2): queries one random store peer for everything since we
/// were last online (at most 6 h), page by page, and stores what passes the acceptance rule for
/// that span and our topics, without nwaku's ±20 s receive-time check; falls back to the next peer
/// on failure. Pages and messages are capped and the peer's cursor must advance.
final class StoreResume: Sendable {
    private let engine: SyncEngine
    private let archive: any MessageArchive
    private let peers: PeerManager
    private let events: EventHub
    private let configuration: NodeConfiguration
    private let pager: StorePager
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Int64
    private let isRunning = Mutex(false)

    /// How long resume at start-up waits for a store peer to connect.
    static let peerWait = Duration.seconds(15)

    init(
        engine: SyncEngine,
        archive: any MessageArchive,
        peers: PeerManager,
        events: EventHub,
        configuration: NodeConfiguration,
        client: StoreClient,
        clock: any Clock<Duration>,
        now: @escaping @Sendable () -> Int64
    ) {
        self.engine = engine
        self.archive = archive
        self.peers = peers
        self.events = events
        self.configuration = configuration
        self.pager = StorePager(
            client: client,
            maxPages: configuration.limits.resumePages,
            maxEntries: configuration.limits.resumeMessages
        )
        self.clock = clock
        self.now = now
    }

    /// Runs resume once (a second call while one runs does nothing), trying the connected store
    /// peers in random order; at start-up first waits up to ``peerWait`` for one to connect.
    func run(waitingForPeers: Bool, shuffle: @Sendable ([PeerID]) async -> [PeerID]) async {
        guard
            self.isRunning.withLock({ running in
                defer { running = true }; return !running
            })
        else { return }
        defer { self.isRunning.withLock { $0 = false } }
        let lastOnline = try? await self.archive.lastOnline()
        let plan = ResumePlan(
            lastOnline: lastOnline,
            now: self.now(),
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics
        )
        if waitingForPeers {
            let peers = self.peers
            _ = await withTimeout(Self.peerWait, on: self.clock) {
                await peers.changes.wait { await !peers.storePeers.isEmpty }
            }
        }
        let candidates = await shuffle(await self.peers.storePeers)
        var progress = ResumeProgress(
            state: .noPeer,
            peerID: nil,
            windowStart: plan.start,
            windowEnd: plan.end,
            pages: 0,
            messages: 0,
            coveredUntil: plan.start,
            startedAt: self.now()
        )
        guard !candidates.isEmpty else {
            self.events.emit(.resume(progress))
            return
        }
        for peer in candidates {
            progress.state = .running
            progress.peerID = peer.description
            progress.pages = 0
            progress.messages = 0
            progress.coveredUntil = plan.start
            self.events.emit(.resume(progress))
            do {
                try await self.resume(plan, from: peer, progress: &progress)
                progress.state = .finished
                progress.coveredUntil = plan.end
                self.events.emit(.resume(progress))
                return
            } catch {
                progress.state = .failed(WakuNode.describe(error))
                self.events.emit(.resume(progress))
            }
        }
    }

    private func resume(_ plan: ResumePlan, from peer: PeerID, progress: inout ResumeProgress) async throws {
        let contentGroups =
            plan.contentTopics.isEmpty
            ? [[]]
            : stride(from: 0, to: plan.contentTopics.count, by: 10).map {
                Array(plan.contentTopics[$0..<min($0 + 10, plan.contentTopics.count)])
            }
        let queries = plan.pubsubTopics.flatMap { topic in contentGroups.map { (topic, $0) } }
        for (number, (topic, contents)) in queries.enumerated() {
            let request = StoreQueryRequest(
                requestID: StoreClient.requestID(),
                includeData: true,
                pubsubTopic: topic,
                contentTopics: contents,
                timeStart: plan.start,
                timeEnd: plan.end,
                paginationForward: true,
                paginationLimit: 100
            )
            let path = IngestPath.query(
                peer,
                source: NodeEvents.MessageSource.resume,
                span: plan.start...plan.end,
                scope: MessageAcceptance.Scope(
                    pubsubTopics: topic.map { [$0] } ?? [],
                    contentTopics: Set(contents)
                )
            )
            try await self.pager.forEachPage(request, from: peer) { response in
                let messages = response.messages.compactMap { entry -> IncomingMessage? in
                    guard let message = entry.message, let pubsub = entry.pubsubTopic else { return nil }
                    return IncomingMessage(pubsubTopic: pubsub, message: message, claimedHash: entry.messageHash)
                }
                let report = await self.engine.ingest(messages, via: path, waitUntilWritten: true)
                self.events.reportRejections(report, source: .resume, peer: peer)
                progress.pages += 1
                progress.messages += report.accepted
                // Progress over all queries: finished queries, plus how far this one has come.
                let reached = messages.map(\.message.timestamp).max() ?? plan.start
                let span = plan.end - plan.start
                let within = span > 0 ? Double(max(0, min(reached, plan.end) - plan.start)) / Double(span) : 1
                let overall = (Double(number) + min(1, within)) / Double(queries.count)
                progress.coveredUntil = plan.start + Int64(overall * Double(span))
                self.events.emit(.resume(progress))
            }
        }
    }
}
