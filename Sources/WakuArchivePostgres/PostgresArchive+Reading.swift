internal import PostgresNIO
package import WakuArchive
package import WakuCore

extension PostgresArchive {
    /// Answers a Store v3 query exactly as the SQLite `Archive.query(_:)` does (PROTOCOLS.md
    /// §3.3–3.5): same matching, order, page sizes, byte and scan limits, cursors and errors.
    ///
    /// The cursor's timestamp is looked up in `messages_lookup`, as nwaku does, and the lookup
    /// and the page run in one read-only snapshot.
    package func query(_ request: StoreQueryRequest) async -> StoreQueryResponse {
        if let rejection = StorePageRules.rejection(of: request) { return rejection }
        let pageSize = request.effectivePageSize
        var selection = PostgresSelection(
            pubsubTopic: request.pubsubTopic,
            contentTopics: request.contentTopics,
            timeStart: request.timeStart,
            timeEnd: request.timeEnd,
            hashes: Self.unique(request.messageHashes),
            ascending: request.paginationForward,
            // One row more than the page tells whether another page follows.
            limit: pageSize + 1,
            includeData: request.includeData,
            maxExamined: self.limits.maxRowsExamined
        )
        let logger = self.logger
        do throws(ArchiveError) {
            let found = try await self.transaction("store query", readOnly: true) { connection -> StoreRows? in
                if let cursor = request.paginationCursor {
                    var timestamp: Int64?
                    for try await value in try await connection.execute(CursorTime(hash: cursor.hex), logger: logger) {
                        timestamp = min(timestamp ?? value, value)
                    }
                    guard let timestamp else { return nil }
                    selection.after = (timestamp, cursor.hex)
                }
                return try await Self.storeRows(selection, on: connection, logger: logger)
            }
            guard let found else { return StorePageRules.cursorNotFound(request) }
            return StorePageRules.page(
                request,
                rows: found.rows,
                pageSize: pageSize,
                lastExamined: found.lastExamined,
                limits: self.limits
            )
        } catch {
            return StorePageRules.driverError(request, (error.underlying as? PostgresFailure)?.message ?? error.detail)
        }
    }

    /// The stored messages among `hashes`, in (timestamp, hash) order; others are left out.
    package func messages(withHashes hashes: [MessageHash]) async throws(ArchiveError) -> [StoredMessage] {
        let unique = Self.unique(hashes)
        guard !unique.isEmpty else { return [] }
        var found: [StoredMessage] = []
        var start = 0
        // Large lists go in chunks, each one statement with one array parameter.
        while start < unique.count {
            let chunk = Array(unique[start..<min(start + 10_000, unique.count)])
            let selection = PostgresSelection(hashes: chunk, limit: chunk.count, includeData: true)
            found += try await self.storedMessages(selection, "looking up \(chunk.count) hashes")
            start += 10_000
        }
        if unique.count > 10_000 {
            found.sort {
                ($0.archived.message.timestamp, $0.archived.hash) < ($1.archived.message.timestamp, $1.archived.hash)
            }
        }
        return found
    }

    /// One page of messages matching the filters, ascending, strictly after `after`: the
    /// export's reader. `from` and `to` are inclusive.
    package func messages(
        from: Int64?,
        to: Int64?,
        pubsubTopic: String?,
        contentTopics: [String],
        after: (timestamp: Int64, hash: MessageHash)?,
        limit: Int
    ) async throws(ArchiveError) -> [StoredMessage] {
        let selection = PostgresSelection(
            pubsubTopic: pubsubTopic,
            contentTopics: contentTopics,
            timeStart: from,
            timeEnd: to,
            after: after.map { ($0.timestamp, $0.hash.hex) },
            limit: limit,
            includeData: true
        )
        return try await self.storedMessages(selection, "reading messages")
    }

    /// Every message with `from <= timestamp < to`, ascending, with its topics: the sync-index
    /// fill, one ordered scan of the time index.
    package func syncEntries(from: Int64, to: Int64) async throws(ArchiveError) -> [SyncEntry] {
        guard from < to else { return [] }
        let logger = self.logger
        return try await self.withConnection("reading the sync window") { connection in
            var entries: [SyncEntry] = []
            // Topics repeat: keep one copy of each string.
            var topics: [String: String] = [:]
            let rows = try await connection.execute(SyncWindow(from: from, to: to), logger: logger)
            for try await (timestamp, hash, pubsub, content) in rows {
                let pubsubTopic = topics[pubsub] ?? pubsub
                let contentTopic = topics[content] ?? content
                topics[pubsub] = pubsubTopic
                topics[content] = contentTopic
                entries.append(
                    SyncEntry(
                        timestamp: timestamp,
                        hash: try NwakuEncoding.hash(hash),
                        pubsubTopic: pubsubTopic,
                        contentTopic: contentTopic
                    )
                )
            }
            return entries
        }
    }

    private func storedMessages(
        _ selection: PostgresSelection,
        _ what: String
    ) async throws(ArchiveError)
        -> [StoredMessage]
    {
        guard let query = selection.query() else { return [] }
        let logger = self.logger
        return try await self.withConnection(what) { connection in
            var found: [StoredMessage] = []
            for try await row in try await connection.query(query, logger: logger) {
                found.append(try PostgresStoredRow(row).stored)
            }
            return found
        }
    }

    /// Runs a Store selection: the matching entries in the query's direction, and the last
    /// examined row's hash when a capped scan stopped short.
    private static func storeRows(
        _ selection: PostgresSelection,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> StoreRows {
        guard let query = selection.query() else { return StoreRows(rows: [], lastExamined: nil) }
        var found = StoreRows(rows: [], lastExamined: nil)
        for try await row in try await connection.query(query, logger: logger) {
            if selection.includeData {
                found.rows.append(try PostgresStoredRow(row).keyValue)
            } else {
                found.rows.append(WakuMessageKeyValue(messageHash: try NwakuEncoding.hash(try row.decode(String.self))))
            }
        }
        if found.rows.count < selection.limit, let last = selection.lastExaminedQuery() {
            for try await hash in try await connection.query(last, logger: logger).decode(String.self) {
                found.lastExamined = try NwakuEncoding.hash(hash)
            }
        }
        return found
    }

    /// Distinct hashes as lowercase hex, in first-seen order.
    static func unique(_ hashes: [MessageHash]) -> [String] {
        var seen = Set<MessageHash>()
        return hashes.filter { seen.insert($0).inserted }.map { NwakuEncoding.hex($0.bytes) }
    }
}

/// What one Store query found, in the query's direction.
struct StoreRows: Sendable {
    var rows: [WakuMessageKeyValue]
    var lastExamined: MessageHash?
}

/// nwaku's cursor lookup (§11.6 step 1).
struct CursorTime: PostgresPreparedStatement {
    static let sql = "SELECT timestamp FROM messages_lookup WHERE messagehash = $1"
    typealias Row = Int64

    var hash: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(self.hash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// The sync-index fill's scan.
struct SyncWindow: PostgresPreparedStatement {
    static let sql = """
        SELECT timestamp, messagehash, pubsubtopic, contenttopic FROM messages
        WHERE timestamp >= $1 AND timestamp < $2 ORDER BY timestamp, messagehash COLLATE "C"
        """
    typealias Row = (Int64, String, String, String)

    var from: Int64
    var to: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(self.from)
        bindings.append(self.to)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (Int64, String, String, String) {
        try row.decode((Int64, String, String, String).self)
    }
}
