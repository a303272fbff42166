internal import Foundation
internal import GRDB
internal import WakuCore

extension Archive {
    /// Applies a retention policy once, in one transaction, counting what it deleted and listing
    /// the deleted messages from `itemizingFrom` on, so the sync index (which holds only recent
    /// items) can drop the same ones without the archive building a list of millions.
    ///
    /// The node calls this every ``RetentionPolicy/interval``; the thresholds are nwaku's (see
    /// ``RetentionPolicy``).
    ///
    /// - Parameters:
    ///   - policy: what to keep.
    ///   - now: the current time in nanoseconds since the Unix epoch.
    ///   - itemizingFrom: deletions with a timestamp at or after this are listed.
    /// - Returns: the count and the listed deletions in (timestamp, hash) order; nothing when the
    ///   policy's threshold was not reached.
    /// - Throws: ``ArchiveError/Code/database`` when SQLite fails; nothing was deleted then.
    package func apply(
        _ policy: RetentionPolicy,
        now: Int64,
        itemizingFrom: Int64
    ) async throws(ArchiveError) -> RetentionOutcome {
        let topics = self.topics
        switch policy {
        case .unlimited:
            return RetentionOutcome()
        case .time(let seconds):
            let (cutoff, threshold) = policy.timeCutoff(now: now, seconds: seconds)
            return try await self.write("applying \(policy)") { db in
                let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(timestamp) FROM message")
                guard let oldest, oldest < threshold else { return RetentionOutcome() }
                let itemized = try Self.itemize(
                    "timestamp >= ? AND timestamp < ?",
                    [itemizingFrom, cutoff],
                    in: db,
                    topics: topics
                )
                try db.execute(sql: "DELETE FROM message WHERE timestamp < ?", arguments: [cutoff])
                let deleted = db.changesCount
                if deleted > 0 { try Self.trimBuckets(through: cutoff - 1, in: db) }
                return RetentionOutcome(deleted: deleted, itemized: itemized)
            }
        case .capacity(let capacity):
            let (threshold, keep) = RetentionPolicy.capacityBounds(capacity)
            return try await self.write("applying \(policy)") { db in
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
                guard count >= threshold else { return RetentionOutcome() }
                return try Self.deleteOldest(count - keep, itemizingFrom: itemizingFrom, in: db, topics: topics)
            }
        case .size(let bytes):
            return try await self.write("applying \(policy)") { db in
                guard try Self.usedBytes(db) >= bytes else { return RetentionOutcome() }
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
                // nwaku keeps 80 % of the messages.
                return try Self.deleteOldest(
                    count - Int(Double(count) * 0.8),
                    itemizingFrom: itemizingFrom,
                    in: db,
                    topics: topics
                )
            }
        }
    }

    /// Bytes in the pages that hold data: the file's pages minus the free list.
    static func usedBytes(_ db: Database) throws -> Int64 {
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
        let pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let freePages = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        return (pageCount - freePages) * pageSize
    }

    /// Deletes the `count` oldest messages in (timestamp, hash) order: everything up to the
    /// `count`-th one.
    private static func deleteOldest(
        _ count: Int,
        itemizingFrom: Int64,
        in db: Database,
        topics: TopicTable
    ) throws -> RetentionOutcome {
        guard count > 0,
            let last = try Row.fetchOne(
                db,
                sql: """
                    SELECT timestamp, hash FROM message INDEXED BY message_by_time
                    ORDER BY timestamp, hash LIMIT 1 OFFSET ?
                    """,
                arguments: [count - 1]
            )
        else { return RetentionOutcome() }
        let timestamp: Int64 = last[0]
        let hash: Data = last[1]
        let itemized = try Self.itemize(
            "timestamp >= ? AND (timestamp, hash) <= (?, ?)",
            [itemizingFrom, timestamp, hash],
            in: db,
            topics: topics
        )
        try db.execute(
            sql: "DELETE FROM message INDEXED BY message_by_time WHERE (timestamp, hash) <= (?, ?)",
            arguments: [timestamp, hash]
        )
        let deleted = db.changesCount
        if deleted > 0 { try Self.trimBuckets(through: timestamp, in: db) }
        return RetentionOutcome(deleted: deleted, itemized: itemized)
    }

    /// The messages matching `condition` (which must bound the timestamp from below, so the
    /// list stays as small as the sync index), in (timestamp, hash) order.
    private static func itemize(
        _ condition: String,
        _ arguments: StatementArguments,
        in db: Database,
        topics: TopicTable
    ) throws -> [ArchiveDeletion] {
        var names = TopicNames(topics)
        var deleted: [ArchiveDeletion] = []
        let cursor = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT timestamp, hash, pubsub_topic FROM message INDEXED BY message_by_time
                    WHERE \(condition) ORDER BY timestamp, hash
                    """
            ),
            arguments: arguments
        )
        while let row = try cursor.next() {
            let hash = try row.withUnsafeData(atIndex: 1) { data throws(ArchiveError) in
                try MessageHash(blob: data ?? Data())
            }
            deleted.append(
                ArchiveDeletion(timestamp: row[0], hash: hash, pubsubTopic: try names.name(of: row[2], in: db))
            )
        }
        return deleted
    }
}
