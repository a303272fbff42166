/// Disjoint ``SyncInterval``s kept sorted and merged, so a membership test is a binary search
/// however many intervals a session opened.
///
/// Intervals that overlap or touch are merged into one: `[a, b)` and `[b, c)` become `[a, c)`; a
/// merged interval includes its upper bound when the interval that supplied that bound did.
package struct SyncIntervalSet: Equatable, Sendable {
    package private(set) var intervals: [SyncInterval] = []

    package init() {}

    /// The number of disjoint intervals held.
    package var count: Int { self.intervals.count }

    package var isEmpty: Bool { self.intervals.isEmpty }

    /// Adds `interval`, merging it with every interval it overlaps or touches.
    ///
    /// Linear in the number of intervals at worst (an array insert); sessions add intervals in
    /// ascending order within a round, so the usual case appends.
    package mutating func insert(_ interval: SyncInterval) {
        guard interval.lower < interval.upper || (interval.includesUpper && interval.lower == interval.upper) else {
            return
        }
        // First interval whose upper end reaches `interval.lower` (it may merge with it).
        let start = self.firstIndex(reaching: interval.lower)
        var merged = interval
        var end = start
        while end < self.intervals.count, Self.touches(self.intervals[end], merged) {
            merged = Self.union(self.intervals[end], merged)
            end += 1
        }
        self.intervals.replaceSubrange(start..<end, with: [merged])
    }

    /// Whether some interval contains `id`.
    package func contains(_ id: SyncID) -> Bool {
        let index = self.firstIndex(reaching: id)
        return index < self.intervals.count && self.intervals[index].contains(id)
    }

    // MARK: - Private

    /// The first interval that does not lie wholly below `id`.
    private func firstIndex(reaching id: SyncID) -> Int {
        var low = 0
        var high = self.intervals.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = self.intervals[middle]
            let below = candidate.includesUpper ? candidate.upper < id : candidate.upper <= id
            if below { low = middle + 1 } else { high = middle }
        }
        // An interval ending exactly at `id` (exclusive) still touches an interval starting there.
        if low > 0, self.intervals[low - 1].upper == id { return low - 1 }
        return low
    }

    private static func touches(_ a: SyncInterval, _ b: SyncInterval) -> Bool {
        a.lower <= b.upper && b.lower <= a.upper
    }

    private static func union(_ a: SyncInterval, _ b: SyncInterval) -> SyncInterval {
        let lower = min(a.lower, b.lower)
        let upper: SyncID
        let includesUpper: Bool
        if a.upper == b.upper {
            upper = a.upper
            includesUpper = a.includesUpper || b.includesUpper
        } else if a.upper > b.upper {
            upper = a.upper
            includesUpper = a.includesUpper
        } else {
            upper = b.upper
            includesUpper = b.includesUpper
        }
        return SyncInterval(lower: lower, upper: upper, includesUpper: includesUpper)
    }
}
