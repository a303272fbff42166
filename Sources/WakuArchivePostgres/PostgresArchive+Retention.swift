internal import PostgresNIO
package import WakuArchive
internal import WakuCore

extension PostgresArchive {
    /// Applies a retention policy once, with nwaku's PostgreSQL semantics (PROTOCOLS.md §11.7),
    /// counting every message it deleted and listing those at or after `itemizingFrom`.
    ///
    /// - `time:S`, once the oldest message or partition start is more than 1.1 × S old: drops
    ///   every partition that ends at or before now − S, then deletes the remaining rows before
    ///   now − S. Unlike nwaku, which leaves their `messages_lookup` rows until the partition is
    ///   dropped, we delete those too, so a deleted message cannot serve as a cursor (as on SQLite).
    /// - `capacity:N`, once N × 1.3 are stored: deletes the oldest in (timestamp, hash) order down
    ///   to nwaku's N × 1.15, rows and lookup rows; no partition is dropped.
    /// - `size:X`, once `pg_database_size` reaches X: drops the oldest partitions, never the one
    ///   holding now, until the size is below X or a drop no longer shrinks it.
    ///
    /// Partitions are detached `CONCURRENTLY` as nwaku does (finalising a detach another node
    /// left pending); one another node dropped first is skipped.
    ///
    /// The audit buckets stay exact on every path: row deletions update them in their own
    /// transaction, after locking them against concurrent inserts; each partition drop is followed
    /// by a transaction of its own (see `trimBuckets(after:on:logger:)`).
    package func apply(
        _ policy: RetentionPolicy,
        now: Int64,
        itemizingFrom: Int64
    ) async throws(ArchiveError) -> RetentionOutcome {
        let logger = self.logger
        switch policy {
        case .unlimited:
            return RetentionOutcome()
        case .time(let seconds):
            let (cutoff, threshold) = policy.timeCutoff(now: now, seconds: seconds)
            return try await self.withConnection("applying \(policy)") { connection in
                try await self.partitions.refresh(on: connection)
                let oldestRow = try await Self.single(
                    connection.query("SELECT MIN(timestamp) FROM messages", logger: logger),
                    Int64.self
                )
                let oldest = [oldestRow, self.partitions.cached.first?.from].compactMap { $0 }.min()
                guard let oldest, oldest < threshold else { return RetentionOutcome() }
                var outcome = RetentionOutcome()
                for partition in self.partitions.cached where partition.to <= cutoff {
                    outcome.merge(try await self.drop(partition, itemizingFrom: itemizingFrom, on: connection))
                }
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await PostgresAuditBuckets.lockForRewrite(on: connection, logger: logger)
                    let rows = try await Self.deleteRows(
                        "timestamp < \(cutoff)",
                        itemizingFrom: itemizingFrom,
                        on: connection,
                        logger: logger
                    )
                    try await connection.query(
                        "DELETE FROM messages_lookup WHERE timestamp < \(cutoff)",
                        logger: logger
                    )
                    if rows.deleted > 0 {
                        try await PostgresAuditBuckets.trim(
                            from: nil,
                            through: cutoff - 1,
                            on: connection,
                            logger: logger
                        )
                    }
                    outcome.merge(rows)
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
                outcome.itemized.sort { ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash) }
                return outcome
            }
        case .capacity(let capacity):
            let (threshold, keep) = RetentionPolicy.capacityBounds(capacity)
            return try await self.transaction("applying \(policy)") { connection in
                let count =
                    try await Self.single(connection.query("SELECT COUNT(1) FROM messages", logger: logger), Int64.self)
                    ?? 0
                guard count >= threshold else { return RetentionOutcome() }
                let boundary = try await connection.query(
                    """
                    SELECT timestamp, messagehash FROM messages ORDER BY timestamp, messagehash COLLATE "C"
                    OFFSET \(count - Int64(keep) - 1) LIMIT 1
                    """,
                    logger: logger
                )
                var last: (Int64, String)?
                for try await row in boundary.decode((Int64, String).self) { last = row }
                guard let (timestamp, hash) = last else { return RetentionOutcome() }
                let condition =
                    "timestamp <= \(timestamp) AND (timestamp, messagehash COLLATE \"C\") <= "
                    + "(\(timestamp), '\(hash.filter(\.isHexDigit))' COLLATE \"C\")"
                try await PostgresAuditBuckets.lockForRewrite(on: connection, logger: logger)
                var outcome = try await Self.deleteRows(
                    condition,
                    itemizingFrom: itemizingFrom,
                    on: connection,
                    logger: logger
                )
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM messages_lookup WHERE \(condition)"),
                    logger: logger
                )
                if outcome.deleted > 0 {
                    try await PostgresAuditBuckets.trim(from: nil, through: timestamp, on: connection, logger: logger)
                }
                outcome.itemized.sort { ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash) }
                return outcome
            }
        case .size(let bytes):
            return try await self.withConnection("applying \(policy)") { connection in
                let sizeQuery: PostgresQuery = "SELECT pg_database_size(current_database())"
                var size = try await Self.single(connection.query(sizeQuery, logger: logger), Int64.self) ?? 0
                guard size >= bytes else { return RetentionOutcome() }
                try await self.partitions.refresh(on: connection)
                var outcome = RetentionOutcome()
                for partition in self.partitions.cached where !partition.contains(now) {
                    outcome.merge(try await self.drop(partition, itemizingFrom: itemizingFrom, on: connection))
                    let smaller = try await Self.single(connection.query(sizeQuery, logger: logger), Int64.self) ?? 0
                    guard smaller >= bytes, smaller < size else { break }
                    size = smaller
                }
                outcome.itemized.sort { ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash) }
                return outcome
            }
        }
    }

    /// Drops one partition as nwaku does (§11.4, removal) and reports what it held.
    private func drop(
        _ partition: PartitionRange,
        itemizingFrom: Int64,
        on connection: PostgresConnection
    ) async throws -> RetentionOutcome {
        let logger = self.logger
        let table = Self.quoted(partition.name)
        var outcome = RetentionOutcome()
        outcome.itemized = try await Self.itemize(
            "SELECT timestamp, messagehash, pubsubtopic FROM \(table) WHERE timestamp >= \(itemizingFrom)",
            on: connection,
            logger: logger
        )
        outcome.deleted = Int(
            try await Self.single(
                connection.query(PostgresQuery(unsafeSQL: "SELECT COUNT(1) FROM \(table)"), logger: logger),
                Int64.self
            ) ?? 0
        )
        do {
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE messages DETACH PARTITION \(table) CONCURRENTLY"),
                logger: logger
            )
        } catch {
            let failure = PostgresFailure(error)
            if failure.message.contains("FINALIZE") || failure.message.contains("pending detach") {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "ALTER TABLE messages DETACH PARTITION \(table) FINALIZE"),
                    logger: logger
                )
            } else if failure.message.contains("does not exist") || failure.message.contains("is not a partition") {
                // Another node's retention got there first; it reports these deletions.
                self.partitions.forget(partition.name)
                return RetentionOutcome()
            } else {
                throw failure
            }
        }
        try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(table)"), logger: logger)
        try await connection.query("DELETE FROM messages_lookup WHERE timestamp < \(partition.to)", logger: logger)
        self.partitions.forget(partition.name)
        logger.info("dropped partition", metadata: ["waku.partition": "\(partition.name)"])
        try await Self.trimBuckets(after: partition, on: connection, logger: logger)
        return outcome
    }

    /// Takes a dropped partition's messages out of the audit buckets.
    ///
    /// `DETACH PARTITION … CONCURRENTLY` cannot run inside a transaction, so this is a transaction
    /// of its own, right after the drop: a crash between the two leaves buckets counting messages
    /// that are gone. The start-up check (`auditBucketsLookSound()`, the day buckets' total against
    /// the message count) notices, and `checkAuditBuckets(repair: true)` rebuilds them.
    private static func trimBuckets(
        after partition: PartitionRange,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await PostgresAuditBuckets.lockForRewrite(on: connection, logger: logger)
            // A partition's range, not a prefix: the size policy may drop a partition after the
            // one holding now. A DEFAULT partition (unbounded below) held every message up to its end.
            try await PostgresAuditBuckets.trim(
                from: partition.from == .min ? nil : partition.from,
                through: partition.to &- 1,
                on: connection,
                logger: logger
            )
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Deletes the rows matching `condition` (our own SQL text) in one statement; the count and
    /// the rows at or after `itemizingFrom` come back from the server.
    private static func deleteRows(
        _ condition: String,
        itemizingFrom: Int64,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> RetentionOutcome {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    WITH deleted AS (
                      DELETE FROM messages WHERE \(condition) RETURNING timestamp, messagehash, pubsubtopic
                    )
                    SELECT timestamp, messagehash, pubsubtopic, NULL::bigint FROM deleted
                    WHERE timestamp >= \(itemizingFrom)
                    UNION ALL SELECT NULL, NULL, NULL, COUNT(1) FROM deleted
                    """
            ),
            logger: logger
        )
        var outcome = RetentionOutcome()
        for try await (timestamp, hash, topic, count) in rows.decode((Int64?, String?, String?, Int64?).self) {
            if let count { outcome.deleted += Int(count) }
            if let timestamp, let hash, let topic {
                outcome.itemized.append(
                    ArchiveDeletion(timestamp: timestamp, hash: try NwakuEncoding.hash(hash), pubsubTopic: topic)
                )
            }
        }
        return outcome
    }

    private static func itemize(
        _ sql: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [ArchiveDeletion] {
        var itemized: [ArchiveDeletion] = []
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await (timestamp, hash, topic) in rows.decode((Int64, String, String).self) {
            itemized.append(
                ArchiveDeletion(timestamp: timestamp, hash: try NwakuEncoding.hash(hash), pubsubTopic: topic)
            )
        }
        return itemized
    }

    /// An identifier quoted for SQL (partition names come from the catalog).
    static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}

extension RetentionOutcome {
    fileprivate mutating func merge(_ other: RetentionOutcome) {
        self.deleted += other.deleted
        self.itemized += other.itemized
    }
}
