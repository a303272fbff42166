internal import PostgresNIO
package import WakuArchive
package import WakuCore

extension PostgresArchive {
    /// How far ahead of the wall clock a message may be and still get a partition: creating one
    /// further ahead would leave nwaku's partition loop, which only extends the newest partition
    /// when it contains "now", without a partition for the current hour.
    static let futureTolerance: Int64 = PostgresPartitions.hour

    /// Stores a batch in one transaction: `messages` and `messages_lookup` rows as nwaku writes
    /// them (§11.5), each with `ON CONFLICT DO NOTHING`, so another node inserting the same
    /// messages at the same time is no conflict, and the new messages added to their audit
    /// buckets (``PostgresAuditBuckets/add(_:on:logger:)``). Says which hashes were not stored
    /// before.
    ///
    /// Rows go in in hash order, the same in every node, so two transactions inserting
    /// overlapping batches wait for each other instead of deadlocking. Messages nwaku's schema
    /// cannot hold are counted as ``InsertOutcome/rejected``: a NUL character in a topic (text
    /// columns cannot hold one), a version above 2³¹−1 (an `INTEGER` column; nwaku fails the same
    /// way), a timestamp before 2001-09-09 (partition names would stop sorting by time, which
    /// nwaku relies on) or more than an hour ahead of the wall clock.
    package func insertReportingNew(
        _ batch: [ArchivedMessage]
    ) async throws(ArchiveError) -> (outcome: InsertOutcome, newlyStored: Set<MessageHash>) {
        var outcome = InsertOutcome()
        var rows: [String: ArchivedMessage] = [:]
        let latest = self.wallClock() &+ Self.futureTolerance
        for item in batch {
            if item.message.ephemeral {
                outcome.ephemeralSkipped += 1
            } else if NwakuEncoding.rejection(of: item, latest: latest) != nil {
                outcome.rejected += 1
            } else if rows.updateValue(item, forKey: NwakuEncoding.hex(item.hash.bytes)) != nil {
                outcome.duplicates += 1
            }
        }
        guard !rows.isEmpty else { return (outcome, []) }
        let uncovered: Set<Int64>
        do {
            uncovered = try await self.partitions.ensure(rows.values.map(\.message.timestamp), client: self.client)
        } catch {
            throw Self.wrap(error, "creating partitions for \(rows.count) messages")
        }
        if !uncovered.isEmpty {
            for (hex, item) in rows where uncovered.contains(item.message.timestamp) {
                rows[hex] = nil
                outcome.rejected += 1
            }
        }
        // Keyed by the hash's hex, computed once: the de-duplication key is the `messagehash` column.
        let sorted = rows.sorted { $0.key < $1.key }.map { StorableRow(hex: $0.key, item: $0.value) }
        // Large batches go in as a few transactions on separate connections at once: the server
        // works on them in parallel (one backend each) while we encode the next.
        let parts = max(1, min(Self.insertParallelism, sorted.count / Self.minimumPart))
        let size = (sorted.count + parts - 1) / parts
        let chunks = stride(from: 0, to: sorted.count, by: size).map {
            Array(sorted[$0..<min($0 + size, sorted.count)])
        }
        let results = await withTaskGroup(of: Result<Set<MessageHash>, ArchiveError>.self) { group in
            for chunk in chunks {
                group.addTask {
                    do throws(ArchiveError) {
                        return .success(try await self.insertTransaction(chunk))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<Set<MessageHash>, ArchiveError>] = []
            for await result in group { all.append(result) }
            return all
        }
        var newlyStored = Set<MessageHash>()
        for result in results {
            switch result {
            case .success(let stored): newlyStored.formUnion(stored)
            // The other parts may have committed: the caller finds out which messages are stored
            // by looking them up (SyncEngine does after every failed write).
            case .failure(let error): throw error
            }
        }
        outcome.inserted += newlyStored.count
        outcome.duplicates += sorted.count - newlyStored.count
        return (outcome, newlyStored)
    }

    /// Transactions one batch is split into at most.
    static let insertParallelism = 2
    /// Messages per transaction at least, when a batch is split.
    static let minimumPart = 250

    /// Inserts storable messages, in hash order, in one transaction (retried on a deadlock);
    /// returns the hashes that were not stored before.
    private func insertTransaction(_ rows: [StorableRow]) async throws(ArchiveError) -> Set<MessageHash> {
        let insert = InsertMessages(rows)
        let lookup = InsertLookups(hashes: insert.hashes, timestamps: insert.timestamps)
        let logger = self.logger
        let storable = Dictionary(rows.map { ($0.hex, $0.item) }, uniquingKeysWith: { first, _ in first })
        var attempt = 0
        while true {
            do {
                let inserted = try await self.transaction("inserting \(rows.count) messages") { connection in
                    var inserted: [String] = []
                    var buckets = AuditBucketTally<String>()
                    for try await hex in try await connection.execute(insert, logger: logger) {
                        inserted.append(hex)
                        // Only rows really inserted count: not duplicates, not another node's.
                        if let item = storable[hex] {
                            buckets.insert(item.hash, timestamp: item.message.timestamp, topic: item.pubsubTopic)
                        }
                    }
                    _ = try await connection.execute(lookup, logger: logger)
                    try await PostgresAuditBuckets.add(buckets, on: connection, logger: logger)
                    return inserted
                }
                return Set(inserted.compactMap { storable[$0]?.hash })
            } catch {
                // Deadlock or serialization failure: retry, as PostgreSQL asks.
                let state = (error.underlying as? PostgresFailure)?.sqlState
                attempt += 1
                guard attempt < 3, state == "40P01" || state == "40001" else { throw error }
            }
        }
    }
}

/// nwaku's column encodings (PROTOCOLS.md §11.3) and what its schema cannot hold.
enum NwakuEncoding {
    /// 2001-09-09T01:46:40Z: before it, `messages_<seconds>_…` names have fewer than 10 digits.
    static let earliest: Int64 = 1_000_000_000 * 1_000_000_000

    /// Why `item` cannot be stored, or nil.
    static func rejection(of item: ArchivedMessage, latest: Int64) -> String? {
        let message = item.message
        if item.pubsubTopic.utf8.contains(0) || message.contentTopic.utf8.contains(0) { return "NUL in a topic" }
        if message.version > UInt32(Int32.max) { return "version above 2^31-1" }
        if message.timestamp < Self.earliest { return "timestamp before 2001-09-09" }
        if message.timestamp > latest { return "timestamp more than an hour ahead" }
        return nil
    }

    /// Bytes as nwaku's `toHex` writes them: lowercase, no `0x`.
    ///
    /// Written out here rather than WakuCore's generic `hexString`, which does not specialise
    /// across modules and was most of the client's time when ingesting 1 KiB payloads.
    static func hex(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            bytes.withUnsafeBufferPointer { input in
                var index = 0
                for byte in input {
                    output[index] = Self.digits[Int(byte >> 4)]
                    output[index + 1] = Self.digits[Int(byte & 0x0f)]
                    index += 2
                }
            }
            return bytes.count * 2
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Bytes from a hex column (any case; NULL is empty).
    static func bytes(_ text: String?, column: String) throws(ArchiveError) -> [UInt8] {
        guard var text, !text.isEmpty else { return [] }
        guard let bytes = text.withUTF8({ Self.decode($0) }) else {
            throw ArchiveError(.database, "stored \(column) is not hex")
        }
        return bytes
    }

    /// A hash from the `messagehash` column.
    static func hash(_ text: String) throws(ArchiveError) -> MessageHash {
        var text = text
        guard let bytes = text.withUTF8({ Self.decode($0) }), bytes.count == MessageHash.byteCount,
            let hash = try? MessageHash(bytes: bytes)
        else {
            throw ArchiveError(.database, "stored message hash '\(text.prefix(80))' is not 64 hex digits")
        }
        return hash
    }

    /// Hex digits to bytes; nil for an odd count or a non-hex character. (WakuCore's `Hex` is
    /// generic and slow across modules for the rows a sync-index fill reads.)
    private static func decode(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            out[index / 2] = high << 4 | low
            index += 2
        }
        return out
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A message nwaku's schema can hold, with its hash as the `messagehash` column's hex.
struct StorableRow: Sendable {
    var hex: String
    var item: ArchivedMessage
}

/// The batch insert into `messages`, one statement for the whole batch (arrays unnested), with
/// nwaku's values: id `'0'`, meta NULL when empty. Returns the hashes it inserted.
struct InsertMessages: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO messages (id, messagehash, pubsubtopic, contenttopic, payload, version, timestamp, meta)
        SELECT '0', h, p, c, pl, v, t, NULLIF(m, '')
        FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::integer[], $6::bigint[],
          $7::varchar[]) AS u(h, p, c, pl, v, t, m)
        ORDER BY h
        ON CONFLICT DO NOTHING
        RETURNING messagehash
        """
    typealias Row = String

    var hashes: [String] = []
    var pubsubTopics: [String] = []
    var contentTopics: [String] = []
    var payloads: [String] = []
    var versions: [Int32] = []
    var timestamps: [Int64] = []
    var metas: [String] = []

    /// The columns of `rows`, which are storable (see ``NwakuEncoding/rejection(of:latest:)``).
    init(_ rows: [StorableRow]) {
        for row in rows {
            let item = row.item
            self.hashes.append(row.hex)
            self.pubsubTopics.append(item.pubsubTopic)
            self.contentTopics.append(item.message.contentTopic)
            self.payloads.append(NwakuEncoding.hex(item.message.payload))
            self.versions.append(Int32(truncatingIfNeeded: item.message.version))
            self.timestamps.append(item.message.timestamp)
            self.metas.append(NwakuEncoding.hex(item.message.meta))
        }
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(self.hashes)
        bindings.append(self.pubsubTopics)
        bindings.append(self.contentTopics)
        bindings.append(self.payloads)
        bindings.append(self.versions)
        bindings.append(self.timestamps)
        bindings.append(self.metas)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
}

/// The batch insert into `messages_lookup`, for every message of the batch (as nwaku's `put`).
struct InsertLookups: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO messages_lookup (messagehash, timestamp)
        SELECT h, t FROM unnest($1::varchar[], $2::bigint[]) AS u(h, t) ORDER BY h
        ON CONFLICT DO NOTHING
        """
    typealias Row = ()

    var hashes: [String]
    var timestamps: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(self.hashes)
        bindings.append(self.timestamps)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
