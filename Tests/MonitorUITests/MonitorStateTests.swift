import MonitorUI
import NodeEvents
import Testing
import WakuTestSupport

@Suite("the reducer")
struct MonitorStateTests {
    static let second = MonitorFixtures.second
    static let now = MonitorFixtures.now
    static let peers = MonitorFixtures.peerIDs

    static func round(_ session: UInt64, _ number: Int, peer: String = peers[1]) -> SessionRound {
        SessionRound(
            id: SessionID(session),
            peerID: peer,
            number: number,
            bytesReceived: 100,
            bytesSent: 50,
            received: RangeTally(fingerprint: 2),
            sent: RangeTally(itemSet: 1, items: 3),
            receivedRanges: [RangeSummary(lower: 1, upper: 2, kind: .fingerprint)],
            sentRanges: [RangeSummary(lower: 1, upper: 2, kind: .itemSet, items: 3)],
            itemsCompared: 3,
            newTheyNeed: 1,
            newWeNeed: 2
        )
    }

    static func end(
        _ session: UInt64,
        _ outcome: SessionEnd.Outcome = .reconciled,
        peer: String = peers[1]
    ) -> SessionEnd {
        SessionEnd(
            id: SessionID(session),
            peerID: peer,
            role: .initiator,
            outcome: outcome,
            rounds: 2,
            bytesSent: 999,
            bytesReceived: 888,
            weNeed: 4,
            theyNeed: 2,
            duration: .milliseconds(120),
            strategy: "balanced",
            endedAt: now
        )
    }

    @Test("peers keep the order they first appeared in; updates replace, removal forgets and logs")
    func peers() {
        var state = MonitorState()
        for id in Self.peers.prefix(3) {
            state.apply(.peerUpdated(PeerSnapshot(peerID: id, state: .connecting)), at: Self.now)
        }
        var updated = PeerSnapshot(peerID: Self.peers[0], state: .connected)
        updated.direction = .outbound
        state.apply(.peerUpdated(updated), at: Self.now)
        #expect(state.peerOrder == Array(Self.peers.prefix(3)))
        #expect(state.peers[Self.peers[0]]?.state == .connected)
        #expect(state.log.entries.last?.text == "connected (outbound)")
        state.apply(.peerRemoved(Self.peers[1]), at: Self.now)
        #expect(state.peerOrder == [Self.peers[0], Self.peers[2]])
        #expect(state.log.entries.last?.text == "peer forgotten")
    }

    @Test("the selection survives its peer's removal by falling back to the first peer")
    func selectionFallsBack() {
        var state = MonitorState()
        for id in Self.peers.prefix(3) {
            state.apply(.peerUpdated(PeerSnapshot(peerID: id, state: .connected)), at: Self.now)
        }
        state.view.selectedPeerID = Self.peers[2]
        #expect(state.selectedPeer?.peerID == Self.peers[2])
        state.apply(.peerRemoved(Self.peers[2]), at: Self.now)
        #expect(state.selectedPeer?.peerID == Self.peers[0])
    }

    @Test("a session goes from start through rounds to the finished list, the end's totals winning")
    func sessionLifecycle() {
        var state = MonitorState()
        state.apply(.sessionStarted(MonitorFixtures.start(id: 7, peer: Self.peers[1], secondsAgo: 2)), at: Self.now)
        state.apply(.sessionRound(Self.round(7, 1)), at: Self.now)
        state.apply(.sessionRound(Self.round(7, 2)), at: Self.now)
        #expect(state.liveSessions.first?.roundCount == 2)
        #expect(state.liveSessions.first?.weNeed == 4)
        #expect(state.liveSession(with: Self.peers[1])?.bytesReceived == 200)
        state.apply(.sessionEnded(Self.end(7)), at: Self.now)
        #expect(state.liveSessions.isEmpty)
        let finished = state.finishedSessions.first
        #expect(finished?.bytesSent == 999 && finished?.bytesReceived == 888 && finished?.rounds.count == 2)
        #expect(state.log.entries.last?.text.hasPrefix("session #7 reconciled: we need 4, they need 2") == true)
    }

    @Test(
        "events dropped by the bounded stream leave sensible records: a round without its start, an end without either"
    )
    func gaps() {
        var state = MonitorState()
        state.apply(.sessionRound(Self.round(9, 3)), at: Self.now)
        #expect(state.liveSessions.first?.role == nil)
        #expect(state.liveSessions.first?.roundCount == 3)
        state.apply(.sessionEnded(Self.end(11, .failed("peer left"))), at: Self.now)
        #expect(state.finishedSessions.first?.id == SessionID(11))
        #expect(state.finishedSessions.first?.startedAt == Self.now - 120_000_000)
        #expect(state.log.entries.last?.severity == .warning)
    }

