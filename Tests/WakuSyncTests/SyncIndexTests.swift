import Testing
import WakuCore
import WakuSync
import WakuTestSupport

/// A sorted array: the obviously-correct model the index is checked against.
struct ReferenceSet {
    var items: [SyncID] = []

    mutating func insert(_ id: SyncID) -> Bool {
        let position = self.items.firstIndex { $0 >= id } ?? self.items.count
        if position < self.items.count && self.items[position] == id { return false }
        self.items.insert(id, at: position)
        return true
    }

    mutating func remove(_ id: SyncID) -> Bool {
        guard let position = self.items.firstIndex(of: id) else { return false }
        self.items.remove(at: position)
        return true
    }

    func inside(_ interval: SyncInterval) -> [SyncID] { self.items.filter(interval.contains) }
}

@Suite("SyncIndex")
struct SyncIndexTests {
    static let topic = "/waku/2/rs/1/0"
    static let content = "/app/1/chat/proto"

    static func randomID(_ generator: inout SeededGenerator, timeRange: Int64 = 10_000) -> SyncID {
        SyncID(timestamp: Int64(generator.next() % UInt64(timeRange)), hash: generator.nextHash())
    }

    static func randomInterval(_ generator: inout SeededGenerator, timeRange: Int64 = 10_000) -> SyncInterval {
        let a = self.randomID(&generator, timeRange: timeRange + 200)
        let b = self.randomID(&generator, timeRange: timeRange + 200)
        let includesUpper = generator.next() % 2 == 0
        let bound = generator.next() % 3 == 0
        let lower = bound ? SyncID.bound(min(a, b).timestamp) : min(a, b)
        return SyncInterval(lower: lower, upper: max(a, b), includesUpper: includesUpper)
    }

    static func check(_ index: SyncIndex, against reference: ReferenceSet, _ generator: inout SeededGenerator) {
        #expect(index.count == reference.items.count)
        let scope = index.scope(pubsubTopics: [], contentTopics: [], matching: .strict)
        #expect(scope.items(.closed(.bound(Int64.min), SyncID(timestamp: .max, hash: .max))) == reference.items)
        for _ in 0..<50 {
            let interval = Self.randomInterval(&generator)
            let expected = reference.inside(interval)
            let summary = scope.summary(interval)
            #expect(summary.count == expected.count, "\(interval)")
            #expect(summary.fingerprint == expected.reduce(Fingerprint.zero) { $0 ^ $1.hash }, "\(interval)")
            #expect(scope.items(interval) == expected)
            #expect(scope.unfilteredCount(interval) == expected.count)
        }
    }

