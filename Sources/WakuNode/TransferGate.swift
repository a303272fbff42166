internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// Decides which pushed messages we store (PROTOCOLS.md §5.2; stricter than nwaku, still
/// compatible with it).
///
/// A push is considered only from a peer with an active session, or one that ended less than
/// `grace` ago; it must then pass the acceptance rule with that session's window (clamped to our
/// own sync range) and agreed topic scope, and the session must have asked for it: its hash was
/// found lacking, or it lies in an interval where we told the peer we hold nothing. A push that
/// arrives before the round that asks for it waits, its bytes counted against one budget for all
/// sessions, until the session ends. Pure: time comes in as `now` (nanoseconds).
struct TransferGate<Peer: Hashable & Sendable> {
    /// What the gate decided for one push.
    enum Verdict: Equatable {
        case accept
        /// Held until the session ends.
        case hold
        case reject(Rejection)
    }

    /// A session's view for the gate, grown round by round.
    struct Session {
        let id: SessionID
        let peerID: Peer
        /// Inclusive bounds, already clamped to our own sync range.
        var window: ClosedRange<Int64>
        var scope: MessageAcceptance.Scope
        var wanted: Set<MessageHash> = []
        var open = SyncIntervalSet()
        var endedAt: Int64?
        var accepted = 0
        var held: [IncomingMessage] = []

        init(id: SessionID, peerID: Peer, window: ClosedRange<Int64>, scope: MessageAcceptance.Scope) {
            self.id = id
            self.peerID = peerID
            self.window = window
            self.scope = scope
        }

        func requests(_ id: SyncID) -> Bool {
            self.wanted.contains(id.hash) || self.open.contains(id)
        }
    }

    /// How long after a session ends its pushes are still accepted.
    let grace: Duration
    /// Most pushes one session may deliver beyond those it listed: an interval where we hold
    /// nothing asks for all the peer has there, an hour of a busy network, so this bounds a flood
    /// without starving a node that starts empty.
    let capBeyondWanted: Int
    /// Most bytes of early pushes held at once, over every session.
    let heldBytesLimit: Int
    /// The rule every message passes.
    let acceptance: MessageAcceptance

    private(set) var sessions: [SessionID: Session] = [:]
    private(set) var heldBytes = 0

    init(
        grace: Duration = .seconds(60),
        capBeyondWanted: Int = 100_000,
        heldBytesLimit: Int = 16 << 20,
        acceptance: MessageAcceptance = MessageAcceptance()
    ) {
        self.grace = grace
        self.capBeyondWanted = capBeyondWanted
        self.heldBytesLimit = heldBytesLimit
        self.acceptance = acceptance
    }

    /// Starts tracking a session once its window is known.
    mutating func open(_ session: Session) {
        guard self.sessions[session.id] == nil else { return }
        self.sessions[session.id] = session
    }

    /// Adds what the session's latest round asked for, and narrows its scope to the agreed one.
    mutating func extend(
        _ id: SessionID,
        wanted: some Sequence<MessageHash>,
        open: [SyncInterval],
        scope: MessageAcceptance.Scope
    ) {
        guard var session = self.sessions.removeValue(forKey: id) else { return }
        session.wanted.formUnion(wanted)
        for interval in open { session.open.insert(interval) }
        session.scope = scope
        self.sessions[id] = session
    }

    /// Marks a session ended; returns the held pushes it asked for (to store) and the number it
    /// did not (refused as unrequested).
    mutating func end(_ id: SessionID, at now: Int64) -> (accepted: [IncomingMessage], unrequested: Int) {
        guard var session = self.sessions.removeValue(forKey: id) else { return ([], 0) }
        session.endedAt = now
        let held = session.held
        session.held = []
        var accepted: [IncomingMessage] = []
        var unrequested = 0
        for message in held {
            self.heldBytes -= message.size
            if session.requests(message.syncID) {
                accepted.append(message)
                session.accepted += 1
            } else {
                unrequested += 1
            }
        }
        self.sessions[id] = session
        return (accepted, unrequested)
    }

    /// Forgets sessions whose grace period is over.
    mutating func expire(at now: Int64) {
        let graceNanoseconds = self.grace.nanoseconds
        self.sessions = self.sessions.filter { _, session in
            guard let endedAt = session.endedAt else { return true }
            return now - endedAt < graceNanoseconds
        }
    }

    /// The verdict on one push from `peer`, whose hash we computed ourselves.
    mutating func admit(_ message: IncomingMessage, from peer: Peer, at now: Int64) -> Verdict {
        let graceNanoseconds = self.grace.nanoseconds
        let candidates = self.sessions.values
            .filter { $0.peerID == peer && ($0.endedAt.map { now - $0 < graceNanoseconds } ?? true) }
            .sorted { $0.id > $1.id }
        guard !candidates.isEmpty else { return .reject(.noSession) }
        let id = message.syncID
        // The newest session that asked for it, else the newest whose window holds it.
        guard
            var session = candidates.first(where: { $0.requests(id) && $0.window.contains(id.timestamp) })
                ?? candidates.first(where: { $0.window.contains(id.timestamp) }) ?? candidates.first
        else { return .reject(.noSession) }
        if let refusal = self.acceptance.refusal(
            of: message.message,
            pubsubTopic: message.pubsubTopic,
            hash: message.hash,
            span: session.window,
            scope: session.scope,
            now: now
        ) {
            return .reject(Rejection(refusal))
        }
        guard session.accepted + session.held.count < session.wanted.count + self.capBeyondWanted else {
            return .reject(.overCap)
        }
        if session.requests(id) {
            session.accepted += 1
            self.sessions[session.id] = session
            return .accept
        }
        guard session.endedAt == nil else { return .reject(.unrequested) }
        guard self.heldBytes + message.size <= self.heldBytesLimit else { return .reject(.overCap) }
        self.heldBytes += message.size
        session.held.append(message)
        self.sessions[session.id] = session
        return .hold
    }
}

extension Rejection {
    /// The event's reason for a refusal of the acceptance rule.
    init(_ refusal: MessageAcceptance.Refusal) {
        switch refusal {
        case .ephemeral: self = .ephemeral
        case .oversized: self = .oversized
        case .future: self = .futureTimestamp
        case .outsideSpan: self = .outsideWindow
        case .outsideScope: self = .outsideScope
        case .hashMismatch: self = .hashMismatch
        }
    }
}
