import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

/// The PostgreSQL archive shared with other nodes: concurrent writers, partitions, retention.
@Suite("PostgreSQL archive: sharing, partitions and retention")
struct PostgresPartitionTests {
    @Test("two archives on one database serve the union, and concurrent inserts of the same messages do not conflict")
    func twoNodes() async throws {
        try await PostgresArchiveTests.withDatabase { database in
            let first = try await PostgresArchive.open(database.location)
            let second = try await PostgresArchive.open(database.location)
            let messages = Fixtures.messages(2_000)
            let outcomes = try await withThrowingTaskGroup(of: InsertOutcome.self) { group in
                for (archive, offset) in [(first, 0), (second, 500)] {
                    group.addTask {
                        var total = InsertOutcome()
                        for batch in stride(from: offset, to: offset + 1_500, by: 100) {
                            // Overlapping batches in opposite orders.
                            let slice = Array(messages[batch..<batch + 100])
                            total += try await archive.insert(offset == 0 ? slice : slice.reversed())
                        }
                        return total
                    }
                }
                return try await group.reduce(into: InsertOutcome()) { $0 += $1 }
            }
            #expect(outcomes.inserted == 2_000)
            #expect(outcomes.duplicates == 1_000)
            for archive in [first, second] {
                #expect(try await archive.count() == 2_000)
                let pages = await archive.allPages(
                    StoreQueryRequest(requestID: "u", paginationForward: true, paginationLimit: 100)
                )
                let expected = ReferenceStore(messages: messages).matches(StoreQueryRequest(requestID: "a")).map(\.hash)
                let returned = pages.flatMap(\.messages).map(\.messageHash)
                #expect(returned == expected)
            }
            try await first.close()
            try await second.close()
        }
    }

    @Test("old messages get hour partitions of their own, clipped to an off-hour first partition like nwaku's")
    func oldMessages() async throws {
        try await PostgresArchiveTests.withDatabase { database in
            // nwaku's first partition starts when it first ran: 12:17:23 here, up to 13:00.
            let start: Int64 = 1_700_050_643
            let end: Int64 = 1_700_053_200
            var script = PostgresArchiveTests.nwakuSchema
            let name = "messages_\(start)_\(end)"
            script += """
                CREATE TABLE \(name) (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE messages ATTACH PARTITION \(name) FOR VALUES FROM (\(start)000000000) TO (\(end)000000000);
                """
            try await PostgresTestDatabase.run(script, on: database.location)
            let archive = try await PostgresArchive.open(database.location)
            let second: Int64 = 1_000_000_000
            let times = [
                start * second - 1,  // earlier in the same hour as nwaku's first partition
                start * second,  // inside it
                (start - 3 * 86_400) * second + 5,  // three days back
                (start - 3 * 86_400) * second + 600 * second,  // the same old hour
                end * second + 5,  // the next hour
            ]
            let messages = times.enumerated().map { index, time in
                ArchivedMessage(
                    pubsubTopic: "/waku/2/rs/1/0",
                    message: WakuMessage(payload: [UInt8(index)], contentTopic: "/a/1/b/proto", timestamp: time),
                    source: .sync
                )
            }
            #expect(try await archive.insert(messages) == InsertOutcome(inserted: 5))
            #expect(try await archive.messages(withHashes: messages.map(\.hash)).count == 5)
            let partitions = try await PostgresArchiveTests.sql(
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'messages'::regclass ORDER BY c.relname
                """,
                database
            )
            let oldHour = (start - 3 * 86_400) / 3_600 * 3_600
            let hourStart = start / 3_600 * 3_600
            #expect(
                partitions == [
                    ["messages_\(oldHour)_\(oldHour + 3_600)"], ["messages_\(hourStart)_\(start)"], [name],
                    ["messages_\(end)_\(end + 3_600)"],
                ]
            )
            try await archive.close()
        }
    }

    @Test("time retention drops whole partitions, deletes the rest before the cutoff and reports every deletion")
    func retentionDropsPartitions() async throws {
        try await PostgresArchiveTests.withDatabase { database in
            let archive = try await PostgresArchive.open(database.location)
            let hour: Int64 = 3_600_000_000_000
            let base: Int64 = 1_700_000_000_000_000_000 / hour * hour
            // Ten messages in each of four hours.
            let messages = (0..<40).map { (index: Int) -> ArchivedMessage in
                let offset: Int64 = Int64(index / 10) * hour + Int64(index % 10) * 360_000_000_000
                let message = WakuMessage(
                    payload: [UInt8(index)],
                    contentTopic: "/a/1/b/proto",
                    timestamp: base + offset
                )
                return ArchivedMessage(pubsubTopic: Fixtures.pubsubTopics[index % 3], message: message, source: .relay)
            }
            _ = try await archive.insert(messages)
            // Keep one hour and a half: the cutoff is in the third hour, at its sixth message.
            let now = base + 4 * hour
            let cutoff = now - 5_400_000_000_000
            let outcome = try await archive.apply(.time(seconds: 5_400), now: now, itemizingFrom: base + hour)
            #expect(outcome.deleted == 25)
            let expected = messages.filter { $0.message.timestamp >= base + hour && $0.message.timestamp < cutoff }
                .sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
                .map { ArchiveDeletion(timestamp: $0.message.timestamp, hash: $0.hash, pubsubTopic: $0.pubsubTopic) }
            #expect(outcome.itemized == expected)
            let partitions = try await PostgresArchiveTests.sql(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'messages'::regclass",
                database
            )
            #expect(partitions == [["2"]])
            #expect(try await archive.count() == 15)
            #expect(
                try await PostgresArchiveTests.sql(
                    "SELECT count(*) FROM messages_lookup WHERE timestamp < \(cutoff)",
                    database
                ) == [
                    ["0"]
                ]
            )
            try await archive.close()
        }
    }

    @Test("a Unix-socket URL reaches the same server; a wrong database fails with the server's reason")
    func socketAndErrors() async throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["WAKUSYNC_TEST_POSTGRES_SOCKET_URL"],
            "scripts/test.sh exports WAKUSYNC_TEST_POSTGRES_SOCKET_URL"
        )
        guard case .postgres(let server) = try ArchiveLocation(url: url) else {
            Issue.record("not a postgres URL")
            return
        }
        try await PostgresArchiveTests.withDatabase { database in
            var location = server
            location.database = database.location.database
            let archive = try await PostgresArchive.open(location)
            #expect(try await archive.insert([PostgresArchiveTests.vector]) == InsertOutcome(inserted: 1))
            try await archive.close()
            var missing = database.location
            missing.database = "no_such_database"
            await #expect {
                try await PostgresArchive.open(missing)
            } throws: { error in
                "\(error)".contains("no_such_database") && (error as? ArchiveError)?.code == .database
            }
        }
    }
}
