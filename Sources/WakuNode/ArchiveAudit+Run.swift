internal import Libp2p
internal import NodeEvents
internal import WakuArchive
internal import WakuCore
internal import WakuSync

extension ArchiveAudit {
    /// Audits our archive against `peer`'s (PROTOCOLS.md §12.2): days, then the hours of the days
    /// that differ, their minutes, the hashes inside those minutes, and with `plan.repair` the
    /// messages each side lacks. A peer without the audit protocol is audited with Store v3
    /// hash queries instead, within `plan.maxQueries`.
    ///
    /// Never throws: whatever happens is in the report, which is also emitted as
    /// `auditFinished`.
    func run(with peer: PeerID, plan: AuditPlan) async -> AuditReport {
        let started = ContinuousClock.now
        let span = await self.span(for: plan)
        var report = AuditReport(
            peerID: peer.description,
            method: .buckets,
            from: span.lowerBound,
            to: span.upperBound,
            pubsubTopics: plan.pubsubTopics
        )
        let stream: Libp2pStream
        do {
            stream = try await self.host.openStream(to: peer, protocolID: Self.protocolID, timeout: .seconds(10))
        } catch let error as Libp2pError where error.code == .negotiationFailed {
            report = await self.runStore(with: peer, plan: plan, span: span)
            return self.finish(report, started: started)
        } catch {
            report.outcome = .failed
            report.detail = "cannot open an audit stream: \(WakuNode.describe(error))"
            return self.finish(report, started: started)
        }
        var exchange = AuditExchange(stream: stream, limits: self.limits)
        do {
            try await self.compare(&report, span: span, plan: plan, exchange: &exchange)
            await stream.close()
        } catch {
            stream.reset()
            report.outcome = .incomplete
            report.detail = WakuNode.describe(error)
        }
        exchange.note(report: &report)
        return self.finish(report, started: started)
    }

    private func finish(_ report: AuditReport, started: ContinuousClock.Instant) -> AuditReport {
        var report = report
        report.durationNanoseconds = (ContinuousClock.now - started).nanoseconds
        self.events.emit(.auditFinished(report))
        return report
    }

    /// The span to audit: the plan's, or from our retention floor (without time retention, our
    /// oldest day) to a minute ago, where relay traffic still in flight cannot look like a gap.
    func span(for plan: AuditPlan) async -> Range<Int64> {
        let now = self.engine.now()
        let bounds = self.retentionSpan(at: now)
        var from = plan.from ?? bounds.lowerBound
        if plan.from == nil && from == .min {
            let days = try? await self.archive.auditBuckets(.day, from: .min, to: now, pubsubTopics: plan.pubsubTopics)
            from = days?.first?.start ?? now
        }
        from = max(from, bounds.lowerBound)
        let to = max(from, min(plan.to ?? now.subtractingSaturated(60_000_000_000), bounds.upperBound))
        return from..<to
    }

    /// The descent, over an open stream; fills `report`.
    private func compare(
        _ report: inout AuditReport,
        span asked: Range<Int64>,
        plan: AuditPlan,
        exchange: inout AuditExchange
    ) async throws {
        let topics = plan.pubsubTopics
        guard
            case .days(let agreedFrom, let agreedTo, let theirDays) = try await exchange.ask(
                .days(from: asked.lowerBound, to: asked.upperBound, pubsubTopics: topics)
            )
        else { throw NodeError("the peer answered the days request with something else") }
        let span =
            max(asked.lowerBound, agreedFrom)..<max(max(asked.lowerBound, agreedFrom), min(asked.upperBound, agreedTo))
        report.from = span.lowerBound
        report.to = span.upperBound
        self.progress(report, .days, exchange)
        let ourDays = try await self.buckets(.day, span, topics)
        let differingDays = AuditComparison.differing(ours: ourDays, theirs: theirDays) {
            Self.overlaps($0, .day, span)
        }
        report.days = AuditLevel.day.bucketStarts(from: span.lowerBound, to: span.upperBound).map { start in
            AuditDay(
                start: start,
                ours: ourDays[start]?.count ?? 0,
                theirs: theirDays.first { $0.start == start }?.count ?? 0,
                agrees: !differingDays.contains(start)
            )
        }
        guard !differingDays.isEmpty else {
            report.outcome = .consistent
            return
        }
        let differingHours = try await self.descend(.hour, differingDays, span, topics, &exchange, &report)
        self.progress(report, .hours, exchange)
        let minuteCounts = try await self.minutes(differingHours, span, topics, &exchange)
        self.progress(report, .minutes, exchange)
        var findings = AuditFindings()
        try await self.compareHashes(minuteCounts, span, topics, &exchange, &findings, &report)
        findings.apply(to: &report)
        report.outcome = report.missingHereCount + report.missingThereCount == 0 ? .consistent : .differences
        if !findings.isOverLimit { findings.settleAgreement(in: &report) }
        if findings.isOverLimit {
            report.outcome = .incomplete
            report.detail = "more than \(AuditPlan.maxDifferences) differences: audit a shorter span"
            return
        }
        if plan.repair && report.outcome == .differences {
            let repair = try await self.repair(findings, span, plan, &exchange, &report)
            report.repair = repair
            Self.conclude(repair, lacking: (findings.missingHereCount, findings.missingThere.count), in: &report)
        }
    }