    @Test("random inserts and removes agree with a sorted array at every step", arguments: [1, 2, 3])
    func randomOperations(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let index = SyncIndex()
        var reference = ReferenceSet()
        var known: [SyncID] = []
        for step in 0..<6_000 {
            if generator.next() % 3 != 0 || known.isEmpty {
                let id = Self.randomID(&generator)
                known.append(id)
                #expect(index.insert(id, pubsubTopic: Self.topic, contentTopic: Self.content) == reference.insert(id))
            } else {
                let id = known[Int(generator.next() % UInt64(known.count))]
                #expect(index.remove(id, pubsubTopic: Self.topic) == reference.remove(id))
            }
            if step % 1_000 == 999 { Self.check(index, against: reference, &generator) }
        }
        // Duplicates are refused.
        if let first = reference.items.first {
            #expect(!index.insert(first, pubsubTopic: Self.topic, contentTopic: Self.content))
            #expect(index.contains(first, pubsubTopic: Self.topic))
        }
        // Drain completely, then the index works again.
        for id in reference.items { #expect(index.remove(id, pubsubTopic: Self.topic)) }
        #expect(index.count == 0)
        #expect(index.insert(.bound(5), pubsubTopic: Self.topic, contentTopic: Self.content))
        #expect(index.count == 1)
    }

    @Test("appending in time order and inserting in reverse both keep the tree exact")
    func orderedInserts() {
        var generator = SeededGenerator(seed: 11)
        for reversed in [false, true] {
            let index = SyncIndex()
            var reference = ReferenceSet()
            var ids = (0..<5_000).map { SyncID(timestamp: Int64($0), hash: SyncFixtures.hash(UInt64($0))) }
            if reversed { ids.reverse() }
            for id in ids {
                index.insert(id, pubsubTopic: Self.topic, contentTopic: Self.content)
                _ = reference.insert(id)
            }
            Self.check(index, against: reference, &generator)
        }
    }

    @Test("bulk load equals inserting one by one, and drops duplicates")
    func bulkLoad() {
        var generator = SeededGenerator(seed: 5)
        var ids = (0..<20_000).map { _ in Self.randomID(&generator, timeRange: 1_000_000) }
        ids.append(contentsOf: ids.prefix(100))
        ids.sort()
        let index = SyncIndex()
        index.load(sorted: ids.map { SyncIndex.Entry(id: $0, pubsubTopic: Self.topic, contentTopic: Self.content) })
        var reference = ReferenceSet()
        reference.items = Array(Set(ids)).sorted()
        Self.check(index, against: reference, &generator)
        for id in reference.items.prefix(3_000) {
            #expect(index.remove(id, pubsubTopic: Self.topic))
            _ = reference.remove(id)
        }
        for _ in 0..<3_000 {
            let id = Self.randomID(&generator, timeRange: 1_000_000)
            index.insert(id, pubsubTopic: Self.topic, contentTopic: Self.content)
            _ = reference.insert(id)
        }
        Self.check(index, against: reference, &generator)
    }

    @Test(
        "pruning removes exactly the items older than the cut, and reports each one",
        arguments: [0, 1, 500, 9_999, 10_001]
    )
    func prune(cut: Int64) {
        var generator = SeededGenerator(seed: UInt64(cut) + 17)
        let index = SyncIndex()
        var reference = ReferenceSet()
        for _ in 0..<8_000 {
            let id = Self.randomID(&generator)
            index.insert(id, pubsubTopic: Self.topic, contentTopic: Self.content)
            _ = reference.insert(id)
        }
        var reported: [SyncID] = []
        let removed = index.prune(olderThan: cut) { id, topic in
            #expect(topic == Self.topic)
            reported.append(id)
        }
        let expected = reference.items.filter { $0.timestamp < cut }
        #expect(removed == expected.count)
        #expect(reported == expected)
        reference.items.removeAll { $0.timestamp < cut }
        Self.check(index, against: reference, &generator)
    }

    @Test("topics: one tree per pubsub topic, strict and nwaku-quirk filtering")
    func topicScopes() {
        let index = SyncIndex()
        var all: [(SyncID, String, String)] = []
        var generator = SeededGenerator(seed: 3)
        for number in 0..<3_000 {
            let pubsub = "/waku/2/rs/1/\(number % 3)"
            let content = "/app/1/topic-\(number % 5)/proto"
            let id = Self.randomID(&generator)
            if index.insert(id, pubsubTopic: pubsub, contentTopic: content) { all.append((id, pubsub, content)) }
        }
        #expect(index.pubsubTopics == ["/waku/2/rs/1/0", "/waku/2/rs/1/1", "/waku/2/rs/1/2"])
        #expect(index.contentTopics.count == 5)
        let everything = SyncInterval.closed(.bound(0), SyncID(timestamp: .max, hash: .max))
        func expected(_ pubsub: Set<String>?, _ content: Set<String>?) -> [SyncID] {
            all.filter { (pubsub?.contains($0.1) ?? true) && (content?.contains($0.2) ?? true) }.map(\.0).sorted()
        }
        let cases: [([String], [String], TopicMatching, [SyncID])] = [
            ([], [], .strict, expected(nil, nil)),
            (["/waku/2/rs/1/1"], [], .strict, expected(["/waku/2/rs/1/1"], nil)),
            (
                ["/waku/2/rs/1/1", "/waku/2/rs/1/2"], ["/app/1/topic-0/proto"], .strict,
                expected(["/waku/2/rs/1/1", "/waku/2/rs/1/2"], ["/app/1/topic-0/proto"])
            ),
            // Unknown topics select nothing when strict ...
            (["/waku/2/rs/9/9"], [], .strict, []),
            ([], ["/nobody/1/x/proto"], .strict, []),
            // ... and are dropped by nwaku, leaving no filter at all (PROTOCOLS.md §4.7).
            (["/waku/2/rs/9/9"], [], .nwaku, expected(nil, nil)),
            ([], ["/nobody/1/x/proto"], .nwaku, expected(nil, nil)),
            (
                ["/waku/2/rs/9/9", "/waku/2/rs/1/0"], ["/nobody/1/x/proto", "/app/1/topic-3/proto"], .nwaku,
                expected(["/waku/2/rs/1/0"], ["/app/1/topic-3/proto"])
            ),
        ]
        for (pubsub, content, matching, want) in cases {
            let scope = index.scope(pubsubTopics: pubsub, contentTopics: content, matching: matching)
            #expect(scope.items(everything) == want, "\(pubsub) \(content) \(matching)")
            #expect(scope.count(everything) == want.count)
            #expect(scope.fingerprint(everything) == want.reduce(Fingerprint.zero) { $0 ^ $1.hash })
            #expect(scope.unfilteredCount(everything) == all.count)
        }
    }
}
