internal import GRDB
package import WakuCore

extension Archive {
    /// Answers a Store v3 query exactly as nwaku's archive does (PROTOCOLS.md §3.3–3.5).
    ///
    /// - Matching: pubsub topic, content topics, `time_start <= timestamp <= time_end` (nwaku's
    ///   inclusive end), hashes; either topic filter alone is accepted.
    /// - Order (timestamp, hash), ascending when `paginationForward`, else descending; the page
    ///   is returned in ascending order either way.
    /// - Page size: absent or 0 → 20, at most 100. A cursor is returned iff more rows exist: the
    ///   hash of the page's last row in the query's direction.
    /// - Errors, with nwaku's codes and descriptions: all-zero cursor, more than 10 content
    ///   topics with a cursor, unknown cursor and database failures → 300.
    ///
    /// Our two stricter choices (PROTOCOLS.md §3.6, §8 #16–17): hashes mixed with content filters
    /// → 400, and every response echoes the request id (nwaku sends `""` with errors).
    package func query(_ request: StoreQueryRequest) async -> StoreQueryResponse {
        if let problem = Self.validate(request) {
            return StoreQueryResponse(requestID: request.requestID, statusCode: problem.0, statusDesc: problem.1)
        }
        let pageSize = request.effectivePageSize
        let topics = self.topics
        let outcome: Result<StorePage, ArchiveError>
        do throws(ArchiveError) {
            outcome = .success(
                try await self.read("store query") { db in
                    try StorePage.fetch(request, pageSize: pageSize, in: db, topics: topics)
                }
            )
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(.cursorNotFound):
            return Self.archiveError(request, "DRIVER_ERROR: cursor not found")
        case .success(.page(let messages, let cursor)):
            return StoreQueryResponse(requestID: request.requestID, messages: messages, paginationCursor: cursor)
        case .failure(let error):
            return Self.archiveError(request, "DRIVER_ERROR: \(Self.driverMessage(error))")
        }
    }

    /// The checks made before touching the database, in nwaku's order. nwaku also refuses more
    /// than 10 content topics when a cursor is set; we serve any number (PROTOCOLS.md §8 #19) and
    /// only our client keeps to 10.
    private static func validate(_ request: StoreQueryRequest) -> (StoreStatus, String)? {
        if !request.messageHashes.isEmpty && request.hasContentFilter {
            return (
                .badRequest,
                "BAD_REQUEST: message_hashes cannot be combined with pubsub_topic, content_topics, time_start or time_end"
            )
        }
        if let cursor = request.paginationCursor {
            if cursor.isZero {
                return (.badResponse, Self.archiveErrorText("INVALID_QUERY: all zeroes cursor hash"))
            }
        }
        return nil
    }

    /// SQLite's own message, as nwaku reports driver errors; never the SQL text GRDB adds, which
    /// is ours and no business of the peer.
    private static func driverMessage(_ error: ArchiveError) -> String {
        guard let database = error.underlying as? DatabaseError else { return error.detail }
        return database.message ?? "SQLite error \(database.resultCode.rawValue)"
    }

    /// nwaku's 300 wording: `StoreError($BAD_RESPONSE)` around `"archive error: " & $ArchiveError`.
    private static func archiveErrorText(_ cause: String) -> String {
        "BAD_RESPONSE: archive error: \(cause)"
    }

    private static func archiveError(_ request: StoreQueryRequest, _ cause: String) -> StoreQueryResponse {
        StoreQueryResponse(
            requestID: request.requestID,
            statusCode: .badResponse,
            statusDesc: Self.archiveErrorText(cause)
        )
    }
}

/// What one Store query found, before it becomes a response.
private enum StorePage: Sendable {
    case cursorNotFound
    case page([WakuMessageKeyValue], cursor: MessageHash?)

    /// Runs the query in one read transaction, so the cursor lookup and the page see the same
    /// snapshot.
    static func fetch(
        _ request: StoreQueryRequest,
        pageSize: Int,
        in db: Database,
        topics: TopicTable
    ) throws
        -> StorePage
    {
        var selection = MessageSelection(
            pubsubTopic: request.pubsubTopic,
            contentTopics: request.contentTopics,
            timeStart: request.timeStart,
            timeEnd: request.timeEnd,
            hashes: request.messageHashes,
            ascending: request.paginationForward,
            // One row more than the page tells whether another page follows.
            limit: pageSize + 1,
            includeData: request.includeData
        )
        if let cursor = request.paginationCursor {
            let statement = try db.cachedStatement(sql: "SELECT timestamp FROM message WHERE hash = ?")
            guard let timestamp = try Int64.fetchOne(statement, arguments: [cursor.data]) else {
                return .cursorNotFound
            }
            selection.after = ArchivePosition(timestamp: timestamp, hash: cursor)
        }
        var rows = try selection.rows(in: db, topics: topics)
        var cursor: MessageHash?
        if rows.count > pageSize {
            rows.removeLast(rows.count - pageSize)
            cursor = rows.last?.position.hash
        }
        if !request.paginationForward { rows.reverse() }
        return .page(try Self.entries(rows, in: db, topics: topics), cursor: cursor)
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
