internal import ArgumentParser
internal import Foundation
internal import Logging
internal import WakuArchive
internal import WakuArchivePostgres

/// `--store-message-db-url` and `--store-max-num-db-connections`: where the archive lives, in
/// nwaku's flags (PROTOCOLS.md §11.1). Without the URL, the data directory's `archive.sqlite3`.
struct ArchiveOptions: ParsableArguments {
    @Option(
        name: .customLong("store-message-db-url"),
        help: ArgumentHelp(
            "The archive: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB (nwaku's schema). "
                + "Default: archive.sqlite3 in the data directory.",
            valueName: "URL"
        )
    )
    var url: String?

    @Option(
        name: .customLong("store-max-num-db-connections"),
        help: ArgumentHelp("PostgreSQL connection pool size (nwaku's flag; one pool here).", valueName: "N")
    )
    var maxConnections = PostgresArchive.defaultMaxConnections

    func validate() throws {
        guard self.maxConnections > 0 else {
            throw ValidationError("--store-max-num-db-connections must be at least 1")
        }
        if let url {
            do {
                _ = try ArchiveLocation(url: url)
            } catch {
                throw ValidationError(error.detail)
            }
        }
    }

    /// The parsed location; the data directory's SQLite file when no URL was given.
    func location(dataDirectory: URL) throws -> ArchiveLocation {
        guard let url else { return .sqlite(path: dataDirectory.appendingPathComponent("archive.sqlite3").path) }
        return try ArchiveLocation(url: url)
    }
}

/// How a command uses the archive.
enum ArchiveAccess {
    /// Create it if needed, migrate, write.
    case readWrite
    /// It must exist; nothing is created, migrated or written (`archive export`, `archive stats`).
    case readOnly
}

/// Opens the archive a location names: the SQLite ``Archive`` or a ``PostgresArchive``. The
/// node commands call this too, so every command opens archives the same way.
///
/// - Parameters:
///   - location: where the archive lives (``ArchiveOptions/location(dataDirectory:)``).
///   - dataDirectory: the node's data directory, created for a read-write SQLite archive in it.
///   - access: read-write or read-only.
///   - maxConnections: the PostgreSQL pool size.
///   - limits: the bounds on each Store query.
///   - logger: where PostgreSQL's pool logs.
/// - Returns: the open archive; the caller closes it.
/// - Throws: the backend's ``ArchiveError`` (not found, foreign database, unreachable server), or
///   the error creating the data directory.
func openArchive(
    _ location: ArchiveLocation,
    dataDirectory: URL,
    access: ArchiveAccess = .readWrite,
    maxConnections: Int = PostgresArchive.defaultMaxConnections,
    limits: StoreLimits = .standard,
    logger: Logger = Logger(label: "wakusync.archive", factory: { _ in SwiftLogNoOpLogHandler() })
) async throws -> any MessageArchive {
    switch location {
    case .sqlite(let path):
        if access == .readOnly { return try WakuArchive.Archive.openExisting(path: path, limits: limits) }
        if URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
            == dataDirectory.standardizedFileURL.path
        {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        }
        return try WakuArchive.Archive(path: path, limits: limits)
    case .postgres(let postgres):
        return try await PostgresArchive.open(
            postgres,
            maxConnections: maxConnections,
            readOnly: access == .readOnly,
            limits: limits,
            logger: logger
        )
    }
}
