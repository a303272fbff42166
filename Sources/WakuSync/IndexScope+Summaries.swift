internal import WakuCore

extension IndexScope {
    /// Count and fingerprint of the selected items in one interval.
    struct Summary {
        var count: Int
        var fingerprint: Fingerprint
        /// The items' positions in the tree, when the scope is one whole tree.
        var positions: Range<Int>?
    }

    /// The summaries of ascending half-open intervals. A payload's ranges are contiguous, so on a
    /// scope of one whole tree the prefix at a bound shared by two neighbours is found once.
    func summaries(of intervals: [SyncInterval]) -> [Summary] {
        guard let tree = self.singleWholeTree else {
            return intervals.map { interval in
                let summary = self.summary(interval)
                return Summary(count: summary.count, fingerprint: summary.fingerprint)
            }
        }
        var summaries: [Summary] = []
        summaries.reserveCapacity(intervals.count)
        var last: (bound: SyncID, prefix: (count: Int, xor: MessageHash))?
        let cursor = SyncTree.PrefixCursor()
        for interval in intervals {
            precondition(!interval.includesUpper, "summaries of half-open intervals")
            let below: (count: Int, xor: MessageHash)
            if let last, last.bound == interval.lower {
                below = last.prefix
            } else {
                below = tree.prefix(before: interval.lower, inclusive: false, cursor: cursor)
            }
            let upTo = tree.prefix(before: interval.upper, inclusive: false, cursor: cursor)
            last = (interval.upper, upTo)
            let positions = below.count..<max(below.count, upTo.count)
            summaries.append(
                Summary(
                    count: positions.count,
                    fingerprint: positions.isEmpty ? .zero : below.xor.xor(upTo.xor),
                    positions: positions
                )
            )
        }
        return summaries
    }
}
