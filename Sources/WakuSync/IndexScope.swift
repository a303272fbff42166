internal import WakuCore

/// How a list of topics selects items (PROTOCOLS.md §4.7).
package enum TopicMatching: Sendable {
    /// A non-empty list selects exactly its topics; a topic we hold nothing for selects nothing.
    case strict
    /// nwaku's quirk: topics we hold nothing for are dropped from the list first, and a list left
    /// empty means "no filter" (§8 #8).
    case nwaku
}

/// The items of a ``SyncIndex`` that one topic scope selects, for range queries.
///
/// A view: valid until the index next changes.
package struct IndexScope {
    struct Part {
        let tree: SyncTree
        /// Content-topic numbers to keep; nil keeps every item of the tree.
        let contents: Set<UInt32>?
    }

    let parts: [Part]
    /// Every tree, for nwaku's counts before topic filtering.
    let everything: [SyncTree]

    /// The only tree, when the scope is one whole tree (the fast path of splitting).
    var singleWholeTree: SyncTree? {
        guard self.parts.count == 1, self.parts[0].contents == nil else { return nil }
        return self.parts[0].tree
    }

    /// Number of selected items in `interval`.
    package func count(_ interval: SyncInterval) -> Int {
        self.summary(interval).count
    }

    /// XOR of the hashes of the selected items in `interval`.
    package func fingerprint(_ interval: SyncInterval) -> Fingerprint {
        self.summary(interval).fingerprint
    }

    /// Count and fingerprint of the selected items in `interval`.
    package func summary(_ interval: SyncInterval) -> (count: Int, fingerprint: Fingerprint) {
        var count = 0
        var xor = Fingerprint.zero
        for part in self.parts {
            guard let contents = part.contents else {
                let below = part.tree.prefix(before: interval.lower, inclusive: false)
                let upTo = part.tree.prefix(before: interval.upper, inclusive: interval.includesUpper)
                if upTo.count > below.count {
                    count += upTo.count - below.count
                    xor.formXor(below.xor.xor(upTo.xor))
                }
                continue
            }
            part.tree.forEach(in: Self.positions(of: interval, in: part.tree)) { id, content in
                if contents.contains(content) {
                    count += 1
                    xor.formXor(id.hash)
                }
                return true
            }
        }
        return (count, xor)
    }

    /// The selected items in `interval`, ascending.
    package func items(_ interval: SyncInterval) -> [SyncID] {
        self.items(interval, positions: nil)
    }

    /// The selected items in `interval`; `known`, when given, are the interval's positions in the
    /// single tree (``Summary/positions``).
    func items(_ interval: SyncInterval, positions known: Range<Int>?) -> [SyncID] {
        if let tree = self.singleWholeTree {
            let positions = known ?? Self.positions(of: interval, in: tree)
            var list: [SyncID] = []
            list.reserveCapacity(positions.count)
            tree.appendItems(in: positions, to: &list)
            return list
        }
        var lists: [[SyncID]] = []
        for part in self.parts {
            let positions = Self.positions(of: interval, in: part.tree)
            guard !positions.isEmpty else { continue }
            var list: [SyncID] = []
            list.reserveCapacity(positions.count)
            if let contents = part.contents {
                part.tree.forEach(in: positions) { id, content in
                    if contents.contains(content) { list.append(id) }
                    return true
                }
            } else {
                part.tree.appendItems(in: positions, to: &list)
            }
            lists.append(list)
        }
        return Self.merged(lists)
    }

    /// The selected item in `interval` whose hash is `hash`, with the selected items just before
    /// and after it in `interval`; a scan of the interval that allocates nothing on the usual
    /// scope of one whole tree.
    ///
    /// `positions`, when known, are the interval's positions in the single tree.
    func item(
        withHash hash: MessageHash,
        in interval: SyncInterval,
        positions known: Range<Int>? = nil
    ) -> (item: SyncID, previous: SyncID?, next: SyncID?)? {
        guard let tree = self.singleWholeTree else {
            let items = self.items(interval)
            guard let position = items.firstIndex(where: { $0.hash.isSame(as: hash) }) else { return nil }
            return (
                items[position],
                position > 0 ? items[position - 1] : nil,
                position + 1 < items.count ? items[position + 1] : nil
            )
        }
        let positions = known ?? Self.positions(of: interval, in: tree)
        guard let position = tree.position(ofHash: hash, in: positions) else { return nil }
        return (
            tree.item(at: position).id,
            position > positions.lowerBound ? tree.item(at: position - 1).id : nil,
            position + 1 < positions.upperBound ? tree.item(at: position + 1).id : nil
        )
    }

    /// Number of items in `interval` in every tree, before any topic filtering (nwaku's
    /// `slice.len`, which decides between item set and partitioning).
    package func unfilteredCount(_ interval: SyncInterval) -> Int {
        self.everything.reduce(0) { $0 + Self.positions(of: interval, in: $1).count }
    }

    /// nwaku's "nothing": the interval lies entirely before the first or after the last item of
    /// the whole index, topics ignored (PROTOCOLS.md §4.6).
    package func liesOutsideEverything(_ interval: SyncInterval) -> Bool {
        var first: SyncID?
        var last: SyncID?
        for tree in self.everything {
            if let value = tree.first, first.map({ value < $0 }) ?? true { first = value }
            if let value = tree.last, last.map({ value > $0 }) ?? true { last = value }
        }
        guard let first, let last else { return true }
        let beforeFirst = interval.includesUpper ? interval.upper < first : interval.upper <= first
        return beforeFirst || interval.lower > last
    }

    /// Positions of the items of `tree` inside `interval`.
    static func positions(of interval: SyncInterval, in tree: SyncTree) -> Range<Int> {
        let lower = tree.rank(of: interval.lower, inclusive: false)
        let upper = tree.rank(of: interval.upper, inclusive: interval.includesUpper)
        return lower..<max(lower, upper)
    }

    /// Merges ascending lists into one ascending list.
    static func merged(_ lists: [[SyncID]]) -> [SyncID] {
        guard lists.count > 1 else { return lists.first ?? [] }
        var result = lists[0]
        for list in lists.dropFirst() {
            var merged: [SyncID] = []
            merged.reserveCapacity(result.count + list.count)
            var left = 0
            var right = 0
            while left < result.count && right < list.count {
                if result[left] <= list[right] {
                    merged.append(result[left])
                    left += 1
                } else {
                    merged.append(list[right])
                    right += 1
                }
            }
            merged.append(contentsOf: result[left...])
            merged.append(contentsOf: list[right...])
            result = merged
        }
        return result
    }
}

