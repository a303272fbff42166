internal import WakuCore

extension SyncTree {
    /// Takes the tree a builder filled.
    convenience init(_ builder: Builder) {
        var builder = builder
        builder.flushContentRun()
        self.init()
        self.count = builder.count
        self.contentCounts = builder.contentCounts
        self.root = builder.finishedRoot()
    }

    /// Bulk loading, one item at a time in ascending order, in O(n) and without holding the items
    /// anywhere but in the leaves being filled.
    struct Builder {
        private var leaves: [SyncTreeNode] = []
        private var leaf = SyncTreeNode(isLeaf: true)
        private(set) var count = 0
        private(set) var contentCounts: [UInt32: Int] = [:]
        /// Consecutive items usually share their content topic: counted as a run, then added.
        private var runContent: UInt32 = 0
        private var runLength = 0

        init() {}

        /// The last item appended.
        var last: SyncID? { self.leaf.ids.last }

        /// Appends an item greater than every item before it.
        mutating func append(_ id: SyncID, content: UInt32) {
            if self.leaf.width == SyncTree.bulkFill {
                self.leaves.append(self.leaf)
                self.leaf = SyncTreeNode(isLeaf: true)
            }
            self.leaf.ids.append(id)
            self.leaf.contents.append(content)
            self.count += 1
            if content != self.runContent { self.flushContentRun() }
            self.runContent = content
            self.runLength += 1
        }

        mutating func flushContentRun() {
            if self.runLength > 0 { self.contentCounts[self.runContent, default: 0] += self.runLength }
            self.runLength = 0
        }

        func finishedRoot() -> SyncTreeNode {
            guard self.count > 0 else { return SyncTreeNode(isLeaf: true) }
            var level = self.leaves
            level.append(self.leaf)
            while level.count > 1 {
                var parents: [SyncTreeNode] = []
                parents.reserveCapacity(level.count / SyncTree.bulkFill + 1)
                var parent = SyncTreeNode(isLeaf: false)
                for child in level {
                    if parent.width == SyncTree.bulkFill {
                        parents.append(parent)
                        parent = SyncTreeNode(isLeaf: false)
                    }
                    parent.appendChild(child, separator: child.ids[0])
                }
                parents.append(parent)
                level = parents
            }
            return level[0]
        }
    }
}
