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
    /// dropped. O(n), filling each tree's leaves directly (no copy of the entries).
    package func load(sorted entries: [Entry]) {
        var builders: [String: SyncTree.Builder] = [:]
        // Runs of entries share their topics: the current topic's builder and the last content
        // number are kept at hand instead of hashing two strings per entry.
        var topic: String?
        var builder = SyncTree.Builder()
        var content: (topic: String, number: UInt32)?
        for entry in entries {
            if entry.pubsubTopic != topic {
                if let topic { builders[topic] = builder }
                topic = entry.pubsubTopic
                builder = builders.removeValue(forKey: entry.pubsubTopic) ?? SyncTree.Builder()
            }
            if content?.topic != entry.contentTopic {
                content = (entry.contentTopic, self.contentNumber(for: entry.contentTopic))
            }
            Self.append(entry.id, content: content?.number ?? 0, to: &builder)
        }
        if let topic { builders[topic] = builder }
        self.trees = builders.mapValues { SyncTree($0) }
    }

    /// Replaces the contents with `ids`, ascending, all of one pubsub and one content topic;
    /// duplicates are dropped. O(n) without holding the items anywhere but in the tree.
    package func load(sorted ids: some Sequence<SyncID>, pubsubTopic: String, contentTopic: String) {
        let content = self.contentNumber(for: contentTopic)
        var builder = SyncTree.Builder()
        for id in ids { Self.append(id, content: content, to: &builder) }
        self.trees = builder.count == 0 ? [:] : [pubsubTopic: SyncTree(builder)]
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

    private static func append(_ id: SyncID, content: UInt32, to builder: inout SyncTree.Builder) {
        if let previous = builder.last {
            precondition(previous <= id, "load(sorted:) needs entries in SyncID order")
            if previous == id { return }
        }
        builder.append(id, content: content)
    }
}
