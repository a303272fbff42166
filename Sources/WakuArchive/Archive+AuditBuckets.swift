internal import Foundation
internal import GRDB
package import WakuCore

/// The `audit_bucket` table: one row per (level, bucket start, pubsub topic id) with the bucket's
/// message count and ``BucketFingerprint`` bytes, written in the transaction of every insert and
/// deletion (PROTOCOLS.md §12.1).
extension Archive {
    package func auditBuckets(
        _ level: AuditLevel,
        from: Int64,
        to: Int64,
        pubsubTopics: [String]
    ) async throws(ArchiveError) -> [AuditBucket] {
        guard from < to else { return [] }
        let topics = self.topics
        return try await self.read("reading \(level) buckets") { db in
            guard let ids = try Self.topicIDs(pubsubTopics, topics: topics, in: db) else { return [] }
            let statement = try db.cachedStatement(
                sql: """
                    SELECT start, pubsub_topic, fingerprint FROM audit_bucket
                    WHERE level = ? AND start >= ? AND start < ? ORDER BY start
                    """
            )
            var buckets: [AuditBucket] = []
            let cursor = try Row.fetchCursor(statement, arguments: [level.rawValue, level.bucketStart(of: from), to])
            while let row = try cursor.next() {
                let topic: Int64 = row[1]
                if let ids, !ids.contains(topic) { continue }
                let start: Int64 = row[0]
                let fingerprint = try Self.fingerprint(row, at: 2)
                buckets.appendMerging(fingerprint, start: start, level: level)
            }
            return buckets.filter { !$0.fingerprint.isEmpty }
        }
    }

    package func auditItems(
        from: Int64,
        to: Int64,
        pubsubTopics: [String],
        limit: Int
    ) async throws(ArchiveError) -> [AuditItem] {
        guard from < to, limit > 0 else { return [] }
        let topics = self.topics
        return try await self.read("reading hashes for the audit") { db in
            guard let ids = try Self.topicIDs(pubsubTopics, topics: topics, in: db) else { return [] }
            let statement = try db.cachedStatement(
                sql: """
                    SELECT timestamp, hash, pubsub_topic FROM message INDEXED BY message_by_time
                    WHERE timestamp >= ? AND timestamp < ? ORDER BY timestamp, hash
                    """
            )
            var items: [AuditItem] = []
            let cursor = try Row.fetchCursor(statement, arguments: [from, to])
            while items.count < limit, let row = try cursor.next() {
                let topic: Int64 = row[2]
                if let ids, !ids.contains(topic) { continue }
                let hash = try row.withUnsafeData(atIndex: 1) { data throws(ArchiveError) in
                    try MessageHash(blob: data ?? Data())
                }
                items.append(AuditItem(timestamp: row[0], hash: hash))
            }
            return items
        }
    }

    package func checkAuditBuckets(repair: Bool) async throws(ArchiveError) -> AuditBucketCheck {
        let topics = self.topics
        let body: @Sendable (Database) throws -> AuditBucketCheck = { db in
            let (computed, messages) = try Self.computeBuckets(in: db)
            var names = TopicNames(topics)
            var check = try computed.check(against: try Self.storedBuckets(in: db), messages: messages) {
                try names.name(of: $0, in: db)
            }
            if repair && !check.isConsistent {
                try Self.replaceBuckets(with: computed, in: db)
                check.rebuilt = true
            }
            return check
        }
        if repair { return try await self.write("rebuilding the audit buckets", body) }
        return try await self.read("checking the audit buckets", body)
    }

    package func auditBucketsLookSound() async throws(ArchiveError) -> Bool {
        try await self.read("checking the audit buckets' total") { db in
            let counted = try Int64.fetchOne(db, sql: "SELECT TOTAL(count) FROM audit_bucket WHERE level = 2") ?? 0
            let stored = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
            return counted == stored
        }
    }

    // MARK: - Inside write transactions

