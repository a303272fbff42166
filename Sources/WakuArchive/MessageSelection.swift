internal import Foundation
internal import GRDB
internal import WakuCore

/// A position in the archive's (timestamp, hash) order.
struct ArchivePosition: Hashable, Sendable, Comparable {
    var timestamp: Int64
    var hash: MessageHash

    static func < (lhs: ArchivePosition, rhs: ArchivePosition) -> Bool {
        (lhs.timestamp, lhs.hash) < (rhs.timestamp, rhs.hash)
    }
}

/// One page request against the `message` table: Store v3 filters (PROTOCOLS.md §3.4) plus a
/// keyset position, a direction and a row limit. Building block of Store queries, lookups and
/// export.
struct MessageSelection: Sendable {
    var pubsubTopic: String?
    var contentTopics: [String] = []
    /// Inclusive lower time bound.
    var timeStart: Int64?
    /// Inclusive upper time bound (nwaku's `<=`).
    var timeEnd: Int64?
    /// Only these hashes (empty = any). Any count; looked up in chunks.
    var hashes: [MessageHash] = []
    /// Only rows strictly after this position in the selection's direction.
    var after: ArchivePosition?
    var ascending = true
    var limit: Int
    var includeData: Bool
    /// With a topic filter, examine at most this many rows (nil: no cap); see
    /// ``StoreLimits/maxRowsExamined``.
    var maxExamined: Int?

    /// How many hashes one statement binds: SQLite allows 32766 variables, and lists are padded
    /// to a power of two (repeating the last hash, which does not change an `IN`) so that the
    /// statement cache holds a few shapes instead of one per list length.
    static let hashChunk = 512
}

/// A row read by a ``MessageSelection``; the data columns are present when it asked for them.
struct SelectedRow: Sendable {
    var position: ArchivePosition
    var pubsubTopic: Int64
    var contentTopic: Int64
    var data: SelectedData?
}

/// The columns of a row a Store query with include_data, a lookup or an export needs.
struct SelectedData: Sendable {
    var version: Int64
    var meta: [UInt8]
    var payload: [UInt8]
    var storedAt: Int64
    var source: Int64
}

extension MessageSelection {
    /// The matching rows, at most ``limit``, in the selection's direction.
    func rows(in db: Database, topics: TopicTable) throws -> [SelectedRow] {
        try self.rowsAndStop(in: db, topics: topics).rows
    }

    /// The matching rows, at most ``limit``, in the selection's direction, and the position of
    /// the last row examined when ``maxExamined`` stopped the scan before ``limit`` rows matched.
    func rowsAndStop(in db: Database, topics: TopicTable) throws -> (rows: [SelectedRow], stop: ArchivePosition?) {
        guard self.limit > 0 else { return ([], nil) }
        if let start = self.timeStart, let end = self.timeEnd, start > end { return ([], nil) }
        // Topic filters become id filters; a topic no message ever used matches nothing.
        var pubsubID: Int64?
        if let topic = self.pubsubTopic {
            guard let id = try topics.id(of: topic, in: db) else { return ([], nil) }
            pubsubID = id
        }
        var contentIDs: [Int64] = []
        for topic in self.contentTopics {
            if let id = try topics.id(of: topic, in: db) { contentIDs.append(id) }
        }
        if !self.contentTopics.isEmpty && contentIDs.isEmpty { return ([], nil) }
        guard !self.hashes.isEmpty else {
            if let cap = self.maxExamined, pubsubID != nil || !contentIDs.isEmpty {
                return try self.scan(pubsubID, Set(contentIDs), examining: cap, in: db)
            }
            return (try self.fetch(pubsubID, contentIDs, hashes: [], in: db), nil)
        }
        // Each chunk yields its own first `limit` rows; the first `limit` of their union are the
        // first `limit` of the whole list. Repeated hashes are dropped first, or a message asked
        // for in two chunks would come back twice.
        let hashes = self.hashes.count > Self.hashChunk ? Array(Set(self.hashes)) : self.hashes
        var merged: [SelectedRow] = []
        var start = 0
        while start < hashes.count {
            let chunk = Array(hashes[start..<min(start + Self.hashChunk, hashes.count)])
            merged += try self.fetch(pubsubID, contentIDs, hashes: chunk, in: db)
            start += Self.hashChunk
        }
        if hashes.count > Self.hashChunk {
            merged.sort { self.ascending ? $0.position < $1.position : $1.position < $0.position }
            if merged.count > self.limit { merged.removeLast(merged.count - self.limit) }
        }
        return (merged, nil)
    }

