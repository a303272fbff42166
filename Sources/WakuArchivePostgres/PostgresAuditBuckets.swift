internal import Logging
internal import PostgresNIO
internal import WakuArchive
internal import WakuCore

/// Our `wakusync_audit_bucket` table and the statements that keep it: one row per (level, bucket
/// start, pubsub topic name) with the bucket's ``BucketFingerprint`` (PROTOCOLS.md §12.1), the
/// PostgreSQL counterpart of the SQLite archive's `audit_bucket`.
///
/// Every change to `messages` updates it in the same transaction, except a partition drop, which
/// PostgreSQL runs outside any transaction (``PostgresArchive`` says what happens then). Writers
/// serialise on it this way:
/// - an insert locks the rows it changes (``add(_:on:logger:)``: an upsert that also creates the
///   missing ones, so two inserts into a new bucket cannot both start from nothing);
/// - retention and rebuilds lock the whole table (``lockForRewrite(on:logger:)``) before they read
///   or delete messages, so an insert either committed before they look or adds its change on top
///   of what they write.
enum PostgresAuditBuckets {
    typealias Tally = AuditBucketTally<String>

    /// The table, documented with nwaku's in ``PostgresSchema``.
    static let table = """
        CREATE TABLE wakusync_audit_bucket (
          level SMALLINT NOT NULL,
          start BIGINT NOT NULL,
          pubsubtopic VARCHAR NOT NULL,
          count BIGINT NOT NULL,
          fingerprint BYTEA NOT NULL,
          PRIMARY KEY (level, start, pubsubtopic)
        )
        """

    /// The advisory lock held while the table is created and filled, so two wakusync nodes opening
    /// one database at once do not both fill it ("wksy", as the SQLite files' application id).
    static let creationLock: Int64 = 0x776b_7379

    /// Rows per statement when writing many buckets (a rebuild), to bound one message's size.
    private static let chunk = 5_000

    // MARK: - Creation

