package import WakuSync

/// Every bound the node keeps on what peers can make it hold or do; docs/SECURITY.md lists each
/// with its default and the flag that changes it.
///
/// Byte budgets are global (over every peer and session at once), so fresh peer IDs buy an
/// attacker nothing: a peer that would go past one gets its session ended, its request refused or
/// its sender slowed, with an event and a metric.
package struct NodeLimits: Sendable {
    /// Caps on one reconciliation payload and on what one session may accumulate.
    package var session = SessionLimits.standard
    /// Largest reconciliation frame read; sized from the session caps (a frame at the range and
    /// item caps fits) and far above what honest peers send (docs/SECURITY.md).
    package var reconciliationFrame = 48 << 20
    /// Bytes of reconciliation frames being read or decoded, over all sessions at once. Each
    /// frame reserves twice its length plus what its ranges could decode to (see
    /// ``reconciliationReservation(forFrame:)``), so nwaku's largest honest frames (36 MB at a
    /// million items and 1 % differing) still fit.
    package var reconciliationBytes = 96 << 20
    /// How far behind our sync range a peer's session window may reach (clock skew).
    package var windowSlack = Duration.seconds(60)
    /// Bytes of accepted messages waiting for the archive writer; submitters wait beyond it.
    package var ingestBytes = 32 << 20
    /// Bytes of early pushes held until their session asks for them, over all sessions.
    package var heldPushBytes = 16 << 20
    /// Distinct pubsub and content topics the node takes messages on (each costs an index tree or
    /// a table entry for as long as it runs).
    package var pubsubTopics = 1_024
    package var contentTopics = 65_536
    /// Largest Store response our client reads: a page of 100 messages of 150 KiB, with framing.
    package var storeResponse = 16 << 20
    /// Bytes of Store responses our client is reading at once (fetch, resume, audit).
    package var storeClientBytes = 48 << 20
    /// Store streams one peer may have open with our server at once.
    package var storeStreamsPerPeer = 4
    /// Store queries one peer may make per second (bursts of twice that).
    package var storeQueriesPerSecond = 20
    /// Store queries our server runs at once; more wait (or are refused when their peer is over
    /// its share), so the node's own reads always find an archive reader.
    package var storeConcurrentQueries = 2
    /// Bytes of Store responses being written by our server at once.
    package var storeResponseBytes = 32 << 20
    /// Pages Store Resume follows from one peer, and messages it takes in all.
    package var resumePages = 20_000
    package var resumeMessages = 2_000_000
    /// Bytes of relay RPC frames being read and handled at once, over every peer (each frame is
    /// at most `maxMessageSize`, nwaku's bound on the whole RPC).
    package var relayFrameBytes = 16 << 20
    /// Hashes the count audit pulls from one peer for one window.
    package var auditHashes = 1_000_000
    /// Every bound of the archive audit, asked and answered (PROTOCOLS.md §12.4).
    package var audit = AuditLimits.standard
    /// Bytes of archive-audit answers, and of the hashes an answer keeps for the next requests
    /// of its audit, held at once, all peers together.
    package var auditBytes = 64 << 20

    package init() {}

    /// What reading and decoding a reconciliation frame of `length` bytes may hold: the frame, its
    /// items once decoded (a little more than their bytes), and its ranges, which cost 2 bytes on
    /// the wire at least and about 128 bytes decoded, up to the payload's range cap.
    package func reconciliationReservation(forFrame length: Int) -> Int {
        2 * length + min(length / 2, self.session.payload.ranges) * 128
    }
}