extension SyncIndex {
    /// The items selected by topic lists (an empty list means every topic).
    package func scope(
        pubsubTopics: [String],
        contentTopics: [String],
        matching: TopicMatching
    ) -> IndexScope {
        let everything = Array(self.trees.values)
        var trees: [SyncTree]
        switch matching {
        case .strict:
            trees = pubsubTopics.isEmpty ? everything : Set(pubsubTopics).compactMap { self.trees[$0] }
        case .nwaku:
            let known = Set(pubsubTopics).compactMap { self.trees[$0] }
            trees = known.isEmpty ? everything : known
        }
        var contents: Set<UInt32>?
        if !contentTopics.isEmpty {
            let present = contentTopics.compactMap { self.existingContentNumber(for: $0) }.filter { number in
                everything.contains { $0.contentCounts[number] != nil }
            }
            switch matching {
            case .strict: contents = Set(present)
            case .nwaku: contents = present.isEmpty ? nil : Set(present)
            }
        }
        let parts: [IndexScope.Part] = trees.compactMap { tree in
            guard let contents else { return IndexScope.Part(tree: tree, contents: nil) }
            let held = tree.contentCounts.keys
            if held.allSatisfy(contents.contains) { return IndexScope.Part(tree: tree, contents: nil) }
            if !held.contains(where: contents.contains) { return nil }
            return IndexScope.Part(tree: tree, contents: contents)
        }
        return IndexScope(parts: parts, everything: everything)
    }
}
