internal import GRDB
package import WakuCore

extension Archive {
    /// Answers a Store v3 query exactly as nwaku's archive does (PROTOCOLS.md §3.3–3.5), within
    /// this archive's ``StoreLimits``.
    ///
    /// - Matching: pubsub topic, content topics, `time_start <= timestamp <= time_end` (nwaku's
    ///   inclusive end), hashes; either topic filter alone is accepted.
    /// - Order (timestamp, hash), ascending when `paginationForward`, else descending; the page
    ///   is returned in ascending order either way.
    /// - Page size: absent or 0 → 20, at most 100, fewer when the page would pass
    ///   ``StoreLimits/maxPageBytes``. A cursor is returned iff more rows may exist: the hash of
    ///   the page's last row in the query's direction, or of the last row examined when a
    ///   topic-filtered scan stopped at ``StoreLimits/maxRowsExamined``.
    /// - Errors, with nwaku's codes and descriptions: all-zero cursor, more than 10 content
    ///   topics with a cursor, unknown cursor and database failures → 300.
    ///
    /// Our two stricter choices (PROTOCOLS.md §3.6, §8 #16–17): hashes mixed with content filters
    /// → 400, and every response echoes the request id (nwaku sends `""` with errors).
    package func query(_ request: StoreQueryRequest) async -> StoreQueryResponse {
        if let rejection = StorePageRules.rejection(of: request) { return rejection }
        let pageSize = request.effectivePageSize
        let topics = self.topics
        let limits = self.limits
        do throws(ArchiveError) {
            let found = try await self.read("store query") { db in
                try StoreRows.fetch(request, pageSize: pageSize, limits: limits, in: db, topics: topics)
            }
            guard let found else { return StorePageRules.cursorNotFound(request) }
            return StorePageRules.page(
                request,
                rows: found.rows,
                pageSize: pageSize,
                lastExamined: found.lastExamined,
                limits: limits
            )
        } catch {
            return StorePageRules.driverError(request, Self.driverMessage(error))
        }
    }

    /// SQLite's own message, as nwaku reports driver errors; never the SQL text GRDB adds, which
    /// is ours and no business of the peer.
    private static func driverMessage(_ error: ArchiveError) -> String {
        guard let database = error.underlying as? DatabaseError else { return error.detail }
        return database.message ?? "SQLite error \(database.resultCode.rawValue)"
    }
}

/// What one Store query found, in the query's direction, before it becomes a page.
private struct StoreRows: Sendable {
    var rows: [WakuMessageKeyValue]
    var lastExamined: MessageHash?

    /// Runs the query in one read transaction, so the cursor lookup and the page see the same
    /// snapshot; nil when the cursor is not stored.
    static func fetch(
        _ request: StoreQueryRequest,
        pageSize: Int,
        limits: StoreLimits,
        in db: Database,
        topics: TopicTable
    ) throws -> StoreRows? {
        var selection = MessageSelection(
            pubsubTopic: request.pubsubTopic,
            contentTopics: request.contentTopics,
            timeStart: request.timeStart,
            timeEnd: request.timeEnd,
            hashes: request.messageHashes,
            ascending: request.paginationForward,
            // One row more than the page tells whether another page follows.
            limit: pageSize + 1,
            includeData: request.includeData,
            maxExamined: limits.maxRowsExamined
        )
        if let cursor = request.paginationCursor {
            let statement = try db.cachedStatement(sql: "SELECT timestamp FROM message WHERE hash = ?")
            guard let timestamp = try Int64.fetchOne(statement, arguments: [cursor.data]) else { return nil }
            selection.after = ArchivePosition(timestamp: timestamp, hash: cursor)
        }
        let (rows, stop) = try selection.rowsAndStop(in: db, topics: topics)
        return StoreRows(rows: try Self.entries(rows, in: db, topics: topics), lastExamined: stop?.hash)
    }

    /// The response entries for `rows`: hash-only, or with message and pubsub topic.
    private static func entries(
        _ rows: [SelectedRow],
        in db: Database,
        topics: TopicTable
    ) throws
        -> [WakuMessageKeyValue]
    {
        var names = TopicNames(topics)
        return try rows.map { row in
            guard let data = row.data else { return WakuMessageKeyValue(messageHash: row.position.hash) }
            return WakuMessageKeyValue(
                messageHash: row.position.hash,
                message: try data.message(row, contentTopic: names.name(of: row.contentTopic, in: db)),
                pubsubTopic: try names.name(of: row.pubsubTopic, in: db)
            )
        }
    }
}

extension SelectedData {
    /// The WakuMessage rebuilt from the stored columns, as nwaku rebuilds it.
    func message(_ row: SelectedRow, contentTopic: String) throws -> WakuMessage {
        guard let version = UInt32(exactly: self.version) else {
            throw ArchiveError(.database, "stored version \(self.version) is not a uint32")
        }
        return WakuMessage(
            payload: self.payload,
            contentTopic: contentTopic,
            version: version,
            timestamp: row.position.timestamp,
            meta: self.meta
        )
    }
}
