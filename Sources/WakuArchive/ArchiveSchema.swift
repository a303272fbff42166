internal import Foundation
internal import GRDB

/// The archive's tables and their migrations.
///
/// Layout, and why (measured on this machine kind, see PERFORMANCE.md §2 and `wakusync bench
/// archive`):
///
/// - `message` is an ordinary rowid table, not nwaku's `WITHOUT ROWID` table keyed by hash. In a
///   `WITHOUT ROWID` table every row, 1 KiB payload included, lives in the hash-keyed B-tree, so
///   each insert at a random hash position splits and rewrites big pages (nwaku's layout ingests
///   about 5.6k rows/s here). A rowid table appends rows, and the two indexes stay small.
/// - `payload` is the last column, so reading the columns before it never touches a payload that
///   spilled onto overflow pages.
/// - Topics are interned in `topic` and referenced by integer id: the time index then holds
///   (timestamp, hash, pubsub id, content id) in about 50 bytes per message, which makes it a
///   covering index for the sync-index fill (one ordered scan, no table lookups) and lets Store
///   queries test their topic filters before they fetch a row. `topic` rows are never deleted.
/// - `message_by_hash` (unique) answers duplicate checks, cursors and hash lookups.
/// - `meta` is `NOT NULL`: absent and empty meta hash the same and nwaku returns both as empty.
/// - No foreign keys: the topic ids are written by this module only, and enforcing them would
///   cost a lookup per insert.
/// - `last_online` holds one row (id 1), updated in place (PROTOCOLS.md §6.2).
/// - `audit_bucket` holds the archive audit's fingerprints per (level, start, pubsub topic id),
///   `WITHOUT ROWID` because rows are small and always found by that key (PROTOCOLS.md §12.1).
/// - The file carries `PRAGMA application_id` ``applicationID`` and `user_version`
///   ``userVersion``, so a SQLite file of another program (nwaku's `store.sqlite3`, say) left in
///   the data directory is recognised and refused instead of being converted to WAL and given
///   our tables.
enum ArchiveSchema {
    /// `PRAGMA application_id` of our files: "wksy".
    static let applicationID: Int32 = 0x776b_7379
    /// `PRAGMA user_version` of our files: the number of migrations below.
    static let userVersion: Int32 = 2
    /// The tables a file written before ``applicationID`` existed holds (plus SQLite's own).
    private static let ourTables: Set<String> = ["grdb_migrations", "topic", "message", "last_online"]

    /// Refuses a file that is not ours, before anything writes to it (opening a `DatabasePool`
    /// would switch it to WAL). A missing or empty file is fine unless `mustExist`.
    ///
    /// - Throws: ``ArchiveError/Code/foreignDatabase`` or ``ArchiveError/Code/notFound``; GRDB's
    ///   error when the file is not a database at all.
    static func checkOwnership(path: String, mustExist: Bool) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else {
            if mustExist { throw ArchiveError(.notFound, "no archive at \(path) (the file is empty)") }
            return
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let (id, version, tables) = try queue.read { db in
            (
                try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                Set(
                    try String.fetchAll(
                        db,
                        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                )
            )
        }
        if id == Self.applicationID { return }
        // An unmarked file with the bucket table too is ours with its marks cleared.
        let legacy = id == 0 && version == 0 && tables.subtracting(["audit_bucket"]) == Self.ourTables
        if tables.isEmpty && id == 0 && !mustExist { return }
        guard legacy else {
            let names = tables.sorted().prefix(8).joined(separator: ", ")
            throw ArchiveError(
                .foreignDatabase,
                "\(path) is not a wakusync archive (application_id \(id), user_version \(version), tables: "
                    + "\(names.isEmpty ? "none" : names)); refusing to open it. Move it away, or import its messages "
                    + "with `wakusync archive import`"
            )
        }
    }

    /// Marks the file as ours (idempotent), inside the writer.
    static func stamp(_ db: Database) throws {
        if try Int32.fetchOne(db, sql: "PRAGMA application_id") != Self.applicationID {
            try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
        }
        if try Int32.fetchOne(db, sql: "PRAGMA user_version") != Self.userVersion {
            try db.execute(sql: "PRAGMA user_version = \(Self.userVersion)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: messages, topics, last online") { db in
            try db.execute(
                sql: """
                    CREATE TABLE topic (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY,
                        hash BLOB NOT NULL,
                        timestamp INTEGER NOT NULL,
                        pubsub_topic INTEGER NOT NULL,
                        content_topic INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        meta BLOB NOT NULL,
                        stored_at INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        payload BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX message_by_hash ON message (hash);
                    CREATE INDEX message_by_time ON message (timestamp, hash, pubsub_topic, content_topic);
                    CREATE TABLE last_online (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        timestamp INTEGER NOT NULL
                    );
                    """
            )
        }
        // The buckets are filled from the messages already stored, in the migration's transaction.
        migrator.registerMigration("v2: audit buckets") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_bucket (
                        level INTEGER NOT NULL,
                        start INTEGER NOT NULL,
                        pubsub_topic INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        fingerprint BLOB NOT NULL,
                        PRIMARY KEY (level, start, pubsub_topic)
                    ) WITHOUT ROWID;
                    """
            )
            try Archive.replaceBuckets(with: try Archive.computeBuckets(in: db).0, in: db)
        }
        return migrator
    }
}
