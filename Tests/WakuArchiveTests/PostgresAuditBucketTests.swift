import Foundation
import Testing
import WakuArchive
import WakuArchivePostgres
import WakuCore
import WakuTestSupport

/// What only the PostgreSQL buckets have: our table beside nwaku's schema, filled when it is
/// missing, and kept through partition drops.
@Suite("Archive audit buckets in PostgreSQL")
struct PostgresAuditBucketTests {
    @Test("a damaged bucket is found by the check and put right by the repair")
    func damagedBucket() async throws {
        try await TestArchive.with(.postgres) { fixture in
            let database = try #require(fixture.database)
            let messages = AuditBucketTests.spread(200)
            _ = try await fixture.archive.insert(messages)
            try await fixture.archive.close()
            try await PostgresTestDatabase.run(
                """
                UPDATE wakusync_audit_bucket SET count = count + 1, fingerprint = decode(repeat('00', 72), 'hex')
                WHERE level = 0 AND start = (SELECT MIN(start) FROM wakusync_audit_bucket WHERE level = 0)
                  AND pubsubtopic = (SELECT MIN(pubsubtopic) FROM wakusync_audit_bucket WHERE level = 0
                    AND start = (SELECT MIN(start) FROM wakusync_audit_bucket WHERE level = 0));
                """,
                on: database.location
            )
            let archive = try await PostgresArchive.open(database.location)
            #expect(try await archive.auditBucketsLookSound())
            let check = try await archive.checkAuditBuckets(repair: false)
            #expect(check.mismatches == 1 && check.examples.first?.level == .minute)
            let repair = try await archive.checkAuditBuckets(repair: true)
            #expect(repair.rebuilt && repair.mismatches == 1)
            try await AuditBucketTests.expectBuckets(archive, match: messages)
            try await archive.close()
        }
    }

    @Test("a database holding messages but no bucket table gets the table filled when it is opened")
    func missingTableIsFilled() async throws {
        try await TestArchive.with(.postgres) { fixture in
            let database = try #require(fixture.database)
            let messages = AuditBucketTests.spread(150)
            _ = try await fixture.archive.insert(messages)
            try await fixture.archive.close()
            // As an nwaku node or a wakusync from before the buckets leaves the database.
            try await PostgresTestDatabase.run("DROP TABLE wakusync_audit_bucket;", on: database.location)
            let readOnly = try await PostgresArchive.open(database.location, readOnly: true)
            #expect(try await !readOnly.auditBucketsLookSound())
            try await readOnly.close()
            let archive = try await PostgresArchive.open(database.location)
            try await AuditBucketTests.expectBuckets(archive, match: messages)
            try await archive.close()
        }
    }

    @Test("lost buckets are noticed by the cheap start-up test")
    func lostBuckets() async throws {
        try await TestArchive.with(.postgres) { fixture in
            let database = try #require(fixture.database)
            let messages = AuditBucketTests.spread(50)
            _ = try await fixture.archive.insert(messages)
            try await PostgresTestDatabase.run(
                "DELETE FROM wakusync_audit_bucket WHERE level = 2;",
                on: database.location
            )
            #expect(try await !fixture.archive.auditBucketsLookSound())
            #expect(try await fixture.archive.checkAuditBuckets(repair: true).rebuilt)
            #expect(try await fixture.archive.auditBucketsLookSound())
            try await AuditBucketTests.expectBuckets(fixture.archive, match: messages)
        }
    }

    @Test("partition drops by time and by size keep the buckets exact, a minute split by a bound included")
    func partitionDrops() async throws {
        try await PostgresArchiveTests.withDatabase { database in
            let second: Int64 = 1_000_000_000
            let hour = 3_600 * second
            let base: Int64 = 1_700_000_000_000_000_000 / hour * hour
            // nwaku's first partition starts when it first ran, 17:23 into the hour, so our
            // partition for earlier messages ends there, inside a minute.
            let odd = base + 1_043 * second
            let name = "messages_\(odd / second)_\((base + hour) / second)"
            try await PostgresTestDatabase.run(
                PostgresArchiveTests.nwakuSchema + """
                    CREATE TABLE \(name) (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                    ALTER TABLE messages ATTACH PARTITION \(name) FOR VALUES FROM (\(odd)) TO (\(base + hour));
                    """,
                on: database.location
            )
            let archive = try await PostgresArchive.open(database.location)
            let offsets: [Int64] = [1_030, 1_040, 1_050, 1_070, 1_800, 3_900, 4_000, 7_500, 7_600, 11_000, 11_100]
            let messages = offsets.enumerated().map { index, offset in
                ArchivedMessage(
                    pubsubTopic: Fixtures.pubsubTopics[index % 3],
                    message: WakuMessage(
                        payload: [UInt8(index)],
                        contentTopic: "/a/1/b/proto",
                        timestamp: base + offset * second
                    ),
                    source: .relay
                )
            }
            #expect(try await archive.insert(messages).inserted == messages.count)
            try await AuditBucketTests.expectBuckets(archive, match: messages)
            // Time retention whose cutoff is the odd bound: our first partition goes whole, and
            // the minute 17 keeps the two messages after the bound.
            let time = try await archive.apply(.time(seconds: 3_600), now: odd + hour, itemizingFrom: .max)
            #expect(time.deleted == 2)
            var kept = messages.filter { $0.message.timestamp >= odd }
            #expect(try await archive.count() == kept.count)
            try await AuditBucketTests.expectBuckets(archive, match: kept)
            // Size retention drops the oldest partitions but never the one holding now, so the
            // partition after now goes too: a range in the middle, not a prefix.
            let now = base + hour + 3_000 * second
            let size = try await archive.apply(.size(bytes: 1), now: now, itemizingFrom: .max)
            #expect(size.deleted > 0)
            kept = try await archive.messages(withHashes: messages.map(\.hash)).map(\.archived)
            #expect(kept.count == messages.count - time.deleted - size.deleted)
            #expect(!kept.contains { $0.message.timestamp >= base + 2 * hour })
            try await AuditBucketTests.expectBuckets(archive, match: kept)
            try await archive.close()
        }
    }
}
