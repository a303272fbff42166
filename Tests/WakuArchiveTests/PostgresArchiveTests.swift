import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

/// What only the PostgreSQL backend has: nwaku's schema, encodings, partitions and sharing.
@Suite("PostgreSQL archive in nwaku's schema")
struct PostgresArchiveTests {
    /// The §1.1 vector message on `/waku/2/rs/0/0` (PROTOCOLS.md §11.3's example row).
    static let vector = ArchivedMessage(
        pubsubTopic: "/waku/2/rs/0/0",
        message: WakuMessage(
            payload: [1, 2, 3, 4, 0x54, 0x45, 0x53, 0x54, 5, 6, 7, 8],
            contentTopic: "/waku/2/default-content/proto",
            timestamp: 1_681_964_442_000_000_000,
            meta: Array("super-secret".utf8)
        ),
        source: .relay
    )

    /// Runs `body` with a fresh, empty database.
    static func withDatabase(_ body: (PostgresTestDatabase) async throws -> Void) async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            try await body(database)
            await database.drop()
        } catch {
            await database.drop()
            throw error
        }
    }

    static func sql(_ text: String, _ database: PostgresTestDatabase) async throws -> [[String?]] {
        try await PostgresTestDatabase.rows(text, on: database.location)
    }

    @Test("an empty database gets nwaku's schema version 7, as nwaku's catalog shows it")
    func schema() async throws {
        try await Self.withDatabase { database in
            let archive = try await PostgresArchive.open(database.location)
            try await archive.close()
            let columns = try await Self.sql(
                """
                SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
                WHERE table_name IN ('messages', 'messages_lookup', 'version') ORDER BY table_name, ordinal_position
                """,
                database
            )
            #expect(
                columns == [
                    ["messages", "pubsubtopic", "character varying", "NO", nil],
                    ["messages", "contenttopic", "character varying", "NO", nil],
                    ["messages", "payload", "character varying", "YES", nil],
                    ["messages", "version", "integer", "NO", nil],
                    ["messages", "id", "character varying", "NO", nil],
                    ["messages", "messagehash", "character varying", "NO", nil],
                    ["messages", "timestamp", "bigint", "NO", nil],
                    ["messages", "meta", "character varying", "YES", nil],  // PostgreSQL keeps no DEFAULT NULL
                    ["messages_lookup", "timestamp", "bigint", "NO", nil],
                    ["messages_lookup", "messagehash", "character varying", "NO", nil],
                    ["version", "version", "integer", "NO", nil],
                ]
            )
            let indexes = try await Self.sql(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
                database
            )
            #expect(
                indexes.map { $0[1] ?? "" } == [
                    "idx_messages_lookup_messagehash", "idx_messages_lookup_timestamp", "idx_messages_messagehash",
                    "idx_messages_timestamp", "idx_query_contenttopic", "idx_query_pubsubtopic", "messageindex",
                    "messageindexlookuptable", "wakusync_audit_bucket_pkey", "wakusync_last_online_pkey",
                ]
            )
            #expect(indexes.contains { $0[2]?.contains("PRIMARY KEY") == false && $0[1] == "messageindex" })
            let constraints = try await Self.sql(
                """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid IN ('messages'::regclass, 'messages_lookup'::regclass) ORDER BY conname
                """,
                database
            )
            #expect(
                constraints == [
                    ["messageindex", "PRIMARY KEY (messagehash, \"timestamp\")"],
                    ["messageindexlookuptable", "PRIMARY KEY (messagehash, \"timestamp\")"],
                ]
            )
            #expect(
                try await Self.sql("SELECT pg_get_partkeydef('messages'::regclass)", database) == [
                    ["RANGE (\"timestamp\")"]
                ]
            )
            #expect(try await Self.sql("SELECT version FROM version", database) == [["7"]])
            let tables = try await Self.sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
                database
            )
            #expect(
                tables == [
                    ["messages"], ["messages_lookup"], ["version"], ["wakusync_audit_bucket"], ["wakusync_last_online"],
                ]
            )
        }
    }

    @Test("what wakusync writes, nwaku's SQL reads: rows, encodings and partition name byte for byte")
    func nwakuReadsOurRows() async throws {
        try await Self.withDatabase { database in
            let archive = try await PostgresArchive.open(database.location)
            let bare = ArchivedMessage(
                pubsubTopic: "/waku/2/rs/0/0",
                message: WakuMessage(
                    payload: [],
                    contentTopic: "/a/1/b/proto",
                    version: 7,
                    timestamp: 1_681_964_443_000_000_001
                ),
                source: .sync
            )
            #expect(try await archive.insert([Self.vector, bare]) == InsertOutcome(inserted: 2))
            try await archive.close()
            let rows = try await Self.sql(
                """
                SELECT messageHash, pubsubTopic, contentTopic, payload, version, timestamp, id, meta
                FROM messages ORDER BY timestamp ASC, messageHash ASC
                """,
                database
            )
            #expect(
                rows == [
                    [
                        "b9b4852f9d8c489846e8bfc6c5ca6a1a8d460a40d28832a966e029eb39619199", "/waku/2/rs/0/0",
                        "/waku/2/default-content/proto", "010203045445535405060708", "0", "1681964442000000000", "0",
                        "73757065722d736563726574",
                    ],
                    [bare.hash.hex, "/waku/2/rs/0/0", "/a/1/b/proto", "", "7", "1681964443000000001", "0", nil],
                ]
            )
            #expect(
                try await Self.sql("SELECT messagehash, timestamp FROM messages_lookup ORDER BY timestamp", database)
                    == [
                        [Self.vector.hash.hex, "1681964442000000000"], [bare.hash.hex, "1681964443000000001"],
                    ]
            )
            #expect(
                try await Self.sql(
                    """
                    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
                    JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass
                    """,
                    database
                ) == [
                    [
                        "messages_1681963200_1681966800",
                        "FOR VALUES FROM ('1681963200000000000') TO ('1681966800000000000')",
                    ]
                ]
            )
            // nwaku's hash lookup (§11.6, step 2) finds our row through the lookup table.
            let hash = Self.vector.hash.hex
            let found = try await Self.sql(
                """
                WITH min_timestamp AS (
                  SELECT MIN(timestamp) AS min_ts FROM messages_lookup WHERE messagehash IN ('\(hash)'))
                SELECT m.messageHash, pubsubTopic, contentTopic, payload, version, m.timestamp, meta
                FROM messages m INNER JOIN messages_lookup l
                  ON m.timestamp = l.timestamp AND m.messagehash = l.messagehash
                WHERE l.timestamp >= (SELECT min_ts FROM min_timestamp) AND l.messagehash IN ('\(hash)')
                ORDER BY m.timestamp DESC, m.messagehash DESC LIMIT 21
                """,
                database
            )
            #expect(found.count == 1 && found.first?.first == hash)
        }
    }

    @Test("large payloads are compressed with LZ4 where the server has it, and read back as written")
    func payloadsCompressWithLZ4() async throws {
        try await Self.withDatabase { database in
            let archive = try await PostgresArchive.open(database.location)
            // 8 KiB of a repeated pattern: 16 KiB of hex, compressible, so PostgreSQL compresses it.
            let payload = (0..<8_192).map { UInt8(truncatingIfNeeded: $0 % 7) }
            let large = ArchivedMessage(
                pubsubTopic: Self.vector.pubsubTopic,
                message: WakuMessage(
                    payload: payload,
                    contentTopic: "/a/1/b/proto",
                    timestamp: Self.vector.message.timestamp
                ),
                source: .relay
            )
            #expect(try await archive.insert([large]) == InsertOutcome(inserted: 1))
            let stored = try await archive.messages(withHashes: [large.hash])
            #expect(stored.first?.archived.message.payload == payload)
            try await archive.close()
            let expected = try await Self.sql(
                """
                SELECT CASE WHEN 'lz4' = ANY(enumvals) THEN 'lz4' ELSE 'pglz' END
                FROM pg_settings WHERE name = 'default_toast_compression'
                """,
                database
            )
            let method = try await Self.sql("SELECT pg_column_compression(payload) FROM messages", database)
            #expect(method == expected)
            // The schema is untouched: no column asks for a compression method of its own.
            let columns = try await Self.sql(
                """
                SELECT attname FROM pg_attribute
                WHERE attrelid = 'messages'::regclass AND attcompression <> '' AND attnum > 0
                """,
                database
            )
            #expect(columns.isEmpty)
        }
    }

    @Test("rows nwaku wrote with its own SQL are served as Store v3 answers, cursors included")
    func weReadNwakuRows() async throws {
        try await Self.withDatabase { database in
            let messages = [Self.vector] + Fixtures.messages(30)
            // nwaku's migrations, its partition steps and its insert statements (§11.2, §11.4, §11.5).
            var script = Self.nwakuSchema
            for (from, to) in [(1_681_963_200, 1_681_966_800), (1_700_000_000, 1_700_002_800)] {
                let name = "messages_\(from)_\(to)"
                script += """
                    CREATE TABLE IF NOT EXISTS \(name) (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                    ALTER TABLE \(name) ADD CONSTRAINT \(name)_by_range_check
                      CHECK (timestamp >= \(from)000000000 AND timestamp < \(to)000000000);
                    ALTER TABLE messages ATTACH PARTITION \(name) FOR VALUES FROM (\(from)000000000) TO (\(to)000000000);
                    ALTER TABLE \(name) DROP CONSTRAINT \(name)_by_range_check;

                    """
            }
            for item in messages {
                let message = item.message
                let meta = message.meta.hexString
                script += """
                    INSERT INTO messages (id, messageHash, pubsubTopic, contentTopic, payload, version, timestamp, meta)
                    VALUES ('0', '\(item.hash.hex)', '\(item.pubsubTopic)', '\(message.contentTopic)',
                      '\(message.payload.hexString)', \(message.version), \(message.timestamp),
                      CASE WHEN '\(meta)' = '' THEN NULL ELSE '\(meta)' END) ON CONFLICT DO NOTHING;
                    INSERT INTO messages_lookup (messageHash, timestamp) VALUES ('\(item.hash.hex)', \(message.timestamp))
                      ON CONFLICT DO NOTHING;

                    """
            }
            try await PostgresTestDatabase.run(script, on: database.location)
            let archive = try await PostgresArchive.open(database.location)
            let reference = ReferenceStore(messages: messages)
            for forward in [true, false] {
                let request = StoreQueryRequest(
                    requestID: "n",
                    includeData: true,
                    pubsubTopic: Fixtures.pubsubTopics[1],
                    paginationForward: forward,
                    paginationLimit: 3
                )
                let pages = await archive.allPages(request)
                let returned = (forward ? pages : pages.reversed()).flatMap(\.messages)
                #expect(returned == reference.matches(request).map { $0.keyValue(includeData: true) })
            }
            let lookup = await archive.query(
                StoreQueryRequest(requestID: "h", includeData: true, messageHashes: [Self.vector.hash])
            )
            #expect(lookup.messages == [Self.vector.keyValue(includeData: true)])
            #expect(try await archive.count() == 31)
            // Inserting what nwaku already stored finds duplicates, not errors.
            #expect(try await archive.insert(messages) == InsertOutcome(duplicates: 31))
            try await archive.close()
        }
    }

    @Test("another schema version is refused, never migrated; an empty database is not an archive to read")
    func foreignSchemas() async throws {
        try await Self.withDatabase { database in
            await #expect { try await PostgresArchive.open(database.location, readOnly: true) } throws: {
                ($0 as? ArchiveError)?.code == .notFound
            }
            try await PostgresTestDatabase.run(
                Self.nwakuSchema.replacingOccurrences(of: "VALUES (7)", with: "VALUES (6)"),
                on: database.location
            )
            await #expect {
                try await PostgresArchive.open(database.location)
            } throws: { error in
                guard let error = error as? ArchiveError else { return false }
                return error.code == .foreignDatabase && error.detail.contains("version 6")
            }
            #expect(try await Self.sql("SELECT version FROM version", database) == [["6"]])
        }
    }

    /// nwaku's schema at version 7, as its migrations leave it (§11.2).
    static let nwakuSchema = """
        CREATE TABLE messages (pubsubtopic VARCHAR NOT NULL, contenttopic VARCHAR NOT NULL, payload VARCHAR,
          version INTEGER NOT NULL, id VARCHAR NOT NULL, messagehash VARCHAR NOT NULL, timestamp BIGINT NOT NULL,
          meta VARCHAR DEFAULT NULL, CONSTRAINT messageindex PRIMARY KEY (messagehash, timestamp))
          PARTITION BY RANGE (timestamp);
        CREATE INDEX idx_messages_messagehash ON messages (messagehash);
        CREATE INDEX idx_messages_timestamp ON messages (timestamp);
        CREATE INDEX idx_query_pubsubtopic ON messages (pubsubtopic);
        CREATE INDEX idx_query_contenttopic ON messages (contenttopic);
        CREATE TABLE messages_lookup (timestamp BIGINT NOT NULL, messagehash VARCHAR NOT NULL,
          CONSTRAINT messageindexlookuptable PRIMARY KEY (messagehash, timestamp));
        CREATE INDEX idx_messages_lookup_messagehash ON messages_lookup (messagehash);
        CREATE INDEX idx_messages_lookup_timestamp ON messages_lookup (timestamp);
        CREATE TABLE version (version INTEGER NOT NULL);
        INSERT INTO version (version) VALUES (7);

        """
}
