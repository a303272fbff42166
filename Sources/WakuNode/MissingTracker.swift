internal import NodeEvents
internal import WakuCore
internal import WakuSync

/// Tracks, per peer, the items reconciliation found we lack until they arrive by transfer, are
/// fetched with Store hash queries, or are given up on (PROTOCOLS.md §4.8, §8 #20).
///
/// Pure: time comes in as `now` (nanoseconds). Bounded: at most `limit` pending items per peer;
/// the oldest are dropped first (the next session finds them again).
struct MissingTracker {
    struct Pending {
        var item: SyncID
        var foundAt: Int64
        var fetchAttempted = false
    }

    struct PeerQueue {
        var pending: [MessageHash: Pending] = [:]
        var queue = TransferQueue(peerID: "")
        /// Hashes the peer lacks, awaiting our push.
        var theyNeed: Set<MessageHash> = []
    }

    /// Store hash queries carry at most this many hashes (PROTOCOLS.md §3.6).
    static let fetchBatch = 50
    /// Entries kept in the "newest" lists of a queue snapshot.
    static let newestShown = 8

    let limit: Int
    private(set) var peers: [String: PeerQueue] = [:]

    init(limit: Int = 200_000) {
        self.limit = limit
    }

    /// Records what a session found: items we lack and items the peer lacks.
    mutating func record(peer: String, weNeed: [SyncID], theyNeed: [SyncID], at now: Int64) {
        var queue = self.peers[peer] ?? PeerQueue()
        queue.queue.peerID = peer
        for item in weNeed where queue.pending[item.hash] == nil {
            queue.pending[item.hash] = Pending(item: item, foundAt: now)
        }
        if queue.pending.count > self.limit {
            let excess = queue.pending.values.sorted { $0.foundAt < $1.foundAt }.prefix(
                queue.pending.count - self.limit
            )
            for entry in excess { queue.pending[entry.item.hash] = nil }
        }
        // What the peer lacks is what the latest session found; pushes follow at once, and
        // anything a failed push left behind is found again by the next session.
        queue.theyNeed = Set(theyNeed.map(\.hash))
        queue.queue.newestWeNeed = Self.newest(weNeed) + queue.queue.newestWeNeed
        queue.queue.newestWeNeed = Array(queue.queue.newestWeNeed.prefix(Self.newestShown))
        queue.queue.newestTheyNeed = Array(
            (Self.newest(theyNeed) + queue.queue.newestTheyNeed).prefix(Self.newestShown)
        )
        self.peers[peer] = queue
        self.refresh(peer)
    }

    /// A pushed or fetched message arrived and was stored; counts it, and returns whether it was
    /// pending (pushes into ranges where we said we hold nothing were never pending).
    @discardableResult
    mutating func arrived(_ hash: MessageHash, from peer: String, fetched: Bool) -> Bool {
        var queue = self.peers[peer] ?? PeerQueue()
        queue.queue.peerID = peer
        let wasPending = queue.pending.removeValue(forKey: hash) != nil
        if fetched { queue.queue.fetched += 1 } else { queue.queue.received += 1 }
        self.peers[peer] = queue
        self.refresh(peer)
        return wasPending
    }

    /// We pushed a message the peer lacked.
    mutating func pushed(_ hash: MessageHash, to peer: String) {
        guard var queue = self.peers[peer], queue.theyNeed.remove(hash) != nil else { return }
        queue.queue.sent += 1
        self.peers[peer] = queue
        self.refresh(peer)
    }

    /// A push we meant to make cannot be made (the message left our archive); stop waiting on it.
    mutating func abandonPush(_ hash: MessageHash, to peer: String) {
        guard var queue = self.peers[peer], queue.theyNeed.remove(hash) != nil else { return }
        self.peers[peer] = queue
        self.refresh(peer)
    }

    /// Hashes pending longer than `grace` and not yet asked for, in batches for Store queries;
    /// they are marked as asked for.
    mutating func dueForFetch(from peer: String, grace: Duration, at now: Int64) -> [[MessageHash]] {
        guard var queue = self.peers[peer] else { return [] }
        let cutoff = now - grace.nanoseconds
        var due: [SyncID] = []
        for (hash, entry) in queue.pending where !entry.fetchAttempted && entry.foundAt <= cutoff {
            due.append(entry.item)
            queue.pending[hash]?.fetchAttempted = true
        }
        self.peers[peer] = queue
        let hashes = due.sorted().map(\.hash)
        return stride(from: 0, to: hashes.count, by: Self.fetchBatch).map {
            Array(hashes[$0..<min($0 + Self.fetchBatch, hashes.count)])
        }
    }

    /// A fetch came back without these hashes: the peer cannot deliver them now.
    mutating func unavailable(_ hashes: [MessageHash], from peer: String) {
        guard var queue = self.peers[peer] else { return }
        for hash in hashes where queue.pending.removeValue(forKey: hash) != nil {
            queue.queue.unavailable += 1
        }
        self.peers[peer] = queue
        self.refresh(peer)
    }

    /// Whether anything is still awaited from the peer.
    func hasPending(from peer: String) -> Bool { !(self.peers[peer]?.pending.isEmpty ?? true) }

    /// The snapshot for events.
    func snapshot(of peer: String) -> TransferQueue? { self.peers[peer]?.queue }

    private mutating func refresh(_ peer: String) {
        guard var queue = self.peers[peer] else { return }
        queue.queue.weNeedPending = queue.pending.count
        queue.queue.theyNeedPending = queue.theyNeed.count
        self.peers[peer] = queue
    }

    private static func newest(_ items: [SyncID]) -> [PendingHash] {
        items.sorted { $0 > $1 }.prefix(Self.newestShown).map {
            PendingHash(hash: $0.hash.hex, timestamp: $0.timestamp)
        }
    }
}
