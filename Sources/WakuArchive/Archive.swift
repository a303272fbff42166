internal import Foundation
internal import GRDB
package import WakuCore

/// The node's message archive: one SQLite file in WAL mode, written by one connection and read
/// by several at once.
///
/// Every message the node keeps lands here; Store v3 queries are answered from here, and the
/// sync index is filled from here at start-up. All SQLite work runs on GRDB's own dispatch
/// queues (the async methods suspend, they never block a NIO event loop or the cooperative
/// pool). Writes are serialised by GRDB's writer queue; reads run concurrently on snapshots.
///
/// Time that decides something is always an argument (`now:`); the wall clock given at opening
/// is read only to stamp `stored_at`, once per batch.
package final class Archive: MessageArchive {
    /// How often the node should call ``recordOnline(at:)`` while it runs (nwaku: every minute).
    package static let lastOnlineInterval: Duration = .seconds(60)

    /// The file this archive lives in.
    package let path: String
    package var location: String { self.path }
    /// The bounds on each Store query.
    package let limits: StoreLimits
    let pool: DatabasePool
    let topics = TopicTable()
    private let wallClock: @Sendable () -> Int64
    /// Whether inserts keep the audit buckets (always, except to measure what keeping them costs:
    /// `wakusync bench audit`; a node that opens such a file rebuilds them at start-up).
    let keepsAuditBuckets: Bool

    /// Opens (creating if needed) the archive at `path` for reading and writing, and applies the
    /// migrations.
    ///
    /// Blocks while it opens and migrates the file: call it at start-up, not on an event loop.
    ///
    /// - Parameters:
    ///   - path: the SQLite file; its directory must exist.
    ///   - wallClock: the current time in nanoseconds since the Unix epoch, read once per
    ///     inserted batch for `stored_at`.
    ///   - cacheMiB: the writer's page cache; each reader gets an eighth of it.
    ///   - limits: the bounds on each Store query.
    ///   - keepsAuditBuckets: false only to measure what the audit buckets cost an insert.
    /// - Throws: ``ArchiveError/Code/database`` when the file cannot be opened or migrated,
    ///   ``ArchiveError/Code/incompatibleSchema`` when a newer wakusync wrote it,
    ///   ``ArchiveError/Code/foreignDatabase`` when it is some other program's SQLite file (it is
    ///   left as it was, not even switched to WAL).
    package convenience init(
        path: String,
        wallClock: @escaping @Sendable () -> Int64 = Archive.systemTime,
        cacheMiB: Int = Archive.defaultCacheMiB,
        limits: StoreLimits = .standard,
        keepsAuditBuckets: Bool = true
    ) throws(ArchiveError) {
        try self.init(
            path: path,
            readOnly: false,
            wallClock: wallClock,
            cacheMiB: cacheMiB,
            limits: limits,
            keepsAuditBuckets: keepsAuditBuckets
        )
    }

    private init(
        path: String,
        readOnly: Bool,
        wallClock: @escaping @Sendable () -> Int64,
        cacheMiB: Int,
        limits: StoreLimits,
        keepsAuditBuckets: Bool = true
    ) throws(ArchiveError) {
        self.path = path
        self.wallClock = wallClock
        self.limits = limits
        self.keepsAuditBuckets = keepsAuditBuckets
        do {
            try ArchiveSchema.checkOwnership(path: path, mustExist: readOnly)
            var configuration = Self.configuration(cacheMiB: cacheMiB)
            configuration.readonly = readOnly
            self.pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = ArchiveSchema.migrator
            if try self.pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw ArchiveError(.incompatibleSchema, "\(path) was written by a newer wakusync")
            }
            if readOnly {
                guard try self.pool.read({ try migrator.hasCompletedMigrations($0) }) else {
                    throw ArchiveError(.incompatibleSchema, "\(path) needs migrating; open it read-write once")
                }
            } else {
                try migrator.migrate(self.pool)
                try self.pool.write { try ArchiveSchema.stamp($0) }
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.database, "cannot open the archive at \(path)", underlying: error)
        }
    }

    /// Opens an archive that must already exist, read-only: nothing is migrated or written, so
    /// the file's bytes and modification time stay as they were (for `archive export` and
    /// `archive stats`, and for watching a running node's archive).
    ///
    /// - Throws: ``ArchiveError/Code/notFound`` when there is no file at `path`,
    ///   ``ArchiveError/Code/foreignDatabase`` when it is not a wakusync archive.
    package static func openExisting(path: String, limits: StoreLimits = .standard) throws(ArchiveError) -> Archive {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ArchiveError(.notFound, "no archive at \(path)")
        }
        return try Archive(
            path: path,
            readOnly: true,
            wallClock: Archive.systemTime,
            cacheMiB: defaultCacheMiB,
            limits: limits
        )
    }

    /// Nanoseconds since the Unix epoch from the system clock.
    package static func systemTime() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e9).rounded())
    }

    /// Closes every connection; later calls fail with a database error. Blocks until running work
    /// is done: call it at shutdown, not on an event loop.
    /// Copies the WAL into the database file and truncates it (SQLite's TRUNCATE checkpoint).
    ///
    /// Checkpoints otherwise run inside the commit that crosses `wal_autocheckpoint`, with a
    /// sync of the file; a benchmark that has just loaded an archive runs one first, so the
    /// load's checkpoint does not land inside what it measures.
    package func checkpoint() async throws(ArchiveError) {
        do {
            _ = try await self.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        } catch {
            throw ArchiveError(.database, "checkpointing the archive failed", underlying: error)
        }
    }

    package func close() throws(ArchiveError) {
        do {
            try self.pool.close()
        } catch {
            throw ArchiveError(.database, "closing the archive failed", underlying: error)
        }
    }

    // MARK: - Inserting

    /// Stores a batch in one transaction: new messages are inserted, messages already stored
    /// (by hash) are counted as duplicates and left untouched, ephemeral ones are skipped; says
    /// which hashes were not stored before (the node counts those per topic and per byte).
    ///
    /// Either the whole batch is committed or nothing is; once this returns, the batch survives a
    /// crash of the process (see ``configuration``).
    package func insertReportingNew(
        _ batch: [ArchivedMessage]
    ) async throws(ArchiveError) -> (outcome: InsertOutcome, newlyStored: Set<MessageHash>) {
        let ephemeral = batch.reduce(0) { $0 + ($1.message.ephemeral ? 1 : 0) }
        guard ephemeral < batch.count else { return (InsertOutcome(ephemeralSkipped: ephemeral), []) }
        let storedAt = self.wallClock()
        let topics = self.topics
        let keepsBuckets = self.keepsAuditBuckets
        let (outcome, newlyStored, created) = try await self.write("inserting \(batch.count) messages") { db in
            var resolver = TopicResolver(topics)
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO message
                        (hash, timestamp, pubsub_topic, content_topic, version, meta, stored_at, source, payload)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (hash) DO NOTHING
                    """
            )
            var outcome = InsertOutcome(ephemeralSkipped: ephemeral)
            var newlyStored = Set<MessageHash>()
            var buckets = AuditBucketTally<Int64>()
            for item in batch where !item.message.ephemeral {
                let message = item.message
                let pubsubID = try resolver.id(for: item.pubsubTopic, in: db)
                try statement.execute(arguments: [
                    item.hash.data,
                    message.timestamp,
                    pubsubID,
                    try resolver.id(for: message.contentTopic, in: db),
                    Int64(message.version),
                    Data(message.meta),
                    storedAt,
                    item.source.rawValue,
                    Data(message.payload),
                ])
                if db.changesCount > 0 {
                    outcome.inserted += 1
                    newlyStored.insert(item.hash)
                    if keepsBuckets { buckets.insert(item.hash, timestamp: message.timestamp, topic: pubsubID) }
                } else {
                    outcome.duplicates += 1
                }
            }
            if keepsBuckets { try Self.applyToBuckets(buckets, in: db) }
            return (outcome, newlyStored, resolver.created)
        }
        topics.publish(created)
        return (outcome, newlyStored)
    }

    // MARK: - Database access

    /// Runs `body` in a write transaction, turning failures into ``ArchiveError``.
    func write<T: Sendable>(
        _ what: @autoclosure () -> String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(ArchiveError) -> T {
        do {
            return try await self.pool.write(body)
        } catch {
            throw Self.wrap(error, what())
        }
    }

    /// Runs `body` in a read transaction on a snapshot, turning failures into ``ArchiveError``.
    func read<T: Sendable>(
        _ what: @autoclosure () -> String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(ArchiveError) -> T {
        do {
            return try await self.pool.read(body)
        } catch {
            throw Self.wrap(error, what())
        }
    }

    private static func wrap(_ error: any Error, _ what: String) -> ArchiveError {
        if let error = error as? ArchiveError { return error }
        return ArchiveError(.database, "\(what) failed", underlying: error)
    }

    /// The writer's page cache unless told otherwise.
    package static let defaultCacheMiB = 64

    /// WAL bytes between automatic checkpoints.
    static let checkpointBytes = 128 << 20

    /// Connection settings, and why.
    ///
    /// - WAL (GRDB's `DatabasePool` sets it): one writer and concurrent readers on snapshots.
    /// - `synchronous = NORMAL`: under WAL a commit is durable against a crash or SIGKILL of the
    ///   process as soon as it returns, because the WAL frames are in the OS page cache; only a
    ///   power loss or kernel crash can roll back the last commits, and never corrupts the file.
    ///   `FULL` would add an fsync per batch. The crash test checks the process-crash guarantee.
    /// - A busy timeout, so a second process (an `archive stats` while the node runs) waits for
    ///   the writer instead of failing at once.
    /// - A 64 MiB page cache for the writer (by default): the hash and time indexes of a million
    ///   messages fit, so inserts at random hash positions do not reread index pages from the
    ///   file. Readers get an eighth each: they page through time ranges or look up a few hashes,
    ///   and SQLite fills a cache up to its limit as pages are read, so five readers at 64 MiB
    ///   each would hold up to five copies of the archive in memory.
    /// - Checkpoints every 128 MiB of WAL instead of SQLite's 1000 pages: each checkpoint writes
    ///   the pages back into the database file and syncs both, and fewer, larger ones raised
    ///   batched ingest of 1 KiB messages at 1M messages from about 28k to 43k msg/s (at 32 MiB)
    ///   and then from 32k to 42k msg/s (at 128 MiB; `wakusync bench archive`, PERFORMANCE.md
    ///   §7.4). The price is a WAL file of up to ~128 MiB beside the archive, and as much to
    ///   replay after a crash, which reads it once (well under a second here). The interval is
    ///   set in pages from the file's page size (4 KiB, SQLite's default, unless the file was
    ///   made otherwise). Larger pages were tried: 16 KiB cut relay CPU per message by about a
    ///   tenth on the bench's fresh archives, but made every small commit (a node at tens of
    ///   messages per second commits one or a few at a time) write four times the bytes, and cost
    ///   8 % more CPU per message at 1 000 messages/s.
    static func configuration(cacheMiB: Int) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = false
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let mebibytes = db.configuration.readonly ? max(1, cacheMiB / 8) : max(1, cacheMiB)
            try db.execute(sql: "PRAGMA cache_size = -\(mebibytes * 1024)")
            let pageSize = max(512, try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096)
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointBytes / pageSize)")
        }
        return configuration
    }
}

extension MessageHash {
    /// The 32 bytes as `Data`, as the archive binds them.
    var data: Data { Data(self.bytes) }

    /// A hash from a 32-byte blob read from the archive.
    init(blob: Data) throws(ArchiveError) {
        guard blob.count == MessageHash.byteCount else {
            throw ArchiveError(.database, "stored hash has \(blob.count) bytes instead of 32")
        }
        self = blob.withUnsafeBytes { MessageHash($0, at: 0) }
    }
}
