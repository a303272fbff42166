internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// Tracks, per peer, the items reconciliation found we lack until they arrive by transfer, are
/// fetched with Store hash queries, or are given up on (PROTOCOLS.md §4.8, §8 #20).
///
/// Pure: time comes in as `now` (nanoseconds). Bounded: at most `limit` pending items per peer (the
/// oldest are dropped first; the next session finds them again). A fetch that fails is retried
/// after a pause, at most ``maximumAttempts`` times. Generic over the peer key so tests can use
/// plain strings.
struct MissingTracker<Peer: Hashable & Sendable & CustomStringConvertible> {
    struct Pending {
        var item: SyncID
        /// The span the session that found it covered: a fetched message must lie inside.
        var span: ClosedRange<Int64>
        var foundAt: Int64
        var attempts = 0
        /// Set while a fetch for it is under way.
        var isInFlight = false
        /// Not fetched again before this time (after a failed attempt).
        var retryAt: Int64 = .min
    }

    struct PeerQueue {
        var pending: [MessageHash: Pending] = [:]
        var queue: TransferQueue
        /// Hashes the peer lacks, awaiting our push.
        var theyNeed: Set<MessageHash> = []
    }

    /// Store hash queries carry at most this many hashes (PROTOCOLS.md §3.6).
    static var fetchBatch: Int { 50 }
    /// Entries kept in the "newest" lists of a queue snapshot.
    static var newestShown: Int { 8 }
    /// Fetches of one hash before it is given up on until the next session.
    static var maximumAttempts: Int { 3 }
    /// Pause after a failed fetch, times the number of attempts so far.
    static var retryPause: Duration { .seconds(5) }

    let limit: Int
    private(set) var peers: [Peer: PeerQueue] = [:]

    init(limit: Int = 200_000) {
        self.limit = limit
    }

    /// Records what a session over `span` found: items we lack and items the peer lacks.
    mutating func record(
        peer: Peer,
        weNeed: [SyncID],
        theyNeed: [SyncID],
        span: ClosedRange<Int64> = Int64.min...Int64.max,
        at now: Int64
    ) {
        let limit = self.limit
        self.update(peer, creating: true) { queue in
            Self.record(weNeed: weNeed, theyNeed: theyNeed, span: span, at: now, limit: limit, into: &queue)
        }
    }

    private static func record(
        weNeed: [SyncID],
        theyNeed: [SyncID],
        span: ClosedRange<Int64>,
        at now: Int64,
        limit: Int,
        into queue: inout PeerQueue
    ) {
        for item in weNeed where queue.pending[item.hash] == nil {
            queue.pending[item.hash] = Pending(item: item, span: span, foundAt: now)
        }
        if queue.pending.count > limit {
            let excess = queue.pending.values.sorted { $0.foundAt < $1.foundAt }.prefix(
                queue.pending.count - limit
            )
            for entry in excess { queue.pending[entry.item.hash] = nil }
        }
        // What the peer lacks is what the latest session found; pushes follow at once, and
        // anything a failed push left behind is found again by the next session.
        queue.theyNeed = Set(theyNeed.map(\.hash))
        queue.queue.newestWeNeed = Array((Self.newest(weNeed) + queue.queue.newestWeNeed).prefix(Self.newestShown))
        queue.queue.newestTheyNeed = Array(
            (Self.newest(theyNeed) + queue.queue.newestTheyNeed).prefix(Self.newestShown)
        )
    }

    /// A pushed or fetched message arrived and was stored; counts it, and returns whether it was
    /// pending (pushes into ranges where we said we hold nothing were never pending).
    @discardableResult
    mutating func arrived(_ hash: MessageHash, from peer: Peer, fetched: Bool) -> Bool {
        self.update(peer, creating: true) { queue in
            if fetched { queue.queue.fetched += 1 } else { queue.queue.received += 1 }
            return queue.pending.removeValue(forKey: hash) != nil
        } ?? false
    }

    /// We pushed a message the peer lacked.
    mutating func pushed(_ hash: MessageHash, to peer: Peer) {
        self.update(peer) { queue in
            if queue.theyNeed.remove(hash) != nil { queue.queue.sent += 1 }
        }
    }

