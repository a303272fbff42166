internal import WakuCore

extension BalancedProcessing {
    /// Settles a differing range at once when its fingerprints differ by exactly the hash of one
    /// of our items: that item is then the range's only difference, since any other set of
    /// differences would have to XOR to that very hash (PERFORMANCE.md §4). The answer is a
    /// reconciled item set over a narrow range around the item, Skip elsewhere.
    ///
    /// - Returns: false, writing nothing, when the range holds no such item.
    ///
    /// `gathered`, when given, are our items in `interval`.
    func peel(
        _ interval: SyncInterval,
        _ summary: IndexScope.Summary,
        delta: Fingerprint,
        gathered: [SyncID]?,
        into outcome: inout ProcessOutcome
    ) -> Bool {
        // With a single item the plain item set costs the same and leaves nothing to nwaku's rule.
        guard summary.count >= 2 else { return false }
        let found: (item: SyncID, previous: SyncID?, next: SyncID?)
        if let gathered {
            guard let position = gathered.firstIndex(where: { $0.hash.isSame(as: delta) }) else { return false }
            found = (
                gathered[position],
                position > 0 ? gathered[position - 1] : nil,
                position + 1 < gathered.count ? gathered[position + 1] : nil
            )
        } else {
            guard let item = self.scope.item(withHash: delta, in: interval, positions: summary.positions) else {
                return false
            }
            found = item
        }
        let single = found.item
        // nwaku ignores an item set over a range that lies wholly before or after everything it
        // stores (§4.6); a range that reaches a neighbour the peer holds, or lies between two,
        // cannot. Every other item of ours here is one the peer holds.
        let first = found.next == nil ? found.previous?.timestamp ?? single.timestamp : single.timestamp
        let last = found.previous == nil ? found.next?.timestamp ?? single.timestamp : single.timestamp
        let narrow = Self.narrow(first, last, within: interval)
        // Between two neighbours stamped otherwise, the narrow range holds the item alone.
        let alone =
            first == last && found.previous.map { $0.timestamp != first } ?? false
            && found.next.map { $0.timestamp != first } ?? false
        let listed = alone ? [single] : gathered.map { Array(Self.slice($0, narrow)) } ?? self.scope.items(narrow)
        if interval.lower < narrow.lower { outcome.ranges.append(Self.skip(.halfOpen(interval.lower, narrow.lower))) }
        outcome.ranges.append(Self.items(listed, narrow, isReconciled: true))
        if narrow.upper < interval.upper { outcome.ranges.append(Self.skip(.halfOpen(narrow.upper, interval.upper))) }
        outcome.itemsToSend.append(single)
        return true
    }

    /// `[(first, 0), (last + 1, 0))`, clipped to `interval`: the narrowest range nwaku's decoder
    /// rebuilds (§4.3) that holds every item stamped `first` to `last`.
    static func narrow(_ first: Int64, _ last: Int64, within interval: SyncInterval) -> SyncInterval {
        let lower = Swift.max(interval.lower, .bound(first))
        let upper = last == .max ? interval.upper : Swift.min(interval.upper, .bound(last + 1))
        return .halfOpen(lower, upper)
    }

    /// The part of an ascending list inside `interval`.
    static func slice(_ items: [SyncID], _ interval: SyncInterval) -> ArraySlice<SyncID> {
        let start = Self.firstPosition(in: items, notBelow: interval.lower)
        var end = start
        while end < items.count && interval.contains(items[end]) { end += 1 }
        return items[start..<end]
    }

    /// The first position whose item is `>= bound` (binary search).
    static func firstPosition(in items: [SyncID], notBelow bound: SyncID) -> Int {
        var low = 0
        var high = items.count
        while low < high {
            let middle = (low + high) / 2
            if items[middle] < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// The answer to an unreconciled item set once the differences are known: Skip where nothing
/// differs, and reconciled item sets of our items only over narrow ranges around each
/// difference, each reaching an item the peer listed (nwaku ignores an item set over a range
/// outside everything it stores, §4.6). The peer finds the same differences from them at a
/// fraction of the bytes of our whole list (PERFORMANCE.md §4); the whole list is sent instead
/// when it is not larger.
struct SparseReply {
    let ranges: [SyncRange]

    /// Bytes an item costs in an item set, timestamp delta included, on average.
    static let itemBytes = 37
    /// Bytes a range costs besides its items: a bound, a type, a count and a flag.
    static let rangeBytes = 8

    init(interval: SyncInterval, ours: [SyncID], theirs: [SyncID], differing: [SyncID]) {
        guard !differing.isEmpty else {
            self.ranges = [BalancedProcessing.skip(interval)]
            return
        }
        let whole = [BalancedProcessing.items(ours, interval, isReconciled: true)]
        guard let theirFirst = theirs.first?.timestamp, let theirLast = theirs.last?.timestamp else {
            self.ranges = whole
            return
        }
        var spans: [(first: Int64, last: Int64)] = []
        for item in differing.sorted(by: { $0.timestamp < $1.timestamp }) {
            let span = (Swift.min(item.timestamp, theirLast), Swift.max(item.timestamp, theirFirst))
            if let previous = spans.last, span.0 <= previous.last &+ 1 {
                spans[spans.count - 1].last = Swift.max(previous.last, span.1)
            } else {
                spans.append(span)
            }
        }
        var ranges: [SyncRange] = []
        var cursor = interval.lower
        var bytes = 0
        for span in spans {
            let narrow = BalancedProcessing.narrow(span.first, span.last, within: .halfOpen(cursor, interval.upper))
            if cursor < narrow.lower {
                ranges.append(BalancedProcessing.skip(.halfOpen(cursor, narrow.lower)))
                bytes += Self.rangeBytes
            }
            let listed = BalancedProcessing.slice(ours, narrow)
            ranges.append(BalancedProcessing.items(Array(listed), narrow, isReconciled: true))
            bytes += Self.rangeBytes + listed.count * Self.itemBytes
            cursor = narrow.upper
        }
        if cursor < interval.upper { ranges.append(BalancedProcessing.skip(.halfOpen(cursor, interval.upper))) }
        self.ranges = bytes < Self.rangeBytes + ours.count * Self.itemBytes ? ranges : whole
    }
}
