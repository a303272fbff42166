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

/// Why a pushed message was dropped (PROTOCOLS.md §5.2).
package enum TransferRejection: String, Sendable, CaseIterable {
    /// The peer has no active or recently finished session with us.
    case noSession = "no_session"
    /// Its timestamp lies outside that session's window.
    case outsideWindow = "outside_window"
    /// Its pubsub or content topic lies outside the session's scope.
    case outsideScope = "outside_scope"
    /// It did not decode, or breaks a limit.
    case malformed
    /// Ephemeral messages are never stored.
    case ephemeral
    /// More pushes than the session found differences for.
    case overCap = "over_cap"
    /// The hash was not among those reconciliation said we lack (only when the node requires it).
    case unrequested
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
