/// What processing one received payload produced.
package struct ProcessOutcome: Equatable, Sendable {
    /// The reply's ranges; empty when every range was settled (the reply is then `00`).
    package var ranges: [SyncRange] = []
    /// Items we hold that the peer lacks: we push them.
    package var itemsToSend: [SyncID] = []
    /// Items the peer holds that we lack.
    package var itemsToReceive: [SyncID] = []
    /// Items taken part in item-set comparisons, ours and theirs.
    package var itemsCompared = 0
    /// Intervals we answered with an empty, reconciled item set: we told the peer we hold
    /// nothing there, so it pushes whatever it holds there without either side listing the
    /// hashes (PROTOCOLS.md §5.2). Transfer treats items in them as requested.
    package var openIntervals: [SyncInterval] = []
    /// `balanced`: the density of differences (per item) the payload showed, or the one passed in
    /// when the payload was too small to show one.
    package var density: Double?

    package init() {}
}

/// Range processing as a pure function: a received payload and our index in, the reply's ranges
/// and both difference lists out (PROTOCOLS.md §4.6, §4.9).
package struct RangeProcessor {
    package var strategy: SyncStrategy

    package init(strategy: SyncStrategy) {
        self.strategy = strategy
    }

    /// Processes `ranges` against `scope`.
    ///
    /// - Parameters:
    ///   - ranges: the received payload's ranges, ascending and contiguous.
    ///   - scope: our items the agreed topic scope selects.
    ///   - level: the position of the reply in the session (the initiator's first payload is
    ///     level 0, the responder's reply level 1, ...); `balanced` plans its splits by it.
    ///   - density: `balanced`: the density an earlier payload showed (``ProcessOutcome/density``),
    ///     used when this payload is too small to estimate one.
    /// - Returns: the reply's ranges (Skip ranges merged) and the differences found.
    package func process(
        _ ranges: consuming [SyncRange],
        scope: IndexScope,
        level: Int,
        density: Double? = nil
    ) -> ProcessOutcome {
        var outcome: ProcessOutcome
        switch self.strategy.kind {
        case .nwaku:
            outcome = NwakuProcessing(strategy: self.strategy, scope: scope).process(&ranges)
        case .balanced:
            outcome = BalancedProcessing(strategy: self.strategy, scope: scope, level: level, earlierDensity: density)
                .process(&ranges)
        }
        outcome.ranges = Self.mergingSkips(outcome.ranges)
        for range in outcome.ranges {
            guard case .itemSet(let set) = range.kind, set.items.isEmpty, set.isReconciled else { continue }
            outcome.openIntervals.append(self.strategy.interval(lower: range.lower, upper: range.upper))
        }
        return outcome
    }

    /// Joins adjacent Skip ranges into one (lower of the first, upper of the last) and returns no
    /// ranges at all when only Skip is left, as nwaku does.
    static func mergingSkips(_ ranges: [SyncRange]) -> [SyncRange] {
        guard ranges.contains(where: { $0.kind != .skip }) else { return [] }
        var merged: [SyncRange] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges {
            if range.kind == .skip, let last = merged.last, last.kind == .skip {
                merged[merged.count - 1].upper = range.upper
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// The symmetric difference of two ascending lists by a single merge, in nwaku's order.
    static func compare(
        ours: [SyncID],
        theirs: [SyncID],
        into outcome: inout ProcessOutcome
    ) {
        var i = 0
        var j = 0
        while j < ours.count {
            guard i < theirs.count else {
                outcome.itemsToSend.append(ours[j])
                j += 1
                continue
            }
            if theirs[i] < ours[j] {
                outcome.itemsToReceive.append(theirs[i])
                i += 1
            } else if theirs[i] > ours[j] {
                outcome.itemsToSend.append(ours[j])
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        while i < theirs.count {
            outcome.itemsToReceive.append(theirs[i])
            i += 1
        }
        outcome.itemsCompared += ours.count + theirs.count
    }
}

extension [SyncRange] {
    /// The range at `index`, leaving a Skip over the same bounds in its place: processing hands
    /// each received range over this way, so a payload's item sets are let go one by one as they
    /// are answered instead of all at the end (nwaku's strategy at a million items receives
    /// 40 MB of them).
    mutating func take(at index: Int) -> SyncRange {
        let range = self[index]
        self[index].kind = .skip
        return range
    }
}
