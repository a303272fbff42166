internal import WakuCore

/// One B+tree node. Leaves hold items; inner nodes hold, per child, its lower separator, its item
/// count and the XOR of its items' hashes, so a range's count and fingerprint cost O(log n).
///
/// The arrays skip the runtime's dynamic exclusivity checks (`@exclusivity(unchecked)`): every
/// access is a short read or an in-place edit by the tree's own code, which never overlaps two
/// accesses to one node, and the checks cost a third of a range query (PERFORMANCE.md §5).
final class SyncTreeNode {
    let isLeaf: Bool
    /// Leaf: the items, ascending. Inner: each child's separator (every item of child `i` is
    /// `>= ids[i]` and every item of child `i - 1` is `< ids[i]`); `ids[0]` is never compared.
    @exclusivity(unchecked) var ids: [SyncID] = []
    /// Leaf only: the content-topic number of each item.
    @exclusivity(unchecked) var contents: [UInt32] = []
    /// Inner only.
    @exclusivity(unchecked) var children: [SyncTreeNode] = []
    @exclusivity(unchecked) var counts: [Int] = []
    @exclusivity(unchecked) var xors: [MessageHash] = []

    init(isLeaf: Bool) {
        self.isLeaf = isLeaf
        let capacity = SyncTree.nodeCapacity + 1
        self.ids.reserveCapacity(capacity)
        if isLeaf {
            self.contents.reserveCapacity(capacity)
        } else {
            self.children.reserveCapacity(capacity)
            self.counts.reserveCapacity(capacity)
            self.xors.reserveCapacity(capacity)
        }
    }

    /// Number of entries: items of a leaf, children of an inner node.
    var width: Int { self.ids.count }

    /// Item count and XOR of the whole subtree, from this node's own entries.
    var aggregate: (count: Int, xor: MessageHash) {
        var xor = MessageHash.zero
        if self.isLeaf {
            for id in self.ids { xor.formXor(id.hash) }
            return (self.ids.count, xor)
        }
        var count = 0
        for index in 0..<self.counts.count {
            count += self.counts[index]
            xor.formXor(self.xors[index])
        }
        return (count, xor)
    }

    /// Appends a child with its aggregate.
    func appendChild(_ child: SyncTreeNode, separator: SyncID) {
        let aggregate = child.aggregate
        self.ids.append(separator)
        self.children.append(child)
        self.counts.append(aggregate.count)
        self.xors.append(aggregate.xor)
    }

