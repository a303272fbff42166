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
            for id in self.ids { xor ^= id.hash }
            return (self.ids.count, xor)
        }
        var count = 0
        for index in 0..<self.counts.count {
            count += self.counts[index]
            xor ^= self.xors[index]
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
        var node = self.root
        var count = 0
        var xor = MessageHash.zero
        while !node.isLeaf {
            let index = node.childIndex(for: key, inclusive: inclusive)
            for child in 0..<index {
                count += node.counts[child]
                xor ^= node.xors[child]
            }
            node = node.children[index]
        }
        let position = node.leafPosition(of: key, inclusive: inclusive)
        for index in 0..<position { xor ^= node.ids[index].hash }
        return (count + position, xor)
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
                xor ^= node.xors[index]
                index += 1
            }
            node = node.children[index]
        }
        for index in 0..<rest { xor ^= node.ids[index].hash }
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
        let clamped = positions.clamped(to: 0..<self.count)
        guard !clamped.isEmpty else { return }
        _ = Self.visit(self.root, offset: 0, clamped, body)
    }

    private static func visit(
        _ node: SyncTreeNode,
        offset: Int,
        _ positions: Range<Int>,
        _ body: (SyncID, UInt32) -> Bool
    ) -> Bool {
        if node.isLeaf {
            let start = max(positions.lowerBound - offset, 0)
            let end = min(positions.upperBound - offset, node.ids.count)
            var index = start
            while index < end {
                if !body(node.ids[index], node.contents[index]) { return false }
                index += 1
            }
            return true
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
