package import WakuCore

/// What the node, the Store server, retention, the sync-index fill, import and export need of a
/// message archive. The SQLite ``Archive`` is one conformer; a PostgreSQL archive in nwaku's schema
/// is another, and both run the same tests.
///
/// Every conformer keeps the same semantics: messages keyed by their deterministic hash (a second
/// insert of a hash is a duplicate, never an error), ephemeral messages never stored, Store v3
/// answers exactly as ``Archive/query(_:)`` documents, (timestamp, hash) order everywhere, and every
/// deletion reported so the sync index drops the same items.
package protocol MessageArchive: Sendable {
    /// Where the archive lives, for people: a file path or `postgres://user@host:port/db`, never a
    /// password.
    var location: String { get }

    /// Stores a batch in one transaction and says which hashes were not stored before.
    ///
    /// Either the whole batch is committed or nothing is; once this returns the batch survives a
    /// crash of the process. A message the backend cannot hold is counted in
    /// ``InsertOutcome/rejected`` and left out (only PostgreSQL has such messages, see
    /// `PostgresArchive`).
    func insertReportingNew(
        _ batch: [ArchivedMessage]
    ) async throws(ArchiveError) -> (outcome: InsertOutcome, newlyStored: Set<MessageHash>)

    /// The stored messages among `hashes`, in (timestamp, hash) order; others are left out.
    func messages(withHashes hashes: [MessageHash]) async throws(ArchiveError) -> [StoredMessage]

    /// One page of messages matching the filters, ascending, strictly after `after`: the export's
    /// reader. `from` and `to` are inclusive, like a Store query's time range.
    func messages(
        from: Int64?,
        to: Int64?,
        pubsubTopic: String?,
        contentTopics: [String],
        after: (timestamp: Int64, hash: MessageHash)?,
        limit: Int
    ) async throws(ArchiveError) -> [StoredMessage]

    /// Every message with `from <= timestamp < to`, ascending, with its topics: the sync-index fill.
    func syncEntries(from: Int64, to: Int64) async throws(ArchiveError) -> [SyncEntry]

    /// Answers a Store v3 query (PROTOCOLS.md §3.3–3.5); errors become status codes, never throws.
    func query(_ request: StoreQueryRequest) async -> StoreQueryResponse

    /// Applies a retention policy once: counts every message it deleted and lists those with a
    /// timestamp at or after `itemizingFrom` (the sync index's window), so a run that drops
    /// millions of old rows does not build a list of them.
    func apply(
        _ policy: RetentionPolicy,
        now: Int64,
        itemizingFrom: Int64
    ) async throws(ArchiveError) -> RetentionOutcome

    /// The stored fingerprints of the buckets at `level` starting in `from..<to`, each over the
    /// pubsub topics `pubsubTopics` (every topic when empty), ascending; empty buckets are left
    /// out. What the archive audit compares (PROTOCOLS.md §12).
    ///
    /// The buckets are kept in the same transaction as every insert and deletion, so they always
    /// describe exactly the committed messages.
    func auditBuckets(
        _ level: AuditLevel,
        from: Int64,
        to: Int64,
        pubsubTopics: [String]
    ) async throws(ArchiveError) -> [AuditBucket]

    /// The messages with `from <= timestamp < to` on `pubsubTopics` (every topic when empty), as
    /// (timestamp, hash) in that order, at most `limit` of them: the audit's look inside a minute.
    func auditItems(
        from: Int64,
        to: Int64,
        pubsubTopics: [String],
        limit: Int
    ) async throws(ArchiveError) -> [AuditItem]

    /// Recomputes every bucket fingerprint from the messages and compares it with the stored one;
    /// with `repair`, replaces the stored buckets by the computed ones when they differ (one
    /// transaction). `wakusync archive buckets`, and the start-up check when ``auditBucketsLookSound()``
    /// says no.
    func checkAuditBuckets(repair: Bool) async throws(ArchiveError) -> AuditBucketCheck

    /// A cheap start-up test of the buckets: whether the day buckets count as many messages as
    /// the archive holds. A false answer means they were lost or written by a program that does
    /// not keep them (an old wakusync, nwaku on the same database) and need a rebuild.
    func auditBucketsLookSound() async throws(ArchiveError) -> Bool

    /// Records that the node was online at `now` (nanoseconds), replacing the previous record.
    func recordOnline(at now: Int64) async throws(ArchiveError)

    /// The last time recorded by ``recordOnline(at:)``, or nil.
    func lastOnline() async throws(ArchiveError) -> Int64?

    /// The number of stored messages, cheap enough to poll.
    func count() async throws(ArchiveError) -> Int

    /// Counts and sizes of what is stored (not for a hot path).
    func stats() async throws(ArchiveError) -> ArchiveStats

    /// Closes the archive; later calls fail.
    func close() async throws(ArchiveError)
}

extension MessageArchive {
    /// Stores a batch (see ``insertReportingNew(_:)``) and counts what happened.
    package func insert(_ batch: [ArchivedMessage]) async throws(ArchiveError) -> InsertOutcome {
        try await self.insertReportingNew(batch).outcome
    }
}
