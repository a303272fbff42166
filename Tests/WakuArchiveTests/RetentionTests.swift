import Testing
import WakuArchive
import WakuCore

@Suite("Retention policies")
struct RetentionTests {
    @Test(
        "nwaku's policy syntax parses, case-insensitively",
        arguments: [
            ("time:172800", RetentionPolicy.time(seconds: 172_800)),
            ("TIME:0", RetentionPolicy.time(seconds: 0)),
            ("capacity:25000", RetentionPolicy.capacity(messages: 25_000)),
            ("size:30GB", RetentionPolicy.size(bytes: 32_212_254_720)),
            ("size:1.5gb", RetentionPolicy.size(bytes: 1_610_612_736)),
            ("size:20mb", RetentionPolicy.size(bytes: 20_971_520)),
            ("size:64KB", RetentionPolicy.size(bytes: 65_536)),
            ("size:.5MB", RetentionPolicy.size(bytes: 524_288)),
            ("none", RetentionPolicy.unlimited),
            ("", RetentionPolicy.unlimited),
        ] as [(String, RetentionPolicy)]
    )
    func parses(text: String, expected: RetentionPolicy) throws {
        #expect(try RetentionPolicy(parsing: text) == expected)
    }

    @Test(
        "malformed policies are rejected with the reason and the expected syntax",
        arguments: [
            ("time", "expected KIND:VALUE"),
            ("time:", "whole number of seconds"),
            ("time:1.5", "whole number of seconds"),
            ("time:-5", "whole number of seconds"),
            ("time:99999999999999", "whole number of seconds"),
            ("capacity:many", "whole number of messages"),
            ("size:100", "needs a unit"),
            ("size:30tb", "needs a unit"),
            ("size:gb", "a number followed by"),
            ("size:1.2.3mb", "a number followed by"),
            ("size:0mb", "at least one byte"),
            ("age:10", "unknown kind 'age'"),
        ] as [(String, String)]
    )
    func rejects(text: String, reason: String) {
        #expect {
            try RetentionPolicy(parsing: text)
        } throws: { error in
            guard let error = error as? ArchiveError else { return false }
            return error.code == .invalidRetentionPolicy && error.detail.contains(reason)
                && error.detail.contains("time:SECONDS, capacity:COUNT, size:N(KB|MB|GB) or none")
        }
    }

    /// Runs `body` on an archive holding messages `0..<count` (Fixtures: three per microsecond).
    private static func withFilled(
        _ backend: Backend,
        _ count: Int,
        _ body: (any MessageArchive, [ArchivedMessage]) async throws -> Void
    ) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Fixtures.messages(count)
            _ = try await fixture.archive.insert(messages)
            try await body(fixture.archive, messages)
        }
    }

    /// The messages in deletion order: oldest first by (timestamp, hash).
    private static func oldestFirst(_ messages: [ArchivedMessage]) -> [ArchivedMessage] {
        messages.sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
    }

    /// A run that deleted `messages`, all of them itemized.
    private static func deletions(_ messages: some Collection<ArchivedMessage>) -> RetentionOutcome {
        RetentionOutcome(
            deleted: messages.count,
            itemized: messages.map {
                ArchiveDeletion(timestamp: $0.message.timestamp, hash: $0.hash, pubsubTopic: $0.pubsubTopic)
            }
        )
    }

    /// The start of the hour before ``Fixtures/base``: PostgreSQL's partition for the messages
    /// starts here, and nwaku's time retention looks at partition starts too.
    private static let hour = Fixtures.base / 3_600_000_000_000 * 3_600_000_000_000

    /// 30 messages 100 ms apart: hour ... hour + 2.9 s.
    private static let spaced = (0..<30).map { index in
        var message = Fixtures.message(index).message
        message.timestamp = Self.hour + Int64(index) * 100_000_000
        return ArchivedMessage(pubsubTopic: Fixtures.pubsubTopics[index % 3], message: message, source: .relay)
    }

    @Test(
        "time: nothing goes until the oldest message is 10 % past the limit, then everything past it",
        arguments: Backend.allCases
    )
    func time(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let archive = fixture.archive
            let step: Int64 = 100_000_000
            let messages = Self.spaced
            _ = try await archive.insert(messages)
            // The oldest is 1.05 s old: past the limit, but not by 10 %.
            var outcome = try await archive.apply(
                .time(seconds: 1),
                now: Self.hour + 10 * step + step / 2,
                itemizingFrom: .min
            )
            #expect(outcome == RetentionOutcome())
            // Now the cutoff is base + 1 s: the ten messages before it go, the one at it stays.
            let now = Self.hour + 20 * step
            outcome = try await archive.apply(.time(seconds: 1), now: now, itemizingFrom: .min)
            #expect(outcome == Self.deletions(messages.prefix(10)))
            #expect(try await archive.stats().oldestTimestamp == Self.hour + 10 * step)
            #expect(try await archive.stats().count == 20)
            #expect(try await archive.messages(withHashes: messages.prefix(10).map(\.hash)).isEmpty)
            // Running again deletes nothing more.
            #expect(try await archive.apply(.time(seconds: 1), now: now, itemizingFrom: .min) == RetentionOutcome())
        }
    }

    @Test(
        "every deletion is counted, and only those from itemizingFrom on are listed",
        arguments: Backend.allCases
    )
    func itemizing(backend: Backend) async throws {
        try await TestArchive.with(backend) { fixture in
            let messages = Self.spaced
            _ = try await fixture.archive.insert(messages)
            let from = Self.hour + 7 * 100_000_000
            let outcome = try await fixture.archive.apply(
                .time(seconds: 1),
                now: Self.hour + 20 * 100_000_000,
                itemizingFrom: from
            )
            #expect(outcome.deleted == 10)
            #expect(outcome.itemized == Self.deletions(messages[7..<10]).itemized)
        }
    }

    @Test(
        "capacity: nothing goes below 130 % of the capacity, then the oldest down to 115 %",
        arguments: Backend.allCases
    )
    func capacity(backend: Backend) async throws {
        try await Self.withFilled(backend, 129) { archive, messages in
            #expect(
                try await archive.apply(.capacity(messages: 100), now: 0, itemizingFrom: .min) == RetentionOutcome()
            )
            let extra = Fixtures.message(129)
            _ = try await archive.insert([extra])
            let outcome = try await archive.apply(.capacity(messages: 100), now: 0, itemizingFrom: .min)
            // 130 stored, 115 kept (nwaku: capacity + int(100 * 0.3) / 2).
            #expect(outcome == Self.deletions(Self.oldestFirst(messages + [extra]).prefix(15)))
            #expect(try await archive.stats().count == 115)
        }
    }

    @Test(
        "size: nothing goes below the limit; above it, SQLite drops the oldest 20 % per run, PostgreSQL whole partitions",
        arguments: Backend.allCases
    )
    func size(backend: Backend) async throws {
        try await Self.withFilled(backend, 250) { archive, messages in
            #expect(try await archive.apply(.size(bytes: 1 << 40), now: 0, itemizingFrom: .min) == RetentionOutcome())
            let used = try await archive.stats().databaseBytes
            let first = try await archive.apply(.size(bytes: used), now: 0, itemizingFrom: .min)
            switch backend {
            case .sqlite:
                #expect(first == Self.deletions(Self.oldestFirst(messages).prefix(50)))
                // 200 left, still above a 1 KiB limit: another 20 %.
                let second = try await archive.apply(.size(bytes: 1024), now: 0, itemizingFrom: .min)
                #expect(second == Self.deletions(Self.oldestFirst(messages).dropFirst(50).prefix(40)))
                #expect(try await archive.stats().count == 160)
            case .postgres:
                // All 250 share one hour's partition, which does not hold "now" (0): it goes.
                #expect(first == Self.deletions(Self.oldestFirst(messages)))
                #expect(try await archive.stats().count == 0)
            }
        }
    }

    @Test("an unlimited policy deletes nothing", arguments: Backend.allCases)
    func unlimited(backend: Backend) async throws {
        try await Self.withFilled(backend, 20) { archive, _ async throws in
            #expect(try await archive.apply(.unlimited, now: .max, itemizingFrom: .min) == RetentionOutcome())
            #expect(try await archive.stats().count == 20)
        }
    }
}
