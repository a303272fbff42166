internal import WakuCore

/// nwaku master's `SeqStorage.processPayload`, reproduced output for output (PROTOCOLS.md §4.6):
/// inclusive bounds, item sets up to the threshold counted before topic filtering, otherwise
/// equal-time partitions with zero-hash bounds, and a range narrower than the partition count
/// producing no output at all.
struct NwakuProcessing {
    let strategy: SyncStrategy
    let scope: IndexScope

    /// Processes `ranges`, letting go of each received item set once it is answered.
    func process(_ ranges: inout [SyncRange]) -> ProcessOutcome {
        var outcome = ProcessOutcome()
        for index in ranges.indices {
            let range = ranges.take(at: index)
            let interval = SyncInterval.closed(range.lower, range.upper)
            switch range.kind {
            case .skip:
                outcome.ranges.append(range)
            case .fingerprint(let theirs):
                self.processFingerprint(theirs, interval, into: &outcome)
            case .itemSet(let set):
                self.processItemSet(set, interval, into: &outcome)
            }
        }
        return outcome
    }

    private func processFingerprint(_ theirs: Fingerprint, _ interval: SyncInterval, into outcome: inout ProcessOutcome)
    {
        let nothing = self.scope.liesOutsideEverything(interval)
        let ours = nothing ? Fingerprint.zero : self.scope.fingerprint(interval)
        if ours == theirs {
            outcome.ranges.append(SyncRange(lower: interval.lower, upper: interval.upper, kind: .skip))
            return
        }
        if nothing {
            outcome.ranges.append(Self.emptyReconciled(interval))
            return
        }
        if self.scope.unfilteredCount(interval) <= self.strategy.itemSetThreshold {
            outcome.ranges.append(self.unreconciledItems(interval))
            return
        }
        for part in Self.equalPartitions(of: interval, count: self.strategy.partitions) {
            if self.scope.liesOutsideEverything(part) {
                outcome.ranges.append(Self.emptyReconciled(part))
            } else if self.scope.unfilteredCount(part) <= self.strategy.itemSetThreshold {
                outcome.ranges.append(self.unreconciledItems(part))
            } else {
                let kind = SyncRange.Kind.fingerprint(self.scope.fingerprint(part))
                outcome.ranges.append(SyncRange(lower: part.lower, upper: part.upper, kind: kind))
            }
        }
    }

    private func processItemSet(_ theirs: ItemSet, _ interval: SyncInterval, into outcome: inout ProcessOutcome) {
        if self.scope.liesOutsideEverything(interval) {
            // nwaku records no difference here, even though every item of theirs is one.
            let kind: SyncRange.Kind = theirs.isReconciled ? .skip : .itemSet(ItemSet(items: [], isReconciled: true))
            outcome.ranges.append(SyncRange(lower: interval.lower, upper: interval.upper, kind: kind))
            return
        }
        let ours = self.scope.items(interval)
        RangeProcessor.compare(ours: ours, theirs: theirs.items, into: &outcome)
        let kind: SyncRange.Kind = theirs.isReconciled ? .skip : .itemSet(ItemSet(items: ours, isReconciled: true))
        outcome.ranges.append(SyncRange(lower: interval.lower, upper: interval.upper, kind: kind))
    }

    private func unreconciledItems(_ interval: SyncInterval) -> SyncRange {
        let set = ItemSet(items: self.scope.items(interval), isReconciled: false)
        return SyncRange(lower: interval.lower, upper: interval.upper, kind: .itemSet(set))
    }

    private static func emptyReconciled(_ interval: SyncInterval) -> SyncRange {
        SyncRange(lower: interval.lower, upper: interval.upper, kind: .itemSet(ItemSet(items: [], isReconciled: true)))
    }

    /// nwaku's `equalPartitioning`: `count` slices of equal time, the remainder spread one
    /// nanosecond each over the first slices, all bounds with zero hashes; nothing at all when
    /// the interval is shorter than `count` nanoseconds.
    static func equalPartitions(of interval: SyncInterval, count: Int) -> [SyncInterval] {
        let (length, overflow) = interval.upper.timestamp.subtractingReportingOverflow(interval.lower.timestamp)
        guard !overflow, length >= count else { return [] }
        let size = length / Int64(count)
        var remainder = length % Int64(count)
        var lower = interval.lower.timestamp
        var parts: [SyncInterval] = []
        parts.reserveCapacity(count)
        for _ in 0..<count {
            var upper = lower + size
            if remainder > 0 {
                upper += 1
                remainder -= 1
            }
            parts.append(.closed(.bound(lower), .bound(upper)))
            lower = upper
        }
        return parts
    }
}
