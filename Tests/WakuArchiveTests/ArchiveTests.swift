import Foundation
import Testing
import WakuArchive
import WakuCore
import WakuTestSupport

@Suite("Archive storage")
struct ArchiveTests {
    @Test(
        "a batch reports inserted, duplicate and ephemeral messages, and duplicates stay untouched",
        arguments: Backend.allCases
    )
    func insertOutcome(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let archive = fixture.archive
            let first = try await archive.insert(Fixtures.messages(10))
            #expect(first == InsertOutcome(inserted: 10))
            var ephemeral = Fixtures.message(10).message
            ephemeral.ephemeral = true
            let second = try await archive.insert(
                Fixtures.messages(12)
                    + [
                        Fixtures.message(11),
                        ArchivedMessage(pubsubTopic: "/waku/2/rs/1/0", message: ephemeral, source: .relay),
                    ]
            )
            // 10 already stored, 2 new, message 11 repeated within the batch, one ephemeral.
            #expect(second == InsertOutcome(inserted: 2, duplicates: 11, ephemeralSkipped: 1))
            #expect(try await archive.insert([]) == InsertOutcome())
            #expect(
                try await archive.insert([ArchivedMessage(pubsubTopic: "/t", message: ephemeral, source: .sync)])
                    == InsertOutcome(ephemeralSkipped: 1)
            )
            #expect(try await archive.stats().count == 12)
            #expect(try await archive.count() == 12)
        }
    }

    @Test("lookups return stored messages in (timestamp, hash) order", arguments: Backend.allCases)
    func lookups(backend: Backend) async throws {
        try await TestArchive.with(backend, now: 1_234_567) { fixture in
            let messages = (0..<30).map { Fixtures.message($0, source: MessageSource.allCases[$0 % 4]) }
            _ = try await fixture.archive.insert(messages)
            let unknown = try MessageHash(bytes: [UInt8](repeating: 7, count: 32))
            let wanted = [messages[29].hash, unknown, messages[3].hash, messages[4].hash, messages[3].hash]
            let found = try await fixture.archive.messages(withHashes: wanted)
            let expected = [messages[3], messages[4], messages[29]]
                .sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
                .map { fixture.stored($0) }
            #expect(found == expected)
            #expect(try await fixture.archive.messages(withHashes: []) == [])
            #expect(try await fixture.archive.messages(withHashes: [unknown]) == [])
        }
    }

    @Test("the sync fill returns [from, to) in (timestamp, hash) order with both topics", arguments: Backend.allCases)
    func syncEntries(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Fixtures.messages(300)
            _ = try await fixture.archive.insert(messages.shuffled())
            let from = Fixtures.base + 10_000
            let to = Fixtures.base + 60_000
            let entries = try await fixture.archive.syncEntries(from: from, to: to)
            let expected =
                messages
                .filter { $0.message.timestamp >= from && $0.message.timestamp < to }
                .sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
                .map {
                    SyncEntry(
                        timestamp: $0.message.timestamp,
                        hash: $0.hash,
                        pubsubTopic: $0.pubsubTopic,
                        contentTopic: $0.message.contentTopic
                    )
                }
            #expect(entries.count == 150)
            #expect(entries == expected)
            #expect(try await fixture.archive.syncEntries(from: to, to: from).isEmpty)
        }
    }

    @Test("everything survives closing and reopening, topics included", arguments: Backend.allCases)
    func reopen(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Fixtures.messages(50)
            _ = try await fixture.archive.insert(messages)
            try await fixture.archive.recordOnline(at: 99)
            try await fixture.archive.close()
            let reopened = try await fixture.reopen()
            #expect(try await reopened.messages(withHashes: messages.map(\.hash)).count == 50)
            #expect(try await reopened.lastOnline() == 99)
            // New topics after reopening do not collide with the stored ones.
            let extra = ArchivedMessage(
                pubsubTopic: "/waku/2/rs/5/5",
                message: WakuMessage(payload: [1], contentTopic: "/new/1/x/proto", timestamp: Fixtures.base),
                source: .import
            )
            #expect(try await reopened.insert(messages + [extra]) == InsertOutcome(inserted: 1, duplicates: 50))
            let stats = try await reopened.stats()
            #expect(stats.pubsubTopics["/waku/2/rs/5/5"] == 1)
            #expect(stats.contentTopics["/new/1/x/proto"] == 1)
            #expect(stats.pubsubTopics[Fixtures.pubsubTopics[0]] == 17)
            if let sqlite = reopened as? Archive { #expect(try await sqlite.integrityCheck() == ["ok"]) }
            try await reopened.close()
        }
    }

    @Test("the last-online record is one value, replaced in place", arguments: Backend.allCases)
    func lastOnline(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            #expect(try await fixture.archive.lastOnline() == nil)
            try await fixture.archive.recordOnline(at: 1_000)
            try await fixture.archive.recordOnline(at: 2_000)
            #expect(try await fixture.archive.lastOnline() == 2_000)
            // A clock that went back is recorded as it is: the record says when we last ran.
            try await fixture.archive.recordOnline(at: 1_500)
            #expect(try await fixture.archive.lastOnline() == 1_500)
        }
    }

    @Test("statistics count messages, payload bytes, the time span and topics", arguments: Backend.allCases)
    func stats(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let empty = try await fixture.archive.stats()
            #expect(empty.count == 0 && empty.oldestTimestamp == nil && empty.newestTimestamp == nil)
            let messages = Fixtures.messages(40)
            _ = try await fixture.archive.insert(messages)
            let stats = try await fixture.archive.stats()
            #expect(stats.count == 40)
            #expect(stats.payloadBytes == Int64(messages.reduce(0) { $0 + $1.message.payload.count }))
            #expect(stats.databaseBytes > 0)
            #expect(stats.oldestTimestamp == Fixtures.base)
            #expect(stats.newestTimestamp == Fixtures.base + 13_000)
            #expect(
                stats.pubsubTopics == [
                    Fixtures.pubsubTopics[0]: 14, Fixtures.pubsubTopics[1]: 13, Fixtures.pubsubTopics[2]: 13,
                ]
            )
            #expect(stats.contentTopics.values.reduce(0, +) == 40)
            #expect(stats.contentTopics[Fixtures.contentTopics[0]] == 10)
        }
    }

    @Test("a closed archive reports a database error instead of crashing", arguments: Backend.allCases)
    func closed(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            try await fixture.archive.close()
            await #expect(throws: ArchiveError.self) { try await fixture.archive.insert(Fixtures.messages(1)) }
            let response = await fixture.archive.query(StoreQueryRequest(requestID: "c"))
            #expect(response.statusCode == .badResponse)
            #expect(response.requestID == "c")
            #expect(response.statusDesc.hasPrefix("BAD_RESPONSE: archive error: DRIVER_ERROR: "))
            #expect(!response.statusDesc.contains("SELECT"))
        }
    }

    @Test("opening a path that cannot hold a database fails with a database error")
    func unopenable() async throws {
        try await TestArchive.with(.sqlite) { fixture in
            #expect(throws: ArchiveError.self) { try Archive(path: fixture.directory.path) }
            #expect { try Archive.openExisting(path: fixture.directory.file("missing.sqlite3").path) } throws: {
                error in
                (error as? ArchiveError)?.code == .notFound
            }
        }
    }
}
