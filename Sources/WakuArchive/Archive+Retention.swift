internal import Foundation
internal import GRDB
internal import WakuCore

extension Archive {
    /// Applies a retention policy once, in one transaction, and reports every message it deleted
    /// so the sync index can drop the same items.
    ///
    /// The node calls this every ``RetentionPolicy/interval``; the thresholds are nwaku's (see
    /// ``RetentionPolicy``).
    ///
    /// - Parameters:
    ///   - policy: what to keep.
    ///   - now: the current time in nanoseconds since the Unix epoch.
    /// - Returns: the deleted messages in (timestamp, hash) order; empty when the policy's
    ///   threshold was not reached.
    /// - Throws: ``ArchiveError/Code/database`` when SQLite fails; nothing was deleted then.
    package func apply(_ policy: RetentionPolicy, now: Int64) async throws(ArchiveError) -> [ArchiveDeletion] {
        let topics = self.topics
        switch policy {
        case .unlimited:
            return []
        case .time(let seconds):
            let retention = seconds &* 1_000_000_000
            let cutoff = now.subtractingSaturated(retention)
            let threshold = cutoff.subtractingSaturated(retention / 10)
            return try await self.write("applying \(policy)") { db in
                let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(timestamp) FROM message")
                guard let oldest, oldest < threshold else { return [] }
                let statement = try db.cachedStatement(
                    sql: "DELETE FROM message WHERE timestamp < ? RETURNING timestamp, hash, pubsub_topic"
                )
                return try Self.deletions(statement, [cutoff], in: db, topics: topics)
            }
        case .capacity(let capacity):
            // nwaku's arithmetic, floating point included: keep at most 130 %, delete down to
            // capacity plus half the overflow window.
            let total = Int(Double(capacity) * 1.3)
            let keep = capacity + Int(Double(capacity) * (1.3 - 1)) / 2
            return try await self.write("applying \(policy)") { db in
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
                guard count >= total else { return [] }
                return try Self.deleteOldest(count - keep, in: db, topics: topics)
            }
        case .size(let bytes):
            return try await self.write("applying \(policy)") { db in
                guard try Self.usedBytes(db) >= bytes else { return [] }
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
                // nwaku keeps 80 % of the messages.
                return try Self.deleteOldest(count - Int(Double(count) * 0.8), in: db, topics: topics)
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

    /// Deletes the `count` oldest messages in (timestamp, hash) order.
    private static func deleteOldest(_ count: Int, in db: Database, topics: TopicTable) throws -> [ArchiveDeletion] {
        guard count > 0 else { return [] }
        let statement = try db.cachedStatement(
            sql: """
                DELETE FROM message WHERE id IN (
                    SELECT id FROM message INDEXED BY message_by_time ORDER BY timestamp, hash LIMIT ?
                ) RETURNING timestamp, hash, pubsub_topic
                """
        )
        return try Self.deletions(statement, [count], in: db, topics: topics)
    }

    /// Runs a `DELETE ... RETURNING timestamp, hash, pubsub_topic` and collects what it removed.
    private static func deletions(
        _ statement: Statement,
        _ arguments: StatementArguments,
        in db: Database,
        topics: TopicTable
    ) throws -> [ArchiveDeletion] {
        var names = TopicNames(topics)
        var deleted: [ArchiveDeletion] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() {
            let hash = try row.withUnsafeData(atIndex: 1) { data throws(ArchiveError) in
                try MessageHash(blob: data ?? Data())
            }
            deleted.append(
                ArchiveDeletion(timestamp: row[0], hash: hash, pubsubTopic: try names.name(of: row[2], in: db))
            )
        }
        // RETURNING yields rows in no particular order.
        deleted.sort { ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash) }
        return deleted
    }
}

extension Int64 {
    /// `self - other`, clamped to the Int64 range instead of trapping.
    fileprivate func subtractingSaturated(_ other: Int64) -> Int64 {
        let (result, overflow) = self.subtractingReportingOverflow(other)
        guard overflow else { return result }
        return other > 0 ? .min : .max
    }
}
