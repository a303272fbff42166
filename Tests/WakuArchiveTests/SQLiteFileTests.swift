import Foundation
import GRDB
import Testing
@testable import WakuArchive
import WakuCore
import WakuTestSupport

@Suite("The SQLite archive's file: ownership and read-only use")
struct SQLiteFileTests {
    /// The file's bytes and modification time.
    static func snapshot(_ path: String) throws -> (Data, Date?) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), attributes[.modificationDate] as? Date)
    }

    @Test("a new archive is marked with our application_id and user_version")
    func marked() async throws {
        try await TestArchive.with(.sqlite) { fixture in
            let ids = try await fixture.sqlite?.read("ids") { db in
                [
                    try Int32.fetchOne(db, sql: "PRAGMA application_id"),
                    try Int32.fetchOne(db, sql: "PRAGMA user_version"),
                ]
            }
            #expect(ids == [ArchiveSchema.applicationID, ArchiveSchema.userVersion])
        }
    }

    @Test("the checkpoint interval is 128 MiB of WAL whatever the file's page size")
    func checkpointInterval() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let settings = { (archive: Archive) in
            try await archive.read("settings") { db in
                [
                    try Int.fetchOne(db, sql: "PRAGMA page_size"),
                    try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"),
                ]
            }
        }
        let fresh = try Archive(path: directory.file("new.sqlite3").path)
        #expect(try await settings(fresh) == [4_096, (128 << 20) / 4_096])
        try fresh.close()

        // An empty file whose page size was fixed at 16 KiB before the archive's schema went in.
        let path = directory.file("large-pages.sqlite3").path
        let queue = try DatabaseQueue(path: path)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 16384; VACUUM")
        }
        try queue.close()
        let large = try Archive(path: path)
        #expect(try await settings(large) == [16_384, (128 << 20) / 16_384])
        let outcome = try await large.insert(Fixtures.messages(3))
        #expect(outcome.inserted == 3)
        try large.close()
    }

    @Test("another program's SQLite file is refused and left exactly as it was, not switched to WAL")
    func foreignFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("archive.sqlite3").path
        // nwaku's SQLite archive (PROTOCOLS.md §11.9).
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE message (pubsubTopic BLOB NOT NULL, contentTopic BLOB NOT NULL, payload BLOB,
                      version INTEGER NOT NULL, id BLOB, messageHash BLOB, timestamp INTEGER NOT NULL, meta BLOB,
                      CONSTRAINT messageIndex PRIMARY KEY (messageHash)) WITHOUT ROWID;
                    PRAGMA user_version = 10;
                    """
            )
        }
        try queue.close()
        let before = try Self.snapshot(path)
        #expect {
            try Archive(path: path)
        } throws: { error in
            guard let error = error as? ArchiveError else { return false }
            return error.code == .foreignDatabase && error.detail.contains("is not a wakusync archive")
                && error.detail.contains("message")
        }
        #expect { try Archive.openExisting(path: path) } throws: { ($0 as? ArchiveError)?.code == .foreignDatabase }
        let after = try Self.snapshot(path)
        #expect(after.0 == before.0 && after.1 == before.1)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "delete")
    }

    @Test("an archive written before the marks existed is recognised and marked")
    func legacyFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("archive.sqlite3").path
        let archive = try Archive(path: path)
        _ = try await archive.insert(Fixtures.messages(5))
        try await archive.write("unmark") { db in
            try db.execute(sql: "PRAGMA application_id = 0; PRAGMA user_version = 0")
        }
        try archive.close()
        let reopened = try Archive(path: path)
        defer { try? reopened.close() }
        #expect(try await reopened.count() == 5)
        #expect(
            try await reopened.read("id") { try Int32.fetchOne($0, sql: "PRAGMA application_id") }
                == ArchiveSchema.applicationID
        )
    }

    @Test("a read-only open changes neither the file's bytes nor its modification time, and refuses writes")
    func readOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("archive.sqlite3").path
        let archive = try Archive(path: path)
        _ = try await archive.insert(Fixtures.messages(50))
        // As a file from before the marks: a read-write open would mark it.
        try await archive.write("unmark") { db in
            try db.execute(sql: "PRAGMA application_id = 0; PRAGMA user_version = 0")
        }
        try archive.close()
        let before = try Self.snapshot(path)
        try await Task.sleep(for: .milliseconds(20))
        let reader = try Archive.openExisting(path: path)
        #expect(try await reader.stats().count == 50)
        #expect(await reader.query(StoreQueryRequest(requestID: "r", includeData: true)).messages.count == 20)
        #expect(try await reader.syncEntries(from: .min, to: .max).count == 50)
        await #expect(throws: ArchiveError.self) { try await reader.insert([Fixtures.message(60)]) }
        try reader.close()
        let after = try Self.snapshot(path)
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
    }
}