    /// Index of the child whose key range holds `key` (for `inclusive`, the last child whose
    /// separator is `<= key`; else the last one whose separator is `< key`).
    @inline(__always)
    func childIndex(for key: SyncID, inclusive: Bool) -> Int {
        // Binary search over the separators ids[1...]: the answer is how many of them go left.
        var low = 1
        var high = self.ids.count
        while low < high {
            let middle = (low + high) / 2
            let goesRight = inclusive ? self.ids[middle] <= key : self.ids[middle] < key
            if goesRight { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// Position of `key` in a leaf: the first item `>= key`, or with `inclusive` the first `> key`.
    @inline(__always)
    func leafPosition(of key: SyncID, inclusive: Bool) -> Int {
        var low = 0
        var high = self.ids.count
        while low < high {
            let middle = (low + high) / 2
            let goesRight = inclusive ? self.ids[middle] <= key : self.ids[middle] < key
            if goesRight { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// An ordered set of ``SyncID``s with a content-topic number per item, kept in a B+tree whose
/// inner nodes aggregate count and XOR.
///
/// Ranks, range fingerprints, k-th item, insert and remove cost O(log n); removing a prefix costs
/// O(log n + removed); bulk loading a sorted sequence is O(n). Nodes are never shared between
/// trees, so the tree is a class: copying it would alias nodes.
final class SyncTree {
    /// Most entries a node holds before it splits.
    static let nodeCapacity = 64
    /// Entries bulk loading puts in a node, leaving room for inserts.
    static let bulkFill = 56

    @exclusivity(unchecked) var root = SyncTreeNode(isLeaf: true)
    @exclusivity(unchecked) var count = 0
    /// How many items carry each content-topic number.
    @exclusivity(unchecked) var contentCounts: [UInt32: Int] = [:]

    init() {}

    var isEmpty: Bool { self.count == 0 }

    /// The smallest item, if any.
    var first: SyncID? {
        guard self.count > 0 else { return nil }
        var node = self.root
        while !node.isLeaf { node = node.children[0] }
        return node.ids.first
    }

    /// The largest item, if any.
    var last: SyncID? {
        guard self.count > 0 else { return nil }
        var node = self.root
        while !node.isLeaf { node = node.children[node.children.count - 1] }
        return node.ids.last
    }

    // MARK: - Queries

    /// Number of items `< key` (or `<= key` when `inclusive`) and the XOR of their hashes.
    func prefix(before key: SyncID, inclusive: Bool) -> (count: Int, xor: MessageHash) {
        self.prefix(before: key, inclusive: inclusive, cursor: nil)
    }

    /// Where the last prefix query of a run of ascending keys ended: its leaf, the keys that leaf
    /// answers for, and the prefix up to the slot reached. Valid until the tree changes.
    final class PrefixCursor {
        @exclusivity(unchecked) fileprivate var leaf: SyncTreeNode?
        /// Every key `>= lower` and `< upper` has its position inside the leaf.
        @exclusivity(unchecked) fileprivate var lower: SyncID?
        @exclusivity(unchecked) fileprivate var upper: SyncID?
        /// The position of the leaf's first item and the XOR of everything before it.
        @exclusivity(unchecked) fileprivate var start = 0
        @exclusivity(unchecked) fileprivate var before = MessageHash.zero
        /// A slot of the leaf and the XOR of everything before it.
        @exclusivity(unchecked) fileprivate var slot = 0
        @exclusivity(unchecked) fileprivate var slotXor = MessageHash.zero

        init() {}

        /// The item at `position` when the leaf holds it.
        func item(at position: Int) -> SyncID? {
            guard let leaf, position >= self.start, position < self.start + leaf.ids.count else { return nil }
            return leaf.ids[position - self.start]
        }

        @inline(__always)
        fileprivate func covers(_ key: SyncID) -> Bool {
            self.leaf != nil && (self.lower.map { $0 <= key } ?? true) && (self.upper.map { key < $0 } ?? true)
        }
    }

    /// ``prefix(before:inclusive:)`` for a run of ascending keys: a key that falls in the leaf of
    /// the last query is answered there, XORing only the items between the two keys, so the
    /// contiguous ranges of a payload cost a walk along the leaves instead of a descent each.
    ///
    /// Below the root each node's own count and XOR are known from its parent, so a descent sums
    /// the entries before the key from whichever end of the node is nearer.
    func prefix(before key: SyncID, inclusive: Bool, cursor: PrefixCursor?) -> (count: Int, xor: MessageHash) {
        if let cursor, let leaf = cursor.leaf, cursor.covers(key) {
            let position = leaf.leafPosition(of: key, inclusive: inclusive)
            if position < cursor.slot {
                cursor.slot = 0
                cursor.slotXor = cursor.before
            }
            var xor = cursor.slotXor
            leaf.ids.withUnsafeBufferPointer { ids in
                for index in cursor.slot..<position { xor.formXor(ids[index].hash) }
            }
            cursor.slot = position
            cursor.slotXor = xor
            return (cursor.start + position, xor)
        }
        var node = self.root
        var count = 0
        var xor = MessageHash.zero
        var total: (count: Int, xor: MessageHash)?
        var lower: SyncID?
        var upper: SyncID?
        while !node.isLeaf {
            let index = node.childIndex(for: key, inclusive: inclusive)
            let sum = node.counts.withUnsafeBufferPointer { counts in
                node.xors.withUnsafeBufferPointer { xors in
                    Self.sum(counts, xors, before: index, total: total)
                }
            }
            count += sum.count
            xor.formXor(sum.xor)
            total = (node.counts[index], node.xors[index])
            // A child's first separator is a true lower bound only past the node's first child.
            if index > 0 { lower = node.ids[index] }
            if index + 1 < node.ids.count { upper = node.ids[index + 1] }
            node = node.children[index]
        }
        let position = node.leafPosition(of: key, inclusive: inclusive)
        var leafXor = xor
        node.ids.withUnsafeBufferPointer { ids in
            if let total, position > ids.count / 2 {
                leafXor.formXor(total.xor)
                for index in position..<ids.count { leafXor.formXor(ids[index].hash) }
            } else {
                for index in 0..<position { leafXor.formXor(ids[index].hash) }
            }
        }
        if let cursor {
            cursor.leaf = node
            cursor.lower = lower
            cursor.upper = upper
            cursor.start = count
            cursor.before = xor
            cursor.slot = position
            cursor.slotXor = leafXor
        }
        return (count + position, leafXor)
    }

    /// Where a split at `position` cuts: the timestamp `t` of the item there, and the count and
    /// XOR of the items before `(t, zero hash)`, i.e. of those stamped before `t`. One descent,
    /// where looking the item up and then the prefix at its bound would take two.
    func cut(at position: Int) -> (timestamp: Int64, count: Int, xor: MessageHash) {
        precondition(position >= 0 && position < self.count, "cut position out of range")
        var node = self.root
        var rest = position
        var count = 0
        var xor = MessageHash.zero
        var total: (count: Int, xor: MessageHash)?
        while !node.isLeaf {
            var index = 0
            node.counts.withUnsafeBufferPointer { counts in
                while rest >= counts[index] {
                    rest -= counts[index]
                    index += 1
                }
            }
            let sum = node.counts.withUnsafeBufferPointer { counts in
                node.xors.withUnsafeBufferPointer { xors in
                    Self.sum(counts, xors, before: index, total: total)
                }
            }
            count += sum.count
            xor.formXor(sum.xor)
            total = (node.counts[index], node.xors[index])
            node = node.children[index]
        }
        let timestamp = node.ids[rest].timestamp
        var slot = rest
        while slot > 0 && node.ids[slot - 1].timestamp == timestamp { slot -= 1 }
        if slot == 0 && count > 0 {
            // Items stamped `t` may go on in the leaf before.
            let before = self.prefix(before: .bound(timestamp), inclusive: false)
            return (timestamp, before.count, before.xor)
        }
        node.ids.withUnsafeBufferPointer { ids in
            if let total, slot > ids.count / 2 {
                xor.formXor(total.xor)
                for index in slot..<ids.count { xor.formXor(ids[index].hash) }
            } else {
                for index in 0..<slot { xor.formXor(ids[index].hash) }
            }
        }
        return (timestamp, count + slot, xor)
    }

    /// The count and XOR of the entries before `index`, from the nearer end when the node's
    /// total is known.
    @inline(__always)
    private static func sum(
        _ counts: UnsafeBufferPointer<Int>,
        _ xors: UnsafeBufferPointer<MessageHash>,
        before index: Int,
        total: (count: Int, xor: MessageHash)?
    ) -> (count: Int, xor: MessageHash) {
        var count = 0
        var xor = MessageHash.zero
        if let total, index > counts.count / 2 {
            for entry in index..<counts.count {
                count += counts[entry]
                xor.formXor(xors[entry])
            }
            xor.formXor(total.xor)
            return (total.count - count, xor)
        }
        for entry in 0..<index {
            count += counts[entry]
            xor.formXor(xors[entry])
        }
        return (count, xor)
    }

    /// Number of items `< key` (or `<= key` when `inclusive`).
    func rank(of key: SyncID, inclusive: Bool) -> Int {
        var node = self.root
        var count = 0
        while !node.isLeaf {
            let index = node.childIndex(for: key, inclusive: inclusive)
            for child in 0..<index { count += node.counts[child] }
            node = node.children[index]
        }
        return count + node.leafPosition(of: key, inclusive: inclusive)
    }

    /// XOR of the hashes of the first `count` items.
    func prefixXor(count: Int) -> MessageHash {
        precondition(count >= 0 && count <= self.count, "prefix length out of range")
        var node = self.root
        var rest = count
        var xor = MessageHash.zero
        while !node.isLeaf {
            var index = 0
            while index < node.counts.count - 1 && rest >= node.counts[index] {
                rest -= node.counts[index]
                xor.formXor(node.xors[index])
                index += 1
            }
            node = node.children[index]
        }
        for index in 0..<rest { xor.formXor(node.ids[index].hash) }
        return xor
    }

    /// The item at `position` (0-based, ascending) with its content-topic number.
    func item(at position: Int) -> (id: SyncID, content: UInt32) {
        precondition(position >= 0 && position < self.count, "item position out of range")
        var node = self.root
        var rest = position
        while !node.isLeaf {
            var index = 0
            while rest >= node.counts[index] {
                rest -= node.counts[index]
                index += 1
            }
            node = node.children[index]
        }
        return (node.ids[rest], node.contents[rest])
    }

    /// Calls `body` for the items at `positions`, ascending; stops early when it returns false.
    func forEach(in positions: Range<Int>, _ body: (SyncID, UInt32) -> Bool) {
        self.forEachLeaf(in: positions) { leaf, slots in
            for slot in slots where !body(leaf.ids[slot], leaf.contents[slot]) { return false }
            return true
        }
    }

    /// Appends the items at `positions` to `list`, ascending, a leaf's run at a time.
    func appendItems(in positions: Range<Int>, to list: inout [SyncID]) {
        self.forEachLeaf(in: positions) { leaf, slots in
            list.append(contentsOf: leaf.ids[slots])
            return true
        }
    }

    /// The position of the first item at `positions` whose hash is `hash`.
    func position(ofHash hash: MessageHash, in positions: Range<Int>) -> Int? {
        var found: Int?
        var offset = positions.lowerBound
        self.forEachLeaf(in: positions) { leaf, slots in
            for slot in slots where leaf.ids[slot].hash.isSame(as: hash) {
                found = offset + slot - slots.lowerBound
                return false
            }
            offset += slots.count
            return true
        }
        return found
    }

    /// Calls `body` with each leaf holding items at `positions` and the slots of those items in
    /// it, ascending; stops early when it returns false.
    func forEachLeaf(in positions: Range<Int>, _ body: (SyncTreeNode, Range<Int>) -> Bool) {
        let clamped = positions.clamped(to: 0..<self.count)
        guard !clamped.isEmpty else { return }
        _ = Self.visit(self.root, offset: 0, clamped, body)
    }

    private static func visit(
        _ node: SyncTreeNode,
        offset: Int,
        _ positions: Range<Int>,
        _ body: (SyncTreeNode, Range<Int>) -> Bool
    ) -> Bool {
        if node.isLeaf {
            let start = max(positions.lowerBound - offset, 0)
            let end = min(positions.upperBound - offset, node.ids.count)
            return start >= end || body(node, start..<end)
        }
        var childOffset = offset
        for index in 0..<node.children.count {
            let childEnd = childOffset + node.counts[index]
            if childEnd > positions.lowerBound && childOffset < positions.upperBound {
                if !visit(node.children[index], offset: childOffset, positions, body) { return false }
            }
            if childEnd >= positions.upperBound { break }
            childOffset = childEnd
        }
        return true
    }
}