    /// Creates the table when the database has none and fills it from the stored messages, in one
    /// transaction: a database nwaku or an older wakusync wrote gets buckets that describe it.
    static func prepare(on connection: PostgresConnection, logger: Logger) async throws {
        guard try await !Self.exists(on: connection, logger: logger) else { return }
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.creationLock))", logger: logger)
            if try await !Self.exists(on: connection, logger: logger) {
                try await connection.query(PostgresQuery(unsafeSQL: Self.table), logger: logger)
                let (tally, messages) = try await Self.computed(on: connection, logger: logger)
                try await Self.write(tally, on: connection, logger: logger)
                logger.info("created the audit bucket table", metadata: ["waku.messages": "\(messages)"])
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Whether the table exists (a database only nwaku used, opened read-only, has none).
    static func exists(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await PostgresArchive.single(
            connection.query("SELECT to_regclass('wakusync_audit_bucket') IS NOT NULL", logger: logger),
            Bool.self
        ) ?? false
    }

    // MARK: - Inside write transactions

    /// Adds an insert batch's new messages to the stored buckets.
    ///
    /// Two statements: an upsert that creates the missing rows empty and locks every row, reading
    /// back what they hold (a concurrent insert into the same new bucket waits for ours and then
    /// finds our row), and an update writing the sums, which SQL cannot compute. Keys go in one
    /// order in every node, so two nodes' batches wait for each other instead of deadlocking.
    static func add(_ tally: Tally, on connection: PostgresConnection, logger: Logger) async throws {
        guard !tally.buckets.isEmpty else { return }
        let keys = tally.buckets.keys.sorted {
            ($0.level.rawValue, $0.start, $0.topic) < ($1.level.rawValue, $1.start, $1.topic)
        }
        var lock = LockBuckets()
        for key in keys {
            lock.levels.append(Int16(key.level.rawValue))
            lock.starts.append(key.start)
            lock.topics.append(key.topic)
        }
        var update = UpdateBuckets()
        for try await (level, start, topic, bytes) in try await connection.execute(lock, logger: logger) {
            let key = Tally.Key(level: try Self.level(level), start: start, topic: topic)
            var fingerprint = try Self.fingerprint(bytes)
            fingerprint.merge(tally.buckets[key] ?? .empty)
            update.append(key, fingerprint)
        }
        _ = try await connection.execute(update, logger: logger)
    }

    /// Takes the table for a retention run or a rebuild: inserts wait until the transaction ends,
    /// and one that already changed buckets commits first, so its messages are seen.
    static func lockForRewrite(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("LOCK TABLE wakusync_audit_bucket IN SHARE ROW EXCLUSIVE MODE", logger: logger)
    }

    /// Brings the buckets up to date after every message with `from <= timestamp <= through` was
    /// deleted (`from` nil: every message up to `through`, a prefix in time order as retention
    /// deletes): the buckets wholly inside go, and the ones straddling either end are recomputed
    /// per level, the minute from its messages, the hour from its minutes, the day from its hours
    /// (as the SQLite archive's `trimBuckets(through:in:)`). Call ``lockForRewrite(on:logger:)``
    /// first, in the same transaction.
    static func trim(from: Int64?, through: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        for level in AuditLevel.allCases {
            let last = level.bucketStart(of: through)
            let first = from.map { level.bucketStart(of: $0) }
            try await connection.query(
                """
                DELETE FROM wakusync_audit_bucket
                WHERE level = \(Int16(level.rawValue)) AND start <= \(last) AND start >= \(first ?? .min)
                """,
                logger: logger
            )
            var tally = Tally()
            for start in Set([first, last].compactMap { $0 }) {
                let end = Self.end(of: start, level)
                if let finer = level.finer {
                    let rows = try await connection.query(
                        """
                        SELECT start, pubsubtopic, fingerprint FROM wakusync_audit_bucket
                        WHERE level = \(Int16(finer.rawValue)) AND start >= \(start) AND start < \(end)
                        """,
                        logger: logger
                    )
                    for try await (child, topic, bytes) in rows.decode((Int64, String, ByteBuffer).self) {
                        tally.merge(try Self.fingerprint(bytes), start: child, topic: topic, into: level)
                    }
                } else {
                    let rows = try await connection.query(
                        """
                        SELECT timestamp, messagehash, pubsubtopic FROM messages
                        WHERE timestamp >= \(start) AND timestamp < \(end)
                        """,
                        logger: logger
                    )
                    for try await (timestamp, hash, topic) in rows.decode((Int64, String, String).self) {
                        tally.insert(try NwakuEncoding.hash(hash), timestamp: timestamp, topic: topic, level: level)
                    }
                }
            }
            try await Self.write(tally, on: connection, logger: logger)
        }
    }

    // MARK: - Checking and rebuilding

    /// Every bucket, computed from the messages in one scan, and the number of messages.
    static func computed(on connection: PostgresConnection, logger: Logger) async throws -> (Tally, Int) {
        var tally = Tally()
        var messages = 0
        let rows = try await connection.query(
            "SELECT timestamp, messagehash, pubsubtopic FROM messages",
            logger: logger
        )
        for try await (timestamp, hash, topic) in rows.decode((Int64, String, String).self) {
            tally.insert(try NwakuEncoding.hash(hash), timestamp: timestamp, topic: topic, level: .minute)
            messages += 1
        }
        tally.fillCoarserLevels()
        return (tally, messages)
    }

    /// Every stored bucket.
    static func stored(
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Tally.Key: BucketFingerprint] {
        var stored: [Tally.Key: BucketFingerprint] = [:]
        let rows = try await connection.query(
            "SELECT level, start, pubsubtopic, fingerprint FROM wakusync_audit_bucket",
            logger: logger
        )
        for try await (level, start, topic, bytes) in rows.decode((Int16, Int64, String, ByteBuffer).self) {
            stored[Tally.Key(level: try Self.level(level), start: start, topic: topic)] = try Self.fingerprint(bytes)
        }
        return stored
    }

    /// Replaces every stored bucket by `tally`'s.
    static func replace(with tally: Tally, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM wakusync_audit_bucket", logger: logger)
        try await Self.write(tally, on: connection, logger: logger)
    }

    // MARK: - Private

    /// Inserts `tally`'s non-empty buckets, which must not be stored yet.
    private static func write(_ tally: Tally, on connection: PostgresConnection, logger: Logger) async throws {
        let buckets = tally.sorted.filter { !$0.fingerprint.isEmpty }
        var start = 0
        while start < buckets.count {
            var rows = UpdateBuckets()
            for (key, fingerprint) in buckets[start..<min(start + Self.chunk, buckets.count)] {
                rows.append(key, fingerprint)
            }
            try await connection.query(
                """
                INSERT INTO wakusync_audit_bucket (level, start, pubsubtopic, count, fingerprint)
                SELECT * FROM unnest(\(rows.levels)::smallint[], \(rows.starts)::bigint[], \(rows.topics)::varchar[],
                  \(rows.counts)::bigint[], \(rows.fingerprints)::bytea[])
                """,
                logger: logger
            )
            start += Self.chunk
        }
    }

    /// The first nanosecond after the bucket at `start`, or the largest timestamp for the last one.
    private static func end(of start: Int64, _ level: AuditLevel) -> Int64 {
        let (end, overflow) = start.addingReportingOverflow(level.nanoseconds)
        return overflow ? .max : end
    }

    private static func level(_ value: Int16) throws(ArchiveError) -> AuditLevel {
        guard let level = AuditLevel(rawValue: Int(value)) else {
            throw ArchiveError(.database, "audit bucket of unknown level \(value)")
        }
        return level
    }

    /// A stored fingerprint, or a database error when it is not 72 bytes.
    static func fingerprint(_ bytes: ByteBuffer) throws(ArchiveError) -> BucketFingerprint {
        do {
            return try BucketFingerprint(bytes: bytes.readableBytesView)
        } catch {
            throw ArchiveError(.database, "a stored audit bucket is damaged: \(error)")
        }
    }
}

