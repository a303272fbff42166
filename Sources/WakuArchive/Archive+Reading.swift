internal import Foundation
internal import GRDB
package import WakuCore

extension Archive {
    /// The stored messages among `hashes`, in (timestamp, hash) order; hashes not stored are
    /// left out. Any number of hashes, looked up in batches in one read transaction.
    ///
    /// Used by sync transfer to send what the peer lacks.
    package func messages(withHashes hashes: [MessageHash]) async throws(ArchiveError) -> [StoredMessage] {
        guard !hashes.isEmpty else { return [] }
        let topics = self.topics
        return try await self.read("looking up \(hashes.count) hashes") { db in
            let selection = MessageSelection(hashes: hashes, limit: hashes.count, includeData: true)
            return try Self.storedMessages(selection.rows(in: db, topics: topics), in: db, topics: topics)
        }
    }

    /// One page of stored messages matching the filters, in ascending (timestamp, hash) order
    /// strictly after `after` (from the start when nil): the export's reader.
    ///
    /// - Parameters:
    ///   - from: inclusive lower time bound (nanoseconds).
    ///   - to: inclusive upper time bound, like Store queries.
    ///   - pubsubTopic: only messages on this pubsub topic.
    ///   - contentTopics: only messages on one of these content topics (empty = any).
    ///   - after: the position of the previous page's last message.
    ///   - limit: at most this many messages.
    /// - Returns: up to `limit` messages; fewer only at the end.
    /// - Throws: ``ArchiveError/Code/database`` when SQLite fails.
    package func messages(
        from: Int64?,
        to: Int64?,
        pubsubTopic: String?,
        contentTopics: [String],
        after: (timestamp: Int64, hash: MessageHash)?,
        limit: Int
    ) async throws(ArchiveError) -> [StoredMessage] {
        let topics = self.topics
        let selection = MessageSelection(
            pubsubTopic: pubsubTopic,
            contentTopics: contentTopics,
            timeStart: from,
            timeEnd: to,
            after: after.map { ArchivePosition(timestamp: $0.timestamp, hash: $0.hash) },
            limit: limit,
            includeData: true
        )
        return try await self.read("reading messages") { db in
            try Self.storedMessages(selection.rows(in: db, topics: topics), in: db, topics: topics)
        }
    }

    /// Every stored message with `from <= timestamp < to`, in (timestamp, hash) order, with its
    /// topics: the start-up fill of the sync index (PROTOCOLS.md §4.1), one ordered scan.
    ///
    /// The scan reads only the time index, which holds all four values (see ``ArchiveSchema``).
    package func syncEntries(from: Int64, to: Int64) async throws(ArchiveError) -> [SyncEntry] {
        guard from < to else { return [] }
        let topics = self.topics
        return try await self.read("reading the sync window") { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT timestamp, hash, pubsub_topic, content_topic
                    FROM message INDEXED BY message_by_time
                    WHERE timestamp >= ? AND timestamp < ?
                    ORDER BY timestamp, hash
                    """
            )
            var names = TopicNames(topics)
            var entries: [SyncEntry] = []
            let cursor = try Row.fetchCursor(statement, arguments: [from, to])
            while let row = try cursor.next() {
                let hash = try row.withUnsafeData(atIndex: 1) { data throws(ArchiveError) in
                    try MessageHash(blob: data ?? Data())
                }
                entries.append(
                    SyncEntry(
                        timestamp: row[0],
                        hash: hash,
                        pubsubTopic: try names.name(of: row[2], in: db),
                        contentTopic: try names.name(of: row[3], in: db)
                    )
                )
            }
            return entries
        }
    }

    /// Converts selected rows (with data) into stored messages.
    private static func storedMessages(
        _ rows: [SelectedRow],
        in db: Database,
        topics: TopicTable
    ) throws
        -> [StoredMessage]
    {
        var names = TopicNames(topics)
        return try rows.map { row in
            guard let data = row.data else {
                throw ArchiveError(.database, "a row was read without its data columns")
            }
            let message = try data.message(row, contentTopic: names.name(of: row.contentTopic, in: db))
            guard let source = MessageSource(rawValue: data.source) else {
                throw ArchiveError(.database, "stored source \(data.source) is not one this version knows")
            }
            let archived = ArchivedMessage(
                pubsubTopic: try names.name(of: row.pubsubTopic, in: db),
                message: message,
                hash: row.position.hash,
                source: source
            )
            return StoredMessage(archived: archived, storedAt: data.storedAt)
        }
    }
}
