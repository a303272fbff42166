/// A message hash waiting on one side, with its timestamp (from reconciliation).
package struct PendingHash: Equatable, Sendable {
    /// 64 hex digits.
    package var hash: String
    /// Nanoseconds.
    package var timestamp: Int64

    package init(hash: String, timestamp: Int64) {
        self.hash = hash
        self.timestamp = timestamp
    }
}

/// The transfer queues with one peer: what we need from it and what it needs from us.
package struct TransferQueue: Equatable, Sendable {
    package var peerID: String
    /// Hashes reconciliation found we lack, still outstanding (awaiting a push or a fetch).
    package var weNeedPending: Int
    /// Messages that arrived from the peer by transfer (listed or not), were fetched by Store,
    /// or, found lacking, could not be had (and will be looked for again in the next session).
    package var received: Int
    package var fetched: Int
    package var unavailable: Int
    /// Hashes the peer lacks, still queued for pushing ...
    package var theyNeedPending: Int
    /// ... and how many we pushed.
    package var sent: Int
    /// The most recently found hashes we need, newest first (a handful).
    package var newestWeNeed: [PendingHash]
    /// The most recently found hashes the peer needs, newest first (a handful).
    package var newestTheyNeed: [PendingHash]

    package init(peerID: String) {
        self.peerID = peerID
        self.weNeedPending = 0
        self.received = 0
        self.fetched = 0
        self.unavailable = 0
        self.theyNeedPending = 0
        self.sent = 0
        self.newestWeNeed = []
        self.newestTheyNeed = []
    }
}

/// Why an incoming message was dropped: the transfer gate's reasons (PROTOCOLS.md §5.2), the
/// acceptance rule's (README, "How the node keeps its archive in step") and the node's limits.
package enum Rejection: String, Sendable, CaseIterable {
    /// The peer has no active or recently finished session with us.
    case noSession = "no_session"
    /// Its timestamp lies outside the span its path asked for (a session's window, resume's span).
    case outsideWindow = "outside_window"
    /// Its pubsub or content topic lies outside the scope asked for.
    case outsideScope = "outside_scope"
    /// It did not decode, or breaks a limit of the wire format.
    case malformed
    /// Ephemeral messages are never stored.
    case ephemeral
    /// Encoded larger than `--max-msg-size`.
    case oversized
    /// Stamped more than 20 s ahead of our clock.
    case futureTimestamp = "future_timestamp"
    /// The hash we computed differs from the one the sender gave.
    case hashMismatch = "hash_mismatch"
    /// More than the session (or the node's memory budget) allows.
    case overCap = "over_cap"
    /// Nobody asked for it: not among the hashes reconciliation found we lack, nor in a range
    /// where we said we hold nothing.
    case unrequested
    /// A new topic beyond the number of topics the node tracks.
    case topicLimit = "topic_limit"
    /// The archive backend cannot hold it (PostgreSQL in nwaku's schema: see `PostgresArchive`).
    case archiveRefused = "archive_refused"
}

/// Incoming messages dropped, of one source and reason.
package struct RejectedMessages: Equatable, Sendable {
    package var source: MessageSource
    /// The peer they came from, if any.
    package var peerID: String?
    package var reason: Rejection
    package var count: Int

    package init(source: MessageSource, peerID: String?, reason: Rejection, count: Int) {
        self.source = source
        self.peerID = peerID
        self.reason = reason
        self.count = count
    }
}

/// Transfer traffic with one peer in one direction.
package struct TransferTraffic: Equatable, Sendable {
    package enum Direction: String, Sendable {
        case received = "receive"
        case sent
    }

    package var peerID: String
    package var direction: Direction
    package var messages: Int
    /// Payload bytes without length prefixes (what nwaku's `total_bytes_exchanged` counts).
    package var bytes: Int

    package init(peerID: String, direction: Direction, messages: Int, bytes: Int) {
        self.peerID = peerID
        self.direction = direction
        self.messages = messages
        self.bytes = bytes
    }
}

/// One Store query we answered.
package struct StoreServed: Equatable, Sendable {
    package var peerID: String
    /// The status code we answered with (200, 300, 400 …).
    package var status: UInt32
    package var messages: Int
    package var duration: Duration

    package init(peerID: String, status: UInt32, messages: Int, duration: Duration) {
        self.peerID = peerID
        self.status = status
        self.messages = messages
        self.duration = duration
    }
}
