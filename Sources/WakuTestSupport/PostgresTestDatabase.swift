internal import Foundation
internal import Logging
internal import PostgresNIO
package import WakuArchive

/// A fresh PostgreSQL database for one test, on the server `scripts/test.sh` starts.
///
/// The server comes from ``environmentVariable``, a `postgres://` URL whose user may
/// `CREATE DATABASE` (the test script's private cluster: trust authentication on loopback).
/// Tests that need PostgreSQL fail, rather than skip, when it is not set: a CI run without the
/// server must not pass silently.
package struct PostgresTestDatabase: Sendable {
    /// `WAKUSYNC_TEST_POSTGRES_URL`.
    package static let environmentVariable = "WAKUSYNC_TEST_POSTGRES_URL"

    /// The new database's location.
    package let location: PostgresLocation
    private let server: PostgresLocation

    /// The new database's URL, for child processes (`--store-message-db-url`).
    package var url: String {
        var text = self.location.description
        if let password = self.location.password { text = text.replacingOccurrences(of: "@", with: ":\(password)@") }
        return text
    }

    /// Creates a database with a random name.
    ///
    /// - Throws: a readable error when ``environmentVariable`` is missing or the server refuses.
    package static func create() async throws -> PostgresTestDatabase {
        guard let text = ProcessInfo.processInfo.environment[Self.environmentVariable], !text.isEmpty else {
            throw ArchiveError(
                .notFound,
                "\(Self.environmentVariable) is not set: run ./scripts/test.sh, which starts a private PostgreSQL "
                    + "server for the tests, or set it to postgres://USER@HOST:PORT/DB for a server where USER may "
                    + "CREATE DATABASE"
            )
        }
        guard case .postgres(let server) = try ArchiveLocation(url: text) else {
            throw ArchiveError(.invalidLocation, "\(Self.environmentVariable) must be a postgres:// URL")
        }
        var location = server
        location.database = "wakusync_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await Self.run("CREATE DATABASE \(location.database)", on: server)
        return PostgresTestDatabase(location: location, server: server)
    }

    /// Drops the database (closing whatever still uses it).
    package func drop() async {
        try? await Self.run("DROP DATABASE IF EXISTS \(self.location.database) WITH (FORCE)", on: self.server)
    }

    /// Runs a script of statements, each ending with `;` at the end of a line (our own SQL only),
    /// on a short-lived connection to `location`.
    package static func run(_ script: String, on location: PostgresLocation) async throws {
        let statements = script.components(separatedBy: ";\n").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try await Self.withConnection(to: location) { connection, logger in
            for statement in statements where !statement.isEmpty {
                let trimmed = statement.hasSuffix(";") ? String(statement.dropLast()) : statement
                try await connection.query(PostgresQuery(unsafeSQL: trimmed), logger: logger)
            }
        }
    }

    /// Runs one query and returns every row's columns as PostgreSQL's text output (NULL as nil):
    /// for checking what is stored byte for byte, as nwaku's SQL reads it.
    package static func rows(_ query: String, on location: PostgresLocation) async throws -> [[String?]] {
        // Every column as text, in order, whatever its type: one JSON array of strings per row.
        let wrapped = """
            SELECT (SELECT array_to_json(array_agg(value ORDER BY n))::text
                    FROM json_each_text(row_to_json(q)) WITH ORDINALITY AS e(key, value, n))
            FROM (\(query)) AS q
            """
        return try await Self.withConnection(to: location) { connection, logger in
            var result: [[String?]] = []
            for try await text in try await connection.query(PostgresQuery(unsafeSQL: wrapped), logger: logger)
                .decode(String?.self)
            {
                let values = try JSONSerialization.jsonObject(with: Data((text ?? "[]").utf8)) as? [Any] ?? []
                result.append(values.map { $0 as? String })
            }
            return result
        }
    }

    private static func withConnection<T: Sendable>(
        to location: PostgresLocation,
        _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case .tcp(let host, let port):
            configuration = PostgresConnection.Configuration(
                host: host,
                port: port,
                username: location.user,
                password: location.password,
                database: location.database,
                tls: .disable
            )
        case .socket(let directory, let port):
            configuration = PostgresConnection.Configuration(
                unixSocketPath: directory + "/.s.PGSQL.\(port)",
                username: location.user,
                password: location.password,
                database: location.database
            )
        }
        let logger = Logger(label: "wakusync.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection, logger)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
