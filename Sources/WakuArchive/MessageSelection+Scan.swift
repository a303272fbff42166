internal import Foundation
internal import GRDB
internal import WakuCore

extension MessageSelection {
    /// A topic-filtered selection that examines at most `cap` rows: walks the time index, which
    /// holds (timestamp, hash, pubsub id, content id) and the rowid, within the time and position
    /// bounds in the selection's direction, tests the topic ids here and reads the data of the
    /// matching rows only (``StoreLimits/maxRowsExamined``).
    ///
    /// - Returns: the matching rows (at most ``limit``) and, when `cap` rows were examined before
    ///   ``limit`` matched, the last examined position.
    func scan(
        _ pubsubID: Int64?,
        _ contentIDs: Set<Int64>,
        examining cap: Int,
        in db: Database
    ) throws -> (rows: [SelectedRow], stop: ArchivePosition?) {
        var (whereClause, arguments) = self.conditions(nil, [], hashes: [])
        let order = self.ascending ? "ASC" : "DESC"
        let statement = try db.cachedStatement(
            sql: """
                SELECT timestamp, hash, pubsub_topic, content_topic, id FROM message INDEXED BY message_by_time
                \(whereClause) ORDER BY timestamp \(order), hash \(order) LIMIT ?
                """
        )
        arguments += [cap]
        var matches: [(row: SelectedRow, id: Int64)] = []
        var examined = 0
        var stop: ArchivePosition?
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() {
            examined += 1
            // Only the two ids are read from a row that does not match: the hash is decoded
            // for matches and for the row at the cap.
            let pubsub: Int64 = row[2]
            let content: Int64 = row[3]
            let isMatch =
                (pubsubID == nil || pubsub == pubsubID) && (contentIDs.isEmpty || contentIDs.contains(content))
            if isMatch {
                matches.append((try Self.decode(row, includeData: false), row[4]))
                if matches.count == self.limit { break }
            }
            if examined == cap { stop = try Self.decode(row, includeData: false).position }
        }
        guard self.includeData else { return (matches.map(\.row), stop) }
        let data = try db.cachedStatement(
            sql: "SELECT version, meta, stored_at, source, payload FROM message WHERE id = ?"
        )
        var rows: [SelectedRow] = []
        rows.reserveCapacity(matches.count)
        for (match, id) in matches {
            var row = match
            guard let values = try Row.fetchOne(data, arguments: [id]) else {
                throw ArchiveError(.database, "row \(id) vanished inside a read transaction")
            }
            row.data = SelectedData(
                version: values[0],
                meta: try values.withUnsafeData(atIndex: 1) { [UInt8]($0 ?? Data()) },
                payload: try values.withUnsafeData(atIndex: 4) { [UInt8]($0 ?? Data()) },
                storedAt: values[2],
                source: values[3]
            )
            rows.append(row)
        }
        return (rows, stop)
    }
}
