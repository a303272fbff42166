internal import Libp2p
internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// A session in progress, with what the engine tracks beside the state machine.
struct LiveSession {
    var session: ReconciliationSession
    let peerID: PeerID
    let role: SessionRole
    /// Wall clock, nanoseconds.
    let startedAt: Int64
    var bytesSent = 0
    var bytesReceived = 0
    /// How many of the session's `itemsToReceive` the transfer gate has seen.
    var wantedShown = 0
}

/// What a finished session leaves to do.
struct SessionResult: Sendable {
    var end: SessionEnd
    var peer: PeerID
    /// Items the peer lacks: push them.
    var theyNeed: [SyncID]
    /// Items we lack: await them, then fetch.
    var weNeed: [SyncID]
}

extension SyncEngine {
    /// Opens a session with `peer` unless one is already running with it (one at a time).
    func openSession(with peer: PeerID, role: SessionRole) -> SessionID? {
        guard !self.sessions.values.contains(where: { $0.peerID == peer }) else { return nil }
        // Ended sessions leave the gate after their grace period, pushes or not.
        self.gate.expire(at: self.now())
        let id = SessionID(self.nextSessionID)
        self.nextSessionID += 1
        let session = ReconciliationSession(
            role: role == .initiator ? .initiator : .responder,
            configuration: self.configuration.sessionConfiguration
        )
        self.sessions[id] = LiveSession(session: session, peerID: peer, role: role, startedAt: self.now())
        return id
    }

    /// Peers we are in a session with.
    var busyPeers: Set<PeerID> { Set(self.sessions.values.map(\.peerID)) }

    /// Whether a session is running.
    var hasLiveSessions: Bool { !self.sessions.isEmpty }

    /// The initiator's first payload over `window`, or nil when the session is gone.
    func start(_ id: SessionID, window: (start: Int64, end: Int64)) -> [UInt8]? {
        guard var live = self.sessions[id] else { return nil }
        let payload = live.session.start(from: window.start, to: window.end, index: self.index)
        live.bytesSent += payload.count
        self.sessions[id] = live
        self.announce(live, id: id)
        self.updateGate(&live, id: id)
        self.sessions[id] = live
        return payload
    }

    /// Processes one decoded payload of `size` bytes from the peer; emits the round.
    func receive(_ payload: RangesData, size: Int, in id: SessionID) throws(SessionError) -> ReconciliationSession.Step
    {
        guard var live = self.sessions[id] else { throw SessionError(.alreadyFinished, "no such session") }
        let firstPayload = live.session.rounds.isEmpty
        defer { self.sessions[id] = live }
        live.bytesReceived += size
        let step = try live.session.receive(payload, size: size, index: self.index)
        if case .reply(let reply) = step { live.bytesSent += reply.count }
        if case .replyAndFinish(let reply) = step { live.bytesSent += reply.count }
        if firstPayload && live.role == .responder { self.announce(live, id: id) }
        if let report = live.session.rounds.last {
            self.events.emit(.sessionRound(Self.round(report, id: id, peer: live.peerID.description)))
        }
        self.updateGate(&live, id: id)
        return step
    }

    /// Ends a session (`failure` set when it was abandoned) and says what is left to do; pushes
    /// the session held early and now asked for go to the archive.
    func finish(_ id: SessionID, failure: String?) async -> SessionResult? {
        guard let live = self.sessions.removeValue(forKey: id) else { return nil }
        let now = self.now()
        let (accepted, unrequested) = self.gate.end(id, at: now)
        if unrequested > 0 {
            self.events.emit(
                .rejected(
                    RejectedMessages(
                        source: .sync,
                        peerID: live.peerID.description,
                        reason: .unrequested,
                        count: unrequested
                    )
                )
            )
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
        let span = self.gateWindow(of: live.session, at: now) ?? self.syncSpan(at: now)
        self.missing.record(peer: live.peerID, weNeed: weNeed, theyNeed: theyNeed, span: span, at: now)
        let end = SessionEnd(
            id: id,
            peerID: live.peerID.description,
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
        self.sessionsChanged.notify()
        if let queue = self.missing.snapshot(of: live.peerID) { self.events.emit(.transfer(queue)) }
        await self.enqueue(accepted, origin: IngestQueue.Origin(source: .sync, peer: live.peerID))
        return SessionResult(end: end, peer: live.peerID, theyNeed: theyNeed, weNeed: weNeed)
    }

    // MARK: - Private

    private func announce(_ live: LiveSession, id: SessionID) {
        let window = live.session.window
        self.events.emit(
            .sessionStarted(
                SessionStart(
                    id: id,
                    peerID: live.peerID.description,
                    role: live.role,
                    windowStart: window?.lower.timestamp ?? 0,
                    windowEnd: window?.upper.timestamp ?? 0,
                    strategy: self.configuration.strategy.kind.rawValue,
                    startedAt: live.startedAt
                )
            )
        )
    }

    /// The session's window as the gate and fetches use it: cut to our own sync span, whatever
    /// the peer asked for; nil before the window is known or when nothing of it is left.
    private func gateWindow(of session: ReconciliationSession, at now: Int64) -> ClosedRange<Int64>? {
        guard let window = session.window else { return nil }
        let allowed = self.syncSpan(at: now)
        let lower = max(window.lower.timestamp, allowed.lowerBound)
        let upper = min(window.upper.timestamp, allowed.upperBound)
        return lower <= upper ? lower...upper : nil
    }

    /// Tells the gate what the latest round asked for: only the new hashes and intervals.
    private func updateGate(_ live: inout LiveSession, id: SessionID) {
        let now = self.now()
        let scope = MessageAcceptance.Scope(
            pubsubTopics: Set(live.session.agreedPubsubTopics ?? self.configuration.syncPubsubTopics),
            contentTopics: Set(live.session.agreedContentTopics ?? self.configuration.contentTopics)
        )
        guard live.session.window != nil else { return }
        // A window wholly outside our span still gets a gate entry, one no push can fall in, so
        // its pushes are refused as outside the window.
        let window = self.gateWindow(of: live.session, at: now) ?? Int64.min...Int64.min
        self.gate.open(TransferGate.Session(id: id, peerID: live.peerID, window: window, scope: scope))
        let wanted = live.session.itemsToReceive[live.wantedShown...].lazy.map(\.hash)
        self.gate.extend(id, wanted: wanted, open: live.session.openedLastRound, scope: scope)
        live.wantedShown = live.session.itemsToReceive.count
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
