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

    /// Runs `sql` (our own statements only) on a short-lived connection to `location`.
    package static func run(_ sql: String, on location: PostgresLocation) async throws {
        _ = try await Self.rows(sql, on: location)
    }

    /// Runs `sql` and returns every row's columns as text (NULL as nil): for checking what is
    /// stored byte for byte, as nwaku's SQL would read it.
    package static func rows(_ sql: String, on location: PostgresLocation) async throws -> [[String?]] {
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
            var result: [[String?]] = []
            // The simple-query protocol: several statements at once, every value as text.
            let rows = try await connection.simpleQuery(sql).get()
            for row in rows {
                result.append(row.map { cell in cell.bytes.map { String(buffer: $0) } })
            }
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
