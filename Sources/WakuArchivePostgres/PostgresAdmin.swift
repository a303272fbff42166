internal import Logging
internal import PostgresNIO
package import WakuArchive

/// Creating and dropping whole databases, for `bench archive` (a fresh database per run) and
/// the tests. Needs a role allowed to `CREATE DATABASE`.
package enum PostgresAdmin {
    /// Creates the database `name` (letters, digits and `_` only) on `server`'s cluster,
    /// connecting to `server`'s own database to do so.
    package static func createDatabase(_ name: String, on server: PostgresLocation) async throws(ArchiveError) {
        try await Self.run("CREATE DATABASE \(try Self.checked(name))", on: server)
    }

    /// Drops the database `name`, closing any connection still using it.
    package static func dropDatabase(_ name: String, on server: PostgresLocation) async throws(ArchiveError) {
        try await Self.run("DROP DATABASE IF EXISTS \(try Self.checked(name)) WITH (FORCE)", on: server)
    }

    private static func checked(_ name: String) throws(ArchiveError) -> String {
        guard !name.isEmpty, name.utf8.count < 64,
            name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw ArchiveError(.invalidLocation, "database names here are letters, digits and _") }
        return name
    }

    private static func run(_ sql: String, on server: PostgresLocation) async throws(ArchiveError) {
        let logger = Logger(label: "wakusync.archive.admin", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try PostgresArchive.connectionConfiguration(server),
                id: 0,
                logger: logger
            )
            do {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw ArchiveError(
                .database,
                "\(sql.prefix(while: { $0 != " " }).lowercased()) on \(server) failed",
                underlying: PostgresFailure(error)
            )
        }
    }
}
