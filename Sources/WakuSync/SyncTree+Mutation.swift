internal import WakuCore

extension SyncTree {
    /// Inserts an item; returns false when it is already there.
    @discardableResult
    func insert(_ id: SyncID, content: UInt32) -> Bool {
        let outcome = Self.insert(id, content: content, into: self.root)
        guard outcome.inserted else { return false }
        if let right = outcome.split {
            let newRoot = SyncTreeNode(isLeaf: false)
            newRoot.appendChild(self.root, separator: self.root.ids[0])
            newRoot.appendChild(right, separator: right.ids[0])
            self.root = newRoot
        }
        self.count += 1
        self.contentCounts[content, default: 0] += 1
        return true
    }

    /// Removes an item; returns its content-topic number, or nil when it was not there.
    @discardableResult
    func remove(_ id: SyncID) -> UInt32? {
        guard let content = Self.remove(id, from: self.root) else { return nil }
        self.count -= 1
        self.forget(content)
        self.collapseRoot()
        return content
    }

    /// Removes the first `count` items, calling `body` for each, in O(log n + count).
    func removeFirst(_ count: Int, _ body: (SyncID, UInt32) -> Void) {
        precondition(count >= 0 && count <= self.count, "cannot remove more items than the tree holds")
        guard count > 0 else { return }
        if count == self.count {
            _ = Self.visit(self.root) { id, content in
                body(id, content)
                self.forget(content)
                return true
            }
            self.root = SyncTreeNode(isLeaf: true)
            self.count = 0
            return
        }
        _ = Self.removeFirst(count, from: self.root) { id, content in
            body(id, content)
            self.forget(content)
        }
        self.count -= count
        self.collapseRoot()
    }

    // MARK: - Private

    private func forget(_ content: UInt32) {
        let left = (self.contentCounts[content] ?? 1) - 1
        self.contentCounts[content] = left == 0 ? nil : left
    }

    private func collapseRoot() {
        while !self.root.isLeaf && self.root.children.count == 1 {
            self.root = self.root.children[0]
        }
        if !self.root.isLeaf && self.root.children.isEmpty {
            self.root = SyncTreeNode(isLeaf: true)
        }
    }

    private static func insert(
        _ id: SyncID,
        content: UInt32,
        into node: SyncTreeNode
    ) -> (inserted: Bool, split: SyncTreeNode?) {
        if node.isLeaf {
            let position = node.leafPosition(of: id, inclusive: false)
            if position < node.ids.count && node.ids[position] == id { return (false, nil) }
            node.ids.insert(id, at: position)
            node.contents.insert(content, at: position)
            guard node.ids.count > nodeCapacity else { return (true, nil) }
            return (true, split(node, appendedAt: position))
        }
        let index = node.childIndex(for: id, inclusive: true)
        let outcome = insert(id, content: content, into: node.children[index])
        guard outcome.inserted else { return outcome }
        node.counts[index] += 1
        node.xors[index].formXor(id.hash)
        guard let right = outcome.split else { return (true, nil) }
        let rightAggregate = right.aggregate
        node.counts[index] -= rightAggregate.count
        node.xors[index].formXor(rightAggregate.xor)
        node.ids.insert(right.ids[0], at: index + 1)
        node.children.insert(right, at: index + 1)
        node.counts.insert(rightAggregate.count, at: index + 1)
        node.xors.insert(rightAggregate.xor, at: index + 1)
        guard node.ids.count > nodeCapacity else { return (true, nil) }
        return (true, split(node, appendedAt: index + 1))
    }

    /// Moves the upper part of an overfull node into a new right sibling.
    ///
    /// When the entry that overflowed the node went to its end (messages mostly arrive in time
    /// order), the left node is kept full, so appends fill nodes instead of leaving them half empty.
    private static func split(_ node: SyncTreeNode, appendedAt position: Int) -> SyncTreeNode {
        let keep = position == node.ids.count - 1 ? node.ids.count - 1 : node.ids.count / 2
        let right = SyncTreeNode(isLeaf: node.isLeaf)
        right.ids.append(contentsOf: node.ids[keep...])
        node.ids.removeSubrange(keep...)
        if node.isLeaf {
            right.contents.append(contentsOf: node.contents[keep...])
            node.contents.removeSubrange(keep...)
        } else {
            right.children.append(contentsOf: node.children[keep...])
            right.counts.append(contentsOf: node.counts[keep...])
            right.xors.append(contentsOf: node.xors[keep...])
            node.children.removeSubrange(keep...)
            node.counts.removeSubrange(keep...)
            node.xors.removeSubrange(keep...)
        }
        return right
    }

