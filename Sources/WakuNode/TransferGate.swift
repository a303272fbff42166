internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// Decides which pushed messages we store (PROTOCOLS.md §5.2; stricter than nwaku, still
/// compatible with it).
///
/// A push is accepted only from a peer with an active session, or one that ended less than
/// `grace` ago; only if its SyncID lies inside that session's window and its topics inside the
/// session's agreed scope; and only if the session asked for it: its hash was found lacking, or it
/// lies in an interval where we told the peer we hold nothing. A push that arrives before the
/// round that asks for it has been processed waits in a bounded buffer until the session ends.
/// Pure: time comes in as `now` (nanoseconds).
struct TransferGate {
    /// What the gate decided for one push.
    enum Verdict: Equatable {
        case accept
        /// Held until the session's next round or its end.
        case hold
        case reject(TransferRejection)
    }

    /// A session's view for the gate.
    struct Session {
        let id: SessionID
        let peerID: String
        var windowStart: Int64
        var windowEnd: Int64
        /// Agreed scope; empty means every topic.
        var pubsubTopics: Set<String>
        var contentTopics: Set<String>
        var wanted: Set<MessageHash> = []
        var openIntervals: [SyncInterval] = []
        var endedAt: Int64?
        var accepted = 0
        var held: [(hash: MessageHash, payload: TransferPayload)] = []

        func requests(_ id: SyncID) -> Bool {
            self.wanted.contains(id.hash) || self.openIntervals.contains { $0.contains(id) }
        }
    }

    /// How long after a session ends its pushes are still accepted.
    let grace: Duration
    /// Most pushes one session may deliver, held ones included, beyond those it listed: an
    /// interval where we hold nothing asks for all the peer has there, an hour of a busy network,
    /// so this bounds a flood without starving a node that starts empty.
    let capBeyondWanted: Int
    /// Most pushes held at once per session (each up to 150 KiB), bounding memory.
    let maxHeld: Int

    private(set) var sessions: [SessionID: Session] = [:]

    init(grace: Duration = .seconds(60), capBeyondWanted: Int = 100_000, maxHeld: Int = 1_000) {
        self.grace = grace
        self.capBeyondWanted = capBeyondWanted
        self.maxHeld = maxHeld
    }

    /// Registers or updates a live session (after each round).
    mutating func update(_ session: Session) {
        var merged = session
        if let existing = self.sessions[session.id] {
            merged.accepted = existing.accepted
            merged.held = existing.held
        }
        self.sessions[session.id] = merged
    }

    /// Marks a session ended; returns the held pushes it now asks for (to store) and the number
    /// it does not (rejected as unrequested).
    mutating func end(_ id: SessionID, at now: Int64) -> (accepted: [(MessageHash, TransferPayload)], unrequested: Int)
    {
        guard var session = self.sessions[id] else { return ([], 0) }
        session.endedAt = now
        let held = session.held
        session.held = []
        var accepted: [(MessageHash, TransferPayload)] = []
        var unrequested = 0
        for entry in held {
            let id = SyncID(timestamp: entry.payload.message.timestamp, hash: entry.hash)
            if session.requests(id) {
                accepted.append((entry.hash, entry.payload))
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

    /// The verdict on one push from `peerID`, whose hash we computed ourselves (`hash`).
    mutating func admit(_ payload: TransferPayload, hash: MessageHash, from peerID: String, at now: Int64) -> Verdict {
        if payload.message.ephemeral { return .reject(.ephemeral) }
        let graceNanoseconds = self.grace.nanoseconds
        let candidates = self.sessions.values
            .filter { $0.peerID == peerID && ($0.endedAt.map { now - $0 < graceNanoseconds } ?? true) }
            .sorted { $0.id > $1.id }
        guard !candidates.isEmpty else { return .reject(.noSession) }
        let id = SyncID(timestamp: payload.message.timestamp, hash: hash)
        let inWindow = candidates.filter { id.timestamp >= $0.windowStart && id.timestamp <= $0.windowEnd }
        guard !inWindow.isEmpty else { return .reject(.outsideWindow) }
        let inScope = inWindow.filter { session in
            (session.pubsubTopics.isEmpty || session.pubsubTopics.contains(payload.pubsubTopic))
                && (session.contentTopics.isEmpty || session.contentTopics.contains(payload.message.contentTopic))
        }
        guard var session = inScope.first else { return .reject(.outsideScope) }
        if let asking = inScope.first(where: { $0.requests(id) }) { session = asking }
        guard session.accepted + session.held.count < session.wanted.count + self.capBeyondWanted else {
            return .reject(.overCap)
        }
        if session.requests(id) {
            session.accepted += 1
            self.sessions[session.id] = session
            return .accept
        }
        guard session.endedAt == nil else { return .reject(.unrequested) }
        guard session.held.count < self.maxHeld else { return .reject(.overCap) }
        session.held.append((hash, payload))
        self.sessions[session.id] = session
        return .hold
    }

}
