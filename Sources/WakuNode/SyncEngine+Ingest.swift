internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension SyncEngine {
    /// Most messages written in one write (one SQLite transaction, two PostgreSQL transactions
    /// at once). Each write has a fixed cost (statements, round trips, a commit, the audit bucket
    /// rows); 2 000 rather than 1 000 raised batched ingest of 1 KiB messages, run back to back,
    /// from 21.3k to 24.9k msg/s on PostgreSQL at 400k rows (3–11 % at 1M) and from 40k to 50k on
    /// SQLite at 300k (PERFORMANCE.md §7.4).
    static let batchLimit = 2_000
    /// About this many bytes written in one transaction.
    static let batchBytes = 4 << 20

    /// The one way into the archive: judges a decoded batch against the acceptance rule (and, for
    /// pushes, the transfer gate), queues what passes, and waits while the ingest buffer is full,
    /// so a fast sender is slowed to the archive's pace instead of filling memory.
    ///
    /// - Parameters:
    ///   - messages: decoded messages, hashed by us.
    ///   - path: how they came, which decides the span and scope they are judged against.
    ///   - waitUntilWritten: return only once the accepted messages are in the archive and the
    ///     index (a local publish, resume pages; pushes do not wait).
    /// - Returns: what happened to each message; the caller reports refusals.
    @discardableResult
    func ingest(
        _ messages: [IncomingMessage],
        via path: IngestPath,
        waitUntilWritten: Bool = false
    ) async -> IngestReport {
        let now = self.now()
        var report = IngestReport()
        var accepted: [IncomingMessage] = []
        accepted.reserveCapacity(messages.count)
        if case .transfer = path { self.gate.expire(at: now) }
        for message in messages {
            switch self.verdict(on: message, via: path, at: now) {
            case .accept:
                if let limit = self.topicLimit(for: message) {
                    report.reject(limit)
                } else {
                    accepted.append(message)
                    report.accepted += 1
                }
            case .hold:
                report.held += 1
            case .reject(let reason):
                report.reject(reason)
            }
        }
        if let peer = path.peer, !messages.isEmpty { self.arrivals[peer] = now }
        await self.enqueue(accepted, origin: IngestQueue.Origin(source: path.source, peer: path.peer))
        if waitUntilWritten && !accepted.isEmpty {
            let position = self.queue.appended
            while self.queue.written < position && !(self.queue.isClosed && self.queue.isEmpty) {
                await withCheckedContinuation { self.queue.writtenWaiters.append((position, $0)) }
            }
        }
        return report
    }

    /// Writes queued batches until ``closeIngest()`` and the queue is empty. Run as one task.
    func runWriter() async {
        while true {
            while self.queue.isEmpty {
                if self.queue.isClosed { return }
                if self.snapshotIsStale { self.emitArchiveSnapshot(at: self.now(), force: true) }
                await withCheckedContinuation { self.queue.writer = $0 }
            }
            guard let (batch, origin) = self.queue.takeBatch(count: Self.batchLimit, byteLimit: Self.batchBytes) else {
                continue
            }
            await self.write(batch, origin: origin)
            self.queue.release(batch)
            self.queue.written += batch.count
            self.wakeSubmitters()
        }
    }

    /// No more messages are taken; the writer finishes what is queued, then ``runWriter()`` returns.
    func closeIngest() {
        self.queue.isClosed = true
        self.queue.writer.take()?.resume()
        self.wakeSubmitters()
    }

    /// Bytes queued for the archive or being written.
    var ingestBytes: Int { self.queue.bytes }

    // MARK: - Private

    private func verdict(
        on message: IncomingMessage,
        via path: IngestPath,
        at now: Int64
    ) -> TransferGate<PeerID>.Verdict {
        let span: ClosedRange<Int64>
        let scope: MessageAcceptance.Scope
        switch path {
        case .transfer(let peer):
            return self.gate.admit(message, from: peer, at: now)
        case .fetch(let peer):
            let asked = message.claimedHash ?? message.hash
            guard let fetchSpan = self.missing.fetchSpan(of: asked, from: peer) else { return .reject(.unrequested) }
            span = fetchSpan
            scope = self.configuredScope
        case .query(_, _, let asked, let askedScope):
            span = asked
            scope = askedScope
        case .publish:
            span = Int64.min...Int64.max
            scope = .any
        case .relay:
            let tolerance = MessageAcceptance.futureTolerance
            span = now.addingSaturated(-tolerance)...now.addingSaturated(tolerance)
            scope = self.configuredScope
        }
        if let refusal = self.acceptance.refusal(
            of: message.message,
            pubsubTopic: message.pubsubTopic,
            hash: message.hash,
            claimedHash: message.claimedHash,
            span: span,
            scope: scope,
            now: now
        ) {
            // A fetched message that fails the rule will not come any better next time.
            if case .fetch(let peer) = path {
                self.missing.unavailable([message.claimedHash ?? message.hash], from: peer)
            }
            return .reject(Rejection(refusal))
        }
        return .accept
    }

    /// Refuses a message that would add a topic beyond the node's limits (each topic costs an
    /// index tree or a table entry for as long as the node runs).
    private func topicLimit(for message: IncomingMessage) -> Rejection? {
        let pubsub = message.pubsubTopic
        let content = message.message.contentTopic
        let newPubsub = !self.knownPubsubTopics.contains(pubsub)
        let newContent = !self.knownContentTopics.contains(content)
        if newPubsub && self.knownPubsubTopics.count >= self.configuration.limits.pubsubTopics { return .topicLimit }
        if newContent && self.knownContentTopics.count >= self.configuration.limits.contentTopics { return .topicLimit }
        if newPubsub { self.knownPubsubTopics.insert(pubsub) }
        if newContent { self.knownContentTopics.insert(content) }
        return nil
    }

    /// Queues accepted messages, first waiting while the buffer holds its limit (unless it is
    /// empty: one batch larger than the limit still goes through).
    func enqueue(_ messages: [IncomingMessage], origin: IngestQueue.Origin) async {
        guard !messages.isEmpty else { return }
        let bytes = messages.reduce(0) { $0 + $1.size }
        while !self.queue.isClosed && self.queue.bytes > 0
            && self.queue.bytes + bytes > self.configuration.limits.ingestBytes
        {
            await withCheckedContinuation { self.queue.roomWaiters.append($0) }
        }
        guard !self.queue.isClosed else { return }
        self.queue.append(messages, origin: origin)
        self.queue.writer.take()?.resume()
    }

    private func wakeSubmitters() {
        let waiters = self.queue.roomWaiters
        self.queue.roomWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        let written = self.queue.written
        let closed = self.queue.isClosed && self.queue.isEmpty
        let done = self.queue.writtenWaiters.filter { closed || $0.position <= written }
        self.queue.writtenWaiters.removeAll { closed || $0.position <= written }
        for waiter in done { waiter.continuation.resume() }
    }

    private func write(_ batch: [IncomingMessage], origin: IngestQueue.Origin) async {
        let archived = batch.map {
            ArchivedMessage(
                pubsubTopic: $0.pubsubTopic,
                message: $0.message,
                hash: $0.hash,
                source: Self.archiveSource(origin.source)
            )
        }
        let result: (outcome: InsertOutcome, newlyStored: Set<MessageHash>)
        do {
            result = try await self.archive.insertReportingNew(archived)
        } catch {
            await self.recoverFailedWrite(batch, origin: origin, error: error)
            return
        }
        let now = self.now()
        var stored = batch
        if result.outcome.rejected > 0 {
            // The backend could not hold some messages (PostgreSQL's schema has limits SQLite has
            // not): only what it holds goes into the index, so sync never advertises the rest.
            let present = await self.heldHashes(among: batch.map(\.hash).filter { !result.newlyStored.contains($0) })
            stored = batch.filter { result.newlyStored.contains($0.hash) || present.contains($0.hash) }
            self.events.emit(
                .rejected(
                    RejectedMessages(
                        source: origin.source,
                        peerID: origin.peer?.description,
                        reason: .archiveRefused,
                        count: result.outcome.rejected
                    )
                )
            )
        }
        self.applyStored(stored, origin: origin, result: result, at: now)
        self.emitArchiveSnapshot(at: now, force: false)
    }

    /// A failed write may still have stored part of the batch (PostgreSQL writes a large batch
    /// as a few transactions at once, and a commit can succeed with its answer lost): whatever
    /// the archive holds of the batch goes into the index, so sync never misses a stored message.
    private func recoverFailedWrite(_ batch: [IncomingMessage], origin: IngestQueue.Origin, error: ArchiveError) async {
        let present = await self.heldHashes(among: batch.map(\.hash))
        let stored = batch.filter { present.contains($0.hash) }
        self.events.emit(
            .notice(
                Notice(
                    .error,
                    "archive write failed, \(batch.count - stored.count) of \(batch.count) messages not stored: \(error)"
                )
            )
        )
        guard !stored.isEmpty else { return }
        let now = self.now()
        // Counted as duplicates: which of them this write stored (not an earlier one) is unknown.
        var outcome = InsertOutcome()
        outcome.duplicates = stored.count
        self.applyStored(stored, origin: origin, result: (outcome, []), at: now)
        // The archive's own count replaces ours, which cannot tell what this write added.
        if let count = try? await self.archive.count() { self.totals.messages = count }
        self.emitArchiveSnapshot(at: now, force: true)
    }

    /// Which of `hashes` the archive holds (none when the lookup fails too).
    private func heldHashes(among hashes: [MessageHash]) async -> Set<MessageHash> {
        Set(((try? await self.archive.messages(withHashes: hashes)) ?? []).map(\.archived.hash))
    }

    private func applyStored(
        _ batch: [IncomingMessage],
        origin: IngestQueue.Origin,
        result: (outcome: InsertOutcome, newlyStored: Set<MessageHash>),
        at now: Int64
    ) {
        let cutoff = self.pruneCutoff(at: now)
        var stored = StoredBatch(
            source: origin.source,
            peerID: origin.peer?.description,
            inserted: result.outcome.inserted,
            duplicates: result.outcome.duplicates,
            byPubsubTopic: [:],
            byContentTopic: [:]
        )
        let tracksArrivals = origin.source == .sync || origin.source == .fetch
        for item in batch {
            if item.message.timestamp >= cutoff {
                self.index.insert(item.syncID, pubsubTopic: item.pubsubTopic, contentTopic: item.message.contentTopic)
            }
            if tracksArrivals, let peer = origin.peer {
                self.missing.arrived(item.hash, from: peer, fetched: origin.source == .fetch)
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
        if tracksArrivals, let peer = origin.peer, let queue = self.missing.snapshot(of: peer) {
            self.events.emit(.transfer(queue))
        }
    }

    private static func archiveSource(_ source: NodeEvents.MessageSource) -> WakuArchive.MessageSource {
        switch source {
        case .sync, .fetch: .sync
        case .resume: .resume
        case .import: .import
        case .publish, .relay: .relay
        }
    }
}
