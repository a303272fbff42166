import Foundation
import GRDB
import Testing
@testable import WakuArchive
import WakuTestSupport

@Suite("Archive page caches")
struct ArchiveCacheTests {
    // SQLite fills each connection's cache up to its limit, so the readers' limits bound how much
    // of the archive a long-running node keeps in memory.
    @Test("the writer gets the configured cache and each reader an eighth of it")
    func cacheSizes() async throws {
        let directory = try TemporaryDirectory(prefix: "wakusync-archive-cache")
        defer { directory.remove() }
        let archive = try Archive(path: directory.file("archive.sqlite3").path, cacheMiB: 16)
        defer { try? archive.close() }
        let writer = try await archive.write("cache size") { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        let reader = try await archive.read("cache size") { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        #expect(writer == -16 * 1024)
        #expect(reader == -2 * 1024)
        let defaults = try Archive(path: directory.file("default.sqlite3").path)
        defer { try? defaults.close() }
        let defaultWriter = try await defaults.write("cache size") { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        #expect(defaultWriter == -Archive.defaultCacheMiB * 1024)
    }
}
