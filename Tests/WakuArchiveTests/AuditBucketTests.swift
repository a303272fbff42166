import Foundation
import GRDB
import Testing
import WakuArchive
import WakuCore
import WakuTestSupport

@Suite("Archive audit buckets")
struct AuditBucketTests {
    /// Messages over three days, a few per minute in some hours, on three pubsub topics.
    static func spread(_ count: Int, seed: Int = 0) -> [ArchivedMessage] {
        (0..<count).map { index in
            let item = Fixtures.message(index + seed)
            // Every 7th message lands in a later hour, every 11th a later day.
            let hours: Int64 = Int64(index % 7) * 3_600_000_000_000
            let days: Int64 = index % 11 == 0 ? 86_400_000_000_000 : 0
            return Self.moved(item, to: Fixtures.base + Int64(index) * 13_000_000_000 + hours + days)
        }
    }

    /// `item` stamped `timestamp` (and hashed again).
    static func moved(_ item: ArchivedMessage, to timestamp: Int64, pubsubTopic: String? = nil) -> ArchivedMessage {
        var message = item.message
        message.timestamp = timestamp
        return ArchivedMessage(pubsubTopic: pubsubTopic ?? item.pubsubTopic, message: message, source: .relay)
    }

    /// What the buckets at `level` must be, computed here from the messages the simple way.
    static func expected(
        _ messages: [ArchivedMessage],
        _ level: AuditLevel,
        topics: [String] = []
    ) -> [AuditBucket] {
        var byStart: [Int64: [MessageHash]] = [:]
        for item in messages where topics.isEmpty || topics.contains(item.pubsubTopic) {
            byStart[level.bucketStart(of: item.message.timestamp), default: []].append(item.hash)
        }
        return byStart.keys.sorted().map {
            AuditBucket(level: level, start: $0, fingerprint: BucketFingerprint(of: byStart[$0] ?? []))
        }
    }

    static func expectBuckets(
        _ archive: any MessageArchive,
        match messages: [ArchivedMessage],
        topics: [String] = []
    ) async throws {
        for level in AuditLevel.allCases {
            let stored = try await archive.auditBuckets(level, from: 0, to: .max, pubsubTopics: topics)
            #expect(stored == Self.expected(messages, level, topics: topics), "\(level) buckets, topics \(topics)")
        }
        let check = try await archive.checkAuditBuckets(repair: false)
        #expect(check.isConsistent, "\(check.examples)")
        #expect(try await archive.auditBucketsLookSound())
    }

    @Test("buckets match the stored messages through inserts and duplicates", arguments: Backend.allCases)
    func insertsAndDuplicates(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Self.spread(600)
            _ = try await fixture.archive.insert(Array(messages.prefix(400)))
            try await Self.expectBuckets(fixture.archive, match: Array(messages.prefix(400)))
            // The second batch repeats 200 of the first: duplicates change nothing.
            let outcome = try await fixture.archive.insert(Array(messages[200...]))
            #expect(outcome.inserted == 200 && outcome.duplicates == 200)
            try await Self.expectBuckets(fixture.archive, match: messages)
            try await Self.expectBuckets(fixture.archive, match: messages, topics: [Fixtures.pubsubTopics[1]])
            try await Self.expectBuckets(
                fixture.archive,
                match: messages,
                topics: [Fixtures.pubsubTopics[0], Fixtures.pubsubTopics[2]]
            )
            #expect(try await fixture.archive.auditBuckets(.day, from: 0, to: .max, pubsubTopics: ["/none"]).isEmpty)
        }
    }

    @Test("a bucket range starting inside a bucket includes that bucket", arguments: Backend.allCases)
    func rangeRoundsDown(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Self.spread(120)
            _ = try await fixture.archive.insert(messages)
            let hours = Self.expected(messages, .hour)
            let second = try #require(hours.dropFirst().first)
            let stored = try await fixture.archive.auditBuckets(
                .hour,
                from: second.start + 1,
                to: second.end,
                pubsubTopics: []
            )
            #expect(stored == [second])
        }
    }

    @Test("time and capacity retention keep the buckets exact", arguments: Backend.allCases)
    func retention(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Self.spread(900)
            _ = try await fixture.archive.insert(messages)
            let sorted = messages.sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
            // Capacity retention past its threshold deletes the oldest messages.
            let capacity = try await fixture.archive.apply(
                .capacity(messages: 600),
                now: Fixtures.base,
                itemizingFrom: .max
            )
            #expect(capacity.deleted > 0)
            var kept = Array(sorted.dropFirst(capacity.deleted))
            try await Self.expectBuckets(fixture.archive, match: kept)
            // Time retention with a cutoff inside a minute, an hour and a day.
            let cutoffMessage = kept[kept.count / 3]
            let now = cutoffMessage.message.timestamp + 1_000_000_000 * 3_600
            let time = try await fixture.archive.apply(.time(seconds: 3_600), now: now, itemizingFrom: .max)
            #expect(time.deleted > 0)
            kept = kept.filter { $0.message.timestamp >= cutoffMessage.message.timestamp }
            #expect(try await fixture.archive.count() == kept.count)
            try await Self.expectBuckets(fixture.archive, match: kept)
        }
    }

    @Test("an XOR-cancelling set is seen by the bucket fingerprint", arguments: Backend.allCases)
    func xorCancellingSet(backend: Backend) async throws {
        // Two equal-sized sets of real messages in the same minute whose hashes XOR to the same
        // value: the XOR and the count agree, the sums do not.
        let candidates: [ArchivedMessage] = (0..<260).map { index in
            Self.moved(Fixtures.message(index), to: Fixtures.base + Int64(index), pubsubTopic: Fixtures.pubsubTopics[0])
        }
        let subset = XorCancellation.evenSubset(of: candidates.map { $0.hash })
        try #require(subset.count >= 2)
        let left = subset.prefix(subset.count / 2).map { candidates[$0] }
        let right = subset.suffix(subset.count / 2).map { candidates[$0] }
        try #require(left.reduce(MessageHash.zero) { $0 ^ $1.hash } == right.reduce(MessageHash.zero) { $0 ^ $1.hash })
        try await TestArchive.with(backend) { one in
            try await TestArchive.with(backend) { other in
                _ = try await one.archive.insert(left)
                _ = try await other.archive.insert(right)
                let a = try await one.archive.auditBuckets(.minute, from: 0, to: .max, pubsubTopics: [])
                let b = try await other.archive.auditBuckets(.minute, from: 0, to: .max, pubsubTopics: [])
                #expect(a.count == 1 && b.count == 1)
                #expect(a.first?.fingerprint.count == b.first?.fingerprint.count)
                #expect(a.first?.fingerprint.xor == b.first?.fingerprint.xor)
                #expect(a.first?.fingerprint != b.first?.fingerprint)
                #expect(a.first?.fingerprint.digest(byteCount: 16) != b.first?.fingerprint.digest(byteCount: 16))
            }
        }
    }

    @Test("audit items list a span's hashes in order, filtered by topic", arguments: Backend.allCases)
    func auditItems(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Self.spread(300)
            _ = try await fixture.archive.insert(messages)
            let topic = Fixtures.pubsubTopics[2]
            let hour = try #require(Self.expected(messages, .hour, topics: [topic]).last)
            let items = try await fixture.archive.auditItems(
                from: hour.start,
                to: hour.end,
                pubsubTopics: [topic],
                limit: 1_000
            )
            let wanted = messages.filter {
                $0.pubsubTopic == topic && $0.message.timestamp >= hour.start && $0.message.timestamp < hour.end
            }
            .map { AuditItem(timestamp: $0.message.timestamp, hash: $0.hash) }
            .sorted { ($0.timestamp, $0.hash) < ($1.timestamp, $1.hash) }
            #expect(!wanted.isEmpty)
            #expect(items == wanted)
            let limited = try await fixture.archive.auditItems(from: 0, to: .max, pubsubTopics: [], limit: 5)
            #expect(limited.count == 5)
        }
    }
}