    /// A push we meant to make cannot be made (the message left our archive); stop waiting on it.
    mutating func abandonPush(_ hash: MessageHash, to peer: Peer) {
        self.update(peer) { queue in _ = queue.theyNeed.remove(hash) }
    }

    /// Hashes pending longer than `grace`, not being fetched and not pausing after a failure, in
    /// batches for Store queries; they are marked as being fetched.
    mutating func dueForFetch(from peer: Peer, grace: Duration, at now: Int64) -> [[MessageHash]] {
        let cutoff = now - grace.nanoseconds
        let due: [SyncID] =
            self.update(peer) { queue in
                var due: [SyncID] = []
                for (hash, entry) in queue.pending
                where !entry.isInFlight && entry.foundAt <= cutoff && entry.retryAt <= now {
                    due.append(entry.item)
                    queue.pending[hash]?.isInFlight = true
                    queue.pending[hash]?.attempts += 1
                }
                return due
            } ?? []
        let hashes = due.sorted().map(\.hash)
        return stride(from: 0, to: hashes.count, by: Self.fetchBatch).map {
            Array(hashes[$0..<min($0 + Self.fetchBatch, hashes.count)])
        }
    }

    /// The span a fetch of `hash` from `peer` must fall in, when such a fetch is under way.
    func fetchSpan(of hash: MessageHash, from peer: Peer) -> ClosedRange<Int64>? {
        guard let entry = self.peers[peer]?.pending[hash], entry.isInFlight else { return nil }
        return entry.span
    }

    /// A fetch came back without these hashes: the peer cannot deliver them now.
    mutating func unavailable(_ hashes: [MessageHash], from peer: Peer) {
        self.update(peer) { queue in
            for hash in hashes where queue.pending.removeValue(forKey: hash) != nil {
                queue.queue.unavailable += 1
            }
        }
    }

    /// A fetch of these hashes failed (no answer, a refusal): each is tried again after a pause,
    /// or given up on after ``maximumAttempts``.
    mutating func fetchFailed(_ hashes: [MessageHash], from peer: Peer, at now: Int64) {
        let exhausted: [MessageHash] =
            self.update(peer) { queue in
                var exhausted: [MessageHash] = []
                for hash in hashes {
                    guard var entry = queue.pending[hash] else { continue }
                    guard entry.attempts < Self.maximumAttempts else {
                        exhausted.append(hash)
                        continue
                    }
                    entry.isInFlight = false
                    entry.retryAt = now + Self.retryPause.nanoseconds * Int64(entry.attempts)
                    queue.pending[hash] = entry
                }
                return exhausted
            } ?? []
        self.unavailable(exhausted, from: peer)
    }

    /// Whether anything is still awaited from the peer.
    func hasPending(from peer: Peer) -> Bool { !(self.peers[peer]?.pending.isEmpty ?? true) }

    /// The snapshot for events.
    func snapshot(of peer: Peer) -> TransferQueue? { self.peers[peer]?.queue }

    /// Changes the peer's queue (a new one when `creating`; nil when there is none) and refreshes
    /// its counts. The queue is taken out of the dictionary while `body` runs: changed through a
    /// copy, its tables would be copied whole on every call (the copy shares their storage with
    /// the dictionary's), which made receiving n pushed messages cost O(n²).
    @discardableResult
    private mutating func update<T>(_ peer: Peer, creating: Bool = false, _ body: (inout PeerQueue) -> T) -> T? {
        var queue: PeerQueue
        if let existing = self.peers.removeValue(forKey: peer) {
            queue = existing
        } else if creating {
            queue = PeerQueue(queue: TransferQueue(peerID: peer.description))
        } else {
            return nil
        }
        let result = body(&queue)
        queue.queue.weNeedPending = queue.pending.count
        queue.queue.theyNeedPending = queue.theyNeed.count
        self.peers[peer] = queue
        return result
    }

    private static func newest(_ items: [SyncID]) -> [PendingHash] {
        items.sorted { $0 > $1 }.prefix(Self.newestShown).map {
            PendingHash(hash: $0.hash.hex, timestamp: $0.timestamp)
        }
    }
}
