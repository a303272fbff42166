internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension SyncEngine {
    /// Accounts for pushes made (and pushes that cannot be made) to `peer`.
    func recordPushes(_ sent: [MessageHash], abandoned: [MessageHash], to peer: PeerID) {
        for hash in sent { self.missing.pushed(hash, to: peer) }
        for hash in abandoned { self.missing.abandonPush(hash, to: peer) }
        self.emitQueue(of: peer)
    }

    /// Hashes we lack from `peer` that waited `grace` and are not being fetched, in batches.
    func dueForFetch(from peer: PeerID, grace: Duration) -> [[MessageHash]] {
        self.missing.dueForFetch(from: peer, grace: grace, at: self.now())
    }

    /// Peers we still await messages from.
    var peersWithPendingMessages: [PeerID] {
        self.missing.peers.keys.filter { self.missing.hasPending(from: $0) }.sorted { $0.description < $1.description }
    }

    /// A fetch came back without these: they are looked for again in the next session.
    func markUnavailable(_ hashes: [MessageHash], from peer: PeerID) {
        guard !hashes.isEmpty else { return }
        self.missing.unavailable(hashes, from: peer)
        self.emitQueue(of: peer)
    }

    /// A fetch of these failed: they are tried again after a pause, a few times.
    func fetchFailed(_ hashes: [MessageHash], from peer: PeerID) {
        self.missing.fetchFailed(hashes, from: peer, at: self.now())
        self.emitQueue(of: peer)
    }

    /// Whether anything is still awaited from `peer`.
    func hasPending(from peer: PeerID) -> Bool { self.missing.hasPending(from: peer) }

    /// When messages from `peer` last arrived (wall clock, nanoseconds).
    func lastArrival(from peer: PeerID) -> Int64? { self.arrivals[peer] }

    /// The transfer queues with `peer`.
    func queue(of peer: PeerID) -> TransferQueue? { self.missing.snapshot(of: peer) }

    /// Items in `[start, end)` our scope selects (strictly), for the count audit.
    func auditCount(from start: Int64, to end: Int64, pubsubTopics: [String], contentTopics: [String]) -> Int {
        self.index.scope(pubsubTopics: pubsubTopics, contentTopics: contentTopics, matching: .strict)
            .count(.halfOpen(.bound(start), .bound(end)))
    }

    /// Hashes of our items in `[start, end)` in our configured scope.
    func hashes(from start: Int64, to end: Int64) -> Set<MessageHash> {
        let scope = self.index.scope(
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics,
            matching: .strict
        )
        return Set(scope.items(.halfOpen(.bound(start), .bound(end))).map(\.hash))
    }

    /// Hashes found lacking outside a session (the count audit): queue them for fetching.
    func expect(_ hashes: [MessageHash], from peer: PeerID, in window: (start: Int64, end: Int64)) {
        self.missing.record(
            peer: peer,
            weNeed: hashes.map { SyncID(timestamp: window.start, hash: $0) },
            theyNeed: [],
            span: window.start...window.end,
            at: self.now()
        )
        self.emitQueue(of: peer)
    }

    private func emitQueue(of peer: PeerID) {
        if let queue = self.missing.snapshot(of: peer) { self.events.emit(.transfer(queue)) }
    }
}

extension SyncEngine {
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