@Suite("Archive audit buckets in SQLite")
struct SQLiteAuditBucketTests {
    @Test("a damaged bucket is found by the check and put right by the repair")
    func damagedBucket() async throws {
        try await TestArchive.with(.sqlite) { fixture in
            let messages = AuditBucketTests.spread(200)
            _ = try await fixture.archive.insert(messages)
            try await fixture.archive.close()
            try Self.execute(
                "UPDATE audit_bucket SET count = count + 1, fingerprint = zeroblob(72) WHERE level = 0 AND start = "
                    + "(SELECT MIN(start) FROM audit_bucket WHERE level = 0)",
                at: fixture.path
            )
            let archive = try Archive(path: fixture.path)
            defer { try? archive.close() }
            #expect(try await archive.auditBucketsLookSound())
            let check = try await archive.checkAuditBuckets(repair: false)
            #expect(check.mismatches == 1 && check.examples.first?.level == .minute)
            let repair = try await archive.checkAuditBuckets(repair: true)
            #expect(repair.rebuilt && repair.mismatches == 1)
            try await AuditBucketTests.expectBuckets(archive, match: messages)
        }
    }

    @Test("an archive written before the buckets existed gets them filled when it is opened")
    func migrationFillsBuckets() async throws {
        try await TestArchive.with(.sqlite) { fixture in
            let messages = AuditBucketTests.spread(150)
            _ = try await fixture.archive.insert(messages)
            try await fixture.archive.close()
            // Back to the first schema: no bucket table, one migration recorded.
            try Self.execute(
                """
                DROP TABLE audit_bucket;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2%';
                PRAGMA user_version = 1;
                """,
                at: fixture.path
            )
            let archive = try Archive(path: fixture.path)
            defer { try? archive.close() }
            try await AuditBucketTests.expectBuckets(archive, match: messages)
        }
    }

    @Test("lost buckets are noticed by the cheap start-up test")
    func lostBuckets() async throws {
        try await TestArchive.with(.sqlite) { fixture in
            _ = try await fixture.archive.insert(AuditBucketTests.spread(50))
            try await fixture.archive.close()
            try Self.execute("DELETE FROM audit_bucket WHERE level = 2", at: fixture.path)
            let archive = try Archive(path: fixture.path)
            defer { try? archive.close() }
            #expect(try await !archive.auditBucketsLookSound())
            #expect(try await archive.checkAuditBuckets(repair: true).rebuilt)
            #expect(try await archive.auditBucketsLookSound())
        }
    }

    private static func execute(_ sql: String, at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
        try queue.close()
    }
}
