internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// The node's data and what decides over it: the archive and the sync index kept in step, the
/// single ingest path every message takes, the live reconciliation sessions, the transfer gate and
/// the missing-hash queues.
///
/// One actor, so the index (a non-thread-safe tree) is only touched here. Decoding, hashing and
/// encoding happen in the protocol handlers' own tasks; the engine only decides and keeps
/// books. Archive writes go through one bounded buffer (counted in bytes) and one writer task
/// (``runWriter()``), which commits batches while new messages queue behind them.
actor SyncEngine {
    let archive: any MessageArchive
    let configuration: NodeConfiguration
    let events: EventHub
    let now: @Sendable () -> Int64
    let index = SyncIndex()
    let acceptance: MessageAcceptance

    var gate: TransferGate<PeerID>
    var missing = MissingTracker<PeerID>()
    var sessions: [SessionID: LiveSession] = [:]
    var nextSessionID: UInt64 = 1
    /// Announced whenever a session ends.
    nonisolated let sessionsChanged = ChangeSignal()
    /// When messages from each peer last arrived (for ``WakuNode/settle(with:quiet:timeout:)``).
    var arrivals: [PeerID: Int64] = [:]
    /// Topics the node holds, bounded by ``NodeLimits/pubsubTopics`` and ``NodeLimits/contentTopics``.
    var knownPubsubTopics: Set<String> = []
    var knownContentTopics: Set<String> = []

    /// The ingest buffer: accepted messages waiting for the writer.
    var queue = IngestQueue()
    var totals = ArchiveSnapshot(messages: 0, bytes: 0, oldest: nil, newest: nil, syncIndexItems: 0)
    var lastSnapshotAt: Int64 = .min
    var snapshotIsStale = false

    init(
        archive: any MessageArchive,
        configuration: NodeConfiguration,
        events: EventHub,
        now: @escaping @Sendable () -> Int64
    ) {
        self.archive = archive
        self.configuration = configuration
        self.events = events
        self.now = now
        self.acceptance = MessageAcceptance(maxMessageSize: configuration.maxMessageSize)
        self.gate = TransferGate(
            grace: configuration.transferGrace,
            heldBytesLimit: configuration.limits.heldPushBytes,
            acceptance: self.acceptance
        )
    }

    /// Loads the sync window from the archive into the index (one ordered scan) and reads the
    /// archive's size and topics.
    ///
    /// Entries out of order (a damaged time index in the archive) are reported and sorted here,
    /// so the index is rebuilt correctly instead of the node stopping.
    func load() async throws(ArchiveError) {
        let now = self.now()
        let stored = try await self.archive.syncEntries(from: self.pruneCutoff(at: now), to: Int64.max)
        var entries = stored.map {
            SyncIndex.Entry(
                id: SyncID(timestamp: $0.timestamp, hash: $0.hash),
                pubsubTopic: $0.pubsubTopic,
                contentTopic: $0.contentTopic
            )
        }
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0.id <= $1.id }) {
            self.events.emit(
                .notice(
                    Notice(
                        .error,
                        "the archive returned the sync window out of order (a damaged time index?); "
                            + "the sync index was rebuilt from a sort, check the archive"
                    )
                )
            )
            entries.sort { $0.id < $1.id }
        }
        self.index.load(sorted: entries)
        try await self.checkAuditBuckets()
        let stats = try await self.archive.stats()
        self.knownPubsubTopics = Set(stats.pubsubTopics.keys)
        self.knownContentTopics = Set(stats.contentTopics.keys)
        self.totals = ArchiveSnapshot(
            messages: stats.count,
            bytes: Int(stats.payloadBytes),
            oldest: stats.oldestTimestamp,
            newest: stats.newestTimestamp,
            syncIndexItems: self.index.count
        )
        self.emitArchiveSnapshot(at: now, force: true)
    }

    /// Rebuilds the archive audit's buckets when the cheap start-up test finds them lost or out of
    /// step with the messages (an older wakusync or nwaku wrote to the database, a crash between a
    /// PostgreSQL partition drop and its bucket update).
    private func checkAuditBuckets() async throws(ArchiveError) {
        guard try await !self.archive.auditBucketsLookSound() else { return }
        let check = try await self.archive.checkAuditBuckets(repair: true)
        self.events.emit(
            .notice(
                Notice(
                    .warning,
                    "the archive audit's buckets disagreed with the messages in \(check.mismatches) places; rebuilt them "
                        + "from \(check.messages) messages"
                )
            )
        )
    }

    /// Items older than this leave the index (nwaku prunes everything older than the range).
    func pruneCutoff(at now: Int64) -> Int64 { now - self.configuration.syncRange.nanoseconds }

    /// The archive's size as last known.
    var archiveSnapshot: ArchiveSnapshot { self.totals }

    /// The time span a peer's session may fill: our own sync range with some slack behind it, and
    /// never further ahead than the acceptance rule allows. A responder's window, chosen by the
    /// peer, is cut to this (docs/SECURITY.md).
    func syncSpan(at now: Int64) -> ClosedRange<Int64> {
        let lower = now - self.configuration.syncRange.nanoseconds - self.configuration.limits.windowSlack.nanoseconds
        return lower...now.addingSaturated(MessageAcceptance.futureTolerance)
    }

    /// Our configured topic scope for the acceptance rule.
    var configuredScope: MessageAcceptance.Scope {
        MessageAcceptance.Scope(
            pubsubTopics: Set(self.configuration.syncPubsubTopics),
            contentTopics: Set(self.configuration.contentTopics)
        )
    }

    /// Sends the archive's size at most once a second unless forced; a suppressed update is sent
    /// by the writer as soon as it goes idle, so totals on screen never lag behind.
    func emitArchiveSnapshot(at now: Int64, force: Bool) {
        guard force || now - self.lastSnapshotAt >= 1_000_000_000 else {
            self.snapshotIsStale = true
            return
        }
        self.lastSnapshotAt = now
        self.snapshotIsStale = false
        self.totals.syncIndexItems = self.index.count
        self.events.emit(.archive(self.totals))
    }
}
