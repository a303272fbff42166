internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// A session in progress, with what the engine tracks beside the state machine.
struct LiveSession {
    var session: ReconciliationSession
    let peerID: String
    let role: SessionRole
    /// Wall clock, nanoseconds.
    let startedAt: Int64
    var bytesSent = 0
    var bytesReceived = 0
}

/// What a finished session leaves to do.
struct SessionResult: Sendable {
    var end: SessionEnd
    /// Items the peer lacks: push them.
    var theyNeed: [SyncID]
    /// Items we lack: await them, then fetch.
    var weNeed: [SyncID]
    /// Pushes that arrived early and turned out to be asked for: store them.
    var heldAccepted: [TransferPayload]
}

extension SyncEngine {
    /// Opens a session with `peer` unless one is already running with it (one at a time).
    func openSession(with peer: String, role: SessionRole) -> SessionID? {
        guard !self.sessions.values.contains(where: { $0.peerID == peer }) else { return nil }
        // Ended sessions leave the gate after their grace period, pushes or not.
        self.gate.expire(at: self.now())
        let id = SessionID(self.nextSessionID)
        self.nextSessionID += 1
        let configuration = ReconciliationSession.Configuration(
            strategy: self.configuration.strategy,
            pubsubTopics: self.configuration.syncPubsubTopics,
            contentTopics: self.configuration.contentTopics,
            roundLimit: self.configuration.roundLimit
        )
        let session = ReconciliationSession(
            role: role == .initiator ? .initiator : .responder,
            configuration: configuration
        )
        self.sessions[id] = LiveSession(session: session, peerID: peer, role: role, startedAt: self.now())
        return id
    }

    /// Peers we are in a session with.
    var busyPeers: Set<String> { Set(self.sessions.values.map(\.peerID)) }

    /// Whether a session is running.
    var hasLiveSessions: Bool { !self.sessions.isEmpty }

    /// The initiator's first payload over `window`.
    func start(_ id: SessionID, window: (start: Int64, end: Int64)) -> [UInt8] {
        guard var live = self.sessions[id] else { preconditionFailure("start(_:) of an unknown session") }
        let payload = live.session.start(from: window.start, to: window.end, index: self.index)
        live.bytesSent += payload.count
        self.sessions[id] = live
        self.announce(live, id: id)
        self.updateGate(live, id: id)
        return payload
    }

    /// Processes one payload from the peer; emits the round.
    func receive(_ bytes: [UInt8], in id: SessionID) throws(SessionError) -> ReconciliationSession.Step {
        guard var live = self.sessions[id] else { throw SessionError(.alreadyFinished, "no such session") }
        let firstPayload = live.session.rounds.isEmpty
        defer { self.sessions[id] = live }
        live.bytesReceived += bytes.count
        let step = try live.session.receive(bytes, index: self.index)
        if case .reply(let reply) = step { live.bytesSent += reply.count }
        if case .replyAndFinish(let reply) = step { live.bytesSent += reply.count }
        if firstPayload && live.role == .responder { self.announce(live, id: id) }
        if let report = live.session.rounds.last {
            self.events.emit(.sessionRound(Self.round(report, id: id, peer: live.peerID)))
        }
        self.updateGate(live, id: id)
        return step
    }

    /// Ends a session (`failure` set when it was abandoned) and says what is left to do.
    func finish(_ id: SessionID, failure: String?) -> SessionResult? {
        guard let live = self.sessions.removeValue(forKey: id) else { return nil }
        let now = self.now()
        let (accepted, unrequested) = self.gate.end(id, at: now)
        if unrequested > 0 {
            self.events.emit(.transferRejected(peerID: live.peerID, reason: .unrequested, count: unrequested))
        }
        let outcome: SessionEnd.Outcome
        if let failure {
            outcome = .failed(failure)
        } else if live.session.ending == .scopeMismatch {
            outcome = .scopeMismatch
        } else {
            outcome = .reconciled
        }
        let weNeed = live.session.itemsToReceive
        let theyNeed = live.session.itemsToSend
        self.missing.record(peer: live.peerID, weNeed: weNeed, theyNeed: theyNeed, at: now)
        let end = SessionEnd(
            id: id,
            peerID: live.peerID,
            role: live.role,
            outcome: outcome,
            rounds: live.session.rounds.count,
            bytesSent: live.bytesSent,
            bytesReceived: live.bytesReceived,
            weNeed: weNeed.count,
            theyNeed: theyNeed.count,
            duration: .nanoseconds(max(0, now - live.startedAt)),
            strategy: self.configuration.strategy.kind.rawValue,
            endedAt: now
        )
        self.events.emit(.sessionEnded(end))
        if let queue = self.missing.snapshot(of: live.peerID) { self.events.emit(.transfer(queue)) }
        return SessionResult(end: end, theyNeed: theyNeed, weNeed: weNeed, heldAccepted: accepted.map(\.1))
    }

