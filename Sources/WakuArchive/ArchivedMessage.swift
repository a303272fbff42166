package import WakuCore

/// How a message reached the archive; stored with it for statistics and troubleshooting.
package enum MessageSource: Int64, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Received on a relay subscription.
    case relay = 0
    /// Fetched by a sync transfer after reconciliation.
    case sync = 1
    /// Fetched by Store Resume after a period offline.
    case resume = 2
    /// Read from a JSON-lines file by `wakusync archive import`.
    case `import` = 3

    /// The lower-case name used in logs and statistics.
    package var description: String {
        switch self {
        case .relay: "relay"
        case .sync: "sync"
        case .resume: "resume"
        case .import: "import"
        }
    }
}

/// A message together with the pubsub topic it travelled on and its deterministic hash: the
/// unit the archive stores and returns.
package struct ArchivedMessage: Hashable, Sendable {
    /// The pubsub topic the message travelled on; part of its hash.
    package let pubsubTopic: String
    /// The message as received.
    package let message: WakuMessage
    /// `message.hash(pubsubTopic:)`; the archive's unique key.
    package let hash: MessageHash
    /// How the message reached this node.
    package var source: MessageSource

    /// Wraps `message`, computing its hash on `pubsubTopic`.
    package init(pubsubTopic: String, message: WakuMessage, source: MessageSource) {
        self.init(
            pubsubTopic: pubsubTopic,
            message: message,
            hash: message.hash(pubsubTopic: pubsubTopic),
            source: source
        )
    }

    /// Wraps `message` with a hash the caller has already computed (sync transfer verifies every
    /// hash before storing, so it need not be computed twice).
    ///
    /// The caller guarantees `hash == message.hash(pubsubTopic: pubsubTopic)`; debug builds check.
    package init(pubsubTopic: String, message: WakuMessage, hash: MessageHash, source: MessageSource) {
        assert(hash == message.hash(pubsubTopic: pubsubTopic), "hash does not match the message")
        self.pubsubTopic = pubsubTopic
        self.message = message
        self.hash = hash
        self.source = source
    }
}

/// A message as read back from the archive, with the bookkeeping stored next to it.
///
/// The message is rebuilt from the stored columns (payload, content topic, version, timestamp,
/// meta); `ephemeral` and `rateLimitProof` are not stored and come back false and empty, as in
/// nwaku (PROTOCOLS.md §3.4).
package struct StoredMessage: Hashable, Sendable {
    /// The message, its pubsub topic, hash and source.
    package var archived: ArchivedMessage
    /// When this node stored it (nanoseconds since the Unix epoch, from the archive's wall clock).
    package var storedAt: Int64

    /// A stored message as read back.
    package init(archived: ArchivedMessage, storedAt: Int64) {
        self.archived = archived
        self.storedAt = storedAt
    }
}

/// What one ``MessageArchive/insert(_:)`` did with its batch.
package struct InsertOutcome: Hashable, Sendable {
    /// Messages that are now stored and were not before.
    package var inserted: Int
    /// Messages already stored (or repeated within the batch), left untouched.
    package var duplicates: Int
    /// Ephemeral messages, which are never stored.
    package var ephemeralSkipped: Int
    /// Messages the backend cannot hold, not stored (PostgreSQL in nwaku's schema: a NUL in a
    /// topic, a version above 2³¹−1, a timestamp outside the partitions nwaku can name).
    package var rejected: Int

    /// An outcome with the given counts.
    package init(inserted: Int = 0, duplicates: Int = 0, ephemeralSkipped: Int = 0, rejected: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.ephemeralSkipped = ephemeralSkipped
        self.rejected = rejected
    }

    /// Adds another batch's counts.
    package static func += (lhs: inout InsertOutcome, rhs: InsertOutcome) {
        lhs.inserted += rhs.inserted
        lhs.duplicates += rhs.duplicates
        lhs.ephemeralSkipped += rhs.ephemeralSkipped
        lhs.rejected += rhs.rejected
    }
}

/// One message removed by a retention run: what the sync index needs to drop the same item.
package struct ArchiveDeletion: Hashable, Sendable {
    /// The deleted message's timestamp (nanoseconds).
    package var timestamp: Int64
    /// The deleted message's hash.
    package var hash: MessageHash
    /// The pubsub topic it was stored on (the sync index keeps one tree per pubsub topic).
    package var pubsubTopic: String

    /// A deletion report for one message.
    package init(timestamp: Int64, hash: MessageHash, pubsubTopic: String) {
        self.timestamp = timestamp
        self.hash = hash
        self.pubsubTopic = pubsubTopic
    }
}

/// One message of the sync window, as the sync index loads it at start-up.
///
/// WakuArchive cannot see WakuSync; the node turns these into `SyncIndex.Entry` values.
package struct SyncEntry: Hashable, Sendable {
    /// The message's timestamp (nanoseconds): the first half of its SyncID.
    package var timestamp: Int64
    /// The message's hash: the second half of its SyncID.
    package var hash: MessageHash
    /// The pubsub topic the message is stored on.
    package var pubsubTopic: String
    /// The message's content topic.
    package var contentTopic: String

    /// One entry of the sync window.
    package init(timestamp: Int64, hash: MessageHash, pubsubTopic: String, contentTopic: String) {
        self.timestamp = timestamp
        self.hash = hash
        self.pubsubTopic = pubsubTopic
        self.contentTopic = contentTopic
    }
}
