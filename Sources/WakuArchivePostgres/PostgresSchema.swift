internal import Logging
internal import PostgresNIO
internal import WakuArchive

/// nwaku's PostgreSQL schema, version 7 (PROTOCOLS.md §11.2), and our two tables beside it.
///
/// The statements are the ones nwaku's migrations leave behind, as the catalog shows them
/// (lower-case names, the same types, constraint and index names, `PARTITION BY RANGE
/// (timestamp)` with no DEFAULT partition), so an nwaku node started on a database we created
/// finds version 7 and runs no migration.
///
/// Our tables, which nwaku ignores (it looks only at its own and at the children of `messages`),
/// are created whenever the archive is opened for writing and they are missing:
/// - `wakusync_last_online` (``lastOnlineTable``): the last-online record, one row.
/// - `wakusync_audit_bucket` (``PostgresAuditBuckets/table``): the archive audit's fingerprints,
///   one row per (level, bucket start, pubsub topic name) holding the bucket's message count and
///   its 72 ``BucketFingerprint`` bytes (PROTOCOLS.md §12.1); topics by name, since nwaku's schema
///   has no topic ids. Kept in the transaction of every insert and retention deletion, except
///   after a partition drop, which runs outside a transaction. Created on a database that already
///   holds messages (nwaku's, or an older wakusync's), it is filled from them in the transaction
///   that creates it. Messages nwaku writes to a shared database are not counted in it; the
///   start-up check (`auditBucketsLookSound()`) notices and a rebuild puts it right.
enum PostgresSchema {
    /// The only schema version we work with.
    static let version: Int32 = 7
    /// nwaku's migration lock (`pg_try_advisory_lock(841886)`).
    static let migrationLock: Int64 = 841_886

    /// nwaku's tables at version 7, with its `version` row.
    static let nwakuTables = [
        """
        CREATE TABLE messages (
          pubsubtopic VARCHAR NOT NULL,
          contenttopic VARCHAR NOT NULL,
          payload VARCHAR,
          version INTEGER NOT NULL,
          id VARCHAR NOT NULL,
          messagehash VARCHAR NOT NULL,
          timestamp BIGINT NOT NULL,
          meta VARCHAR DEFAULT NULL,
          CONSTRAINT messageindex PRIMARY KEY (messagehash, timestamp)
        ) PARTITION BY RANGE (timestamp)
        """,
        "CREATE INDEX idx_messages_messagehash ON messages (messagehash)",
        "CREATE INDEX idx_messages_timestamp ON messages (timestamp)",
        "CREATE INDEX idx_query_pubsubtopic ON messages (pubsubtopic)",
        "CREATE INDEX idx_query_contenttopic ON messages (contenttopic)",
        """
        CREATE TABLE messages_lookup (
          timestamp BIGINT NOT NULL,
          messagehash VARCHAR NOT NULL,
          CONSTRAINT messageindexlookuptable PRIMARY KEY (messagehash, timestamp)
        )
        """,
        "CREATE INDEX idx_messages_lookup_messagehash ON messages_lookup (messagehash)",
        "CREATE INDEX idx_messages_lookup_timestamp ON messages_lookup (timestamp)",
        "CREATE TABLE version (version INTEGER NOT NULL)",
        "INSERT INTO version (version) VALUES (7)",
    ]

    /// Our table: the last-online record (PROTOCOLS.md §6.2), which nwaku keeps nowhere. One row,
    /// id 1, updated in place. nwaku ignores tables it does not know; only children of
    /// `messages` must follow its naming.
    static let lastOnlineTable = """
        CREATE TABLE IF NOT EXISTS wakusync_last_online (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          timestamp BIGINT NOT NULL
        )
        """

    /// Checks the schema, creating it first when the database has none (and `readOnly` is false).
    ///
    /// Creation runs in one transaction while holding nwaku's migration lock, so neither another
    /// wakusync nor an nwaku node starting at the same moment can interleave; when someone else
    /// holds the lock we wait for them and look again.
    ///
    /// - Throws: ``ArchiveError/Code/foreignDatabase`` for another schema version or a partial
    ///   schema, ``ArchiveError/Code/notFound`` for an empty database opened read-only.
    static func prepare(
        on connection: PostgresConnection,
        readOnly: Bool,
        location: PostgresLocation,
        logger: Logger
    ) async throws {
        for _ in 0..<300 {
            if let version = try await Self.storedVersion(on: connection, location: location, logger: logger) {
                guard version == Self.version else {
                    throw ArchiveError(
                        .foreignDatabase,
                        "\(location) holds nwaku schema version \(version); wakusync works with version "
                            + "\(Self.version) only and never migrates a database (upgrade or downgrade the nwaku "
                            + "node that owns it, or use an empty database)"
                    )
                }
                if !readOnly {
                    try await connection.query(PostgresQuery(unsafeSQL: Self.lastOnlineTable), logger: logger)
                    try await PostgresAuditBuckets.prepare(on: connection, logger: logger)
                }
                return
            }
            if readOnly {
                throw ArchiveError(.notFound, "no archive at \(location) (the database has no nwaku schema)")
            }
            if try await Self.tryLock(Self.migrationLock, on: connection, logger: logger) {
                try await connection.query("BEGIN", logger: logger)
                do {
                    if try await Self.storedVersion(on: connection, location: location, logger: logger) == nil {
                        for statement in Self.nwakuTables {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        logger.info("created nwaku's schema version 7", metadata: ["waku.archive": "\(location)"])
                    }
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    // The caller closes the connection, which also ends the session's lock.
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
                try await Self.unlock(Self.migrationLock, on: connection, logger: logger)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw ArchiveError(.database, "another node held nwaku's migration lock on \(location) for 30 s")
    }

    /// The stored version, nil when the database has none of nwaku's tables.
    private static func storedVersion(
        on connection: PostgresConnection,
        location: PostgresLocation,
        logger: Logger
    ) async throws -> Int32? {
        let rows = try await connection.query(
            """
            SELECT to_regclass('version') IS NOT NULL, to_regclass('messages') IS NOT NULL,
              to_regclass('messages_lookup') IS NOT NULL
            """,
            logger: logger
        )
        var tables = (version: false, messages: false, lookup: false)
        for try await (version, messages, lookup) in rows.decode((Bool, Bool, Bool).self) {
            tables = (version, messages, lookup)
        }
        guard tables.version else {
            guard !tables.messages && !tables.lookup else {
                throw ArchiveError(
                    .foreignDatabase,
                    "\(location) has a messages table but no version table: not a schema nwaku or wakusync wrote"
                )
            }
            return nil
        }
        var versions: [Int32] = []
        for try await version in try await connection.query("SELECT version FROM version", logger: logger).decode(
            Int32.self
        ) {
            versions.append(version)
        }
        guard versions.count == 1, let version = versions.first, tables.messages, tables.lookup else {
            throw ArchiveError(
                .foreignDatabase,
                "\(location) has a version table with \(versions.count) rows, or lacks messages or messages_lookup: "
                    + "not a schema nwaku or wakusync wrote"
            )
        }
        return version
    }

    /// `pg_try_advisory_lock(key)` on this connection's session.
    static func tryLock(_ key: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        var locked = false
        for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
            .decode(Bool.self)
        {
            locked = value
        }
        return locked
    }

    /// `pg_advisory_unlock(key)`.
    static func unlock(_ key: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
    }
}