    @Test("memory stays bounded: rounds per session, finished sessions, range details, log lines")
    func bounds() {
        var state = MonitorState()
        for number in 1...100 { state.apply(.sessionRound(Self.round(1, number)), at: Self.now) }
        #expect(state.liveSessions[0].rounds.count == SessionRecord.roundLimit)
        #expect(state.liveSessions[0].roundCount == 100)
        #expect(state.liveSessions[0].rounds.first?.number == 100 - SessionRecord.roundLimit + 1)
        for id in 1...80 { state.apply(.sessionEnded(Self.end(UInt64(id))), at: Self.now) }
        #expect(state.finishedSessions.count == MonitorState.finishedSessionLimit)
        #expect(
            state.finishedSessions.prefix(MonitorState.detailedSessionLimit).allSatisfy {
                !$0.rounds.isEmpty || $0.roundCount >= 0
            }
        )
        #expect(
            state.finishedSessions.dropFirst(MonitorState.detailedSessionLimit).allSatisfy {
                $0.rounds.allSatisfy(\.receivedRanges.isEmpty)
            }
        )
        for index in 0..<3000 { state.apply(.notice(Notice(.info, "n\(index)")), at: Self.now) }
        #expect(state.log.entries.count <= EventLog.capacity + EventLog.capacity / 4)
        #expect(state.log.lines(matching: "").count == EventLog.capacity)
        #expect(state.log.entries.last?.text == "n2999")
    }

    @Test("the transfer rate counts hashes received or fetched over the last ten seconds and decays to zero")
    func transferRate() {
        var state = MonitorState()
        var queue = TransferQueue(peerID: Self.peers[1])
        queue.weNeedPending = 100
        state.apply(.transfer(queue), at: Self.now)
        queue.received = 40
        queue.fetched = 10
        queue.weNeedPending = 50
        state.apply(.transfer(queue), at: Self.now + 5 * Self.second)
        let track = state.transfers[Self.peers[1]]
        #expect(track?.fraction == 0.5)
        #expect(track.map { $0.rate(at: Self.now + 5 * Self.second) } == 10)
        #expect(track.map { $0.rate(at: Self.now + 60 * Self.second) } ?? 1 < 1)
    }

    @Test("the archive total moves with every stored batch, not only with the next snapshot")
    func totalsFollowStores() {
        var state = MonitorState()
        state.apply(
            .archive(ArchiveSnapshot(messages: 2_727, bytes: 9, oldest: nil, newest: nil, syncIndexItems: 0)),
            at: Self.now
        )
        state.apply(
            .stored(
                StoredBatch(
                    source: .sync,
                    peerID: nil,
                    inserted: 234,
                    duplicates: 0,
                    byPubsubTopic: [:],
                    byContentTopic: [:]
                )
            ),
            at: Self.now + Self.second / 10
        )
        #expect(state.archive?.messages == 2_961)
        state.apply(
            .archive(ArchiveSnapshot(messages: 2_961, bytes: 99, oldest: nil, newest: nil, syncIndexItems: 5)),
            at: Self.now + Self.second
        )
        #expect(state.archive?.messages == 2_961 && state.archive?.bytes == 99)
    }

    @Test("stored batches fill one-second buckets per source; gaps read as zero; topics beyond the limit are pooled")
    func growth() {
        var state = MonitorState()
        func store(_ source: MessageSource, _ count: Int, topic: String = "/a/1/t/proto", at time: Int64) {
            state.apply(
                .stored(
                    StoredBatch(
                        source: source,
                        peerID: nil,
                        inserted: count,
                        duplicates: 1,
                        byPubsubTopic: [:],
                        byContentTopic: [topic: count]
                    )
                ),
                at: time
            )
        }
        store(.sync, 5, at: Self.now)
        store(.sync, 3, at: Self.now + 300_000_000)
        store(.publish, 7, at: Self.now + 2 * Self.second)
        #expect(state.growth.series(.sync, length: 3, at: Self.now + 2 * Self.second) == [8, 0, 0])
        #expect(state.growth.series(nil, length: 3, at: Self.now + 2 * Self.second) == [8, 0, 7])
        #expect(state.growth.series(nil, length: 2, at: Self.now + 1000 * Self.second) == [0, 0])
        #expect(state.growth.totals[.sync] == 8 && state.growth.duplicates == 3)
        for index in 0..<(GrowthHistory.topicLimit + 10) {
            store(.fetch, 1, topic: "/t/\(index)", at: Self.now + 3 * Self.second)
        }
        #expect(state.growth.byContentTopic.count == GrowthHistory.topicLimit + 1)
        #expect(state.growth.byContentTopic[GrowthHistory.otherTopics] == 11)
    }

    @Test("resume progress logs each change of state once")
    func resume() {
        var state = MonitorState()
        var progress = MonitorFixtures.resume(pages: 1, coveredFraction: 0.1)
        state.apply(.resume(progress), at: Self.now)
        progress.pages = 2
        state.apply(.resume(progress), at: Self.now)
        progress.state = .finished
        state.apply(.resume(progress), at: Self.now)
        #expect(
            state.log.entries.filter { $0.kind == .resume }.map(\.text) == [
                "resume started", "resume finished: 137 messages in 2 pages",
            ]
        )
        #expect(state.resume?.pages == 2)
    }

    @Test("in sync once every connected sync peer's last session reconciled and nothing is queued")
    func inSync() {
        var state = MonitorState()
        var peer = PeerSnapshot(peerID: Self.peers[1], state: .connected)
        peer.protocols = ["/vac/waku/reconciliation/1.0.0"]
        state.apply(.peerUpdated(peer), at: Self.now)
        #expect(!state.isInSync)
        state.apply(.sessionEnded(Self.end(1)), at: Self.now)
        #expect(state.isInSync)
        var queue = TransferQueue(peerID: Self.peers[1])
        queue.weNeedPending = 1
        state.apply(.transfer(queue), at: Self.now)
        #expect(!state.isInSync)
    }

    @Test("a scrolled-up log stays on the same lines while new ones arrive")
    func scrollHolds() {
        var state = MonitorState()
        for index in 0..<50 { state.apply(.notice(Notice(.info, "n\(index)")), at: Self.now) }
        state.view.focus = .log
        _ = state.apply(.moveUp)
        #expect(state.view.logScroll == 1)
        state.apply(.notice(Notice(.info, "new")), at: Self.now)
        #expect(state.view.logScroll == 2)
    }

    @Test("audit progress is kept per known peer until the report replaces it; the end is logged")
    func auditEvents() throws {
        var state = MonitorFixtures.busyDashboard().state
        let peer = Self.peers[1]
        let progress = AuditProgress(peerID: peer, phase: .days, done: 1, total: 3, roundTrips: 1, bytes: 90)
        state.apply(.auditProgress(progress), at: Self.now)
        state.apply(
            .auditProgress(AuditProgress(peerID: "unknown", phase: .days, done: 0, total: 1, roundTrips: 0, bytes: 0)),
            at: Self.now
        )
        #expect(state.audits[peer]?.progress == progress && state.audits[peer]?.isRunning == true)
        #expect(state.audits["unknown"] == nil)
        let report = MonitorFixtures.auditReport()
        state.apply(.auditFinished(report), at: Self.now + Self.second)
        let audit = try #require(state.audits[peer])
        #expect(!audit.isRunning && audit.finishedAt == Self.now + Self.second)
        #expect(audit.report?.days == report.days && audit.report?.missingHereCount == 138)
        let line = try #require(state.log.entries.last)
        #expect(line.kind == .audit && line.severity == .warning && line.peerID == peer)
        #expect(line.text == "archive audit: differences, missing here 138, there 33 (buckets, 37 round trips)")
        state.apply(.peerRemoved(peer), at: Self.now + 2 * Self.second)
        #expect(state.audits[peer] == nil)
    }

    @Test("an audit report keeps at most the hash limit over its minutes, its counts exact")
    func auditHashesBounded() throws {
        var state = MonitorFixtures.busyDashboard().state
        var report = MonitorFixtures.auditReport()
        var minute = AuditMinute(start: report.days[2].start, ours: 0, theirs: 5_000)
        minute.missingHere = (0..<(MonitorState.auditHashLimit + 50)).map { "\($0)" }
        minute.missingHereCount = 5_000
        report.days[2].hours[0] = AuditHour(
            start: minute.start,
            ours: 0,
            theirs: 5_000,
            agrees: false,
            minutes: [minute]
        )
        state.apply(.auditFinished(report), at: Self.now)
        let kept = try #require(state.audits[Self.peers[1]]?.report)
        let minutes = kept.days.flatMap(\.hours).flatMap(\.minutes)
        let listed: Int = minutes.reduce(0) { $0 + $1.missingHere.count + $1.missingThere.count }
        #expect(listed == MonitorState.auditHashLimit)
        let original = report.days.flatMap(\.hours).flatMap(\.minutes)
        let keptCount: Int = minutes.reduce(0) { $0 + $1.missingHereCount }
        let originalCount: Int = original.reduce(0) { $0 + $1.missingHereCount }
        #expect(keptCount == originalCount)
        #expect(kept.missingHere.isEmpty && kept.missingHereCount == report.missingHereCount)
    }
}