/// Creates the missing bucket rows of a batch empty and locks them all, returning what each holds.
struct LockBuckets: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO wakusync_audit_bucket (level, start, pubsubtopic, count, fingerprint)
        SELECT l, s, p, 0, $4 FROM unnest($1::smallint[], $2::bigint[], $3::varchar[]) WITH ORDINALITY AS u(l, s, p, n)
        ORDER BY n
        ON CONFLICT (level, start, pubsubtopic) DO UPDATE SET count = wakusync_audit_bucket.count
        RETURNING level, start, pubsubtopic, fingerprint
        """
    typealias Row = (Int16, Int64, String, ByteBuffer)

    /// The empty fingerprint's bytes, what a new row holds until ``UpdateBuckets`` writes it.
    private static let empty = ByteBuffer(bytes: BucketFingerprint.empty.bytes)

    var levels: [Int16] = []
    var starts: [Int64] = []
    var topics: [String] = []

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(self.levels)
        bindings.append(self.starts)
        bindings.append(self.topics)
        bindings.append(Self.empty)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Writes the new count and fingerprint of bucket rows that exist (locked by ``LockBuckets``).
struct UpdateBuckets: PostgresPreparedStatement {
    static let sql = """
        UPDATE wakusync_audit_bucket AS b SET count = u.c, fingerprint = u.f
        FROM unnest($1::smallint[], $2::bigint[], $3::varchar[], $4::bigint[], $5::bytea[]) AS u(l, s, p, c, f)
        WHERE b.level = u.l AND b.start = u.s AND b.pubsubtopic = u.p
        """
    typealias Row = ()

    var levels: [Int16] = []
    var starts: [Int64] = []
    var topics: [String] = []
    var counts: [Int64] = []
    var fingerprints: [ByteBuffer] = []

    mutating func append(_ key: AuditBucketTally<String>.Key, _ fingerprint: BucketFingerprint) {
        self.levels.append(Int16(key.level.rawValue))
        self.starts.append(key.start)
        self.topics.append(key.topic)
        self.counts.append(fingerprint.count)
        self.fingerprints.append(ByteBuffer(bytes: fingerprint.bytes))
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(self.levels)
        bindings.append(self.starts)
        bindings.append(self.topics)
        bindings.append(self.counts)
        bindings.append(self.fingerprints)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
