internal import GRDB

extension Archive {
    /// Records that the node was online at `now` (nanoseconds since the Unix epoch), replacing
    /// the previous record: one row, updated in place (PROTOCOLS.md §6.2).
    ///
    /// The node calls this every ``lastOnlineInterval`` while it runs; Store Resume reads it back
    /// with ``lastOnline()`` after a restart.
    package func recordOnline(at now: Int64) async throws(ArchiveError) {
        try await self.write("recording the last-online time") { db in
            try db.execute(
                sql: """
                    INSERT INTO last_online (id, timestamp) VALUES (1, ?)
                    ON CONFLICT (id) DO UPDATE SET timestamp = excluded.timestamp
                    """,
                arguments: [now]
            )
        }
    }

    /// The last time recorded by ``recordOnline(at:)``, or nil when none was ever recorded.
    package func lastOnline() async throws(ArchiveError) -> Int64? {
        try await self.read("reading the last-online time") { db in
            try Int64.fetchOne(db, sql: "SELECT timestamp FROM last_online WHERE id = 1")
        }
    }

    /// The number of stored messages: one pass over the smallest index, cheap enough to poll.
    package func count() async throws(ArchiveError) -> Int {
        try await self.read("counting messages") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
        }
    }

    /// Counts and sizes of what is stored.
    ///
    /// Scans the time index (for the per-topic counts) and the table (for payload bytes): meant
    /// for the `archive stats` command and occasional metrics, not for a hot path.
    package func stats() async throws(ArchiveError) -> ArchiveStats {
        let topics = self.topics
        return try await self.read("computing statistics") { db in
            var stats = ArchiveStats()
            let bounds = try Row.fetchOne(db, sql: "SELECT MIN(timestamp), MAX(timestamp) FROM message")
            stats.oldestTimestamp = bounds?[0]
            stats.newestTimestamp = bounds?[1]
            stats.payloadBytes = try Int64.fetchOne(db, sql: "SELECT SUM(LENGTH(payload)) FROM message") ?? 0
            stats.databaseBytes = try Self.usedBytes(db)
            var names = TopicNames(topics)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT pubsub_topic, content_topic, COUNT(*) FROM message INDEXED BY message_by_time
                    GROUP BY pubsub_topic, content_topic
                    """
            )
            while let row = try rows.next() {
                let count: Int = row[2]
                let pubsub = try names.name(of: row[0], in: db)
                let content = try names.name(of: row[1], in: db)
                stats.count += count
                stats.pubsubTopics[pubsub, default: 0] += count
                stats.contentTopics[content, default: 0] += count
            }
            return stats
        }
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound file, otherwise the problems found.
    package func integrityCheck() async throws(ArchiveError) -> [String] {
        try await self.read("checking integrity") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check")
        }
    }
}

/// Counts and sizes of an archive, from ``Archive/stats()``.
package struct ArchiveStats: Hashable, Sendable {
    /// Stored messages.
    package var count = 0
    /// The sum of the stored payloads' lengths.
    package var payloadBytes: Int64 = 0
    /// Bytes in the database pages in use (the file may be larger: free pages are reused).
    package var databaseBytes: Int64 = 0
    /// The smallest stored timestamp (nanoseconds), nil when empty.
    package var oldestTimestamp: Int64?
    /// The largest stored timestamp (nanoseconds), nil when empty.
    package var newestTimestamp: Int64?
    /// Messages per pubsub topic.
    package var pubsubTopics: [String: Int] = [:]
    /// Messages per content topic, over all pubsub topics.
    package var contentTopics: [String: Int] = [:]

    /// Empty statistics, to fill in.
    package init() {}
}
