internal import PostgresNIO
package import WakuArchive

extension PostgresArchive {
    /// Records that the node was online at `now` (nanoseconds), replacing the previous record, in
    /// our `wakusync_last_online` table (nwaku's schema has no place for it).
    package func recordOnline(at now: Int64) async throws(ArchiveError) {
        let logger = self.logger
        try await self.withConnection("recording the last-online time") { connection in
            _ = try await connection.query(
                """
                INSERT INTO wakusync_last_online (id, timestamp) VALUES (1, \(now))
                ON CONFLICT (id) DO UPDATE SET timestamp = excluded.timestamp
                """,
                logger: logger
            )
        }
    }

    /// The last time recorded by ``recordOnline(at:)``, or nil (also when our table does not
    /// exist: a database only nwaku used, opened read-only).
    package func lastOnline() async throws(ArchiveError) -> Int64? {
        let logger = self.logger
        return try await self.withConnection("reading the last-online time") { connection in
            let exists = try await Self.single(
                connection.query("SELECT to_regclass('wakusync_last_online') IS NOT NULL", logger: logger),
                Bool.self
            )
            guard exists == true else { return nil }
            return try await Self.single(
                connection.query("SELECT timestamp FROM wakusync_last_online WHERE id = 1", logger: logger),
                Int64.self
            )
        }
    }

    /// The number of stored messages (`SELECT COUNT(1) FROM messages`, as nwaku counts).
    package func count() async throws(ArchiveError) -> Int {
        let logger = self.logger
        return try await self.withConnection("counting messages") { connection in
            Int(
                try await Self.single(connection.query("SELECT COUNT(1) FROM messages", logger: logger), Int64.self)
                    ?? 0
            )
        }
    }

    /// Counts and sizes: `databaseBytes` is `pg_database_size` (what size retention measures),
    /// `payloadBytes` the decoded payload bytes (half the hex text).
    package func stats() async throws(ArchiveError) -> ArchiveStats {
        let logger = self.logger
        return try await self.transaction("computing statistics", readOnly: true) { connection in
            var stats = ArchiveStats()
            let totals = try await connection.query(
                """
                SELECT MIN(timestamp), MAX(timestamp), COALESCE(SUM(LENGTH(payload)) / 2, 0)::bigint,
                  pg_database_size(current_database())
                FROM messages
                """,
                logger: logger
            )
            for try await (oldest, newest, payload, size) in totals.decode((Int64?, Int64?, Int64, Int64).self) {
                stats.oldestTimestamp = oldest
                stats.newestTimestamp = newest
                stats.payloadBytes = payload
                stats.databaseBytes = size
            }
            let topics = try await connection.query(
                "SELECT pubsubtopic, contenttopic, COUNT(1) FROM messages GROUP BY pubsubtopic, contenttopic",
                logger: logger
            )
            for try await (pubsub, content, count) in topics.decode((String, String, Int64).self) {
                stats.count += Int(count)
                stats.pubsubTopics[pubsub, default: 0] += Int(count)
                stats.contentTopics[content, default: 0] += Int(count)
            }
            return stats
        }
    }

    /// The first column of the first row, or nil when there is none.
    static func single<T: PostgresDecodable & Sendable>(
        _ rows: PostgresRowSequence,
        _ type: T.Type
    ) async throws -> T? where T._DecodableType == T {
        var value: T?
        for try await item in rows.decode(T?.self) where value == nil {
            value = item
        }
        return value
    }
}
