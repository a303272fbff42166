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

    /// Messages `0..<count`, all on one timestamp grid (Fixtures: three per microsecond step).
    private static func filled(_ count: Int) async throws -> (TestArchive, [ArchivedMessage]) {
        let fixture = try TestArchive()
        let messages = Fixtures.messages(count)
        _ = try await fixture.archive.insert(messages)
        return (fixture, messages)
    }

    /// The messages in deletion order: oldest first by (timestamp, hash).
    private static func oldestFirst(_ messages: [ArchivedMessage]) -> [ArchivedMessage] {
        messages.sorted { ($0.message.timestamp, $0.hash) < ($1.message.timestamp, $1.hash) }
    }

    private static func deletions(_ messages: some Sequence<ArchivedMessage>) -> [ArchiveDeletion] {
        messages.map { ArchiveDeletion(timestamp: $0.message.timestamp, hash: $0.hash, pubsubTopic: $0.pubsubTopic) }
    }

    @Test("time: nothing goes until the oldest message is 10 % past the limit, then everything past it")
    func time() async throws {
        let fixture = try TestArchive()
        defer { fixture.remove() }
        let archive = fixture.archive
        // 30 messages 100 ms apart: base ... base + 2.9 s. Retention 1 s.
        let step: Int64 = 100_000_000
        let messages = (0..<30).map { index in
            var message = Fixtures.message(index).message
            message.timestamp = Fixtures.base + Int64(index) * step
            return ArchivedMessage(pubsubTopic: Fixtures.pubsubTopics[index % 3], message: message, source: .relay)
        }
        _ = try await archive.insert(messages)
        // The oldest is 1.05 s old: past the limit, but not by 10 %.
        var deleted = try await archive.apply(.time(seconds: 1), now: Fixtures.base + 10 * step + step / 2)
        #expect(deleted.isEmpty)
        // Now the cutoff is base + 1 s: the ten messages before it go, the one at it stays.
        let now = Fixtures.base + 20 * step
        deleted = try await archive.apply(.time(seconds: 1), now: now)
        #expect(deleted == Self.deletions(messages.prefix(10)))
        #expect(try await archive.stats().oldestTimestamp == Fixtures.base + 10 * step)
        #expect(try await archive.stats().count == 20)
        #expect(try await archive.messages(withHashes: messages.prefix(10).map(\.hash)).isEmpty)
        // Running again deletes nothing more.
        #expect(try await archive.apply(.time(seconds: 1), now: now).isEmpty)
    }

    @Test("capacity: nothing goes below 130 % of the capacity, then the oldest down to 115 %")
    func capacity() async throws {
        let (fixture, messages) = try await Self.filled(129)
        defer { fixture.remove() }
        let archive = fixture.archive
        #expect(try await archive.apply(.capacity(messages: 100), now: 0).isEmpty)
        let extra = Fixtures.message(129)
        _ = try await archive.insert([extra])
        let deleted = try await archive.apply(.capacity(messages: 100), now: 0)
        // 130 stored, 115 kept (nwaku: capacity + int(100 * 0.3) / 2).
        #expect(deleted == Self.deletions(Self.oldestFirst(messages + [extra]).prefix(15)))
        #expect(try await archive.stats().count == 115)
    }

    @Test("size: nothing goes below the limit; above it, the oldest 20 % go on every run")
    func size() async throws {
        let (fixture, messages) = try await Self.filled(250)
        defer { fixture.remove() }
        let archive = fixture.archive
        #expect(try await archive.apply(.size(bytes: 1 << 30), now: 0).isEmpty)
        let used = try await archive.stats().databaseBytes
        let first = try await archive.apply(.size(bytes: used), now: 0)
        #expect(first == Self.deletions(Self.oldestFirst(messages).prefix(50)))
        // 200 left, still above a 1 KiB limit: another 20 %.
        let second = try await archive.apply(.size(bytes: 1024), now: 0)
        #expect(second == Self.deletions(Self.oldestFirst(messages).dropFirst(50).prefix(40)))
        #expect(try await archive.stats().count == 160)
    }

    @Test("an unlimited policy deletes nothing")
    func unlimited() async throws {
        let (fixture, _) = try await Self.filled(20)
        defer { fixture.remove() }
        #expect(try await fixture.archive.apply(.unlimited, now: .max).isEmpty)
        #expect(try await fixture.archive.stats().count == 20)
    }
}
