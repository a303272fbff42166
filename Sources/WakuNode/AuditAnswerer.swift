internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

/// One peer's audit as we answer it: the span agreed by its first request, then one answer per
/// request, read from the archive (never from the sync index, which holds only the last hour).
struct AuditAnswerer {
    let audit: ArchiveAudit
    let peer: PeerID
    /// The span agreed, `from..<to`, and the topics; nil until the days request.
    private var span: (from: Int64, to: Int64, topics: [String])?
    /// The minutes the last slices request read; released by ``finish()``.
    private var cache = AuditHashCache()

    init(audit: ArchiveAudit, peer: PeerID) {
        self.audit = audit
        self.peer = peer
    }

    /// Gives the cache's bytes back to the audit budget; called once the stream ends.
    mutating func finish() {
        self.audit.budget.release(self.cache.bytes)
        self.cache = AuditHashCache()
    }

    private var archive: any MessageArchive { self.audit.archive }
    private var limits: AuditLimits { self.audit.limits }

    /// The answer to one request's bytes; a refusal ends the stream.
    mutating func answer(_ bytes: [UInt8]) async -> AuditResponse {
        let request: AuditRequest
        do {
            request = try AuditRequest(decoding: bytes, limits: self.limits)
        } catch {
            return .error(AuditRefusal(error.code == .overLimit ? .overLimit : .badRequest, error.description))
        }
        if case .days(let from, let to, let topics) = request {
            return await self.open(from: from, to: to, topics: topics)
        }
        guard let span = self.span else { return .error(AuditRefusal(.badRequest, "the first request must be days")) }
        do {
            switch request {
            case .days: return .error(AuditRefusal(.badRequest, "the span is already open"))
            case .children(let level, let parents): return try await self.children(level, parents, span)
            case .slices(let minutes): return try await self.slices(minutes, span)
            case .prefixes(let keys): return try await self.prefixes(keys, span)
            case .fetch(let keys): return try await self.fetch(keys, span)
            case .push(let messages):
                // What is stored changes what a minute holds: read again afterwards.
                self.finish()
                return await self.store(messages, span)
            }
        } catch let refusal as AuditRefusal {
            return .error(refusal)
        } catch {
            return .error(AuditRefusal(.internalError, "\(error)"))
        }
    }

    /// Agrees the span (clamped to our retention, the future bound and the day limit) and sends
    /// its day buckets.
    private mutating func open(from: Int64, to: Int64, topics: [String]) async -> AuditResponse {
        let bounds = self.audit.retentionSpan(at: self.audit.engine.now())
        let lower = max(from, bounds.lowerBound)
        let longest = Int64(self.limits.days) * AuditLevel.day.nanoseconds
        let upper = min(to, bounds.upperBound, lower.addingSaturated(longest))
        guard lower < upper else {
            self.span = (lower, lower, topics)
            return .days(from: lower, to: lower, buckets: [])
        }
        self.span = (lower, upper, topics)
        do {
            let days = try await self.archive.auditBuckets(.day, from: lower, to: upper, pubsubTopics: topics)
            return .days(from: lower, to: upper, buckets: days.map(AuditSummary.init))
        } catch {
            return .error(AuditRefusal(.internalError, error.description))
        }
    }

