internal import PostgresNIO
internal import WakuArchive
internal import WakuCore

/// One page request against `messages`, as SQL: Store v3 filters (PROTOCOLS.md §3.4), a keyset
/// position, a direction and a row limit. The PostgreSQL twin of the SQLite archive's
/// `MessageSelection`, used by Store queries, lookups and export.
///
/// Hashes are ordered with `COLLATE "C"` (byte order of lowercase hex, whatever the database's
/// collation, §11.3); the time index gives the first sort key.
struct PostgresSelection: Sendable {
    var pubsubTopic: String?
    var contentTopics: [String] = []
    /// Inclusive lower time bound.
    var timeStart: Int64?
    /// Inclusive upper time bound (nwaku's `<=`).
    var timeEnd: Int64?
    /// Only these hashes (lowercase hex; empty = any).
    var hashes: [String] = []
    /// Only rows strictly after this (timestamp, hex hash) in the selection's direction.
    var after: (timestamp: Int64, hash: String)?
    var ascending = true
    var limit: Int
    var includeData: Bool
    /// With a topic filter, examine at most this many rows (nil: no cap).
    var maxExamined: Int?

    /// The columns a row with data has, in ``PostgresStoredRow``'s order.
    static let dataColumns = "messagehash, pubsubtopic, contenttopic, payload, version, timestamp, meta"

    /// Whether ``query()`` is the capped scan (see ``lastExaminedQuery()``).
    var isCappedScan: Bool {
        self.maxExamined != nil && self.hashes.isEmpty && (self.pubsubTopic != nil || !self.contentTopics.isEmpty)
    }