    private static func remove(_ id: SyncID, from node: SyncTreeNode) -> UInt32? {
        if node.isLeaf {
            let position = node.leafPosition(of: id, inclusive: false)
            guard position < node.ids.count && node.ids[position] == id else { return nil }
            node.ids.remove(at: position)
            return node.contents.remove(at: position)
        }
        let index = node.childIndex(for: id, inclusive: true)
        guard let content = remove(id, from: node.children[index]) else { return nil }
        node.counts[index] -= 1
        node.xors[index].formXor(id.hash)
        rebalance(node, child: index)
        return content
    }

    /// Drops an empty child, or merges a child that fell below a quarter full into a neighbour
    /// when both fit in one node. Separators stay valid: removing items only raises a child's
    /// true minimum above its separator.
    private static func rebalance(_ node: SyncTreeNode, child index: Int) {
        if node.counts[index] == 0 {
            removeEntry(index, from: node)
            return
        }
        let child = node.children[index]
        guard child.width < nodeCapacity / 4 else { return }
        if index + 1 < node.children.count && child.width + node.children[index + 1].width <= nodeCapacity {
            merge(node, left: index)
        } else if index > 0 && node.children[index - 1].width + child.width <= nodeCapacity {
            merge(node, left: index - 1)
        }
    }

    private static func merge(_ node: SyncTreeNode, left index: Int) {
        let left = node.children[index]
        let right = node.children[index + 1]
        if left.isLeaf {
            left.ids.append(contentsOf: right.ids)
            left.contents.append(contentsOf: right.contents)
        } else {
            // The right node's first separator is stale-safe: it is its separator in `node`.
            left.ids.append(node.ids[index + 1])
            left.ids.append(contentsOf: right.ids.dropFirst())
            left.children.append(contentsOf: right.children)
            left.counts.append(contentsOf: right.counts)
            left.xors.append(contentsOf: right.xors)
        }
        node.counts[index] += node.counts[index + 1]
        node.xors[index].formXor(node.xors[index + 1])
        removeEntry(index + 1, from: node)
    }

    private static func removeEntry(_ index: Int, from node: SyncTreeNode) {
        node.ids.remove(at: index)
        node.children.remove(at: index)
        node.counts.remove(at: index)
        node.xors.remove(at: index)
    }

    /// Removes the first `count` items below `node`; the caller updates the node's own aggregate.
    private static func removeFirst(
        _ count: Int,
        from node: SyncTreeNode,
        _ body: (SyncID, UInt32) -> Void
    ) -> MessageHash {
        var removedXor = MessageHash.zero
        if node.isLeaf {
            for index in 0..<count {
                body(node.ids[index], node.contents[index])
                removedXor.formXor(node.ids[index].hash)
            }
            node.ids.removeFirst(count)
            node.contents.removeFirst(count)
            return removedXor
        }
        var rest = count
        var dropped = 0
        while dropped < node.children.count && rest >= node.counts[dropped] {
            _ = visit(node.children[dropped]) { id, content in
                body(id, content)
                return true
            }
            rest -= node.counts[dropped]
            removedXor.formXor(node.xors[dropped])
            dropped += 1
        }
        if dropped > 0 {
            node.ids.removeFirst(dropped)
            node.children.removeFirst(dropped)
            node.counts.removeFirst(dropped)
            node.xors.removeFirst(dropped)
        }
        if rest > 0 {
            let xor = removeFirst(rest, from: node.children[0], body)
            node.counts[0] -= rest
            node.xors[0].formXor(xor)
            removedXor.formXor(xor)
        }
        return removedXor
    }

    /// Calls `body` for every item below `node`, ascending.
    static func visit(_ node: SyncTreeNode, _ body: (SyncID, UInt32) -> Bool) -> Bool {
        if node.isLeaf {
            for index in 0..<node.ids.count where !body(node.ids[index], node.contents[index]) { return false }
            return true
        }
        for child in node.children where !visit(child, body) { return false }
        return true
    }
}