    /// Per parent, its non-empty children; parents outside the span or not on a bucket start get
    /// an empty list. Contiguous parents are read with one query.
    private func children(
        _ level: AuditLevel,
        _ parents: [Int64],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async throws -> AuditResponse {
        guard let parentLevel = AuditLevel(rawValue: level.rawValue + 1) else {
            throw AuditRefusal(.badRequest, "no children above days")
        }
        var byStart: [Int64: [AuditSummary]] = [:]
        let valid = parents.filter {
            parentLevel.bucketStart(of: $0) == $0 && $0 < span.to
                && $0.addingSaturated(parentLevel.nanoseconds) > span.from
        }
        for run in AuditRuns.contiguous(valid, length: parentLevel.nanoseconds) {
            for bucket in try await self.archive.auditBuckets(
                level,
                from: run.lowerBound,
                to: run.upperBound,
                pubsubTopics: span.topics
            ) {
                byStart[parentLevel.bucketStart(of: bucket.start), default: []].append(AuditSummary(bucket))
            }
        }
        return .children(parents.map { byStart[$0] ?? [] })
    }

    /// Per minute, its hashes in the span: listed when few, else sliced.
    private mutating func slices(
        _ minutes: [Int64],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async throws -> AuditResponse {
        let hashes = try await self.hashes(in: minutes, span)
        self.keep(hashes, for: minutes)
        return .slices(minutes.map { AuditComparison.view(of: hashes[$0] ?? [], limits: self.limits) })
    }

    /// Per slice, the prefixes of its hashes in the span.
    private func prefixes(
        _ keys: [AuditSliceKey],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async throws -> AuditResponse {
        let hashes = try await self.hashes(in: keys.map(\.minute), span)
        var total = 0
        var lists: [[UInt64]] = []
        lists.reserveCapacity(keys.count)
        for key in keys {
            let list = AuditComparison.hashes(hashes[key.minute] ?? [], inSlice: key.nibble).map(\.w0).sorted()
            total += list.count
            guard total <= self.limits.prefixes else {
                throw AuditRefusal(.overLimit, "more than \(self.limits.prefixes) prefixes asked for at once")
            }
            lists.append(list)
        }
        return .prefixes(lists)
    }

    /// The messages each prefix names in its minute, as many as fit in a frame.
    private func fetch(
        _ keys: [AuditPrefixKey],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async throws -> AuditResponse {
        let hashes = try await self.hashes(in: keys.map(\.minute), span)
        var wanted: [MessageHash] = []
        for key in keys {
            wanted += (hashes[key.minute] ?? []).filter { $0.w0 == key.prefix }
        }
        var messages: [TransferPayload] = []
        var bytes = 0
        let room = self.limits.frameBytes - 64 * 1_024
        for stored in try await self.archive.messages(withHashes: wanted) {
            let item = TransferPayload(pubsubTopic: stored.archived.pubsubTopic, message: stored.archived.message)
            let size = item.message.encodedSize + item.pubsubTopic.utf8.count + 16
            guard bytes + size <= room else { return .fetch(messages: messages, complete: false) }
            bytes += size
            messages.append(item)
        }
        return .fetch(messages: messages, complete: true)
    }

    /// Judges pushed messages by the acceptance rule for the audited span (inside our retention,
    /// never in the future) and our topic scope, and stores those that pass.
    private func store(
        _ messages: [TransferPayload],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async -> AuditResponse {
        guard span.from < span.to else { return .push(stored: 0, refused: messages.count) }
        let incoming = messages.map { IncomingMessage(pubsubTopic: $0.pubsubTopic, message: $0.message) }
        let engine = self.audit.engine
        let report = await engine.ingest(
            incoming,
            via: .query(self.peer, source: .sync, span: span.from...(span.to - 1), scope: await engine.configuredScope),
            waitUntilWritten: true
        )
        for (reason, count) in report.rejected {
            self.audit.events.emit(
                .rejected(RejectedMessages(source: .sync, peerID: self.peer.description, reason: reason, count: count))
            )
        }
        return .push(stored: report.accepted, refused: report.total - report.accepted)
    }

    /// Keeps what a slices request read for the prefixes and fetch requests after it, when the
    /// audit budget can take it and still hold a full frame.
    private mutating func keep(_ hashes: [Int64: [MessageHash]], for minutes: [Int64]) {
        self.finish()
        let bytes = AuditHashCache.cost(minutes: minutes.count, hashes: hashes)
        guard (try? self.audit.budget.reserve(bytes, leaving: self.limits.frameBytes)) != nil else { return }
        self.cache = AuditHashCache(minutes: Set(minutes), hashes: hashes, bytes: bytes)
    }

    /// Our hashes in each of `minutes` (on the span's topics, inside the span): those the last
    /// slices request read, or read a run of contiguous minutes at a time.
    private func hashes(
        in minutes: [Int64],
        _ span: (from: Int64, to: Int64, topics: [String])
    ) async throws -> [Int64: [MessageHash]] {
        if let kept = self.cache.lookup(minutes) { return kept }
        return try await AuditRuns.hashes(
            in: minutes,
            from: span.from,
            to: span.to,
            topics: span.topics,
            archive: self.archive,
            limit: self.limits.itemsRead
        )
    }
}