    /// Adds an insert batch's new messages (or takes away deleted ones) to the stored buckets.
    static func applyToBuckets(_ delta: AuditBucketTally<Int64>, removing: Bool = false, in db: Database) throws {
        let select = try db.cachedStatement(
            sql: "SELECT fingerprint FROM audit_bucket WHERE level = ? AND start = ? AND pubsub_topic = ?"
        )
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO audit_bucket (level, start, pubsub_topic, count, fingerprint) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (level, start, pubsub_topic)
                DO UPDATE SET count = excluded.count, fingerprint = excluded.fingerprint
                """
        )
        let delete = try db.cachedStatement(
            sql: "DELETE FROM audit_bucket WHERE level = ? AND start = ? AND pubsub_topic = ?"
        )
        for (key, change) in delta.buckets {
            let arguments: StatementArguments = [key.level.rawValue, key.start, key.topic]
            var fingerprint =
                try Row.fetchOne(select, arguments: arguments).map { try Self.fingerprint($0, at: 0) }
                ?? .empty
            if removing { fingerprint.subtract(change) } else { fingerprint.merge(change) }
            if fingerprint.isEmpty {
                try delete.execute(arguments: arguments)
            } else {
                try upsert.execute(arguments: arguments + [fingerprint.count, Data(fingerprint.bytes)])
            }
        }
    }

    /// Brings the buckets up to date after a retention run deleted every message up to
    /// `lastDeleted` (a prefix in time order, as every retention policy deletes): buckets wholly
    /// before it go, and the one bucket per level that straddles it is recomputed (the minute from
    /// its messages, the hour from its minutes, the day from its hours).
    static func trimBuckets(through lastDeleted: Int64, in db: Database) throws {
        for level in AuditLevel.allCases {
            let start = level.bucketStart(of: lastDeleted)
            try db.execute(
                sql: "DELETE FROM audit_bucket WHERE level = ? AND start <= ?",
                arguments: [level.rawValue, start]
            )
            var tally = AuditBucketTally<Int64>()
            if let finer = level.finer {
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT start, pubsub_topic, fingerprint FROM audit_bucket
                        WHERE level = ? AND start >= ? AND start < ?
                        """,
                    arguments: [finer.rawValue, start, start + level.nanoseconds]
                )
                while let row = try rows.next() {
                    tally.merge(try Self.fingerprint(row, at: 2), start: row[0], topic: row[1], into: level)
                }
            } else {
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT timestamp, hash, pubsub_topic FROM message INDEXED BY message_by_time
                        WHERE timestamp >= ? AND timestamp < ?
                        """,
                    arguments: [start, start + level.nanoseconds]
                )
                while let row = try rows.next() {
                    tally.insert(try Self.hash(row, at: 1), timestamp: row[0], topic: row[2], level: level)
                }
            }
            try Self.applyToBuckets(tally, in: db)
        }
    }

    // MARK: - Private

    /// The topic ids to keep: nil for every topic, an empty set when none of the names is stored
    /// (then nothing matches), so the caller returns nothing.
    private static func topicIDs(_ names: [String], topics: TopicTable, in db: Database) throws -> Set<Int64>?? {
        guard !names.isEmpty else { return .some(nil) }
        let ids = Set(try names.compactMap { try topics.id(of: $0, in: db) })
        return ids.isEmpty ? .none : .some(ids)
    }

    /// Every bucket, computed from the messages in one scan of the time index, and the number of
    /// messages.
    static func computeBuckets(in db: Database) throws -> (AuditBucketTally<Int64>, Int) {
        var tally = AuditBucketTally<Int64>()
        var messages = 0
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT timestamp, hash, pubsub_topic FROM message INDEXED BY message_by_time ORDER BY timestamp"
        )
        while let row = try rows.next() {
            tally.insert(try Self.hash(row, at: 1), timestamp: row[0], topic: row[2], level: .minute)
            messages += 1
        }
        tally.fillCoarserLevels()
        return (tally, messages)
    }

    private static func storedBuckets(in db: Database) throws -> [AuditBucketTally<Int64>.Key: BucketFingerprint] {
        var stored: [AuditBucketTally<Int64>.Key: BucketFingerprint] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT level, start, pubsub_topic, fingerprint FROM audit_bucket")
        while let row = try rows.next() {
            guard let level = AuditLevel(rawValue: row[0]) else {
                throw ArchiveError(.database, "audit bucket of unknown level \(row[0] as Int64)")
            }
            stored[.init(level: level, start: row[1], topic: row[2])] = try Self.fingerprint(row, at: 3)
        }
        return stored
    }

    /// Replaces every stored bucket by `tally`'s.
    static func replaceBuckets(with tally: AuditBucketTally<Int64>, in db: Database) throws {
        try db.execute(sql: "DELETE FROM audit_bucket")
        let insert = try db.cachedStatement(
            sql: "INSERT INTO audit_bucket (level, start, pubsub_topic, count, fingerprint) VALUES (?, ?, ?, ?, ?)"
        )
        for (key, fingerprint) in tally.sorted where !fingerprint.isEmpty {
            try insert.execute(arguments: [
                key.level.rawValue, key.start, key.topic, fingerprint.count, Data(fingerprint.bytes),
            ])
        }
    }

    private static func fingerprint(_ row: Row, at index: Int) throws -> BucketFingerprint {
        try row.withUnsafeData(atIndex: index) { data in
            do {
                return try BucketFingerprint(bytes: data ?? Data())
            } catch {
                throw ArchiveError(.database, "a stored audit bucket is damaged: \(error)")
            }
        }
    }

    private static func hash(_ row: Row, at index: Int) throws -> MessageHash {
        try row.withUnsafeData(atIndex: index) { data throws(ArchiveError) in
            try MessageHash(blob: data ?? Data())
        }
    }
}
