internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// The node's data and what decides over it: the archive and the sync index kept in step, the
/// live reconciliation sessions, the transfer gate and the missing-hash queues.
///
/// One actor, so the index (a non-thread-safe tree) is only touched here. Archive writes are
/// batched: whoever finds no flush running becomes the flusher and writes everything queued
/// meanwhile in one transaction per batch, so concurrent transfer streams share commits without
/// a timer or an extra task.
actor SyncEngine {
    let archive: any MessageArchive
    let configuration: NodeConfiguration
    let events: EventHub
    let now: @Sendable () -> Int64
    let index = SyncIndex()

    var gate: TransferGate
    var missing = MissingTracker()
    var sessions: [SessionID: LiveSession] = [:]
    var nextSessionID: UInt64 = 1
    /// When messages from each peer last arrived.
    var arrivals: [String: ContinuousClock.Instant] = [:]

    private var queued: [Incoming] = []
    private var flushing = false
    private var waitingForRoom: [CheckedContinuation<Void, Never>] = []
    private var totals = ArchiveSnapshot(messages: 0, bytes: 0, oldest: nil, newest: nil, syncIndexItems: 0)
    private var lastSnapshotAt: Int64 = 0

    /// Most messages queued for the archive before submitters wait.
    static let queueLimit = 20_000
    /// Most messages written in one transaction.
    static let batchLimit = 1_000

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
        self.gate = TransferGate(grace: configuration.transferGrace)
    }

    /// Loads the sync window from the archive into the index (one ordered scan) and reads the
    /// archive's size.
    func load() async throws(ArchiveError) {
        let now = self.now()
        let entries = try await self.archive.syncEntries(from: self.pruneCutoff(at: now), to: Int64.max)
        self.index.load(
            sorted: entries.map {
                SyncIndex.Entry(
                    id: SyncID(timestamp: $0.timestamp, hash: $0.hash),
                    pubsubTopic: $0.pubsubTopic,
                    contentTopic: $0.contentTopic
                )
            }
        )
        let stats = try await self.archive.stats()
        self.totals = ArchiveSnapshot(
            messages: stats.count,
            bytes: Int(stats.payloadBytes),
            oldest: stats.oldestTimestamp,
            newest: stats.newestTimestamp,
            syncIndexItems: self.index.count
        )
        self.events.emit(.archive(self.totals))
    }

    /// Items older than this leave the index (nwaku prunes everything older than the range).
    func pruneCutoff(at now: Int64) -> Int64 { now - self.configuration.syncRange.nanoseconds }

    /// The archive's size as last known.
    var archiveSnapshot: ArchiveSnapshot { self.totals }

    // MARK: - Storing

    /// A message to store, with where it came from.
    struct Incoming: Sendable {
        var pubsubTopic: String
        var message: WakuMessage
        var hash: MessageHash
        var source: NodeEvents.MessageSource
        var peer: String?
    }

    /// Queues messages for the archive and the index; returns once they are written when this
    /// call did the writing, or once they are queued when another call is writing.
    func store(_ messages: [Incoming]) async {
        for peer in Set(messages.compactMap(\.peer)) { self.arrivals[peer] = .now }
        while self.queued.count >= Self.queueLimit {
            await withCheckedContinuation { self.waitingForRoom.append($0) }
        }
        self.queued.append(contentsOf: messages)
        guard !self.flushing else { return }
        self.flushing = true
        while let first = self.queued.first {
            // One batch per source and peer, so every stored event is exact.
            let batch = Array(
                self.queued.prefix { $0.source == first.source && $0.peer == first.peer }.prefix(Self.batchLimit)
            )
            self.queued.removeFirst(batch.count)
            for waiter in self.waitingForRoom { waiter.resume() }
            self.waitingForRoom.removeAll()
            await self.write(batch)
        }
        self.flushing = false
    }

    private func write(_ batch: [Incoming]) async {
        guard let first = batch.first else { return }
        let archived = batch.map {
            ArchivedMessage(
                pubsubTopic: $0.pubsubTopic,
                message: $0.message,
                hash: $0.hash,
                source: Self.archiveSource($0.source)
            )
        }
        let result: (outcome: InsertOutcome, newlyStored: Set<MessageHash>)
        do {
            result = try await self.archive.insertReportingNew(archived)
        } catch {
            self.events.emit(
                .notice(Notice(.error, "archive write failed, \(batch.count) messages not stored: \(error)"))
            )
            return
        }
        let now = self.now()
        let cutoff = self.pruneCutoff(at: now)
        var stored = StoredBatch(
            source: first.source,
            peerID: first.peer,
            inserted: result.outcome.inserted,
            duplicates: result.outcome.duplicates,
            byPubsubTopic: [:],
            byContentTopic: [:]
        )
        var arrived = false
        for item in batch where !item.message.ephemeral {
            if item.message.timestamp >= cutoff {
                let id = SyncID(timestamp: item.message.timestamp, hash: item.hash)
                self.index.insert(id, pubsubTopic: item.pubsubTopic, contentTopic: item.message.contentTopic)
            }
            if let peer = item.peer, item.source == .sync || item.source == .fetch {
                self.missing.arrived(item.hash, from: peer, fetched: item.source == .fetch)
                arrived = true
            }
            guard result.newlyStored.contains(item.hash) else { continue }
            stored.byPubsubTopic[item.pubsubTopic, default: 0] += 1
            stored.byContentTopic[item.message.contentTopic, default: 0] += 1
            self.totals.messages += 1
            self.totals.bytes += item.message.payload.count
            self.totals.oldest = min(self.totals.oldest ?? item.message.timestamp, item.message.timestamp)
            self.totals.newest = max(self.totals.newest ?? item.message.timestamp, item.message.timestamp)
        }
        self.events.emit(.stored(stored))
        if arrived, let peer = first.peer, let queue = self.missing.snapshot(of: peer) {
            self.events.emit(.transfer(queue))
        }
        self.emitArchiveSnapshot(at: now, force: false)
    }

    /// Sends the archive's size, at most once a second unless forced.
    func emitArchiveSnapshot(at now: Int64, force: Bool) {
        guard force || now - self.lastSnapshotAt >= 1_000_000_000 else { return }
        self.lastSnapshotAt = now
        self.totals.syncIndexItems = self.index.count
        self.events.emit(.archive(self.totals))
    }

    private static func archiveSource(_ source: NodeEvents.MessageSource) -> WakuArchive.MessageSource {
        switch source {
        case .sync, .fetch: .sync
        case .resume: .resume
        case .import: .import
        case .publish: .relay
        }
    }

    // MARK: - Upkeep

    /// Drops index items older than the sync range (nwaku's periodic prune).
    func prune() -> Int {
        let now = self.now()
        let pruned = self.index.prune(olderThan: self.pruneCutoff(at: now))
        self.emitArchiveSnapshot(at: now, force: true)
        return pruned
    }

    /// Applies the retention policy and drops the deleted messages from the index.
    func applyRetention(_ policy: RetentionPolicy, description: String) async {
        let outcome: RetentionOutcome
        do {
            // Pruned first, the index holds nothing older than the cutoff, so older deletions need
            // no list (a run may drop millions of rows).
            let cutoff = self.pruneCutoff(at: self.now())
            _ = self.index.prune(olderThan: cutoff)
            outcome = try await self.archive.apply(policy, now: self.now(), itemizingFrom: cutoff)
        } catch {
            self.events.emit(.notice(Notice(.error, "retention failed: \(error)")))
            return
        }
        guard outcome.deleted > 0 else { return }
        for deletion in outcome.itemized {
            self.index.remove(
                SyncID(timestamp: deletion.timestamp, hash: deletion.hash),
                pubsubTopic: deletion.pubsubTopic
            )
        }
        if let stats = try? await self.archive.stats() {
            self.totals.messages = stats.count
            self.totals.bytes = Int(stats.payloadBytes)
            self.totals.oldest = stats.oldestTimestamp
            self.totals.newest = stats.newestTimestamp
        }
        self.events.emit(.retention(deleted: outcome.deleted, policy: description))
        self.emitArchiveSnapshot(at: self.now(), force: true)
    }
}
