internal import WakuCore

/// The set a node reconciles: one entry per stored message in the sync window, keyed by
/// ``SyncID`` and tagged with its pubsub and content topic (PROTOCOLS.md §4.1).
///
/// One ``SyncTree`` per pubsub topic, so the usual scopes (all topics, or a subset of pubsub
/// topics) are answered from tree aggregates without scanning; a content-topic filter that only
/// partly covers a tree's content topics scans the range in that tree. Not thread-safe: the node
/// keeps it inside one actor.
package final class SyncIndex {
    var trees: [String: SyncTree] = [:]
    private var contentNumbers: [String: UInt32] = [:]
    private var contentNames: [String] = []

    package init() {}

    /// Total number of items.
    package var count: Int { self.trees.values.reduce(0) { $0 + $1.count } }

    /// Pubsub topics that hold at least one item, sorted.
    package var pubsubTopics: [String] { self.trees.filter { !$0.value.isEmpty }.keys.sorted() }

    /// Content topics that hold at least one item, sorted.
    package var contentTopics: [String] {
        var present = Set<UInt32>()
        for tree in self.trees.values { present.formUnion(tree.contentCounts.keys) }
        return present.map { self.contentNames[Int($0)] }.sorted()
    }

    /// Adds an item; returns false when it was already there.
    @discardableResult
    package func insert(_ id: SyncID, pubsubTopic: String, contentTopic: String) -> Bool {
        let tree = self.tree(for: pubsubTopic)
        return tree.insert(id, content: self.contentNumber(for: contentTopic))
    }

    /// Removes an item; returns false when it was not there.
    @discardableResult
    package func remove(_ id: SyncID, pubsubTopic: String) -> Bool {
        guard let tree = self.trees[pubsubTopic], tree.remove(id) != nil else { return false }
        if tree.isEmpty { self.trees[pubsubTopic] = nil }
        return true
    }

    /// Whether the item is present.
    package func contains(_ id: SyncID, pubsubTopic: String) -> Bool {
        guard let tree = self.trees[pubsubTopic] else { return false }
        return tree.rank(of: id, inclusive: true) != tree.rank(of: id, inclusive: false)
    }

    /// Removes every item older than `timestamp` (nanoseconds), reporting each one.
    ///
    /// - Returns: how many items were removed.
    @discardableResult
    package func prune(
        olderThan timestamp: Int64,
        _ removed: (SyncID, _ pubsubTopic: String) -> Void = { _, _ in }
    ) -> Int {
        var total = 0
        for (topic, tree) in self.trees {
            let doomed = tree.rank(of: .bound(timestamp), inclusive: false)
            tree.removeFirst(doomed) { id, _ in removed(id, topic) }
            total += doomed
            if tree.isEmpty { self.trees[topic] = nil }
        }
        return total
    }

    /// Replaces the contents with `entries`, which must be sorted by ``SyncID``; duplicates are
    /// dropped. O(n).
    package func load(sorted entries: [Entry]) {
        var perTopic: [String: [(id: SyncID, content: UInt32)]] = [:]
        for entry in entries {
            let content = self.contentNumber(for: entry.contentTopic)
            if let previous = perTopic[entry.pubsubTopic]?.last?.id {
                precondition(previous <= entry.id, "load(sorted:) needs entries in SyncID order")
                if previous == entry.id { continue }
            }
            perTopic[entry.pubsubTopic, default: []].append((entry.id, content))
        }
        self.trees = perTopic.mapValues { SyncTree(sorted: $0) }
    }

    /// One item with its topics, as loaded from the archive.
    package struct Entry: Hashable, Sendable {
        package var id: SyncID
        package var pubsubTopic: String
        package var contentTopic: String

        package init(id: SyncID, pubsubTopic: String, contentTopic: String) {
            self.id = id
            self.pubsubTopic = pubsubTopic
            self.contentTopic = contentTopic
        }
    }

    // MARK: - Private

    private func tree(for pubsubTopic: String) -> SyncTree {
        if let tree = self.trees[pubsubTopic] { return tree }
        let tree = SyncTree()
        self.trees[pubsubTopic] = tree
        return tree
    }

    func contentNumber(for topic: String) -> UInt32 {
        if let number = self.contentNumbers[topic] { return number }
        let number = UInt32(self.contentNames.count)
        self.contentNames.append(topic)
        self.contentNumbers[topic] = number
        return number
    }

    func existingContentNumber(for topic: String) -> UInt32? { self.contentNumbers[topic] }
}