    /// The gate's verdict on a message pushed by `peer`; the hash is computed here, never taken
    /// from the sender.
    func admit(_ payload: TransferPayload, from peer: String) -> (TransferGate.Verdict, MessageHash) {
        let hash = payload.message.hash(pubsubTopic: payload.pubsubTopic)
        let now = self.now()
        self.gate.expire(at: now)
        return (self.gate.admit(payload, hash: hash, from: peer, at: now), hash)
    }

    // MARK: - Private

    private func announce(_ live: LiveSession, id: SessionID) {
        let window = live.session.window
        self.events.emit(
            .sessionStarted(
                SessionStart(
                    id: id,
                    peerID: live.peerID,
                    role: live.role,
                    windowStart: window?.lower.timestamp ?? 0,
                    windowEnd: window?.upper.timestamp ?? 0,
                    strategy: self.configuration.strategy.kind.rawValue,
                    startedAt: live.startedAt
                )
            )
        )
    }

    private func updateGate(_ live: LiveSession, id: SessionID) {
        guard let window = live.session.window else { return }
        var view = TransferGate.Session(
            id: id,
            peerID: live.peerID,
            windowStart: window.lower.timestamp,
            windowEnd: window.upper.timestamp,
            pubsubTopics: Set(live.session.agreedPubsubTopics ?? self.configuration.syncPubsubTopics),
            contentTopics: Set(live.session.agreedContentTopics ?? self.configuration.contentTopics)
        )
        view.wanted = Set(live.session.hashesToReceive)
        view.openIntervals = live.session.openIntervals
        self.gate.update(view)
    }

    private static func round(_ report: RoundReport, id: SessionID, peer: String) -> SessionRound {
        SessionRound(
            id: id,
            peerID: peer,
            number: report.number,
            bytesReceived: report.bytesReceived,
            bytesSent: report.bytesSent,
            received: Self.tally(report.rangesReceived),
            sent: Self.tally(report.rangesSent),
            receivedRanges: report.receivedOutline.map(Self.summary),
            sentRanges: report.sentOutline.map(Self.summary),
            itemsCompared: report.itemsCompared,
            newTheyNeed: report.newHashesToSend,
            newWeNeed: report.newHashesToReceive
        )
    }

    private static func tally(_ counts: RangeCounts) -> RangeTally {
        RangeTally(skip: counts.skip, fingerprint: counts.fingerprint, itemSet: counts.itemSet, items: counts.items)
    }

    private static func summary(_ outline: RangeOutline) -> RangeSummary {
        RangeSummary(
            lower: outline.lower.timestamp,
            upper: outline.upper.timestamp,
            kind: RangeSummary.Kind(rawValue: outline.kind) ?? .skip,
            items: outline.items,
            reconciled: outline.isReconciled
        )
    }
}

extension SyncEngine {
    /// Accounts for pushes made (and pushes that cannot be made) to `peer`.
    func recordPushes(_ sent: [MessageHash], abandoned: [MessageHash], to peer: String) {
        for hash in sent { self.missing.pushed(hash, to: peer) }
        for hash in abandoned { self.missing.abandonPush(hash, to: peer) }
        if let queue = self.missing.snapshot(of: peer) { self.events.emit(.transfer(queue)) }
    }
}

extension SyncEngine {
    /// Hashes we lack from `peer` that waited `grace` and were not asked for yet.
    func dueForFetch(from peer: String, grace: Duration) -> [[MessageHash]] {
        self.missing.dueForFetch(from: peer, grace: grace, at: self.now())
    }

    /// Peers we still await messages from.
    var peersWithPendingMessages: [String] {
        self.missing.peers.keys.filter { self.missing.hasPending(from: $0) }.sorted()
    }

    /// A fetch could not deliver these; they are looked for again in the next session.
    func markUnavailable(_ hashes: [MessageHash], from peer: String) {
        guard !hashes.isEmpty else { return }
        self.missing.unavailable(hashes, from: peer)
        if let queue = self.missing.snapshot(of: peer) { self.events.emit(.transfer(queue)) }
    }
}

extension SyncEngine {
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
}

extension SyncEngine {
    /// Hashes found lacking outside a session (the audit): queue them for fetching.
    func expect(_ hashes: [MessageHash], from peer: String, in window: (start: Int64, end: Int64)) {
        self.missing.record(
            peer: peer,
            weNeed: hashes.map { SyncID(timestamp: window.start, hash: $0) },
            theyNeed: [],
            at: self.now()
        )
        if let queue = self.missing.snapshot(of: peer) { self.events.emit(.transfer(queue)) }
    }
}
