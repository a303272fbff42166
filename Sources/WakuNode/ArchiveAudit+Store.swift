internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension ArchiveAudit {
    /// The audit against a peer without the audit protocol (nwaku): hour by hour, the peer's
    /// hashes by Store v3 hash-only queries (100 per page), compared with ours; the hashes we lack
    /// are then looked up with data (their timestamps place them, and `plan.repair` stores them);
    /// with `plan.repair`, what the peer lacks is pushed over transfer and confirmed by queries.
    /// Stops, reporting what it saw, when `plan.maxQueries` are spent.
    func runStore(with peer: PeerID, plan: AuditPlan, span: Range<Int64>) async -> AuditReport {
        var report = AuditReport(
            peerID: peer.description,
            method: .store,
            from: span.lowerBound,
            to: span.upperBound,
            pubsubTopics: plan.pubsubTopics
        )
        var meter = StoreMeter(budget: plan.maxQueries)
        var findings = AuditFindings()
        var weLack: [MessageHash] = []
        do {
            let ourDays = try await self.buckets(.day, span, plan.pubsubTopics)
            let hours = Array(AuditLevel.hour.bucketStarts(from: span.lowerBound, to: span.upperBound))
            report.days = AuditLevel.day.bucketStarts(from: span.lowerBound, to: span.upperBound).map {
                AuditDay(start: $0, ours: ourDays[$0]?.count ?? 0, theirs: 0, agrees: true)
            }
            for (index, hour) in hours.enumerated() {
                let part = max(hour, span.lowerBound)..<min(hour + AuditLevel.hour.nanoseconds, span.upperBound)
                let theirs = try await self.storeHashes(part, plan.pubsubTopics, from: peer, meter: &meter)
                let ours = try await self.archive.auditItems(
                    from: part.lowerBound,
                    to: part.upperBound,
                    pubsubTopics: plan.pubsubTopics,
                    limit: self.limits.itemsRead
                )
                let mine = Set(ours.map(\.hash))
                let theyLack = ours.filter { !theirs.contains($0.hash) }
                let lacking = theirs.subtracting(mine)
                weLack += lacking
                for (minute, items) in Dictionary(
                    grouping: theyLack,
                    by: { AuditLevel.minute.bucketStart(of: $0.timestamp) }
                ) {
                    findings.record(
                        minute: minute,
                        ours: 0,
                        theirs: 0,
                        theyLack: items.map(\.hash),
                        weLack: [MessageHash]()
                    )
                }
                Self.note(
                    hour: hour,
                    ours: ours.count,
                    theirs: theirs.count,
                    agrees: theyLack.isEmpty && lacking.isEmpty,
                    in: &report
                )
                self.events.emit(
                    .auditProgress(meter.progress(report.peerID, .hashes, done: index + 1, total: hours.count))
                )
                if findings.isOverLimit || weLack.count > AuditPlan.maxDifferences { break }
            }
            var repair = try await self.lookUp(weLack, from: peer, span: span, plan: plan, meter: &meter, &findings)
            if plan.repair && !findings.missingThere.isEmpty {
                try await self.push(findings.missingThere, to: peer, &repair, meter: &meter)
            }
            report.repair = repair
            report.outcome = findings.missingHereCount + findings.missingThere.count == 0 ? .consistent : .differences
            if plan.repair, report.outcome == .differences, let repair = report.repair {
                Self.conclude(repair, lacking: (findings.missingHereCount, findings.missingThere.count), in: &report)
            }
        } catch let error as Libp2pError where error.code == .negotiationFailed {
            report.outcome = .notSupported
            report.detail = "the peer speaks neither the archive audit nor Store v3"
        } catch let exhausted as StoreMeter.Exhausted {
            report.outcome = .incomplete
            report.detail = exhausted.description
        } catch {
            report.outcome = .incomplete
            report.detail = WakuNode.describe(error)
        }
        if !plan.repair { report.repair = nil }
        findings.apply(to: &report)
        report.roundTrips = meter.queries
        report.bytesSent = meter.bytesSent
        report.bytesReceived = meter.bytesReceived
        return report
    }

    /// The peer's hashes in `part` on `topics` (every topic when empty), page by page.
    private func storeHashes(
        _ part: Range<Int64>,
        _ topics: [String],
        from peer: PeerID,
        meter: inout StoreMeter
    ) async throws -> Set<MessageHash> {
        var hashes = Set<MessageHash>()
        for topic in topics.isEmpty ? [nil] : topics.map(Optional.some) {
            var request = StoreQueryRequest(
                requestID: StoreClient.requestID(),
                pubsubTopic: topic,
                timeStart: part.lowerBound,
                timeEnd: part.upperBound - 1,
                paginationForward: true,
                paginationLimit: 100
            )
            while true {
                let page = try await meter.query(request, peer: peer, client: self.client)
                hashes.formUnion(page.messages.map(\.messageHash))
                guard hashes.count <= self.limits.itemsRead else {
                    throw NodeError("the store peer lists more than \(self.limits.itemsRead) messages in an hour")
                }
                guard let cursor = page.paginationCursor, page.messages.contains(where: { $0.messageHash == cursor })
                else {
                    break
                }
                request.paginationCursor = cursor
            }
        }
        return hashes
    }

    /// Looks up the hashes we lack with data (100 per query): their timestamps place them in the
    /// report, and with `plan.repair` they are judged and stored.
    private func lookUp(
        _ hashes: [MessageHash],
        from peer: PeerID,
        span: Range<Int64>,
        plan: AuditPlan,
        meter: inout StoreMeter,
        _ findings: inout AuditFindings
    ) async throws -> AuditRepair {
        var repair = AuditRepair()
        var found = Set<MessageHash>()
        for part in hashes.chunked(by: 100) {
            let request = StoreQueryRequest(
                requestID: StoreClient.requestID(),
                includeData: true,
                messageHashes: Array(part),
                paginationLimit: 100
            )
            let page = try await meter.query(request, peer: peer, client: self.client)
            var incoming: [IncomingMessage] = []
            for entry in page.messages where part.contains(entry.messageHash) {
                guard let message = entry.message, let topic = entry.pubsubTopic,
                    found.insert(entry.messageHash).inserted
                else { continue }
                let item = IncomingMessage(pubsubTopic: topic, message: message, claimedHash: entry.messageHash)
                let minute = AuditLevel.minute.bucketStart(of: message.timestamp)
                findings.record(minute: minute, ours: 0, theirs: 0, theyLack: [], weLack: [item.hash])
                incoming.append(item)
            }
            repair.fetched += incoming.count
            if plan.repair { repair.stored += await self.ingest(incoming, from: peer, span: span, plan: plan) }
        }
        repair.unavailable = hashes.count - found.count
        return repair
    }

    /// Pushes what the Store peer lacks over a transfer stream (nwaku stores what any peer pushes,
    /// PROTOCOLS.md §5.2), then asks it with hash-only Store queries which of them it now holds:
    /// a transfer has no answer, and a peer may take the frames and store nothing (a wakusync
    /// node takes pushes only inside a sync session). The peer stores in the background, so the
    /// query is repeated for what is still missing, a few times, half a second apart.
    private func push(
        _ hashes: [MessageHash],
        to peer: PeerID,
        _ repair: inout AuditRepair,
        meter: inout StoreMeter
    ) async throws {
        let sent = await self.transfer.pushReporting(hashes, to: peer).sent
        repair.pushed = sent.count
        repair.notPushed = hashes.count - sent.count
        var unconfirmed = Set(sent)
        for attempt in 0..<Self.confirmAttempts where !unconfirmed.isEmpty {
            if attempt > 0 { try await Task.sleep(for: StoreMeter.busyPause) }
            for part in Array(unconfirmed).chunked(by: 100) {
                let request = StoreQueryRequest(
                    requestID: StoreClient.requestID(),
                    messageHashes: Array(part),
                    paginationLimit: 100
                )
                let page = try await meter.query(request, peer: peer, client: self.client)
                for entry in page.messages { unconfirmed.remove(entry.messageHash) }
            }
        }
        repair.acceptedByPeer = sent.count - unconfirmed.count
    }

    /// Rounds of Store queries confirming a push.
    static let confirmAttempts = 6

    /// Marks one audited hour in its day.
    private static func note(hour: Int64, ours: Int, theirs: Int, agrees: Bool, in report: inout AuditReport) {
        guard let index = report.days.firstIndex(where: { $0.start == AuditLevel.day.bucketStart(of: hour) }) else {
            return
        }
        report.days[index].theirs += Int64(theirs)
        report.days[index].hours.append(
            AuditHour(start: hour, ours: Int64(ours), theirs: Int64(theirs), agrees: agrees)
        )
        report.days[index].agrees = report.days[index].agrees && agrees
    }
}

