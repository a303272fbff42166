internal import Foundation
internal import WakuCore

/// Our range processing (PROTOCOLS.md §4.9): strict topic filtering, half-open intervals, and a
/// differing range split by item count into as many parts as the observed density of
/// differences calls for, so that each difference is isolated in few round trips and small
/// leaves keep item sets cheap (PERFORMANCE.md §4).
struct BalancedProcessing {
    let strategy: SyncStrategy
    let scope: IndexScope
    let level: Int

    /// The frame by which a session plans to have narrowed every difference down to item sets:
    /// with the initiator's first payload as frame 0, item sets in frame 8 keep a session within
    /// five round trips.
    static let itemSetFrame = 8
    /// Most parts one split makes.
    static let maxParts = 4096

    func process(_ ranges: [SyncRange]) -> ProcessOutcome {
        var summaries: [Int: (count: Int, fingerprint: Fingerprint)] = [:]
        var mismatched = 0
        var counts: [Int] = []
        for (index, range) in ranges.enumerated() {
            guard case .fingerprint(let theirs) = range.kind else { continue }
            let summary = self.scope.summary(.halfOpen(range.lower, range.upper))
            summaries[index] = summary
            counts.append(summary.count)
            if summary.fingerprint != theirs { mismatched += 1 }
        }
        let density = Self.density(counts: counts, mismatched: mismatched)

        var outcome = ProcessOutcome()
        for (index, range) in ranges.enumerated() {
            let interval = SyncInterval.halfOpen(range.lower, range.upper)
            switch range.kind {
            case .skip:
                outcome.ranges.append(range)
            case .fingerprint(let theirs):
                guard let summary = summaries[index], summary.fingerprint != theirs else {
                    outcome.ranges.append(Self.skip(interval))
                    continue
                }
                self.answerDifference(interval, count: summary.count, density: density, into: &outcome)
            case .itemSet(let set):
                let ours = self.scope.items(interval)
                // Items a peer claims outside the range it sent are not ours to judge.
                let theirs = set.items.filter(interval.contains)
                RangeProcessor.compare(ours: ours, theirs: theirs, into: &outcome)
                let kind: SyncRange.Kind = set.isReconciled ? .skip : .itemSet(ItemSet(items: ours, isReconciled: true))
                outcome.ranges.append(SyncRange(lower: interval.lower, upper: interval.upper, kind: kind))
            }
        }
        return outcome
    }

    /// Answers a fingerprint range whose fingerprint differs from ours.
    private func answerDifference(
        _ interval: SyncInterval,
        count: Int,
        density: Double?,
        into outcome: inout ProcessOutcome
    ) {
        if count == 0 {
            // We hold nothing here: the peer learns at once that all of its items are missing.
            outcome.ranges.append(Self.items([], interval, isReconciled: true))
            return
        }
        if count <= self.strategy.itemSetThreshold {
            outcome.ranges.append(Self.items(self.scope.items(interval), interval, isReconciled: false))
            return
        }
        let parts = self.plannedParts(count: count, density: density)
        let pieces = RangeSplitter(scope: self.scope).split(interval, count: count, parts: parts)
        guard pieces.count > 1 else {
            // All items share one timestamp: no zero-hash bound can separate them (§4.3).
            outcome.ranges.append(Self.items(self.scope.items(interval), interval, isReconciled: false))
            return
        }
        for piece in pieces {
            // A part is only known to differ once the peer compares it, so parts travel as
            // fingerprints (38 bytes, answered by a Skip when equal) rather than as item sets
            // (36 bytes per item, always answered in full); an empty part says so at once.
            if piece.count == 0 {
                outcome.ranges.append(Self.items([], piece.interval, isReconciled: true))
            } else {
                let kind = SyncRange.Kind.fingerprint(piece.fingerprint)
                outcome.ranges.append(SyncRange(lower: piece.interval.lower, upper: piece.interval.upper, kind: kind))
            }
        }
    }

    /// How many parts to split a differing range of `count` items into.
    ///
    /// Without a density estimate (the first split of a session): `count^0.6` parts, wide enough
    /// that dense differences are spread out at once (a split where nearly every part differs
    /// costs nothing extra), cheap when differences are few. With one: enough parts to separate
    /// the expected differences, times the step that reaches item-set-sized leaves over the split
    /// levels left, but at least `partitions` (about 3 minimises bytes per level,
    /// PERFORMANCE.md §4).
    func plannedParts(count: Int, density: Double?) -> Int {
        let parts: Double
        if let density {
            let expected = Self.expectedDifferences(count: count, density: density)
            let levelsLeft = Double(max(1, Self.itemSetFrame - self.level))
            let leaf = Double(max(1, self.strategy.itemSetThreshold))
            let step = pow(max(1, Double(count) / (expected * leaf)), 1 / levelsLeft)
            parts = (expected * max(Double(self.strategy.partitions), step)).rounded(.up)
        } else {
            parts = pow(Double(count), 0.6).rounded(.up)
        }
        return min(count, Self.maxParts, max(self.strategy.partitions, Int(parts)))
    }

    /// Differences per item, estimated from how many of a payload's fingerprint ranges differ:
    /// each range of `n` items differs with probability `1 - exp(-density * n)`. Nil when the
    /// payload had fewer than two fingerprint ranges (nothing to learn from).
    static func density(counts: [Int], mismatched: Int) -> Double? {
        guard counts.count >= 2, mismatched > 0 else { return nil }
        // With every range differing the estimate has no upper bound; count half a match.
        let target = Double(mismatched) - (mismatched == counts.count ? 0.5 : 0)
        func differing(_ density: Double) -> Double {
            counts.reduce(0) { $0 + 1 - exp(-density * Double($1)) }
        }
        var low = 0.0
        var high = 1.0
        while differing(high) < target && high < 1e6 { high *= 2 }
        for _ in 0..<50 {
            let middle = (low + high) / 2
            if differing(middle) < target { low = middle } else { high = middle }
        }
        return high
    }

    /// Expected differences in a range of `count` items known to hold at least one.
    static func expectedDifferences(count: Int, density: Double) -> Double {
        let mean = density * Double(count)
        guard mean > 1e-9 else { return 1 }
        return max(1, mean / (1 - exp(-mean)))
    }

    private static func skip(_ interval: SyncInterval) -> SyncRange {
        SyncRange(lower: interval.lower, upper: interval.upper, kind: .skip)
    }

    private static func items(_ items: [SyncID], _ interval: SyncInterval, isReconciled: Bool) -> SyncRange {
        SyncRange(
            lower: interval.lower,
            upper: interval.upper,
            kind: .itemSet(ItemSet(items: items, isReconciled: isReconciled))
        )
    }
}
