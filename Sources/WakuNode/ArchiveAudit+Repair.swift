internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension ArchiveAudit {
    /// Fetches what we lack (named by minute and prefix) and pushes what the peer lacks. What we
    /// fetch passes our acceptance rule for the audited span: inside it (so inside our retention),
    /// never in the future, on the audited topics within our scope, hash recomputed.
    func repair(
        _ findings: AuditFindings,
        _ span: Range<Int64>,
        _ plan: AuditPlan,
        _ exchange: inout AuditExchange,
        _ report: inout AuditReport
    ) async throws -> AuditRepair {
        var repair = AuditRepair()
        let peer = exchange.stream.peerID
        var pending = Set(findings.missingHere)
        for part in findings.missingHere.chunked(by: self.limits.fetchKeys) {
            var keys = Array(part)
            while !keys.isEmpty {
                guard case .fetch(let messages, let complete) = try await exchange.ask(.fetch(keys)) else {
                    throw NodeError("the peer answered a fetch request with something else")
                }
                var answered: [IncomingMessage] = []
                for item in messages {
                    let incoming = IncomingMessage(pubsubTopic: item.pubsubTopic, message: item.message)
                    let key = AuditPrefixKey(
                        minute: AuditLevel.minute.bucketStart(of: item.message.timestamp),
                        prefix: incoming.hash.w0
                    )
                    // Only what we asked for, each once: a peer cannot slip other messages in.
                    if pending.remove(key) != nil { answered.append(incoming) }
                }
                repair.fetched += answered.count
                repair.stored += await self.ingest(answered, from: peer, span: span, plan: plan)
                self.progress(report, .fetching, exchange, done: repair.fetched, total: findings.missingHereCount)
                let before = keys.count
                keys = keys.filter { pending.contains($0) }
                if complete || keys.count == before { break }
            }
        }
        repair.unavailable = pending.count
        try await self.push(findings.missingThere, &repair, &exchange, report)
        return repair
    }

    /// Sends our messages the peer lacks, as many per frame as fit.
    private func push(
        _ hashes: [MessageHash],
        _ repair: inout AuditRepair,
        _ exchange: inout AuditExchange,
        _ report: AuditReport
    ) async throws {
        let room = self.limits.frameBytes - 64 * 1_024
        for part in hashes.chunked(by: 2_000) {
            var batch: [TransferPayload] = []
            var bytes = 0
            for stored in try await self.archive.messages(withHashes: Array(part)) {
                let item = TransferPayload(pubsubTopic: stored.archived.pubsubTopic, message: stored.archived.message)
                let size = item.message.encodedSize + item.pubsubTopic.utf8.count + 16
                if bytes + size > room, !batch.isEmpty {
                    try await self.send(batch, &repair, &exchange)
                    batch = []
                    bytes = 0
                }
                batch.append(item)
                bytes += size
            }
            if !batch.isEmpty { try await self.send(batch, &repair, &exchange) }
            self.progress(report, .pushing, exchange, done: repair.pushed, total: hashes.count)
        }
    }

    private func send(
        _ batch: [TransferPayload],
        _ repair: inout AuditRepair,
        _ exchange: inout AuditExchange
    ) async throws {
        guard case .push(let stored, _) = try await exchange.ask(.push(batch)) else {
            throw NodeError("the peer answered a push with something else")
        }
        repair.pushed += batch.count
        repair.acceptedByPeer += min(stored, batch.count)
    }

    /// Judges fetched messages by the acceptance rule for the audited span and stores those that
    /// pass; returns how many were accepted.
    func ingest(_ messages: [IncomingMessage], from peer: PeerID, span: Range<Int64>, plan: AuditPlan) async -> Int {
        guard !messages.isEmpty, !span.isEmpty else { return 0 }
        var scope = await self.engine.configuredScope
        if !plan.pubsubTopics.isEmpty {
            let asked = Set(plan.pubsubTopics)
            scope.pubsubTopics = scope.pubsubTopics.isEmpty ? asked : scope.pubsubTopics.intersection(asked)
        }
        let report = await self.engine.ingest(
            messages,
            via: .query(peer, source: .fetch, span: span.lowerBound...(span.upperBound - 1), scope: scope),
            waitUntilWritten: true
        )
        for (reason, count) in report.rejected {
            self.events.emit(
                .rejected(RejectedMessages(source: .fetch, peerID: peer.description, reason: reason, count: count))
            )
        }
        return report.accepted
    }
}