/// Store queries spent by an audit, against its budget, and their bytes.
struct StoreMeter {
    /// The budget ran out.
    struct Exhausted: Error, CustomStringConvertible {
        let queries: Int
        var description: String { "stopped after \(self.queries) Store queries (--max-queries)" }
    }

    /// How long to wait after a 429, and how many in a row to take before giving up.
    static let busyPause = Duration.milliseconds(500)
    static let busyRetries = 20

    let budget: Int
    private(set) var queries = 0
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0

    init(budget: Int) {
        self.budget = budget
    }

    /// Sends one query; a peer that says it is busy (429, nwaku's and our own rate limits) is
    /// asked again after a pause, up to ``busyRetries`` times in a row; every query sent counts.
    mutating func query(
        _ request: StoreQueryRequest,
        peer: PeerID,
        client: StoreClient
    ) async throws -> StoreQueryResponse {
        var response: StoreQueryResponse
        var retries = 0
        repeat {
            guard self.queries < self.budget else { throw Exhausted(queries: self.queries) }
            if retries > 0 { try await Task.sleep(for: Self.busyPause) }
            self.queries += 1
            response = try await client.query(request, peer: peer)
            retries += 1
        } while response.statusCode == .tooManyRequests && retries <= Self.busyRetries
        guard response.statusCode.isSuccess else {
            throw NodeError("the store peer answered \(response.statusCode): \(response.statusDesc)")
        }
        self.bytesSent += request.serialized().count
        self.bytesReceived += (try? response.serialized().count) ?? 0
        return response
    }

    func progress(_ peer: String, _ phase: AuditProgress.Phase, done: Int, total: Int) -> AuditProgress {
        AuditProgress(
            peerID: peer,
            phase: phase,
            done: done,
            total: total,
            roundTrips: self.queries,
            bytes: self.bytesSent + self.bytesReceived
        )
    }
}