    /// The statement; nil when nothing can match (start after end, a limit of 0).
    ///
    /// It returns ``dataColumns`` (or `messagehash, timestamp`). The capped scan walks the rows
    /// inside the time and position bounds in order, at most ``maxExamined`` of them, and keeps
    /// those that pass the topic filters.
    func query() -> PostgresQuery? {
        guard self.limit > 0 else { return nil }
        if let start = self.timeStart, let end = self.timeEnd, start > end { return nil }
        var bindings = PostgresBindings()
        let columns = self.includeData ? Self.dataColumns : "messagehash, timestamp"
        var bounds = self.bounds(&bindings)
        var filters: [String] = []
        if let topic = self.pubsubTopic {
            bindings.append(topic)
            filters.append("pubsubtopic = $\(bindings.count)")
        }
        if !self.contentTopics.isEmpty {
            bindings.append(self.contentTopics)
            filters.append("contenttopic = ANY($\(bindings.count)::varchar[])")
        }
        if let cap = self.maxExamined, self.isCappedScan {
            bindings.append(Int64(cap))
            let capIndex = bindings.count
            bindings.append(Int64(self.limit))
            // The outer ORDER BY repeats the inner one, which PostgreSQL sees is already
            // satisfied: rows stream out and the scan stops at the page, not at the cap.
            let sql = """
                SELECT \(columns) FROM (
                  SELECT \(Self.dataColumns), (\(filters.joined(separator: " AND "))) AS matched
                  FROM messages \(Self.whereClause(bounds)) \(self.orderBy) LIMIT $\(capIndex)
                ) AS scan WHERE matched \(self.orderBy) LIMIT $\(bindings.count)
                """
            return PostgresQuery(unsafeSQL: sql, binds: bindings)
        }
        if !self.hashes.isEmpty {
            bindings.append(self.hashes)
            filters.append("messagehash = ANY($\(bindings.count)::varchar[])")
            bindings.append(Int64(self.limit))
            // Materialised first: with ORDER BY … LIMIT over the whole table PostgreSQL prefers
            // walking the timestamp index and filtering every row (124 ms for 100 hashes among
            // 200 000 rows) to probing the hash index once per hash.
            let sql = """
                WITH found AS MATERIALIZED (
                  SELECT \(columns) FROM messages \(Self.whereClause(bounds + filters))
                ) SELECT \(columns) FROM found \(self.orderBy) LIMIT $\(bindings.count)
                """
            return PostgresQuery(unsafeSQL: sql, binds: bindings)
        }
        bounds += filters
        bindings.append(Int64(self.limit))
        let sql = "SELECT \(columns) FROM messages \(Self.whereClause(bounds)) \(self.orderBy) LIMIT $\(bindings.count)"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// For a capped scan that found fewer than ``limit`` rows: the hash of the row at the cap
    /// (no row when the bounds hold fewer rows than the cap, so the scan saw them all).
    func lastExaminedQuery() -> PostgresQuery? {
        guard let cap = self.maxExamined, self.isCappedScan else { return nil }
        var bindings = PostgresBindings()
        let bounds = self.bounds(&bindings)
        bindings.append(Int64(cap - 1))
        let sql = """
            SELECT messagehash FROM messages \(Self.whereClause(bounds)) \(self.orderBy)
            OFFSET $\(bindings.count) LIMIT 1
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    private var orderBy: String {
        let order = self.ascending ? "ASC" : "DESC"
        return "ORDER BY timestamp \(order), messagehash COLLATE \"C\" \(order)"
    }

    /// The time and position conditions: at most one lower and one upper bound, the tighter of
    /// the time bound and the keyset position (as the SQLite archive does).
    private func bounds(_ bindings: inout PostgresBindings) -> [String] {
        var clauses: [String] = []
        var lower: String?
        var upper: String?
        if let start = self.timeStart {
            bindings.append(start)
            lower = "timestamp >= $\(bindings.count)"
        }
        if let end = self.timeEnd {
            bindings.append(end)
            upper = "timestamp <= $\(bindings.count)"
        }
        if let after = self.after {
            let tighter =
                self.ascending
                ? (self.timeStart.map { $0 <= after.timestamp } ?? true)
                : (self.timeEnd.map { $0 >= after.timestamp } ?? true)
            if tighter {
                bindings.append(after.timestamp)
                let time = bindings.count
                bindings.append(after.hash)
                let comparison = self.ascending ? ">" : "<"
                // The plain time condition lets the index range start at the cursor.
                let clause =
                    "timestamp \(comparison)= $\(time) AND (timestamp, messagehash COLLATE \"C\") \(comparison) "
                    + "($\(time), $\(bindings.count)::varchar COLLATE \"C\")"
                if self.ascending { lower = clause } else { upper = clause }
            }
        }
        if let lower { clauses.append(lower) }
        if let upper { clauses.append(upper) }
        return clauses
    }

    private static func whereClause(_ clauses: [String]) -> String {
        clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
    }
}

/// A row of ``PostgresSelection/dataColumns``, decoded into what the archive returns.
struct PostgresStoredRow: Sendable {
    var hash: MessageHash
    var pubsubTopic: String
    var message: WakuMessage

    /// Decodes the first seven columns of `row` (nwaku's encodings, §11.3).
    init(_ row: PostgresRow) throws {
        let (hash, pubsub, content, payload, version, timestamp, meta) = try row.decode(
            (String, String, String, String?, Int32, Int64, String?).self
        )
        guard let unsigned = UInt32(exactly: version) else {
            throw ArchiveError(.database, "stored version \(version) is not a uint32")
        }
        self.hash = try NwakuEncoding.hash(hash)
        self.pubsubTopic = pubsub
        self.message = WakuMessage(
            payload: try NwakuEncoding.bytes(payload, column: "payload"),
            contentTopic: content,
            version: unsigned,
            timestamp: timestamp,
            meta: try NwakuEncoding.bytes(meta, column: "meta")
        )
    }

    /// The entry a Store response carries.
    var keyValue: WakuMessageKeyValue {
        WakuMessageKeyValue(messageHash: self.hash, message: self.message, pubsubTopic: self.pubsubTopic)
    }

    /// The message as the archive's readers return it, its hash computed again (the row's hash
    /// column is database content, not a promise). nwaku's schema keeps neither how a message
    /// arrived nor when it was stored: the source reads as `relay` and the stored-at time as the
    /// message's timestamp (what nwaku's old `storedAt` column held).
    var stored: StoredMessage {
        StoredMessage(
            archived: ArchivedMessage(pubsubTopic: self.pubsubTopic, message: self.message, source: .relay),
            storedAt: self.message.timestamp
        )
    }
}
