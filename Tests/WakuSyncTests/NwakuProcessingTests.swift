import Testing
import WakuCore
import WakuSync
import WakuTestSupport

@Suite("nwaku strategy quirks")
struct NwakuProcessingTests {
    static let start: Int64 = 1_700_000_000_000_000_000

    static func process(_ ranges: [SyncRange], _ index: SyncIndex, strategy: SyncStrategy = .nwaku) -> ProcessOutcome {
        RangeProcessor(strategy: strategy).process(
            ranges,
            scope: index.scope(pubsubTopics: [], contentTopics: [], matching: strategy.topicMatching),
            level: 1
        )
    }

    static func crowded(_ count: Int, at time: Int64, seed: UInt64) -> SyncIndex {
        var generator = SeededGenerator(seed: seed)
        let index = SyncIndex()
        for offset in 0..<count {
            index.insert(
                SyncID(timestamp: time + Int64(offset % 4), hash: generator.nextHash()),
                pubsubTopic: "/t",
                contentTopic: "/c"
            )
        }
        return index
    }

    @Test("a differing range narrower than 8 ns with more than 100 items produces no output at all")
    func narrowRangeVanishes() {
        let index = Self.crowded(150, at: Self.start, seed: 1)
        let range = SyncRange(lower: .bound(Self.start), upper: .bound(Self.start + 5), kind: .fingerprint(.max))
        let outcome = Self.process([range], index)
        #expect(outcome.ranges.isEmpty)
        // balanced answers the same range instead of dropping it: split at the 4 distinct
        // timestamps, and as one item set when every item shares one timestamp.
        let balanced = Self.process([range], index, strategy: .balanced)
        #expect(balanced.ranges.count == 4)
        #expect(balanced.ranges.first?.lower == range.lower && balanced.ranges.last?.upper == range.upper)
        var generator = SeededGenerator(seed: 9)
        let sameTime = SyncIndex()
        for _ in 0..<150 {
            sameTime.insert(
                SyncID(timestamp: Self.start + 2, hash: generator.nextHash()),
                pubsubTopic: "/t",
                contentTopic: "/c"
            )
        }
        #expect(Self.process([range], sameTime).ranges.isEmpty)
        let single = Self.process([range], sameTime, strategy: .balanced)
        guard case .itemSet(let set) = single.ranges.first?.kind, single.ranges.count == 1 else {
            Issue.record("balanced answers with one item set")
            return
        }
        #expect(set.items.count == 150 && !set.isReconciled)
    }

    @Test("equal-time partitions: 8 slices, the remainder one nanosecond each on the first, zero-hash bounds")
    func equalPartitions() {
        var generator = SeededGenerator(seed: 2)
        let index = SyncIndex()
        for _ in 0..<5_000 {
            index.insert(
                SyncID(timestamp: Self.start + Int64(generator.next() % 1_000_003), hash: generator.nextHash()),
                pubsubTopic: "/t",
                contentTopic: "/c"
            )
        }
        let range = SyncRange(
            lower: .bound(Self.start),
            upper: SyncID(timestamp: Self.start + 1_000_003, hash: .max),
            kind: .fingerprint(.max)
        )
        let outcome = Self.process([range], index)
        #expect(outcome.ranges.count == 8)
        let widths = outcome.ranges.map { $0.upper.timestamp - $0.lower.timestamp }
        #expect(widths == [125_001, 125_001, 125_001, 125_000, 125_000, 125_000, 125_000, 125_000])
        #expect(outcome.ranges.allSatisfy { $0.lower.hash.isZero && $0.upper.hash.isZero })
        #expect(outcome.ranges.allSatisfy { if case .fingerprint = $0.kind { true } else { false } })
    }

    @Test("the item-set threshold counts items before topic filtering")
    func thresholdIgnoresTopics() {
        var generator = SeededGenerator(seed: 3)
        let index = SyncIndex()
        for number in 0..<150 {
            let topic = number < 50 ? "/waku/2/rs/1/0" : "/waku/2/rs/1/1"
            index.insert(
                SyncID(timestamp: Self.start + Int64(number) * 1_000, hash: generator.nextHash()),
                pubsubTopic: topic,
                contentTopic: "/c"
            )
        }
        let range = SyncRange(
            lower: .bound(Self.start),
            upper: .bound(Self.start + 1_000_000),
            kind: .fingerprint(.max)
        )
        let scope = index.scope(pubsubTopics: ["/waku/2/rs/1/0"], contentTopics: [], matching: .nwaku)
        let outcome = RangeProcessor(strategy: .nwaku).process([range], scope: scope, level: 1)
        // 150 items in the range (> 100) → partitions, though only 50 match the topic.
        #expect(outcome.ranges.count == 8)
        let balanced = RangeProcessor(strategy: .balanced).process(
            [range],
            scope: index.scope(pubsubTopics: ["/waku/2/rs/1/0"], contentTopics: [], matching: .strict),
            level: 1
        )
        #expect(balanced.ranges.allSatisfy { if case .itemSet = $0.kind { false } else { true } })
    }

    @Test("an item set for a range outside all our items: reply [] reconciled, record nothing")
    func nothingRule() {
        let index = Self.crowded(10, at: Self.start + 1_000_000, seed: 4)
        let theirs = ItemSet(items: [SyncID(timestamp: Self.start + 10, hash: .max)], isReconciled: false)
        let outcome = Self.process(
            [SyncRange(lower: .bound(Self.start), upper: .bound(Self.start + 100), kind: .itemSet(theirs))],
            index
        )
        #expect(outcome.itemsToReceive.isEmpty && outcome.itemsToSend.isEmpty)
        #expect(outcome.ranges.first?.kind == .itemSet(ItemSet(items: [], isReconciled: true)))
        let reconciled = ItemSet(items: theirs.items, isReconciled: true)
        #expect(
            Self.process(
                [SyncRange(lower: .bound(Self.start), upper: .bound(Self.start + 100), kind: .itemSet(reconciled))],
                index
            ).ranges.isEmpty
        )
    }

    @Test("adjacent Skip ranges merge; only Skip left means an empty reply")
    func skipMerging() {
        let index = Self.crowded(10, at: Self.start, seed: 5)
        let scope = index.scope(pubsubTopics: [], contentTopics: [], matching: .nwaku)
        let all = SyncInterval.closed(.bound(Self.start), .bound(Self.start + 10))
        let ranges = [
            SyncRange(lower: .bound(Self.start - 30), upper: .bound(Self.start - 20), kind: .skip),
            SyncRange(lower: .bound(Self.start - 20), upper: .bound(Self.start - 10), kind: .skip),
            SyncRange(lower: .bound(Self.start - 10), upper: .bound(Self.start), kind: .fingerprint(.zero)),
            SyncRange(
                lower: .bound(Self.start),
                upper: .bound(Self.start + 10),
                kind: .fingerprint(scope.fingerprint(all))
            ),
        ]
        let outcome = Self.process(ranges, index)
        #expect(outcome.ranges.isEmpty)
        var differing = ranges
        differing[3].kind = .fingerprint(.max)
        let replies = Self.process(differing, index).ranges
        #expect(replies.count == 2)
        #expect(
            replies[0].kind == .skip && replies[0].lower == .bound(Self.start - 30)
                && replies[0].upper == .bound(Self.start)
        )
    }
}
