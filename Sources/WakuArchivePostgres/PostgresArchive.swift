package import Logging
internal import PostgresNIO
package import WakuArchive

/// The node's message archive in a PostgreSQL database, in nwaku's schema version 7
/// (PROTOCOLS.md §11), so wakusync and nwaku nodes can share one database.
///
/// - Schema: created exactly as nwaku's migrations leave it when the database is empty (under
///   nwaku's migration lock, advisory lock 841886); any other version is refused, never migrated.
///   The last-online record and the archive audit's bucket fingerprints, which nwaku's schema has
///   no place for, live in tables of our own beside nwaku's, `wakusync_last_online` and
///   `wakusync_audit_bucket` (nwaku ignores tables it does not know; ``PostgresSchema``).
/// - Writes: a batch (or each half of a large one, written at once on two connections) is one
///   transaction inserting both `messages` and `messages_lookup` rows with
///   `ON CONFLICT DO NOTHING`, in nwaku's encodings (lowercase hex hash, payload and meta, meta
///   NULL when empty, id `'0'`), and the audit buckets of the messages it really inserted.
///   Before a batch, every hour it touches gets a partition named and bounded as nwaku names
///   them (``PostgresPartitions``).
/// - Reads: our own SQL for Store v3 (§3.4, same answers as the SQLite `Archive`), cursors looked
///   up in `messages_lookup` as nwaku does.
/// - Retention: nwaku's PostgreSQL semantics (§11.7): whole partitions dropped, then rows.
///
/// Connections come from postgres-nio's `PostgresClient` pool, which this object runs for its
/// lifetime (``close()`` ends it).
package final class PostgresArchive: MessageArchive {
    /// The default pool size. nwaku's `--store-max-num-db-connections` defaults to 50, split into
    /// a read and a write pool of 25; one wakusync node needs far fewer, and PostgreSQL's default
    /// `max_connections` is 100 for every client of the server together.
    package static let defaultMaxConnections = 10

    /// `postgres://user@host:port/db`, never the password.
    package let location: String
    /// The bounds on each Store query.
    package let limits: StoreLimits
    let client: PostgresClient
    let logger: Logger
    let partitions: PostgresPartitions
    let wallClock: @Sendable () -> Int64
    /// Runs the pool's background work. postgres-nio needs `run()` running while the client is
    /// used, and the archive is handed to code that knows nothing about PostgreSQL, so the
    /// archive owns that task the way GRDB owns its dispatch queues; ``close()`` cancels it and
    /// waits for it.
    private let runner: Task<Void, Never>

    private init(
        location: PostgresLocation,
        client: PostgresClient,
        limits: StoreLimits,
        wallClock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        self.location = location.description
        self.client = client
        self.limits = limits
        self.wallClock = wallClock
        self.logger = logger
        self.partitions = PostgresPartitions(logger: logger)
        self.runner = Task { await client.run() }
    }

    /// Connects to `location`, checks (or, when the database is empty and `readOnly` is false,
    /// creates) nwaku's schema, and opens the pool.
    ///
    /// - Parameters:
    ///   - location: the server, database and credentials.
    ///   - maxConnections: the pool size, our counterpart of nwaku's
    ///     `--store-max-num-db-connections` (which nwaku splits into two pools; this is one pool
    ///     for reads and writes), at least 1.
    ///   - readOnly: for `archive export` and `archive stats`: create nothing, and fail with
    ///     ``ArchiveError/Code/notFound`` when the database holds no archive.
    ///   - limits: the bounds on each Store query.
    ///   - wallClock: the current time in nanoseconds; bounds how far in the future a message may
    ///     be (see ``insertReportingNew(_:)``).
    ///   - logger: where the pool and the partition work log.
    /// - Returns: the open archive; ``close()`` it when done.
    /// - Throws: ``ArchiveError/Code/database`` when the server cannot be reached or refuses us,
    ///   ``ArchiveError/Code/foreignDatabase`` when the schema is not nwaku's version 7.
    package static func open(
        _ location: PostgresLocation,
        maxConnections: Int = PostgresArchive.defaultMaxConnections,
        readOnly: Bool = false,
        limits: StoreLimits = .standard,
        wallClock: @escaping @Sendable () -> Int64 = PostgresArchive.systemTime,
        logger: Logger = Logger(label: "wakusync.archive.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(ArchiveError) -> PostgresArchive {
        // One plain connection first: a wrong password or an unreachable server fails here at
        // once with the server's reason, where the pool would keep retrying.
        let hasLZ4: Bool
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try Self.connectionConfiguration(location),
                id: 0,
                logger: logger
            )
            do {
                try await PostgresSchema.prepare(on: connection, readOnly: readOnly, location: location, logger: logger)
                hasLZ4 = try await Self.supportsLZ4(connection, logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.database, "cannot open the archive at \(location)", underlying: PostgresFailure(error))
        }
        var configuration = Self.clientConfiguration(location)
        configuration.options.maximumConnections = max(1, maxConnections)
        if hasLZ4 {
            // nwaku's hex payloads make most rows TOAST-sized, and PostgreSQL's default compressor
            // (pglz) spends a third of an insert failing to shrink them. Set for every pooled
            // session at connect time, not per transaction; the choice is made per value and
            // readers decompress either, so the schema stays nwaku's.
            configuration.options.additionalStartupParameters.append(("default_toast_compression", "lz4"))
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return PostgresArchive(location: location, client: client, limits: limits, wallClock: wallClock, logger: logger)
    }

    /// Whether the server was built with LZ4 (Debian's and the official images are).
    private static func supportsLZ4(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
            logger: logger
        )
        for try await supported in rows.decode(Bool.self) { return supported }
        return false
    }

    /// Nanoseconds since the Unix epoch from the system clock.
    package static func systemTime() -> Int64 {
        Archive.systemTime()
    }

    /// Ends the pool; later calls fail with a database error.
    package func close() async throws(ArchiveError) {
        self.runner.cancel()
        await self.runner.value
    }

    // MARK: - Database access

    /// Runs `body` on a pooled connection, turning failures into ``ArchiveError``.
    func withConnection<T: Sendable>(
        _ what: @autoclosure () -> String,
        _ body: (PostgresConnection) async throws -> T
    ) async throws(ArchiveError) -> T {
        do {
            return try await self.client.withConnection { connection in try await body(connection) }
        } catch {
            throw Self.wrap(error, what())
        }
    }

    /// Runs `body` in a transaction on a pooled connection: committed when it returns, rolled
    /// back when it throws.
    func transaction<T: Sendable>(
        _ what: @autoclosure () -> String,
        readOnly: Bool = false,
        _ body: (PostgresConnection) async throws -> T
    ) async throws(ArchiveError) -> T {
        let logger = self.logger
        return try await self.withConnection(what()) { connection in
            try await connection.query(
                readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN",
                logger: logger
            )
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    static func wrap(_ error: any Error, _ what: String) -> ArchiveError {
        if let error = error as? ArchiveError { return error }
        return ArchiveError(.database, "\(what) failed", underlying: PostgresFailure(error))
    }

    static func connectionConfiguration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        switch location.endpoint {
        case .tcp(let host, let port):
            return PostgresConnection.Configuration(
                host: host,
                port: port,
                username: location.user,
                password: location.password,
                database: location.database,
                tls: try Self.tls(location.tls)
            )
        case .socket(let directory, let port):
            return PostgresConnection.Configuration(
                unixSocketPath: Self.socketPath(directory, port),
                username: location.user,
                password: location.password,
                database: location.database
            )
        }
    }

    private static func clientConfiguration(_ location: PostgresLocation) -> PostgresClient.Configuration {
        switch location.endpoint {
        case .tcp(let host, let port):
            return PostgresClient.Configuration(
                host: host,
                port: port,
                username: location.user,
                password: location.password,
                database: location.database,
                tls: location.tls == .disable
                    ? .disable
                    : location.tls == .prefer
                        ? .prefer(.makeClientConfiguration()) : .require(.makeClientConfiguration())
            )
        case .socket(let directory, let port):
            return PostgresClient.Configuration(
                unixSocketPath: Self.socketPath(directory, port),
                username: location.user,
                password: location.password,
                database: location.database
            )
        }
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// libpq's socket name inside the directory.
    private static func socketPath(_ directory: String, _ port: Int) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }
}

/// A PostgreSQL failure as a person should read it: the server's message and SQLSTATE, or the
/// client's reason. postgres-nio's own description of `PSQLError` hides everything on purpose.
struct PostgresFailure: Error, CustomStringConvertible {
    /// The server's SQLSTATE, when the server reported the error.
    let sqlState: String?
    /// What happened.
    let message: String

    /// A failure of our own making, with no server error behind it.
    init(reason: String) {
        self.sqlState = nil
        self.message = reason
    }

    init(_ error: any Error) {
        if let failure = error as? PostgresFailure {
            self = failure
        } else if let error = error as? PSQLError {
            if let info = error.serverInfo {
                self.sqlState = info[.sqlState]
                self.message = info[.message] ?? "server error \(info[.sqlState] ?? "")"
            } else {
                self.sqlState = nil
                self.message = "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
            }
        } else {
            self.sqlState = nil
            self.message = "\(error)"
        }
    }

    var description: String {
        guard let sqlState else { return self.message }
        return "\(self.message) (SQLSTATE \(sqlState))"
    }
}
