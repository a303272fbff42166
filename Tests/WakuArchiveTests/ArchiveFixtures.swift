import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

/// The archive backends every shared test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }
}

/// A fresh archive: a SQLite file in a temporary directory, or a PostgreSQL database of its own
/// on the test server (``PostgresTestDatabase``). ``remove()`` closes it and deletes it.
struct TestArchive: Sendable {
    let backend: Backend
    let directory: TemporaryDirectory
    let database: PostgresTestDatabase?
    let archive: any MessageArchive
    /// The SQLite archive's stored-at clock.
    let now: Int64

    /// Opens a new, empty archive.
    static func open(
        _ backend: Backend,
        now: Int64 = Fixtures.base,
        limits: StoreLimits = .standard
    ) async throws -> TestArchive {
        let directory = try TemporaryDirectory(prefix: "wakusync-archive-test")
        switch backend {
        case .sqlite:
            let archive = try Archive(
                path: directory.file("archive.sqlite3").path,
                wallClock: { now },
                limits: limits
            )
            return TestArchive(backend: backend, directory: directory, database: nil, archive: archive, now: now)
        case .postgres:
            let database = try await PostgresTestDatabase.create()
            do {
                let archive = try await PostgresArchive.open(database.location, limits: limits)
                return TestArchive(
                    backend: backend,
                    directory: directory,
                    database: database,
                    archive: archive,
                    now: now
                )
            } catch {
                await database.drop()
                throw error
            }
        }
    }

    var path: String { self.directory.file("archive.sqlite3").path }

    /// The SQLite archive, for the tests of SQLite's own features.
    var sqlite: Archive? { self.archive as? Archive }

    /// A second archive object on the same storage.
    func reopen(limits: StoreLimits = .standard) async throws -> any MessageArchive {
        if let database { return try await PostgresArchive.open(database.location, limits: limits) }
        return try Archive(path: self.path, limits: limits)
    }

    /// What a lookup returns for `archived`: SQLite keeps the source and stored-at time; nwaku's
    /// PostgreSQL schema keeps neither (source `relay`, stored at the message timestamp).
    func stored(_ archived: ArchivedMessage) -> StoredMessage {
        guard self.backend == .postgres else { return StoredMessage(archived: archived, storedAt: self.now) }
        var relay = archived
        relay.source = .relay
        return StoredMessage(archived: relay, storedAt: archived.message.timestamp)
    }

    func remove() async {
        try? await self.archive.close()
        await self.database?.drop()
        self.directory.remove()
    }

    /// Runs `body` on a fresh archive and removes it afterwards, also when `body` throws.
    static func with<T: Sendable>(
        _ backend: Backend,
        now: Int64 = Fixtures.base,
        limits: StoreLimits = .standard,
        _ body: (TestArchive) async throws -> T
    ) async throws -> T {
        let fixture = try await TestArchive.open(backend, now: now, limits: limits)
        do {
            let result = try await body(fixture)
            await fixture.remove()
            return result
        } catch {
            await fixture.remove()
            throw error
        }
    }
}

/// Deterministic test messages.
enum Fixtures {
    static let base: Int64 = 1_700_000_000_000_000_000
    static let pubsubTopics = ["/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/2"]
    static let contentTopics = ["/app/1/a/proto", "/app/1/b/proto", "/app/1/c/proto", "/app/1/d/proto"]

    /// Message number `index`: topics cycle, timestamps advance every third message (so ties
    /// are common and the hash decides their order), payload and meta vary in length.
    static func message(_ index: Int, source: MessageSource = .relay) -> ArchivedMessage {
        let message = WakuMessage(
            payload: (0..<(index % 7) * 9).map { UInt8(truncatingIfNeeded: index &+ $0) },
            contentTopic: Self.contentTopics[index % Self.contentTopics.count],
            version: UInt32(index % 3),
            timestamp: Self.base + Int64(index / 3) * 1_000,
            meta: index % 5 == 0 ? [] : [UInt8](repeating: UInt8(index % 251), count: index % 64)
        )
        return ArchivedMessage(
            pubsubTopic: Self.pubsubTopics[index % Self.pubsubTopics.count],
            message: message,
            source: source
        )
    }

    /// Messages `0..<count`.
    static func messages(_ count: Int) -> [ArchivedMessage] {
        (0..<count).map { Self.message($0) }
    }
}

/// nwaku's Store v3 matching and ordering written out naively (PROTOCOLS.md §3.4), the
/// reference the archive's answers are compared with.
struct ReferenceStore {
    let messages: [ArchivedMessage]

    /// Every stored message the request's filters match, in ascending (timestamp, hash) order.
    func matches(_ request: StoreQueryRequest) -> [ArchivedMessage] {
        self.messages.filter { item in
            if let topic = request.pubsubTopic, item.pubsubTopic != topic { return false }
            if !request.contentTopics.isEmpty && !request.contentTopics.contains(item.message.contentTopic) {
                return false
            }
            if let start = request.timeStart, item.message.timestamp < start { return false }
            if let end = request.timeEnd, item.message.timestamp > end { return false }
            if !request.messageHashes.isEmpty && !request.messageHashes.contains(item.hash) { return false }
            return true
        }
        .sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
    }
}

extension ArchivedMessage {
    /// The entry a Store response carries for this message: with data, the message as the
    /// archive rebuilds it (ephemeral and RLN proof are not stored).
    func keyValue(includeData: Bool) -> WakuMessageKeyValue {
        guard includeData else { return WakuMessageKeyValue(messageHash: self.hash) }
        var stored = self.message
        stored.ephemeral = false
        stored.rateLimitProof = []
        return WakuMessageKeyValue(messageHash: self.hash, message: stored, pubsubTopic: self.pubsubTopic)
    }
}

extension MessageArchive {
    /// Every page of `request`, following cursors until none is returned.
    func allPages(_ request: StoreQueryRequest, maxPages: Int = 10_000) async -> [StoreQueryResponse] {
        var pages: [StoreQueryResponse] = []
        var next = request
        while pages.count < maxPages {
            let page = await self.query(next)
            pages.append(page)
            guard page.statusCode.isSuccess, let cursor = page.paginationCursor else { break }
            next.paginationCursor = cursor
        }
        return pages
    }
}