    private func fetch(
        _ pubsubID: Int64?,
        _ contentIDs: [Int64],
        hashes: [MessageHash],
        in db: Database
    ) throws
        -> [SelectedRow]
    {
        var (whereClause, arguments) = self.conditions(pubsubID, contentIDs, hashes: hashes)
        let order = self.ascending ? "ASC" : "DESC"
        let columns =
            self.includeData
            ? "timestamp, hash, pubsub_topic, content_topic, version, meta, stored_at, source, payload"
            : "timestamp, hash, pubsub_topic, content_topic"
        // Pin the index: with an ORDER BY on the time index SQLite could otherwise prefer to walk
        // it in order and test each hash, instead of looking the hashes up.
        let index = hashes.isEmpty ? "message_by_time" : "message_by_hash"
        let sql = """
            SELECT \(columns) FROM message INDEXED BY \(index) \(whereClause)
            ORDER BY timestamp \(order), hash \(order) LIMIT ?
            """
        arguments += [self.limit]
        let statement = try db.cachedStatement(sql: sql)
        var rows: [SelectedRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() {
            rows.append(try Self.decode(row, includeData: self.includeData))
        }
        return rows
    }

    /// The `WHERE` clause (or nothing) and its arguments.
    func conditions(
        _ pubsubID: Int64?,
        _ contentIDs: [Int64],
        hashes: [MessageHash]
    )
        -> (String, StatementArguments)
    {
        var clauses: [String] = []
        var arguments = StatementArguments()
        // At most one lower and one upper bound reaches SQLite: the tighter of the time bound and
        // the keyset position. Given both, SQLite might start its index range at the looser one
        // and scan every row up to the cursor on each page.
        let (lower, upper) = self.bounds()
        for (bound, timeClause, positionClause) in [(lower, "timestamp >= ?", ">"), (upper, "timestamp <= ?", "<")] {
            switch bound {
            case .none:
                break
            case .time(let time):
                clauses.append(timeClause)
                arguments += [time]
            case .position(let position):
                clauses.append("(timestamp, hash) \(positionClause) (?, ?)")
                arguments += [position.timestamp, position.hash.data]
            }
        }
        if let pubsubID {
            clauses.append("pubsub_topic = ?")
            arguments += [pubsubID]
        }
        if !contentIDs.isEmpty {
            let padded = Self.padded(contentIDs)
            clauses.append("content_topic IN (\(Self.placeholders(padded.count)))")
            arguments += StatementArguments(padded)
        }
        if !hashes.isEmpty {
            let padded = Self.padded(hashes)
            clauses.append("hash IN (\(Self.placeholders(padded.count)))")
            arguments += StatementArguments(padded.map(\.data))
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    static func decode(_ row: Row, includeData: Bool) throws -> SelectedRow {
        let hash = try row.withUnsafeData(atIndex: 1) { data throws(ArchiveError) in
            try MessageHash(blob: data ?? Data())
        }
        var selected = SelectedRow(
            position: ArchivePosition(timestamp: row[0], hash: hash),
            pubsubTopic: row[2],
            contentTopic: row[3]
        )
        if includeData {
            selected.data = SelectedData(
                version: row[4],
                meta: try row.withUnsafeData(atIndex: 5) { [UInt8]($0 ?? Data()) },
                payload: try row.withUnsafeData(atIndex: 8) { [UInt8]($0 ?? Data()) },
                storedAt: row[6],
                source: row[7]
            )
        }
        return selected
    }

    private enum Bound {
        case none
        case time(Int64)
        case position(ArchivePosition)
    }

    /// The effective lower and upper bounds in ascending (timestamp, hash) order.
    private func bounds() -> (lower: Bound, upper: Bound) {
        let startBound: Bound = self.timeStart.map { .time($0) } ?? .none
        let endBound: Bound = self.timeEnd.map { .time($0) } ?? .none
        guard let after = self.after else { return (startBound, endBound) }
        if self.ascending {
            // Rows after `after` have timestamp >= after.timestamp; if that already satisfies
            // the start time, the position is the tighter bound, otherwise the start time is
            // (every row at or after it lies beyond the position).
            if let start = self.timeStart, start > after.timestamp { return (startBound, endBound) }
            return (.position(after), endBound)
        } else {
            if let end = self.timeEnd, end < after.timestamp { return (startBound, endBound) }
            return (startBound, .position(after))
        }
    }

    private static func placeholders(_ count: Int) -> String {
        String(repeating: "?, ", count: count - 1) + "?"
    }

    /// `values` extended to the next power of two by repeating the last element.
    private static func padded<T>(_ values: [T]) -> [T] {
        var size = 1
        while size < values.count { size *= 2 }
        guard let last = values.last, size > values.count else { return values }
        return values + Array(repeating: last, count: size - values.count)
    }
}
