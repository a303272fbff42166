internal import Foundation
internal import WakuCore

/// Our range processing (PROTOCOLS.md §4.9): strict topic filtering, half-open intervals,
/// differing ranges split by item count as the observed density of differences calls for, single
/// differences recognised from the fingerprints themselves, and item sets answered with only the
/// items that differ, so a session settles in three round trips (PERFORMANCE.md §4).
struct BalancedProcessing {
    let strategy: SyncStrategy
    let scope: IndexScope
    let level: Int
    /// The density estimated from an earlier payload, for a payload too small to estimate one.
    let earlierDensity: Double?

    /// The last level at which a differing range is split. With the initiator's first payload as
    /// level 0, ranges still differing at level 4 travel as item sets, the replies at level 5
    /// settle them, and the initiator's `00` at level 6 ends the session after three round trips.
    static let lastSplitLevel = 3

    /// Processes `ranges`, letting go of each received item set once it is answered.
    func process(_ ranges: inout [SyncRange]) -> ProcessOutcome {
        var fingerprinted: [SyncInterval] = []
        for range in ranges {
            if case .fingerprint = range.kind { fingerprinted.append(.halfOpen(range.lower, range.upper)) }
        }
        let summaries = self.scope.summaries(of: fingerprinted)
        var mismatched = 0
        var next = 0
        for range in ranges {
            guard case .fingerprint(let theirs) = range.kind else { continue }
            if !summaries[next].fingerprint.isSame(as: theirs) { mismatched += 1 }
            next += 1
        }
        let counts = summaries.map(\.count)
        let plan = SplitPlan(
            strategy: self.strategy,
            level: self.level,
            density: SplitPlan.density(counts: counts, mismatched: mismatched) ?? self.earlierDensity
        )

        var outcome = ProcessOutcome()
        outcome.density = plan.density
        outcome.ranges.reserveCapacity(ranges.count)
        next = 0
        for index in ranges.indices {
            let range = ranges.take(at: index)
            let interval = SyncInterval.halfOpen(range.lower, range.upper)
            switch range.kind {
            case .skip:
                outcome.ranges.append(range)
            case .fingerprint(let theirs):
                let summary = summaries[next]
                next += 1
                guard !summary.fingerprint.isSame(as: theirs) else {
                    outcome.ranges.append(Self.skip(interval))
                    continue
                }
                self.answerDifference(
                    interval,
                    summary,
                    delta: summary.fingerprint.xor(theirs),
                    plan: plan,
                    into: &outcome
                )
            case .itemSet(let set):
                self.answerItems(set, interval, into: &outcome)
            }
        }
        return outcome
    }

    /// Answers a fingerprint range whose fingerprint differs from ours.
    private func answerDifference(
        _ interval: SyncInterval,
        _ summary: IndexScope.Summary,
        delta: Fingerprint,
        plan: SplitPlan,
        into outcome: inout ProcessOutcome
    ) {
        let count = summary.count
        if count == 0 {
            // We hold nothing here: the peer learns at once that all of its items are missing.
            outcome.ranges.append(Self.items([], interval, isReconciled: true))
            return
        }
        // A small range's items, gathered once, serve the search for a single difference, the
        // split and the item set alike.
        let gathered =
            count <= RangeSplitter.collectLimit ? self.scope.items(interval, positions: summary.positions) : nil
        if plan.worthPeeling(count: count),
            self.peel(interval, summary, delta: delta, gathered: gathered, into: &outcome)
        {
            return
        }
        switch plan.answer(count: count) {
        case .items:
            let items = gathered ?? self.scope.items(interval, positions: summary.positions)
            outcome.ranges.append(Self.items(items, interval, isReconciled: false))
        case .split(let parts):
            let pieces =
                gathered.map { RangeSplitter.split(interval, items: $0, parts: parts) }
                ?? RangeSplitter(scope: self.scope)
                .split(interval, count: count, parts: parts, positions: summary.positions)
            guard parts == 1 || pieces.count > 1 else {
                // All items share one timestamp: no zero-hash bound can separate them (§4.3).
                let items = gathered ?? self.scope.items(interval, positions: summary.positions)
                outcome.ranges.append(Self.items(items, interval, isReconciled: false))
                return
            }
            Self.append(pieces, to: &outcome)
        }
    }

    /// Appends the parts of a split: a part is only known to differ once the peer compares it,
    /// so parts travel as fingerprints (38 bytes, answered by a Skip when equal) rather than as
    /// item sets (37 bytes per item, always answered); an empty part says so at once.
    private static func append(_ pieces: [RangeSplitter.Piece], to outcome: inout ProcessOutcome) {
        for piece in pieces {
            if piece.count == 0 {
                outcome.ranges.append(Self.items([], piece.interval, isReconciled: true))
            } else {
                let kind = SyncRange.Kind.fingerprint(piece.fingerprint)
                outcome.ranges.append(SyncRange(lower: piece.interval.lower, upper: piece.interval.upper, kind: kind))
            }
        }
    }

    /// Answers an item set: the differences are found here, and an unreconciled set is answered
    /// with our items around each difference only (``SparseReply``).
    private func answerItems(_ set: ItemSet, _ interval: SyncInterval, into outcome: inout ProcessOutcome) {
        let ours = self.scope.items(interval)
        // Items a peer claims outside the range it sent are not ours to judge.
        let theirs = set.items.allSatisfy(interval.contains) ? set.items : set.items.filter(interval.contains)
        let sendBefore = outcome.itemsToSend.count
        let receiveBefore = outcome.itemsToReceive.count
        RangeProcessor.compare(ours: ours, theirs: theirs, into: &outcome)
        guard !set.isReconciled else {
            outcome.ranges.append(Self.skip(interval))
            return
        }
        let reply = SparseReply(
            interval: interval,
            ours: ours,
            theirs: theirs,
            differing: Array(outcome.itemsToSend[sendBefore...]) + outcome.itemsToReceive[receiveBefore...]
        )
        outcome.ranges.append(contentsOf: reply.ranges)
    }

    static func skip(_ interval: SyncInterval) -> SyncRange {
        SyncRange(lower: interval.lower, upper: interval.upper, kind: .skip)
    }

    static func items(_ items: [SyncID], _ interval: SyncInterval, isReconciled: Bool) -> SyncRange {
        SyncRange(
            lower: interval.lower,
            upper: interval.upper,
            kind: .itemSet(ItemSet(items: items, isReconciled: isReconciled))
        )
    }
}