    /// Asks for the hours of the differing days and fills their rows in the report; returns the
    /// differing hours.
    private func descend(
        _ level: AuditLevel,
        _ parents: [Int64],
        _ span: Range<Int64>,
        _ topics: [String],
        _ exchange: inout AuditExchange,
        _ report: inout AuditReport
    ) async throws -> [Int64] {
        let ours = try await self.buckets(level, span, topics)
        var differing: [Int64] = []
        for chunk in parents.chunked(by: self.limits.parents) {
            let groups = try await self.children(level, Array(chunk), &exchange)
            for (day, theirs) in zip(chunk, groups) {
                let inDay = AuditLevel.day.childStarts(of: day).filter { Self.overlaps($0, level, span) }
                let mine = ours.filter { inDay.contains($0.key) }
                let found = AuditComparison.differing(ours: mine, theirs: theirs) { inDay.contains($0) }
                differing += found
                guard let index = report.days.firstIndex(where: { $0.start == day }) else { continue }
                report.days[index].hours = inDay.map { hour in
                    AuditHour(
                        start: hour,
                        ours: mine[hour]?.count ?? 0,
                        theirs: theirs.first { $0.start == hour }?.count ?? 0,
                        agrees: !found.contains(hour)
                    )
                }
            }
        }
        return differing
    }

    /// Asks for the minutes of the differing hours; returns each differing minute with the
    /// counts both sides hold there.
    private func minutes(
        _ hours: [Int64],
        _ span: Range<Int64>,
        _ topics: [String],
        _ exchange: inout AuditExchange
    ) async throws -> [(minute: Int64, ours: Int64, theirs: Int64)] {
        guard let first = hours.first, let last = hours.last else { return [] }
        let ours = try await self.buckets(
            .minute,
            max(span.lowerBound, first)..<min(span.upperBound, last + AuditLevel.hour.nanoseconds),
            topics
        )
        var differing: [(minute: Int64, ours: Int64, theirs: Int64)] = []
        for chunk in hours.chunked(by: self.limits.parents) {
            let groups = try await self.children(.minute, Array(chunk), &exchange)
            for (hour, theirs) in zip(chunk, groups) {
                let inHour = Set(AuditLevel.hour.childStarts(of: hour).filter { Self.overlaps($0, .minute, span) })
                let mine = ours.filter { inHour.contains($0.key) }
                for minute in AuditComparison.differing(ours: mine, theirs: theirs, isWanted: inHour.contains) {
                    differing.append(
                        (minute, mine[minute]?.count ?? 0, theirs.first { $0.start == minute }?.count ?? 0)
                    )
                }
            }
        }
        return differing
    }

    private func children(
        _ level: AuditLevel,
        _ parents: [Int64],
        _ exchange: inout AuditExchange
    ) async throws -> [[AuditSummary]] {
        guard case .children(let groups) = try await exchange.ask(.children(level: level, parents: parents)),
            groups.count == parents.count
        else { throw NodeError("the peer answered a \(level) request with something else") }
        return groups
    }

    /// Our stored buckets of `level` over `span`, by start.
    func buckets(
        _ level: AuditLevel,
        _ span: Range<Int64>,
        _ topics: [String]
    ) async throws -> [Int64: BucketFingerprint] {
        guard !span.isEmpty else { return [:] }
        let buckets = try await self.archive.auditBuckets(
            level,
            from: span.lowerBound,
            to: span.upperBound,
            pubsubTopics: topics
        )
        return Dictionary(buckets.map { ($0.start, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
    }

    /// `repaired` only when everything we lacked was stored and everything the peer lacked was
    /// stored by it; otherwise the archives still differ and the report says by how much.
    static func conclude(_ repair: AuditRepair, lacking: (here: Int, there: Int), in report: inout AuditReport) {
        let stillHere = lacking.here - repair.stored
        let stillThere = lacking.there - repair.acceptedByPeer
        guard stillHere > 0 || stillThere > 0 else {
            report.outcome = .repaired
            return
        }
        report.outcome = .differences
        report.detail =
            "repair incomplete: we still lack \(stillHere) (unavailable or refused by our acceptance rule), "
            + "the peer still lacks \(stillThere)"
            + (repair.notPushed > 0 ? " (\(repair.notPushed) could not be pushed)" : "")
            + (repair.pushed > repair.acceptedByPeer
                ? " (\(repair.pushed - repair.acceptedByPeer) pushed but not stored by the peer)" : "")
    }

    static func overlaps(_ start: Int64, _ level: AuditLevel, _ span: Range<Int64>) -> Bool {
        start < span.upperBound && start.addingSaturated(level.nanoseconds) > span.lowerBound
    }

    func progress(
        _ report: AuditReport,
        _ phase: AuditProgress.Phase,
        _ exchange: AuditExchange,
        done: Int = 1,
        total: Int = 1
    ) {
        self.events.emit(
            .auditProgress(
                AuditProgress(
                    peerID: report.peerID,
                    phase: phase,
                    done: done,
                    total: total,
                    roundTrips: exchange.roundTrips,
                    bytes: exchange.bytesSent + exchange.bytesReceived
                )
            )
        )
    }
}

extension Array {
    /// The elements in consecutive slices of at most `size`.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: self.count, by: Swift.max(1, size)).map {
            self[$0..<Swift.min($0 + Swift.max(1, size), self.count)]
        }
    }
}
