internal import WakuCore

/// Splits an interval into parts holding about equal numbers of selected items.
///
/// Every inner bound is `(timestamp of an item, zero hash)`, strictly increasing and strictly
/// inside the interval, so nwaku's decoder reconstructs exactly the parts we meant
/// (PROTOCOLS.md §4.3, §4.9); items sharing a timestamp always land in the same part, which is
/// also why a part can come out empty-handed of a split: fewer parts than asked is normal.
struct RangeSplitter {
    let scope: IndexScope

    /// A part with its count and fingerprint.
    struct Piece {
        var interval: SyncInterval
        var count: Int
        var fingerprint: Fingerprint
    }

    /// Below this many items, collecting them beats walking the tree twice per bound.
    static let collectLimit = 512

    /// `positions`, when known, are the interval's positions in the single tree.
    func split(_ interval: SyncInterval, count: Int, parts: Int, positions: Range<Int>? = nil) -> [Piece] {
        precondition(!interval.includesUpper, "splits work on half-open intervals")
        if count > Self.collectLimit, let tree = self.scope.singleWholeTree {
            return Self.split(interval, in: tree, count: count, parts: parts)
        }
        return Self.split(interval, items: self.scope.items(interval, positions: positions), parts: parts)
    }

    /// Splits `interval`, whose items are `items`, into about `parts` parts of equal counts.
    static func split(_ interval: SyncInterval, items: [SyncID], parts: Int) -> [Piece] {
        var pieces: [Piece] = []
        pieces.reserveCapacity(parts)
        var lower = interval.lower
        var start = 0
        for cut in 1..<parts {
            var position = items.count * cut / parts
            guard position > start, position < items.count else { continue }
            position = Self.firstPosition(of: items[position].timestamp, in: items, before: position)
            let bound = SyncID.bound(items[position].timestamp)
            guard position > start, bound > lower else { continue }
            pieces.append(Self.piece(lower, bound, items[start..<position]))
            lower = bound
            start = position
        }
        pieces.append(Self.piece(lower, interval.upper, items[start...]))
        return pieces
    }

    private static func piece(_ lower: SyncID, _ upper: SyncID, _ items: ArraySlice<SyncID>) -> Piece {
        var fingerprint = Fingerprint.zero
        for item in items { fingerprint.formXor(item.hash) }
        return Piece(interval: .halfOpen(lower, upper), count: items.count, fingerprint: fingerprint)
    }

    /// The first position at or before `limit` whose item has `timestamp` (binary search).
    private static func firstPosition(of timestamp: Int64, in items: [SyncID], before limit: Int) -> Int {
        var low = 0
        var high = limit
        while low < high {
            let middle = (low + high) / 2
            if items[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func split(_ interval: SyncInterval, in tree: SyncTree, count: Int, parts: Int) -> [Piece] {
        let start = tree.prefix(before: interval.lower, inclusive: false)
        var previous = start
        var pieces: [Piece] = []
        pieces.reserveCapacity(parts)
        var lower = interval.lower
        for cut in 1..<parts {
            let position = start.count + count * cut / parts
            guard position > previous.count else { continue }
            let next = tree.cut(at: position)
            let bound = SyncID.bound(next.timestamp)
            guard bound > lower, next.count > previous.count else { continue }
            pieces.append(
                Piece(
                    interval: .halfOpen(lower, bound),
                    count: next.count - previous.count,
                    fingerprint: next.xor.xor(previous.xor)
                )
            )
            lower = bound
            previous = (next.count, next.xor)
        }
        let end = tree.prefix(before: interval.upper, inclusive: false)
        pieces.append(
            Piece(
                interval: .halfOpen(lower, interval.upper),
                count: end.count - previous.count,
                fingerprint: end.xor.xor(previous.xor)
            )
        )
        return pieces
    }
}
