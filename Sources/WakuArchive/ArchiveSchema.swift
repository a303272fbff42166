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
enum ArchiveSchema {
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
        return migrator
    }
}
