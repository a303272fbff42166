internal import PostgresNIO
package import WakuArchive
package import WakuCore

/// The archive audit's reads, checks and rebuilds over our `wakusync_audit_bucket` table
/// (``PostgresAuditBuckets``), with the semantics of the SQLite archive's (PROTOCOLS.md §12.1).
extension PostgresArchive {
    package func auditBuckets(
        _ level: AuditLevel,
        from: Int64,
        to: Int64,
        pubsubTopics: [String]
    ) async throws(ArchiveError) -> [AuditBucket] {
        guard from < to else { return [] }
        let logger = self.logger
        return try await self.withConnection("reading \(level) buckets") { connection in
            // Topics are stored by name, so an unknown name simply matches no row; none means all.
            let query: PostgresQuery = """
                SELECT start, fingerprint FROM wakusync_audit_bucket
                WHERE level = \(Int16(level.rawValue)) AND start >= \(level.bucketStart(of: from)) AND start < \(to)
                  AND (cardinality(\(pubsubTopics)::varchar[]) = 0 OR pubsubtopic = ANY(\(pubsubTopics)::varchar[]))
                ORDER BY start
                """
            var buckets: [AuditBucket] = []
            for try await (start, bytes) in try await connection.query(query, logger: logger).decode(
                (Int64, ByteBuffer).self
            ) {
                let fingerprint = try PostgresAuditBuckets.fingerprint(bytes)
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
        let logger = self.logger
        return try await self.withConnection("reading hashes for the audit") { connection in
            // The hash is stored as lowercase hex, whose byte order ("C") is the hashes' order.
            let query: PostgresQuery = """
                SELECT timestamp, messagehash FROM messages WHERE timestamp >= \(from) AND timestamp < \(to)
                  AND (cardinality(\(pubsubTopics)::varchar[]) = 0 OR pubsubtopic = ANY(\(pubsubTopics)::varchar[]))
                ORDER BY timestamp, messagehash COLLATE "C" LIMIT \(Int64(limit))
                """
            var items: [AuditItem] = []
            for try await (timestamp, hash) in try await connection.query(query, logger: logger).decode(
                (Int64, String).self
            ) {
                items.append(AuditItem(timestamp: timestamp, hash: try NwakuEncoding.hash(hash)))
            }
            return items
        }
    }

    package func checkAuditBuckets(repair: Bool) async throws(ArchiveError) -> AuditBucketCheck {
        let logger = self.logger
        let body: (PostgresConnection) async throws -> AuditBucketCheck = { connection in
            if repair { try await PostgresAuditBuckets.lockForRewrite(on: connection, logger: logger) }
            let (computed, messages) = try await PostgresAuditBuckets.computed(on: connection, logger: logger)
            let stored = try await PostgresAuditBuckets.stored(on: connection, logger: logger)
            var check = computed.check(against: stored, messages: messages) { $0 }
            if repair && !check.isConsistent {
                try await PostgresAuditBuckets.replace(with: computed, on: connection, logger: logger)
                check.rebuilt = true
            }
            return check
        }
        if repair { return try await self.transaction("rebuilding the audit buckets", body) }
        // One snapshot: the buckets are written in the transactions that write the messages.
        return try await self.transaction("checking the audit buckets", readOnly: true, body)
    }

    package func auditBucketsLookSound() async throws(ArchiveError) -> Bool {
        let logger = self.logger
        return try await self.transaction("checking the audit buckets' total", readOnly: true) { connection in
            let messages =
                try await Self.single(connection.query("SELECT COUNT(1) FROM messages", logger: logger), Int64.self)
                ?? 0
            // A database opened read-only that no wakusync wrote has no bucket table: no buckets.
            guard try await PostgresAuditBuckets.exists(on: connection, logger: logger) else { return messages == 0 }
            let counted = try await Self.single(
                connection.query(
                    "SELECT COALESCE(SUM(count), 0)::bigint FROM wakusync_audit_bucket WHERE level = 2",
                    logger: logger
                ),
                Int64.self
            )
            return (counted ?? 0) == messages
        }
    }
}
